package botmaker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// authServer is a Botmaker whose token dies and comes back by refresh. It
// serves GET /v2.0/chats to the token in force, and answers POST
// /v2.0/auth/credentials with answer.
type authServer struct {
	*httptest.Server
	mu        sync.Mutex
	valid     string // the token /chats accepts; "" accepts none
	posts     []authPost
	postTimes []time.Time
	answer    func(n int, w http.ResponseWriter)
}

type authPost struct {
	Header string
	Body   map[string]string
}

func newAuthServer(t *testing.T, valid string, answer func(n int, w http.ResponseWriter)) *authServer {
	t.Helper()
	s := &authServer{valid: valid, answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v2.0/auth/credentials":
			var body map[string]string
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &body)
			s.posts = append(s.posts, authPost{r.Header.Get("access-token"), body})
			s.postTimes = append(s.postTimes, time.Now())
			n := len(s.posts) - 1
			s.mu.Unlock()
			s.answer(n, w)
			return
		case r.URL.Path == "/v2.0/chats" && s.valid != "" && r.Header.Get("access-token") == s.valid:
			s.mu.Unlock()
			writeJSON(w, 200, good)
		default:
			s.mu.Unlock()
			writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *authServer) setValid(tok string) {
	s.mu.Lock()
	s.valid = tok
	s.mu.Unlock()
}

func (s *authServer) Posts() []authPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]authPost(nil), s.posts...)
}

const (
	newAccess  = "new-Access-Token-5e8c2a"
	newRefresh = "new-Refresh-Token-91b7d4"
	oldRefresh = "old-Refresh-Token-3f6a0c"
	secretID   = "Secret-ID-77aa11"
)

// rotates answers a refresh with new tokens and makes the new access
// token the valid one.
func rotates(s **authServer) func(int, http.ResponseWriter) {
	return func(n int, w http.ResponseWriter) {
		(*s).setValid(newAccess)
		writeJSON(w, 200, `{"clientId":"cid","secretId":"`+secretID+`","accessToken":"`+newAccess+`","refreshToken":"`+newRefresh+`"}`)
	}
}

// refreshing is a client with refresh enabled that records what it hands on.
func refreshing(t *testing.T, base string, s Settings) (*Client, *[]Credentials) {
	t.Helper()
	c, logs := newClient(t, base, s)
	var mu sync.Mutex
	var got []Credentials
	c.EnableRefresh("cid", secretID, oldRefresh, func(cr Credentials) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cr)
		return nil
	})
	t.Cleanup(func() {
		for _, s := range []string{newAccess, newRefresh, oldRefresh, secretID} {
			if strings.Contains(logs.String(), s) {
				t.Errorf("%s is in the client's log", s)
			}
		}
	})
	return c, &got
}

func quickRefresh() Settings {
	s := quick
	s.RefreshEvery = 10 * time.Millisecond
	return s
}

// A 401 renews the credentials with the documented request and the
// request is sent again with the new token; the new credentials reach
// onRefresh once.
func TestRefreshOn401(t *testing.T) {
	var srv *authServer
	srv = newAuthServer(t, "", rotates(&srv))
	c, handed := refreshing(t, srv.URL, quickRefresh())
	body, err := get(t, c, "/chats")
	if err != nil || string(body) != good {
		t.Fatalf("body %q, err %v", body, err)
	}
	want := []authPost{{Header: token, Body: map[string]string{"clientId": "cid", "secretId": secretID, "refreshToken": oldRefresh}}}
	if diff := cmp.Diff(want, srv.Posts()); diff != "" {
		t.Errorf("refresh requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Credentials{{"cid", secretID, newAccess, newRefresh}}, *handed); diff != "" {
		t.Errorf("handed on (-want +got):\n%s", diff)
	}
	// Scrubbed from errors from now on, like the first token.
	if got := c.scrub("a " + newAccess + " b " + newRefresh + " c " + secretID); strings.Contains(got, "new-") || strings.Contains(got, secretID) {
		t.Errorf("scrub left a secret: %q", got)
	}
}

// Many streams hitting 401 at once cause one refresh; all of them then
// succeed with the new token.
func TestRefreshSingleFlight(t *testing.T) {
	var srv *authServer
	srv = newAuthServer(t, "", func(n int, w http.ResponseWriter) {
		time.Sleep(50 * time.Millisecond) // keep the others waiting
		rotates(&srv)(n, w)
	})
	c, handed := refreshing(t, srv.URL, quickRefresh())
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Get(context.Background(), "/chats", c.URL("/chats", nil))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if n := len(srv.Posts()); n != 1 || len(*handed) != 1 {
		t.Errorf("%d refresh requests, %d hand-overs; want 1 and 1", n, len(*handed))
	}
}

// Every failed refresh is a config_error that says to paste fresh
// credentials, is not retried by later requests, and leaks no secret.
func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name   string
		answer func(n int, w http.ResponseWriter)
		posts  int
		hint   string
	}{
		{"refused", func(_ int, w http.ResponseWriter) { writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized")) }, 1, "refresh token was already used"},
		{"rate-limited past Retry-After budget", func(_ int, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "60")
			writeJSON(w, 429, botmakerError("TOO_MANY_REQUESTS", "Only 3 requests per minute allowed."))
		}, 1, "rate-limited"},
		{"rate-limited every attempt", func(_ int, w http.ResponseWriter) {
			writeJSON(w, 429, botmakerError("TOO_MANY_REQUESTS", "Only 3 requests per minute allowed."))
		}, quick.MaxAttempts, "rate-limited"},
		{"no refresh token in the answer", func(_ int, w http.ResponseWriter) {
			writeJSON(w, 200, `{"clientId":"cid","accessToken":"`+newAccess+`"}`)
		}, 1, "did not hold both"},
		{"not an object", func(_ int, w http.ResponseWriter) { writeJSON(w, 200, `["`+newAccess+`"]`) }, 1, "did not hold both"},
		{"bad request", func(_ int, w http.ResponseWriter) {
			writeJSON(w, 400, botmakerError("INVALID_PARAMETER", "clientId is unknown"))
		}, 1, "Check client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAuthServer(t, "", tt.answer)
			c, handed := refreshing(t, srv.URL, quickRefresh())
			for i := 0; i < 3; i++ {
				_, err := get(t, c, "/chats")
				var be *Error
				if !errors.As(err, &be) || be.FailureType != airbyte.ConfigError || !strings.Contains(be.Message, tt.hint) || !strings.Contains(be.Message, "Paste fresh credentials") {
					t.Fatalf("request %d: %#v", i, err)
				}
				for _, s := range []string{newAccess, oldRefresh, secretID} {
					if strings.Contains(be.Message, s) {
						t.Errorf("error holds %s: %s", s, be.Message)
					}
				}
			}
			if n := len(srv.Posts()); n != tt.posts || len(*handed) != 0 {
				t.Errorf("%d refresh requests, %d hand-overs; want %d and 0", n, len(*handed), tt.posts)
			}
		})
	}
}

// A 401 with the token a refresh has just issued is a real failure: no
// second refresh. Once the new token has worked, a later 401 may refresh
// again, but never sooner than RefreshEvery after the previous attempt.
func TestRefreshNoLoop(t *testing.T) {
	t.Run("new token rejected", func(t *testing.T) {
		srv := newAuthServer(t, "", func(_ int, w http.ResponseWriter) {
			writeJSON(w, 200, `{"accessToken":"`+newAccess+`","refreshToken":"`+newRefresh+`"}`) // but /chats keeps refusing
		})
		c, _ := refreshing(t, srv.URL, quickRefresh())
		for i := 0; i < 3; i++ {
			_, err := get(t, c, "/chats")
			var be *Error
			if !errors.As(err, &be) || be.FailureType != airbyte.ConfigError || !strings.Contains(be.Message, "it had just issued") {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		if n := len(srv.Posts()); n != 1 {
			t.Errorf("%d refresh requests, want 1", n)
		}
	})
	t.Run("spaced refreshes", func(t *testing.T) {
		var srv *authServer
		srv = newAuthServer(t, "", func(n int, w http.ResponseWriter) {
			tok := newAccess + string(rune('a'+n))
			srv.setValid(tok)
			writeJSON(w, 200, `{"accessToken":"`+tok+`","refreshToken":"`+newRefresh+`"}`)
		})
		s := quick
		s.RefreshEvery = 300 * time.Millisecond
		c, handed := refreshing(t, srv.URL, s)
		for i := 0; i < 2; i++ {
			if _, err := get(t, c, "/chats"); err != nil {
				t.Fatal(err)
			}
			if _, err := get(t, c, "/chats"); err != nil { // proves the new token
				t.Fatal(err)
			}
			srv.setValid("") // the token dies
		}
		srv.mu.Lock()
		times := srv.postTimes
		srv.mu.Unlock()
		if len(times) != 2 || len(*handed) != 2 {
			t.Fatalf("%d refreshes, %d hand-overs; want 2 and 2", len(times), len(*handed))
		}
		if gap := times[1].Sub(times[0]); gap < 250*time.Millisecond {
			t.Errorf("second refresh %s after the first; want at least RefreshEvery", gap)
		}
	})
}

// Without refresh credentials a 401 is the usual config_error and no
// refresh is attempted.
func TestNoRefreshWithoutCredentials(t *testing.T) {
	var srv *authServer
	srv = newAuthServer(t, "", rotates(&srv))
	c, _ := newClient(t, srv.URL, quick)
	_, err := get(t, c, "/chats")
	if FailureTypeOf(err) != airbyte.ConfigError || !strings.Contains(err.Error(), "rejected the access token") {
		t.Fatalf("%v", err)
	}
	if n := len(srv.Posts()); n != 0 {
		t.Errorf("%d refresh requests without credentials", n)
	}
	if err := c.Refresh(context.Background()); err == nil {
		t.Error("Refresh without credentials succeeded")
	}
}

// Refresh renews at once, for the start of a sync.
func TestRefreshNow(t *testing.T) {
	var srv *authServer
	srv = newAuthServer(t, token, rotates(&srv))
	c, handed := refreshing(t, srv.URL, quickRefresh())
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, c, "/chats"); err != nil {
		t.Fatal(err)
	}
	if len(srv.Posts()) != 1 || len(*handed) != 1 {
		t.Errorf("%d refreshes, %d hand-overs", len(srv.Posts()), len(*handed))
	}
}

// The refresh request, which carries every secret, goes to base_url's
// origin only: a redirect elsewhere is not followed.
func TestRefreshStaysOnOrigin(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := newAuthServer(t, "", func(_ int, w http.ResponseWriter) {
		w.Header().Set("Location", other.URL+"/v2.0/auth/credentials")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	c, handed := refreshing(t, srv.URL, quickRefresh())
	_, err := get(t, c, "/chats")
	if err == nil || !strings.Contains(err.Error(), "not the configured") || len(*handed) != 0 {
		t.Fatalf("err %v, %d hand-overs", err, len(*handed))
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
}

// When the new credentials cannot be handed on (stdout closed, or a bug),
// the request fails with a system_error instead of the process dying, and
// no request uses credentials that Airbyte never got.
func TestRefreshHandOverFails(t *testing.T) {
	for name, hand := range map[string]func(Credentials) error{
		"error": func(Credentials) error { return errors.New("stdout closed") },
		"panic": func(Credentials) error { panic("bug") },
	} {
		t.Run(name, func(t *testing.T) {
			var srv *authServer
			srv = newAuthServer(t, "", rotates(&srv))
			c, _ := newClient(t, srv.URL, quickRefresh())
			c.EnableRefresh("cid", secretID, oldRefresh, hand)
			for i := 0; i < 2; i++ {
				_, err := get(t, c, "/chats")
				if FailureTypeOf(err) != airbyte.SystemError || strings.Contains(err.Error(), newAccess) {
					t.Fatalf("request %d: %v", i, err)
				}
			}
			if tok, _ := c.auth.current(); tok != token || len(srv.Posts()) != 1 {
				t.Errorf("token switched or %d refreshes", len(srv.Posts()))
			}
		})
	}
}
