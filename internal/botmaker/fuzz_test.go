package botmaker

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// FuzzErrorBody decodes any error response a server may send. Every "$" in
// the body stands for the token, so bodies that echo it are explored too:
// the message is bounded, classified, and never holds the token or a piece
// of it that a cut left behind.
func FuzzErrorBody(f *testing.F) {
	f.Add(400, []byte(`{"errors":[{"type":"INVALID_DATETIME_INTERVAL","source":"from","message":"span over a month"}]}`))
	f.Add(401, []byte(`{"errors":[{"type":"UNAUTHORIZED","source":"access-token","message":"token $ is not valid"}]}`))
	f.Add(503, []byte(`<html><body>Service Unavailable</body></html>`))
	f.Add(429, []byte(`{"errors":[{"message":"`+strings.Repeat("x", 490)+`$"}]}`))
	f.Add(999, []byte(`{"errors":null}`))
	c, err := New("https://api.botmaker.com/v2.0", token, DefaultSettings, zerolog.Nop())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if bytes.Contains(body, []byte(token[:8])) {
			t.Skip("the input spells the token itself; only echoes through $ are leaks")
		}
		body = bytes.ReplaceAll(body, []byte("$"), []byte(token))
		e := c.classify("/chats", status, body)
		if e.Message == "" || len(e.Message) > 1500 {
			t.Fatalf("message of %d bytes: %q", len(e.Message), e.Message)
		}
		for i := 8; i <= len(token); i++ {
			if strings.Contains(e.Message, token[:i]) {
				t.Fatalf("message holds %q of the token: %q", token[:i], e.Message)
			}
		}
		switch e.FailureType {
		case airbyte.ConfigError, airbyte.SystemError, airbyte.TransientError:
		default:
			t.Fatalf("failure type %q", e.FailureType)
		}
		if status == http.StatusUnauthorized && e.FailureType != airbyte.ConfigError {
			t.Fatalf("401 is %s", e.FailureType)
		}
	})
}

// FuzzRetryAfter parses any Retry-After value into a wait that is never
// negative.
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"0", "120", "99999999999999999999", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		resp := &http.Response{Header: http.Header{"Retry-After": {v}}}
		if d, ok := retryAfter(resp); ok && d < 0 {
			t.Fatalf("%q gives %s", v, d)
		}
		if d := backoff(0, 0, 3, resp); d < 0 {
			t.Fatalf("%q gives a backoff of %s", v, d)
		}
	})
}
