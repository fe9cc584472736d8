package botmaker

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
)

// Error is a request that failed for good. Message is written for the user
// and names the fix; it never carries the token, the reason phrase (Botmaker
// has been seen echoing the access-token header there) or the query string.
type Error struct {
	Status      int // HTTP status, 0 when no response arrived
	Endpoint    string
	Message     string
	FailureType protocol.FailureType
	Retryable   bool // the request was retried until the attempts or time ran out
}

func (e *Error) Error() string { return e.Message }

// FailureTypeOf returns the Airbyte failure type for err: the one an *Error
// carries, else system_error.
func FailureTypeOf(err error) protocol.FailureType {
	var be *Error
	if errors.As(err, &be) {
		return be.FailureType
	}
	return protocol.SystemError
}

// errorBody is Botmaker's ErrorResponse.
type errorBody struct {
	Errors []struct {
		Type    string `json:"type"`
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"errors"`
}

// botmakerMessage extracts "TYPE (source): message; ..." from an error body,
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

// policy is the one table that maps an HTTP outcome to what the connector
// does and how Airbyte is told. Every stream goes through it.
func classify(endpoint string, status int, body []byte) *Error {
	detail := botmakerMessage(body)
	if detail == "" {
		detail = http.StatusText(status)
	}
	e := &Error{Status: status, Endpoint: endpoint}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.FailureType = protocol.ConfigError
		e.Message = fmt.Sprintf("Botmaker rejected the access token (HTTP %d on %s: %s). Check access_token: copy the token from Botmaker under Configuration > Integrations > API > Credentials, paste it without a \"Bearer\" prefix, and generate a new one if it expired or was revoked.", status, endpoint, detail)
	case status == http.StatusNotFound:
		e.FailureType = protocol.SystemError
		e.Message = fmt.Sprintf("Botmaker has no endpoint %s (HTTP 404: %s). Check base_url: it should end in /v2.0, for example https://api.botmaker.com/v2.0.", endpoint, detail)
	case status == http.StatusBadRequest:
		e.FailureType = protocol.SystemError
		e.Message = fmt.Sprintf("Botmaker refused the request to %s (HTTP 400): %s", endpoint, detail)
	case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
		e.FailureType = protocol.TransientError
		e.Retryable = true
		e.Message = fmt.Sprintf("Botmaker kept failing on %s (HTTP %d: %s) after every retry; the next sync resumes from the last saved state.", endpoint, status, detail)
	default:
		e.FailureType = protocol.SystemError
		e.Message = fmt.Sprintf("Botmaker answered %s with HTTP %d: %s", endpoint, status, detail)
	}
	return e
}
