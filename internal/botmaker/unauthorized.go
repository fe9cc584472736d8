package botmaker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/plural"
)

// A 401 is not always a bad token. Reported of Botmaker, not in its SPEC:
// after a burst of requests it answered 401 for a while to a token that was
// still valid and worked again later. So once the token has worked in this
// sync, a 401 is waited out: the request is sent again with backoff for up
// to Settings.UnauthorizedWait, and only then fails, as a transient_error
// that says what happened; like a bad token's, that error ends the sync
// once (the connector's token gate). A 401 before any request succeeded is
// still the bad token of a config_error, and with refresh credentials the
// refresh comes first, as for any 401 (get); the wait never spends another
// refresh token, since renew refuses to refresh a token that never worked.

// The waits between attempts: doubling from the first, capped.
const (
	unauthorizedFirstWait = 5 * time.Second
	unauthorizedMaxWait   = time.Minute
)

// Get fetches u with the current access token and returns the body of a
// 200 response, which is valid JSON, or an empty body for an empty result
// (204). endpoint names the pace and appears in errors. With refresh
// enabled, a 401 renews the credentials first; a 401 once the token has
// worked is waited out (above). Every failure is an *Error, except the
// cancellation of ctx, which is returned as ctx.Err().
func (c *Client) Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	body, err := c.get(ctx, endpoint, u)
	if err == nil || !waitable(err) || c.settings.UnauthorizedWait <= 0 {
		return body, err
	}
	if worked, werr := c.auth.workedOnceSettled(ctx); werr != nil {
		return nil, werr
	} else if !worked {
		return body, err
	}
	if c.waited401.CompareAndSwap(false, true) {
		c.log.Warn().Str("endpoint", endpoint).Msgf("Botmaker answered HTTP 401 on %s although the access token worked earlier in this sync; Botmaker has been seen doing so for a while after a burst of requests, so requests are retried for up to %s. Nothing to do unless the sync fails with HTTP 401: then check whether another integration uses the same access token at the same time.", endpoint, c.settings.UnauthorizedWait)
	}
	waited, wait, tries := time.Duration(0), unauthorizedFirstWait, 1
	for waited < c.settings.UnauthorizedWait {
		d := min(wait, c.settings.UnauthorizedWait-waited)
		if err := c.sleep(ctx, d); err != nil {
			return nil, err
		}
		waited += d
		wait = min(2*wait, unauthorizedMaxWait)
		tries++
		body, err = c.get(ctx, endpoint, u)
		if err == nil {
			c.log.Info().Str("endpoint", endpoint).Msgf("Botmaker accepted the access token again on %s after %s", endpoint, waited)
			return body, nil
		}
		if !waitable(err) {
			return nil, err
		}
	}
	// Credentials: every request with this token is refused alike, so the
	// connector's token gate ends the sync with this one error.
	return nil, &Error{Status: http.StatusUnauthorized, Endpoint: endpoint, FailureType: airbyte.TransientError, Retryable: true, Credentials: true, Message: fmt.Sprintf(
		"Botmaker kept answering HTTP 401 on %s for %s (%s) although the access token had worked earlier in this sync, so it was taken for a temporary refusal, as Botmaker has been seen making after a burst of requests, rather than a bad token. Run the sync again later; if it then fails at its first request with HTTP 401, check access_token.",
		endpoint, waited, plural.Count(tries, "attempt"))}
}

// waitable is a 401 on an API request: a failed refresh (a 401 on POST
// /auth/credentials) is never waited out.
func waitable(err error) bool {
	var be *Error
	return errors.As(err, &be) && be.Status == http.StatusUnauthorized && be.Endpoint != CredentialsEndpoint
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.settings.Sleep != nil {
		return c.settings.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
