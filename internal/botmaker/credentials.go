package botmaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/redact"
)

// CredentialsEndpoint renews credentials (POST) and shows them (GET).
const CredentialsEndpoint = "/auth/credentials"

// DefaultRefreshEvery spaces refresh attempts: Botmaker allows 3 a minute,
// so one every 20 seconds can never be refused for the rate alone.
const DefaultRefreshEvery = 20 * time.Second

// pasteFresh is the fix for every refresh that failed for good: the
// refresh token is single-use, so after a failed attempt nobody can tell
// whether the one in the config still works.
const pasteFresh = "Paste fresh credentials (access token, secret ID and refresh token) from Botmaker under Configuration > Integrations > API > Credentials into this source's configuration."

// Credentials are what POST /auth/credentials takes and returns.
type Credentials struct {
	ClientID, SecretID, AccessToken, RefreshToken string
}

// auth is the client's access token and what it needs to renew it. One
// refresh runs at a time; requests that hit 401 meanwhile wait for it.
type auth struct {
	mu      sync.Mutex
	token   string
	secrets redact.Set // every token and secret held so far, for scrub

	enabled                     bool
	clientID, secretID, refresh string
	onRefresh                   func(Credentials) error
	gen                         int           // successful refreshes so far
	proven                      bool          // a request with the current token succeeded
	worked                      bool          // a request with any token succeeded
	pending                     int           // requests sent and not yet judged (send)
	judged                      chan struct{} // closed and replaced when pending falls or worked is set
	running                     chan struct{} // closed when the refresh in progress ends
	failed                      error         // a refresh failed: the credentials are unusable
}

func (a *auth) current() (string, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token, a.gen
}

func (a *auth) prove(gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen == a.gen {
		a.proven = true
	}
	a.worked = true
}

func (a *auth) hasWorked() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.worked
}

// sent counts a request as pending until done judges it.
func (a *auth) sent() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending++
}

// done ends a pending request; ok proves the token of generation gen.
func (a *auth) done(gen int, ok bool) {
	if ok {
		a.prove(gen)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending--
	if a.judged != nil {
		close(a.judged)
		a.judged = nil
	}
}

// workedOnceSettled reports whether the token has worked in this sync,
// after waiting for the requests still pending to be judged. A 401 can
// reach one stream while another stream's 200, sent earlier, is still
// being read: deciding at once would take a token that works for a bad
// one and end the sync.
func (a *auth) workedOnceSettled(ctx context.Context) (bool, error) {
	for {
		a.mu.Lock()
		if a.worked || a.pending == 0 {
			worked := a.worked
			a.mu.Unlock()
			return worked, nil
		}
		if a.judged == nil {
			a.judged = make(chan struct{})
		}
		ch := a.judged
		a.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

func (a *auth) addSecrets(ss ...string) { a.secrets.Add(ss...) }

// EnableRefresh lets the client renew its access token with Botmaker's
// refresh flow when a request is answered 401 (and when Refresh is
// called). onRefresh receives the new credentials after a refresh
// succeeds and before any request uses them; it must hand them on for
// good (Botmaker has already invalidated the old ones), and an error from
// it fails the refresh.
func (c *Client) EnableRefresh(clientID, secretID, refreshToken string, onRefresh func(Credentials) error) {
	every := c.settings.RefreshEvery
	if every <= 0 {
		every = DefaultRefreshEvery
	}
	c.auth.mu.Lock()
	c.auth.enabled = true
	c.auth.clientID, c.auth.secretID, c.auth.refresh = clientID, secretID, refreshToken
	c.auth.secrets.Add(secretID, refreshToken)
	c.auth.onRefresh = onRefresh
	c.auth.mu.Unlock()
	// The pacer spaces every attempt, HTTP retries included, so "one
	// attempt per RefreshEvery" holds whatever the callers do.
	c.mu.Lock()
	c.paces[CredentialsEndpoint] = &pace{lim: rate.NewLimiter(rate.Every(every), 1), base: rate.Every(every)}
	c.mu.Unlock()
}

// Refresh renews the credentials now, as a 401 would. The connector calls
// it at the start of a sync when the token is about to expire.
func (c *Client) Refresh(ctx context.Context) error {
	if !c.refreshEnabled() {
		return errors.New("refresh is not enabled")
	}
	_, gen := c.auth.current()
	_, _, err := c.renew(ctx, gen, nil)
	return err
}

func (c *Client) refreshEnabled() bool {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.enabled
}

func unauthorized(err error) bool {
	var be *Error
	return errors.As(err, &be) && be.Status == http.StatusUnauthorized
}

func rejectedNewToken(endpoint string) *Error {
	return &Error{Status: http.StatusUnauthorized, Endpoint: endpoint, FailureType: airbyte.ConfigError, Credentials: true, Message: fmt.Sprintf(
		"Botmaker rejected (HTTP 401 on %s) the access token it had just issued by renewing the credentials; they may have been renewed again or revoked elsewhere. %s", endpoint, pasteFresh)}
}

// renew returns a token newer than the one of generation used, refreshing
// if nobody has yet. cause is the 401 that prompted it (nil from Refresh).
func (c *Client) renew(ctx context.Context, used int, cause error) (string, int, error) {
	a := &c.auth
	for {
		a.mu.Lock()
		switch {
		case a.failed != nil:
			err := a.failed
			a.mu.Unlock()
			return "", 0, err
		case a.gen != used: // renewed since that request left
			tok, gen := a.token, a.gen
			a.mu.Unlock()
			return tok, gen, nil
		case a.running != nil:
			done := a.running
			a.mu.Unlock()
			select {
			case <-done:
				continue
			case <-ctx.Done():
				return "", 0, ctx.Err()
			}
		case cause != nil && a.gen > 0 && !a.proven:
			// The token of the last refresh never worked: refreshing
			// again would only spend another refresh token.
			a.mu.Unlock()
			var be *Error
			errors.As(cause, &be)
			return "", 0, rejectedNewToken(be.Endpoint)
		}
		done := make(chan struct{})
		a.running = done
		a.mu.Unlock()

		err := c.refreshOnce(ctx)

		a.mu.Lock()
		if err != nil && ctx.Err() == nil {
			a.failed = err
		}
		a.running = nil
		close(done)
		a.mu.Unlock()
		if err != nil {
			return "", 0, err
		}
	}
}

// authResponse is Botmaker's AuthResponse.
type authResponse struct {
	ClientID     string `json:"clientId"`
	SecretID     string `json:"secretId"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// refreshOnce sends POST /auth/credentials and installs the answer.
func (c *Client) refreshOnce(ctx context.Context) (err error) {
	// It runs on a stream's page-fetching goroutine, where a panic (in
	// onRefresh, say) would end the process without a word on stdout.
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Endpoint: CredentialsEndpoint, FailureType: airbyte.SystemError,
				Message: c.scrub(fmt.Sprintf("internal error while renewing the credentials: %v\n%s", p, debug.Stack()))}
		}
	}()
	a := &c.auth
	a.mu.Lock()
	tok := a.token
	old := Credentials{ClientID: a.clientID, SecretID: a.secretID, RefreshToken: a.refresh}
	a.mu.Unlock()
	payload, err := json.Marshal(map[string]string{"clientId": old.ClientID, "secretId": old.SecretID, "refreshToken": old.RefreshToken})
	if err != nil {
		return err
	}
	c.log.Info().Msg("renewing the Botmaker credentials with the refresh token")
	body, err := c.do(ctx, http.MethodPost, CredentialsEndpoint, c.URL(CredentialsEndpoint, nil), tok, payload)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return refreshFailed(err)
	}
	var r authResponse
	if json.Unmarshal(body, &r) != nil || r.AccessToken == "" || r.RefreshToken == "" {
		return &Error{Status: http.StatusOK, Endpoint: CredentialsEndpoint, FailureType: airbyte.ConfigError, Credentials: true, Message: "Botmaker's answer to the credential renewal (POST /auth/credentials) did not hold both a new access token and a new refresh token, and the refresh token sent may already be spent. " + pasteFresh}
	}
	next := Credentials{ClientID: old.ClientID, SecretID: old.SecretID, AccessToken: r.AccessToken, RefreshToken: r.RefreshToken}
	if r.ClientID != "" {
		next.ClientID = r.ClientID
	}
	if r.SecretID != "" {
		next.SecretID = r.SecretID
	}
	// Known as secrets before anything can print them.
	a.addSecrets(next.AccessToken, next.RefreshToken, next.SecretID)
	if a.onRefresh != nil {
		if err := a.onRefresh(next); err != nil {
			return &Error{Endpoint: CredentialsEndpoint, FailureType: airbyte.SystemError, Message: c.scrub(fmt.Sprintf(
				"Botmaker renewed the credentials but the connector could not hand them to Airbyte (%v); the old ones no longer work. %s", err, pasteFresh))}
		}
	}
	a.mu.Lock()
	a.token, a.clientID, a.secretID, a.refresh = next.AccessToken, next.ClientID, next.SecretID, next.RefreshToken
	a.gen++
	a.proven = false
	a.mu.Unlock()
	return nil
}

// refreshFailed explains a failed POST /auth/credentials. Refused,
// rate-limited past the wait the connector accepts, or malformed: the
// credentials cannot be trusted any more, so it is the user's to fix.
// Unreachable or failing server: the refresh token may well be unspent, so
// the next sync may simply work.
func refreshFailed(err error) error {
	var be *Error
	if !errors.As(err, &be) {
		return err
	}
	// Every case but the last leaves the credentials unusable.
	out := &Error{Status: be.Status, Endpoint: CredentialsEndpoint, FailureType: airbyte.ConfigError, Credentials: true}
	switch {
	case be.Status == http.StatusUnauthorized || be.Status == http.StatusForbidden:
		out.Message = fmt.Sprintf("Botmaker refused to renew the credentials (HTTP %d on POST %s): the refresh token was already used (refreshing elsewhere, or by an earlier sync whose new credentials were not saved), or client_id or secret_id is wrong. %s", be.Status, CredentialsEndpoint, pasteFresh)
	case be.Status == http.StatusTooManyRequests:
		out.Message = fmt.Sprintf("Botmaker rate-limited the credential renewal (HTTP 429 on POST %s; it allows 3 a minute) beyond the wait this connector accepts; another integration sharing these credentials may be renewing them too. %s", CredentialsEndpoint, pasteFresh)
	case be.Status == http.StatusBadRequest:
		out.Message = fmt.Sprintf("Botmaker refused the credential renewal request (%s). Check client_id and secret_id. %s", be.Message, pasteFresh)
	default:
		out.FailureType, out.Retryable, out.Credentials = be.FailureType, be.Retryable, false
		out.Message = fmt.Sprintf("Could not renew the Botmaker credentials: %s If the next sync fails the same way: %s", be.Message, pasteFresh)
	}
	return out
}
