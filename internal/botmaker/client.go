// Package botmaker is the HTTP client for Botmaker API v2.0: the access-token
// header, retries, per-endpoint pacing, response size and time bounds, and the
// rule that the token only ever goes to the configured host.
package botmaker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
)

// Settings bound what one request may cost.
type Settings struct {
	Timeout       time.Duration // per attempt
	MaxAttempts   int           // including the first
	MaxRetryAfter time.Duration // a longer Retry-After fails instead of sleeping
	MaxBody       int64         // bytes; a larger response is an error
	RetryWaitMin  time.Duration
	RetryWaitMax  time.Duration
}

// DefaultSettings suit a nightly unattended sync.
var DefaultSettings = Settings{
	Timeout:       90 * time.Second,
	MaxAttempts:   6,
	MaxRetryAfter: 5 * time.Minute,
	MaxBody:       256 << 20,
	RetryWaitMin:  time.Second,
	RetryWaitMax:  30 * time.Second,
}

// Client talks to one Botmaker base URL with one token.
type Client struct {
	base     *url.URL
	token    string
	settings Settings
	http     *retryablehttp.Client
	log      zerolog.Logger

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	requests map[string]int
}

// New returns a client for baseURL (e.g. https://api.botmaker.com/v2.0).
func New(baseURL, token string, s Settings, log zerolog.Logger) (*Client, error) {
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base_url %q is not an http(s) URL; use https://api.botmaker.com/v2.0", baseURL)
	}
	c := &Client{base: base, token: token, settings: s, log: log, limiters: map[string]*rate.Limiter{}, requests: map[string]int{}}
	hc := &http.Client{
		Transport: &pacer{c: c, next: http.DefaultTransport.(*http.Transport).Clone()},
		Timeout:   s.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// net/http forwards custom headers such as access-token on
			// redirects to other hosts, so such a redirect is never followed.
			if !c.sameOrigin(req.URL) {
				return fmt.Errorf("refused a redirect from %s to another host (%s): the access token is only sent to %s", via[0].URL.Host, req.URL.Host, c.base.Host)
			}
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			return nil
		},
	}
	c.http = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil,
		RetryWaitMin: s.RetryWaitMin,
		RetryWaitMax: s.RetryWaitMax,
		RetryMax:     s.MaxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, attempt int) {
			if attempt > 0 {
				c.log.Warn().Str("endpoint", r.URL.Path).Int("attempt", attempt+1).Msg("retrying Botmaker request")
			}
		},
	}
	return c, nil
}

// SetRate paces requests to endpoint (a path such as "/chats") at perSecond.
// Pacing below Botmaker's documented limits means a normal sync gets no 429.
func (c *Client) SetRate(endpoint string, perSecond float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if perSecond <= 0 {
		c.limiters[endpoint] = rate.NewLimiter(rate.Inf, 1)
		return
	}
	burst := int(perSecond)
	if burst < 1 {
		burst = 1
	}
	c.limiters[endpoint] = rate.NewLimiter(rate.Limit(perSecond), burst)
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

// Endpoint builds base + path + query.
func (c *Client) Endpoint(path string, q url.Values) *url.URL {
	u := c.Base()
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	return u
}

func (c *Client) sameOrigin(u *url.URL) bool {
	return u.Scheme == c.base.Scheme && u.Host == c.base.Host
}

// Get fetches u and returns the body of a 200 response. endpoint names the
// limiter and appears in errors. Responses that arrive broken (cut short, not
// JSON) are fetched again, within the same attempt budget as HTTP retries.
func (c *Client) Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	if !c.sameOrigin(u) {
		return nil, &Error{Endpoint: endpoint, FailureType: protocol.SystemError, Message: fmt.Sprintf(
			"Botmaker's next-page link for %s points to %s://%s, not the configured %s://%s; refusing to follow it so the access token never leaves the configured host.",
			endpoint, u.Scheme, u.Host, c.base.Scheme, c.base.Host)}
	}
	var lastErr error
	for attempt := 0; attempt < c.settings.MaxAttempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff(c.settings.RetryWaitMin, c.settings.RetryWaitMax, attempt, nil)); err != nil {
				return nil, err
			}
		}
		body, err := c.once(ctx, endpoint, u)
		if err == nil {
			return body, nil
		}
		var be *Error
		if errors.As(err, &be) && be.Status != 0 {
			return nil, err // HTTP-level retries already happened inside once
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
		c.log.Warn().Str("endpoint", endpoint).Int("attempt", attempt+1).Str("error", err.Error()).Msg("Botmaker response unusable, fetching again")
	}
	return nil, &Error{Endpoint: endpoint, FailureType: protocol.TransientError, Retryable: true,
		Message: fmt.Sprintf("Botmaker's responses for %s kept arriving broken (%v) after %d attempts; the next sync resumes from the last saved state.", endpoint, lastErr, c.settings.MaxAttempts)}
}

// once is one retryablehttp.Do (with its HTTP-level retries) plus the body
// read. A body that cannot be read whole or is not JSON returns a plain error.
func (c *Client) once(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Endpoint: endpoint, FailureType: protocol.SystemError, Message: fmt.Sprintf("cannot build the request for %s: %v", endpoint, err)}
	}
	req.Header.Set("access-token", c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var be *Error
		if errors.As(err, &be) {
			return nil, err
		}
		return nil, &Error{Endpoint: endpoint, FailureType: protocol.TransientError, Retryable: true,
			Message: fmt.Sprintf("could not reach Botmaker at %s for %s after %d attempts: %s. Check base_url and the network, then run the sync again.", c.base.Host, endpoint, c.settings.MaxAttempts, scrub(err, c.token))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.settings.MaxBody+1))
	if int64(len(body)) > c.settings.MaxBody {
		return nil, &Error{Status: resp.StatusCode, Endpoint: endpoint, FailureType: protocol.SystemError,
			Message: fmt.Sprintf("Botmaker's response for %s is larger than %d MiB; refusing to hold it in memory.", endpoint, c.settings.MaxBody>>20)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, classify(endpoint, resp.StatusCode, body)
	}
	if err != nil {
		return nil, fmt.Errorf("response cut short: %s", scrub(err, c.token))
	}
	if !jsonValid(body) {
		return nil, errors.New("response is not valid JSON")
	}
	return body, nil
}

// checkRetry is go-retryablehttp's default policy, plus: a Retry-After longer
// than the cap fails instead of sleeping through the night.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var be *Error
		if errors.As(err, &be) { // refused redirect
			return false, err
		}
		if e := (*url.Error)(nil); errors.As(err, &e) && e.Err != nil && isRedirectRefusal(e.Err) {
			return false, &Error{Endpoint: resp0path(resp), FailureType: protocol.SystemError, Message: e.Err.Error()}
		}
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp); ok && d > c.settings.MaxRetryAfter {
			return false, &Error{Status: resp.StatusCode, Endpoint: resp.Request.URL.Path, FailureType: protocol.TransientError,
				Message: fmt.Sprintf("Botmaker asked to wait %s before calling %s again (Retry-After), longer than the %s this connector waits; run the sync again later.", d, resp.Request.URL.Path, c.settings.MaxRetryAfter)}
		}
	}
	if resp != nil && resp.StatusCode == http.StatusRequestTimeout {
		return true, nil
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

func resp0path(resp *http.Response) string {
	if resp != nil && resp.Request != nil {
		return resp.Request.URL.Path
	}
	return ""
}

func isRedirectRefusal(err error) bool {
	return err != nil && len(err.Error()) > 7 && err.Error()[:7] == "refused"
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

func retryAfter(resp *http.Response) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer waits for the endpoint's limiter before every attempt, retries
// included, and halves the endpoint's pace after a 429.
type pacer struct {
	c    *Client
	next http.RoundTripper
}

func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	ep := r.URL.Path[len(p.c.base.Path):]
	p.c.mu.Lock()
	l := p.c.limiters[ep]
	p.c.requests[ep]++
	p.c.mu.Unlock()
	if l != nil {
		if err := l.Wait(r.Context()); err != nil {
			return nil, err
		}
	}
	resp, err := p.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests && l != nil && l.Limit() != rate.Inf {
		l.SetLimit(l.Limit() / 2)
		p.c.log.Warn().Str("endpoint", ep).Float64("requests_per_second", float64(l.Limit())).Msg("Botmaker answered 429; slowing this endpoint down")
	}
	return resp, err
}
