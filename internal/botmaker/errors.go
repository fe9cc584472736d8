package botmaker

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// Error is a request that failed for good. Message is written for the user
// and names the fix; it never carries the token, the reason phrase (Botmaker
// has been seen echoing the access-token header there) or the query string.
type Error struct {
	Status      int // HTTP status, 0 when no usable response arrived
	Endpoint    string
	Message     string
	FailureType airbyte.FailureType
	Retryable   bool // the request was retried until the attempts or time ran out
	// Credentials says Botmaker refused the credentials themselves (the
	// access token, or a renewal of it): every other request with them
	// fails the same way, so one such error ends the sync.
	Credentials bool
	cause       error // ErrHostDown for a request another one's failure stopped
}

func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is find ErrHostDown.
func (e *Error) Unwrap() error { return e.cause }

// FailureTypeOf returns the Airbyte failure type for err: the one an *Error
// carries, else system_error.
func FailureTypeOf(err error) airbyte.FailureType {
	var be *Error
	if errors.As(err, &be) {
		return be.FailureType
	}
	return airbyte.SystemError
}

// CredentialsRejected reports whether err is Botmaker refusing the
// credentials (Error.Credentials), after any renewal the client tried.
func CredentialsRejected(err error) bool {
	var be *Error
	return errors.As(err, &be) && be.Credentials
}

// action is what the client does with one HTTP outcome.
type action int

const (
	succeed action = iota
	retry          // again, within Settings' attempts and time; then fail transient
	fail           // at once
)

// rule is one row of the policy table.
type rule struct {
	action      action
	failureType airbyte.FailureType
	// message explains a final failure; detail is Botmaker's own error text
	// (or the status text), never the reason phrase.
	message func(endpoint string, status int, detail string) string
}

// blamesToken is a status by which Botmaker refuses the access token.
func blamesToken(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden
}

// policy is the one table that maps an HTTP status to what the connector
// does and how Airbyte is told, for every stream. It follows the Airbyte CDK
// defaults (default_error_mapping.py). Outcomes without a usable status are
// decided in client.go with the same vocabulary:
//
//	outcome                                    action  failure_type
//	200                                        succeed
//	204, or 200 with an empty body             succeed (an empty result: no items)
//	401 before any request succeeded, 403      fail    config_error
//	401 once the token worked (unauthorized.go) retry   transient_error (for
//	                                                    Settings.UnauthorizedWait)
//	403 on a plan-gated stream (PlanGated)     fail    config_error (the plan may lack it)
//	400                                        fail    system_error (Botmaker's errors[].message)
//	404                                        fail    system_error (check base_url)
//	408, 429, 5xx                              retry   transient_error
//	other statuses                             fail    system_error
//	connection refused/reset, timeout          retry   transient_error
//	every attempt unanswered, none answered    fail    transient_error, and every other
//	by the host meanwhile (hostdown.go)                request stops (ErrHostDown)
//	200 cut short or not JSON                  retry   transient_error
//	200 with a raw control char in a string    fail    system_error (same bytes every time)
//	all attempts or Settings.MaxElapsed spent  fail    transient_error
//	Retry-After beyond Settings.MaxRetryAfter  fail    transient_error (no sleep)
//	body beyond Settings.MaxBody               fail    system_error (after decompression)
//	nextPage or redirect to another origin     fail    system_error (never requested;
//	or with user info                                   user:pass@ is another origin)
func policy(status int) rule {
	switch {
	case status == http.StatusOK || status == http.StatusNoContent:
		return rule{action: succeed}
	case blamesToken(status):
		return rule{fail, airbyte.ConfigError, func(ep string, st int, d string) string {
			return fmt.Sprintf("Botmaker rejected the access token (HTTP %d on %s: %s). Check access_token: copy the token from Botmaker under Configuration > Integrations > API > Credentials, paste it without a \"Bearer\" prefix, and generate a new one if it expired or was revoked.", st, ep, d)
		}}
	case status == http.StatusBadRequest:
		return rule{fail, airbyte.SystemError, func(ep string, _ int, d string) string {
			return fmt.Sprintf("Botmaker refused the request to %s (HTTP 400): %s", ep, d)
		}}
	case status == http.StatusNotFound:
		return rule{fail, airbyte.SystemError, func(ep string, _ int, d string) string {
			return fmt.Sprintf("Botmaker has no endpoint %s (HTTP 404: %s). Check base_url: it should end in /v2.0, for example https://api.botmaker.com/v2.0.", ep, d)
		}}
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return rule{retry, airbyte.TransientError, func(ep string, st int, d string) string {
			return fmt.Sprintf("Botmaker kept failing on %s (HTTP %d: %s) after every retry; the next sync resumes from the last saved state.", ep, st, d)
		}}
	default:
		return rule{fail, airbyte.SystemError, func(ep string, st int, d string) string {
			return fmt.Sprintf("Botmaker answered %s with HTTP %d: %s", ep, st, d)
		}}
	}
}

// errorBody is Botmaker's ErrorResponse.
type errorBody struct {
	Errors []struct {
		Type    string `json:"type"`
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"errors"`
}

// botmakerMessage extracts "TYPE: message (source); ..." from an error body,
// or "" when the body is not Botmaker's error shape.
func botmakerMessage(body []byte) string {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil || len(eb.Errors) == 0 {
		return ""
	}
	var parts []string
	for _, e := range eb.Errors {
		s := e.Message
		if e.Type != "" {
			s = e.Type + ": " + s
		}
		if e.Source != "" {
			s += " (" + e.Source + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// classify turns a final non-200 response into the policy's error. The
// token is scrubbed from Botmaker's text: an API that echoes the header in
// a reason phrase may echo it in a body too.
func (c *Client) classify(endpoint string, status int, body []byte) *Error {
	// Scrubbed before it is cut, so no piece of the token survives the cut.
	detail := clipText(c.scrub(botmakerMessage(body)))
	if detail == "" {
		detail = http.StatusText(status)
		if detail == "" {
			detail = "no description"
		}
	}
	r := policy(status)
	if r.action == succeed { // a 200 is never classified; the default row fits
		r = policy(-1)
	}
	return &Error{Status: status, Endpoint: endpoint, FailureType: r.failureType, Retryable: r.action == retry,
		Credentials: blamesToken(status), Message: r.message(endpoint, status, detail)}
}

// PlanGated rewrites err for a stream whose endpoint Botmaker sells only on
// some plans (streams.Def.PlanGated): there a 403 most likely means the
// account's plan lacks the endpoint, not a bad token, since the same token
// works on the other streams. Assumption, not in Botmaker's SPEC (which
// documents no 403 body): a plan-gated 403 is told from a bad token only by
// the stream it happened on. The token message would send the user to
// replace a working token, so the plan is named first and the token second.
// Any other error is returned as it is.
func PlanGated(err error) error {
	var be *Error
	if !errors.As(err, &be) || be.Status != http.StatusForbidden {
		return err
	}
	out := *be
	out.FailureType = airbyte.ConfigError
	out.Credentials = false // the token works elsewhere; the plan is blamed
	out.Message = fmt.Sprintf("Botmaker refused %s with HTTP 403: your Botmaker plan may not include this endpoint. Ask Botmaker to enable it, or deselect this stream; the other streams are not affected. If the other streams fail with 401 or 403 too, check access_token instead.", be.Endpoint)
	return &out
}
