// Package botmaker is the HTTP client for Botmaker API v2.0: the access-token
// header, retries, per-endpoint pacing, response size and time bounds, and the
// rule that the token only ever goes to the configured host.
package botmaker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/plural"
)

// Settings bound what one request may cost.
type Settings struct {
	Timeout     time.Duration // one attempt, body included, pacing wait not
	MaxAttempts int           // including the first
	// MaxElapsed bounds one request as a whole: every attempt, backoff and
	// Retry-After wait. Zero leaves only MaxAttempts as the bound.
	MaxElapsed    time.Duration
	MaxRetryAfter time.Duration // a longer Retry-After fails instead of sleeping
	MaxBody       int64         // bytes; a larger response is an error
	RetryWaitMin  time.Duration
	RetryWaitMax  time.Duration
	// RefreshEvery is the least time between two POST /auth/credentials
	// attempts (Botmaker allows 3 a minute); zero means 20 seconds.
	RefreshEvery time.Duration
	// UnauthorizedWait is how long a 401 is waited out, with backoff, once
	// the access token has worked in this sync (unauthorized.go); zero
	// fails such a 401 at once, as a bad token.
	UnauthorizedWait time.Duration
	// Sleep waits d or until ctx ends (then returning ctx.Err()); nil
	// sleeps for real. Tests pass one that moves a fake clock instead.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultSettings suit a nightly unattended sync: one request gives up after
// 6 attempts or 10 minutes, whichever comes first; a 401 after the token
// worked is waited out for 5 minutes.
var DefaultSettings = Settings{
	Timeout:          90 * time.Second,
	MaxAttempts:      6,
	MaxElapsed:       10 * time.Minute,
	MaxRetryAfter:    5 * time.Minute,
	MaxBody:          64 << 20,
	RetryWaitMin:     time.Second,
	RetryWaitMax:     30 * time.Second,
	UnauthorizedWait: 5 * time.Minute,
}

// PaceShare is the share of Botmaker's documented per-endpoint limit the
// client uses. Botmaker counts requests as they arrive, the client as they
// leave; the margin absorbs network jitter so a normal sync gets no 429.
// It is as high as make bench shows it can go without a 429 (README, Rate
// limits, has the numbers).
const PaceShare = 0.95

// slowSlack is added to every interval of an endpoint allowed one request
// per second or less. Its bucket holds a single request, so a request that
// arrives a little early (a slow previous request, a busy machine) is a 429.
const slowSlack = 200 * time.Millisecond

// paceFor is the client's pace for an endpoint documented at perSecond.
func paceFor(perSecond float64) rate.Limit {
	r := perSecond * PaceShare
	if perSecond <= 1 {
		r = 1 / (1/r + slowSlack.Seconds())
	}
	return rate.Limit(r)
}

// maxErrorBody is how much of a non-200 body is read for its message.
const maxErrorBody = 64 << 10

// Client talks to one Botmaker base URL with one set of credentials.
type Client struct {
	base     *url.URL
	auth     auth // the access token, and how to renew it (credentials.go)
	settings Settings
	hc       *http.Client // pacing, timeouts and redirect checks; retrying adds retries
	log      zerolog.Logger

	host     *hostWatch    // ends every request once one shows the host dead
	big      chan struct{} // the one big-read slot (readLimited)
	mu       sync.Mutex
	paces    map[string]*pace
	requests map[string]int

	waited401 atomic.Bool // a 401 after the token worked was warned about (unauthorized.go)
}

// New returns a client for baseURL (e.g. https://api.botmaker.com/v2.0).
func New(baseURL, token string, s Settings, log zerolog.Logger) (*Client, error) {
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base_url %q is not an http(s) URL; use https://api.botmaker.com/v2.0", baseURL)
	}
	c := &Client{base: base, settings: s, log: log, paces: map[string]*pace{}, requests: map[string]int{}, big: make(chan struct{}, 1), host: newHostWatch()}
	c.auth.token = token
	c.auth.secrets.Add(token)
	hc := &http.Client{
		Transport: &pacer{c: c, next: http.DefaultTransport.(*http.Transport).Clone()},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			ep := endpointOf(req.Context())
			// net/http forwards custom headers such as access-token on
			// redirects to other hosts, so such a redirect is never followed.
			if !c.sameOrigin(req.URL) {
				return &Error{Endpoint: ep, FailureType: airbyte.SystemError, Message: c.scrub(fmt.Sprintf(
					"Botmaker redirected %s to %s, not the configured %s://%s; the redirect was not followed so the access token never leaves the configured host.",
					ep, where(req.URL), c.base.Scheme, c.base.Host))}
			}
			if len(via) >= 5 {
				return &Error{Endpoint: ep, FailureType: airbyte.SystemError, Message: fmt.Sprintf("Botmaker redirected %s more than 5 times; check base_url.", ep)}
			}
			return nil
		},
	}
	c.hc = hc
	return c, nil
}

// retrying is the retrying client of one call. Its Backoff knows the call,
// so the retry WARN says how long it waits and why, before the wait:
// retryablehttp hands Backoff no request when the attempt got no response.
func (c *Client) retrying(cl *call) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   c.hc,
		RetryWaitMin: c.settings.RetryWaitMin,
		RetryWaitMax: c.settings.RetryWaitMax,
		RetryMax:     c.settings.MaxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff: func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
			d := backoff(min, max, attempt, resp)
			c.log.Warn().Msg(retryLine(cl.endpoint, d, cl.attempts+1, c.settings.MaxAttempts, cl.problem))
			if resp != nil && resp.StatusCode == http.StatusTooManyRequests && cl.rateLimited != nil {
				cl.waited = true
				cl.rateLimited(time.Now().Add(d))
			}
			return d
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// retryLine is the retry WARN: "retrying Botmaker request to /chats in 4s
// (attempt 2 of 6): HTTP 503 Service Unavailable".
// retryAction ends every retry WARN with what the user can do.
const retryAction = "Nothing to do unless the sync fails: then check base_url, the network and Botmaker's status."

func retryLine(endpoint string, wait time.Duration, attempt, of int, why string) string {
	switch {
	case wait >= 10*time.Second:
		wait = wait.Round(time.Second)
	case wait >= time.Second:
		wait = wait.Round(100 * time.Millisecond)
	default:
		wait = wait.Round(time.Millisecond)
	}
	return fmt.Sprintf("retrying Botmaker request to %s in %s (attempt %d of %d): %s. %s", endpoint, wait, attempt, of, why, retryAction)
}

// SetRate paces requests to endpoint (a path such as "/chats") under
// Botmaker's documented limit of perSecond: at PaceShare of it, one request
// at a time. perSecond <= 0 turns pacing off.
func (c *Client) SetRate(endpoint string, perSecond float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if perSecond <= 0 {
		delete(c.paces, endpoint)
		return
	}
	base := paceFor(perSecond)
	c.paces[endpoint] = &pace{lim: rate.NewLimiter(base, 1), base: base}
}

// Rate is the current pace of endpoint in requests per second (0 when
// unpaced): lower than set after 429s, recovering with successes.
func (c *Client) Rate(endpoint string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.paces[endpoint]; p != nil {
		return float64(p.lim.Limit())
	}
	return 0
}

// Requests returns how many HTTP attempts went to each endpoint.
func (c *Client) Requests() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.requests))
	for k, v := range c.requests {
		out[k] = v
	}
	return out
}

// Base is the configured base URL.
func (c *Client) Base() *url.URL { u := *c.base; return &u }

// URL builds base + path + query.
func (c *Client) URL(path string, q url.Values) *url.URL {
	u := c.Base()
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	return u
}

// sameOrigin also refuses user info: net/http turns user:pass@ into a Basic
// Authorization header, so a server-chosen link would make the connector
// send credentials the user never configured (base_url may not carry any
// either).
//
// Origins are compared normalised (RFC 6454's scheme, host and port): a
// link that spells the configured origin differently, with the default
// port written out (reported of Botmaker's nextPage) or the host in
// capitals, is the same origin and gets the token.
func (c *Client) sameOrigin(u *url.URL) bool {
	return u.User == nil && origin(u) == origin(c.base)
}

// origin is u's scheme, host and port, in lower case, with the scheme's
// default port filled in.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// where names u's origin for a message; user info is never shown.
func where(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	if u.User != nil {
		s += " with user info (credentials in the link)"
	}
	return s
}

// call is the bookkeeping of one Get across its attempts. retryablehttp runs
// the attempts one after another on the caller's goroutine, so it needs no
// lock.
type call struct {
	endpoint string
	attempts int
	problem  string // why the last attempt was retried
	body     []byte // of the current attempt
	read     bool   // the response handler consumed the current attempt's body
	answered bool   // some attempt got an HTTP response: the host is alive

	rateLimited RateLimitReport // from the caller's context; nil when none
	waited      bool            // an attempt waited on a 429
}

// RateLimitReport hears of a request's waits on Botmaker's rate limit: on a
// 429 it is called with when the wait ends, before the wait; once the
// request that waited gets through, it is called with the zero time. It may
// be called from several goroutines at once.
type RateLimitReport func(until time.Time)

type rateLimitKey struct{}

// WithRateLimitReport returns ctx whose requests tell report of their
// rate-limit waits. The caller (the connector) turns them into stream
// statuses; this package knows no streams.
func WithRateLimitReport(ctx context.Context, report RateLimitReport) context.Context {
	return context.WithValue(ctx, rateLimitKey{}, report)
}

type callKey struct{}

func callOf(ctx context.Context) *call {
	if cl, ok := ctx.Value(callKey{}).(*call); ok {
		return cl
	}
	return &call{}
}

func endpointOf(ctx context.Context) string { return callOf(ctx).endpoint }

// brokenBody is a 200 whose body cannot be used: cut short or not JSON.
// It is retried like a 5xx.
type brokenBody struct{ reason string }

func (e *brokenBody) Error() string { return e.reason }

var (
	errElapsed = errors.New("the request's time budget (Settings.MaxElapsed) ran out")
	// errPaceWait is a pacing wait that would end after the request's
	// deadline; rate.Limiter refuses those at once instead of sleeping.
	errPaceWait = errors.New("the pacing wait would pass the request's deadline")
)

// get is Get without waiting out a 401 (unauthorized.go): it returns the
// body of a 200 response, valid JSON or empty (do). With refresh enabled,
// a 401 renews the credentials (once for all concurrent requests) and the
// request is sent once more.
func (c *Client) get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	tok, gen := c.auth.current()
	body, err := c.send(ctx, endpoint, u, tok, gen)
	if err == nil {
		return body, nil
	}
	if !unauthorized(err) || !c.refreshEnabled() {
		return nil, err
	}
	tok, gen, err = c.renew(ctx, gen, err)
	if err != nil {
		return nil, err
	}
	body, err = c.send(ctx, endpoint, u, tok, gen)
	if err == nil {
		return body, nil
	}
	if unauthorized(err) {
		return nil, rejectedNewToken(endpoint)
	}
	return nil, err
}

// send is do for a GET with the token of generation gen, counted as
// pending until its answer proves the token or not (auth.done).
func (c *Client) send(ctx context.Context, endpoint string, u *url.URL, tok string, gen int) ([]byte, error) {
	c.auth.sent()
	body, err := c.do(ctx, http.MethodGet, endpoint, u, tok, nil)
	c.auth.done(gen, err == nil)
	return body, err
}

// do sends one request with token (and body, as JSON, unless nil) and
// returns the body of a 200 response, which is valid JSON or empty (a 204,
// or a 200 without a body, answers an empty result). endpoint names
// the pace and appears in errors. Every failure is an *Error classified by
// the policy table, except the cancellation of ctx, which is returned as
// ctx.Err().
func (c *Client) do(ctx context.Context, method, endpoint string, u *url.URL, token string, payload []byte) (body []byte, err error) {
	if !c.sameOrigin(u) {
		return nil, &Error{Endpoint: endpoint, FailureType: airbyte.SystemError, Message: c.scrub(fmt.Sprintf(
			"Botmaker's next-page link for %s points to %s, not the configured %s://%s; refusing to follow it so the access token never leaves the configured host.",
			endpoint, where(u), c.base.Scheme, c.base.Host))}
	}
	// Get runs on the streams' page-fetching goroutines, where a panic would
	// end the process without a word on stdout.
	defer func() {
		if p := recover(); p != nil {
			body, err = nil, &Error{Endpoint: endpoint, FailureType: airbyte.SystemError,
				Message: c.scrub(fmt.Sprintf("internal error while fetching %s: %v\n%s", endpoint, p, debug.Stack()))}
		}
	}()
	if e := c.host.stopped(endpoint); e != nil {
		return nil, e
	}
	answersBefore := c.host.answers.Load()
	cl := &call{endpoint: endpoint}
	cl.rateLimited, _ = ctx.Value(rateLimitKey{}).(RateLimitReport)
	rctx, unbind := c.host.bind(ctx)
	defer unbind()
	rctx = context.WithValue(rctx, callKey{}, cl)
	if c.settings.MaxElapsed > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeoutCause(rctx, c.settings.MaxElapsed, errElapsed)
		defer cancel()
	}
	var reqBody any // a typed nil []byte would be sent as an empty body
	if payload != nil {
		reqBody = payload
	}
	req, err := retryablehttp.NewRequestWithContext(rctx, method, u.String(), reqBody)
	if err != nil {
		return nil, &Error{Endpoint: endpoint, FailureType: airbyte.SystemError, Message: c.scrub(fmt.Sprintf("cannot build the request for %s: %v", endpoint, err))}
	}
	req.Header.Set("access-token", token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.SetResponseHandler(func(resp *http.Response) error { return c.readBody(cl, resp) })
	resp, err := c.retrying(cl).Do(req)
	if resp != nil && !cl.read {
		// The retries ran out on a retryable status, or a redirect was
		// refused: the body is only wanted for Botmaker's message.
		cl.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}
	var be *Error
	var bb *brokenBody
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err == nil && policy(resp.StatusCode).action == succeed: // the handler checked the body
		if cl.waited {
			cl.rateLimited(time.Time{})
		}
		return cl.body, nil
	case errors.Is(context.Cause(rctx), ErrHostDown):
		return nil, c.host.stopped(endpoint)
	case errors.Is(context.Cause(rctx), errElapsed) || errors.Is(err, errPaceWait):
		e := &Error{Status: statusOf(resp), Endpoint: endpoint, FailureType: airbyte.TransientError, Retryable: true, Message: c.scrub(fmt.Sprintf(
			"Botmaker did not deliver %s within %s (%s%s); the next sync resumes from the last saved state.",
			endpoint, c.settings.MaxElapsed, plural.Count(cl.attempts, "attempt"), lastProblem(cl)))}
		if !cl.answered && cl.attempts > 0 && !errors.Is(err, errPaceWait) {
			e = c.host.failed(e, answersBefore)
		}
		return nil, e
	case errors.As(err, &be):
		return nil, be
	case errors.As(err, &bb):
		return nil, &Error{Endpoint: endpoint, FailureType: airbyte.TransientError, Retryable: true, Message: c.scrub(fmt.Sprintf(
			"Botmaker's responses for %s kept arriving broken (%s) after %s; the next sync resumes from the last saved state.", endpoint, bb.reason, plural.Count(cl.attempts, "attempt")))}
	case resp != nil:
		return nil, c.classify(endpoint, resp.StatusCode, cl.body)
	case certProblem(err):
		return nil, &Error{Endpoint: endpoint, FailureType: airbyte.ConfigError, Message: c.scrub(fmt.Sprintf(
			"the TLS certificate of %s could not be verified for %s: %s. This is a certificate problem, not a network one: check that base_url names the right host, and that the machine trusts its certificate authority (a TLS-inspecting proxy needs its CA in the system's certificate store).",
			c.base.Host, endpoint, c.transportProblem(err)))}
	default:
		e := &Error{Endpoint: endpoint, FailureType: airbyte.TransientError, Retryable: true, Message: c.scrub(fmt.Sprintf(
			"could not reach Botmaker at %s for %s after %s: %s. Check base_url and the network, then run the sync again.",
			c.base.Host, endpoint, plural.Count(cl.attempts, "attempt"), c.transportProblem(err)))}
		if !cl.answered && cl.attempts > 0 {
			e = c.host.failed(e, answersBefore)
		}
		return nil, e
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func lastProblem(cl *call) string {
	if cl.problem == "" {
		return ""
	}
	return "; last problem: " + cl.problem
}

// readBody is the response handler retryablehttp calls on a response it will
// not retry by status. It reads the body within MaxBody and turns a 200 that
// is cut short or not JSON into a retryable brokenBody.
func (c *Client) readBody(cl *call, resp *http.Response) error {
	defer resp.Body.Close()
	cl.read = true
	if resp.StatusCode == http.StatusNoContent {
		cl.body = []byte{}
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		cl.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	tooLarge := &Error{Status: resp.StatusCode, Endpoint: cl.endpoint, FailureType: airbyte.SystemError, Message: fmt.Sprintf(
		"Botmaker's response for %s is larger than %d MiB (counted after decompression); refusing to hold it in memory.", cl.endpoint, c.settings.MaxBody>>20)}
	if resp.ContentLength > c.settings.MaxBody {
		return tooLarge
	}
	b, err := c.readLimited(resp.Request.Context(), resp.Body, resp.ContentLength)
	if errors.Is(err, errTooLarge) {
		return tooLarge
	}
	if err != nil {
		return &brokenBody{"response cut short: " + c.transportProblem(err)}
	}
	// RFC 8259 lets a parser ignore a byte order mark; one at the start
	// would otherwise fail every attempt the same way.
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if len(bytes.TrimSpace(b)) == 0 {
		// Reported of Botmaker for an empty result, like 204: a body that
		// was cut short has a Content-Length it falls short of, and fails
		// above instead.
		cl.body = b[:0]
		return nil
	}
	if !json.Valid(b) {
		if controlInString(b) {
			return &Error{Status: resp.StatusCode, Endpoint: cl.endpoint, FailureType: airbyte.SystemError, Message: fmt.Sprintf(
				"Botmaker's response for %s has a raw control character (such as a tab) inside a string, which JSON forbids; Botmaker sends the same bytes again, so it is not retried. Report it to Botmaker support with the endpoint.", cl.endpoint)}
		}
		return &brokenBody{fmt.Sprintf("response of %s is not JSON", plural.Count(len(b), "byte"))}
	}
	cl.body = b
	return nil
}

// Reading a body allocates as bytes arrive, never on the server's word:
// a declared Content-Length only sizes the first buffer, up to
// firstBuffer (a typical page fits it, read without copies). Past bigBody bytes a response takes the client's one big-read
// slot, so however many streams read at once, at most one body grows past
// bigBody (to MaxBody) at a time. Go's transport has already inflated a
// gzip body, so MaxBody counts the bytes after decompression.
const (
	firstBuffer = 1 << 20
	bigBody     = 4 << 20
)

var errTooLarge = errors.New("response larger than MaxBody")

func (c *Client) readLimited(ctx context.Context, r io.Reader, declared int64) ([]byte, error) {
	limit := int(c.settings.MaxBody)
	buf := make([]byte, 0, max(min(declared, firstBuffer), 512))
	big := false
	defer func() {
		if big {
			<-c.big
		}
	}()
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return nil, errTooLarge
			}
			if !big && len(buf) >= bigBody {
				select {
				case c.big <- struct{}{}:
					big = true
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			// Doubling, but never past one byte over the limit: that byte
			// is how a too-large body is told apart.
			buf = slices.Grow(buf, min(cap(buf), limit+1-len(buf)))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// controlInString says the first thing wrong with the invalid JSON b is a
// raw control character inside a string: a serialisation bug that comes back
// on every attempt, unlike a body cut short or a proxy's error page.
func controlInString(b []byte) bool {
	var v json.RawMessage
	err := json.Unmarshal(b, &v) // fails at its validity check, before any copy
	var se *json.SyntaxError
	return errors.As(err, &se) && strings.HasSuffix(se.Error(), "in string literal")
}

// transportProblem describes a transport error without the URL (a next-page
// link carries query parameters) and without the token.
func (c *Client) transportProblem(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no complete answer within %s", c.settings.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	// net/http quotes what the server sent when it cannot parse it (a
	// status line, a header line): server text, which is never echoed.
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		msg = strings.TrimRight(msg[:i], " :") + " (the server's text is not shown)"
	}
	return c.scrub(clipText(msg))
}

// maxQuote bounds how much of any one value from the server an error
// message quotes.
const maxQuote = 200

// clipText cuts s to maxQuote bytes on a UTF-8 boundary.
func clipText(s string) string {
	if len(s) <= maxQuote {
		return s
	}
	return strings.ToValidUTF8(s[:maxQuote], "") + "..."
}

// checkRetry applies the policy table, plus: a Retry-After longer than the
// cap, or past the request's deadline, fails at once instead of sleeping.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	cl := callOf(ctx)
	if err != nil {
		var be *Error
		var bb *brokenBody
		switch {
		case errors.As(err, &be):
			return false, be
		case errors.Is(err, errPaceWait):
			return false, err
		case errors.As(err, &bb):
			cl.problem = bb.reason
			return true, nil
		}
		cl.problem = c.transportProblem(err)
		// retryablehttp knows which transport errors are permanent (bad
		// certificate, scheme, header).
		if again, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); again {
			return true, nil
		}
		return false, err
	}
	if policy(resp.StatusCode).action != retry {
		return false, nil
	}
	if d, ok := retryAfter(resp); ok {
		if d > c.settings.MaxRetryAfter {
			return false, &Error{Status: resp.StatusCode, Endpoint: cl.endpoint, FailureType: airbyte.TransientError, Retryable: true, Message: fmt.Sprintf(
				"Botmaker asked to wait %s before calling %s again (HTTP %d with Retry-After), longer than the %s this connector waits; run the sync again later.",
				d, cl.endpoint, resp.StatusCode, c.settings.MaxRetryAfter)}
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
			return false, &Error{Status: resp.StatusCode, Endpoint: cl.endpoint, FailureType: airbyte.TransientError, Retryable: true, Message: fmt.Sprintf(
				"Botmaker asked to wait %s before calling %s again (HTTP %d with Retry-After), past the %s this connector spends on one request; run the sync again later.",
				d, cl.endpoint, resp.StatusCode, c.settings.MaxElapsed)}
		}
	}
	cl.problem = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if _, ok := retryAfter(resp); ok {
		cl.problem += ", with Retry-After"
	}
	return true, nil
}

// backoff honours Retry-After, else waits 2^n·min with ±50% jitter, capped.
func backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp); ok {
			return d
		}
	}
	d := min << uint(attempt)
	if d <= 0 || d > max {
		d = max
	}
	return d/2 + time.Duration(rand.Int64N(int64(d)/2+1))
}

// maxRetryAfterSeconds keeps a hostile Retry-After from overflowing
// time.Duration (which would turn a year into a negative wait).
const maxRetryAfterSeconds = 100 * 365 * 24 * 3600

func retryAfter(resp *http.Response) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(min(s, maxRetryAfterSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// pace is one endpoint's limiter. After a 429 it halves (down to a
// sixteenth of base); every success gives back a tenth of base, so a burst
// of 429s slows a long sync for a while, not for the rest of the night.
type pace struct {
	lim  *rate.Limiter
	base rate.Limit
}

func (p *pace) observe(status int) (slowed bool) {
	cur := p.lim.Limit()
	switch {
	case status == http.StatusTooManyRequests:
		p.lim.SetLimit(max(cur/2, p.base/16))
		return true
	case (status == http.StatusOK || status == http.StatusNoContent) && cur < p.base:
		p.lim.SetLimit(min(p.base, cur+p.base/10))
	}
	return false
}

// pacer waits for the endpoint's pace before every attempt, retries and
// redirects included, counts the attempts, and then gives the attempt its
// Timeout. The timeout lives here rather than in http.Client.Timeout so
// that the pacing wait does not eat into it; like http.Client's, it covers
// reading the body and ends when the body is closed.
type pacer struct {
	c    *Client
	next http.RoundTripper
}

func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	cl := callOf(r.Context())
	cl.attempts++
	cl.read, cl.body = false, nil // what an earlier attempt read is stale
	p.c.mu.Lock()
	pc := p.c.paces[cl.endpoint]
	p.c.requests[cl.endpoint]++
	p.c.mu.Unlock()
	began := time.Now()
	if pc != nil {
		if err := pc.lim.Wait(r.Context()); err != nil {
			if r.Context().Err() == nil {
				return nil, errPaceWait
			}
			return nil, err
		}
	}
	waited := time.Since(began)
	ctx, cancel := context.WithCancel(r.Context())
	if t := p.c.settings.Timeout; t > 0 {
		cancel()
		ctx, cancel = context.WithTimeout(r.Context(), t)
	}
	sent := time.Now()
	resp, err := p.next.RoundTrip(r.WithContext(ctx))
	if e := p.c.log.Debug(); e.Enabled() {
		e.Str("endpoint", cl.endpoint).Int("attempt", cl.attempts).Msg(p.c.attemptLine(r, pc, waited, time.Since(sent), resp, err))
	}
	if err != nil {
		cancel()
		return nil, err
	}
	cl.answered = true
	p.c.host.answers.Add(1)
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	if pc != nil && pc.observe(resp.StatusCode) {
		p.c.log.Warn().Str("endpoint", cl.endpoint).Float64("requests_per_second", float64(pc.lim.Limit())).Msg("Botmaker answered 429; slowing this endpoint down. Check whether another integration uses the same access token at the same time if this happens on every sync.")
	}
	return resp, nil
}

// cancelBody ends the attempt's timeout when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// attemptLine is one attempt's DEBUG line: the request (its URL without
// user info, scrubbed of every secret the client holds), the wait for the
// endpoint's pace and why, and what came back.
func (c *Client) attemptLine(r *http.Request, pc *pace, waited, took time.Duration, resp *http.Response, err error) string {
	line := r.Method + " " + c.scrub(r.URL.Redacted())
	if pc != nil && waited >= time.Millisecond {
		line += fmt.Sprintf(" (waited %s to keep under Botmaker's rate limit, paced at %.3g requests/s)", waited.Round(time.Millisecond), float64(pc.lim.Limit()))
	}
	if err != nil {
		return line + ": " + c.transportProblem(err) + " after " + took.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%s: HTTP %d, headers after %s", line, resp.StatusCode, took.Round(time.Millisecond))
}
