package botmaker

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// spelledLeak reports any spelling of secret that the issue saw reach
// stdout: its first 8 characters in any case, reversed, percent-encoded
// or in base64.
func spelledLeak(text, secret string) string {
	l := strings.ToLower(text)
	rev := []byte(secret)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	for name, form := range map[string]string{
		"prefix":         secret[:8],
		"reversed":       string(rev[:8]),
		"percent":        url.QueryEscape(secret)[:12],
		"base64 (start)": base64.StdEncoding.EncodeToString([]byte(secret))[:12],
	} {
		if strings.Contains(l, strings.ToLower(form)) {
			return name
		}
	}
	return ""
}

// Echoes of the token and of the refresh credentials in the spellings the
// issue found on stdout never reach an error or a log line.
func TestSpelledEchoesNeverLeak(t *testing.T) {
	const (
		secretID = "sid-Alpha-0987654321"
		refresh  = "rt-Bravo+/=1234567890"
	)
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
	}{
		{"16-character prefix in a 401 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, botmakerError("UNAUTHORIZED", "token "+token[:16]+"... is invalid"))
		}},
		{"percent-encoded in a 400 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, botmakerError("BAD_PARAM", "access-token="+url.QueryEscape(token)))
		}},
		{"upper-cased and reversed in a 403 body", func(w http.ResponseWriter, r *http.Request) {
			rev := []byte(strings.ToUpper(token))
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			writeJSON(w, 403, botmakerError("FORBIDDEN", string(rev)))
		}},
		{"lower-cased in a redirect Location", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+strings.ToLower(token)+".example/x", http.StatusFound)
		}},
		{"base64 in a 400 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, botmakerError("BAD", "Basic "+base64.StdEncoding.EncodeToString([]byte(token))))
		}},
		{"refresh credentials in a 400 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, botmakerError("BAD", strings.ToUpper(secretID)+" "+url.QueryEscape(refresh)+" "+refresh[:9]))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, logs := newClient(t, srv.URL, quick)
			c.EnableRefresh("client", secretID, refresh, nil)
			_, err := c.Get(context.Background(), "/chats", c.URL("/chats", nil))
			if err == nil {
				t.Fatal("no error")
			}
			out := fmt.Sprintf("%+v %#v %s", err, err, logs)
			for _, sec := range []string{token, secretID, refresh} {
				if form := spelledLeak(out, sec); form != "" {
					t.Errorf("%s of %q leaked: %s", form, sec[:4], out)
				}
			}
		})
	}
}

// Server text other than Botmaker's structured errors never reaches a
// message: a status or header line net/http cannot parse is described, not
// quoted, and Botmaker's own message is cut to 200 bytes.
func TestServerTextIsNotEchoed(t *testing.T) {
	const marker = "SERVER-CHOSEN-TEXT"
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		max     int
	}{
		{"garbage status line", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 "+marker+"\r\n\r\n")
		}, 400},
		{"bad header line", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\n"+marker+"\r\n\r\n")
		}, 400},
		{"a 2 MB Botmaker message", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, botmakerError("BAD", strings.Repeat("x", 2<<20)))
		}, 400},
	}
	s := quick
	s.MaxAttempts = 1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, _ := newClient(t, srv.URL, s)
			_, err := get(t, c, "/chats")
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), marker) {
				t.Errorf("server text echoed: %s", err)
			}
			if len(err.Error()) > tt.max {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
		})
	}
}
