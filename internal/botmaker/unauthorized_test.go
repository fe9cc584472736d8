package botmaker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// fakeSleep records the waits asked for and returns at once.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	after func() // runs after each wait
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	if f.after != nil {
		f.after()
	}
	return ctx.Err()
}

func (f *fakeSleep) total() (sum time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.waits {
		sum += d
	}
	return sum
}

func waiting(f *fakeSleep) Settings {
	s := quickRefresh()
	s.UnauthorizedWait = 5 * time.Minute
	s.Sleep = f.sleep
	return s
}

// A 401 on the first request is a bad token: a config_error at once,
// without waiting.
func TestUnauthorizedFirstRequestIsConfigError(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
	})
	f := &fakeSleep{}
	c, _ := newClient(t, srv.URL, waiting(f))
	_, err := get(t, c, "/chats")
	var be *Error
	if !errors.As(err, &be) || be.FailureType != airbyte.ConfigError || !strings.Contains(be.Message, "Check access_token") {
		t.Fatalf("err = %v, want the config_error of a bad token", err)
	}
	if n := srv.n.Load(); n != 1 || len(f.waits) != 0 {
		t.Errorf("%d requests, waits %v; want 1 and none", n, f.waits)
	}
}

// Once the token has worked, a 401 is waited out with backoff, for up to
// UnauthorizedWait; the request then succeeds, or fails as a
// transient_error that says what happened.
func TestUnauthorizedAfterTheTokenWorkedIsWaitedOut(t *testing.T) {
	tests := []struct {
		name      string
		refusals  int // 401s after the first success; -1: for ever
		waits     []time.Duration
		requests  int
		transient bool
	}{
		{"one 401", 1, []time.Duration{5 * time.Second}, 3, false},
		{"20 seconds of 401", 3, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}, 5, false},
		{"401 for ever", -1, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute, time.Minute, 45 * time.Second}, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 || (tt.refusals >= 0 && n > tt.refusals) {
					writeJSON(w, 200, good)
					return
				}
				writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
			})
			f := &fakeSleep{}
			c, logs := newClient(t, srv.URL, waiting(f))
			if _, err := get(t, c, "/chats"); err != nil {
				t.Fatal(err)
			}
			body, err := get(t, c, "/chats")
			if diff := cmp.Diff(tt.waits, f.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := int(srv.n.Load()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if !strings.Contains(logs.String(), "although the access token worked earlier in this sync") {
				t.Errorf("no WARN about the wait in %s", logs)
			}
			if !tt.transient {
				if err != nil || string(body) != good {
					t.Fatalf("body %q, err %v", body, err)
				}
				return
			}
			var be *Error
			if !errors.As(err, &be) || be.FailureType != airbyte.TransientError || be.Status != 401 ||
				!strings.Contains(be.Message, "kept answering HTTP 401 on /chats for 5m0s (9 attempts) although the access token had worked earlier in this sync") {
				t.Fatalf("err = %v, want the transient_error of a 401 waited out", err)
			}
			if f.total() != 5*time.Minute {
				t.Errorf("waited %s, want 5m", f.total())
			}
		})
	}
}

// With refresh credentials the refresh comes first, as for any 401; a
// renewed token that is refused too is waited out without spending
// another refresh token.
func TestUnauthorizedWithRefreshRefreshesOnceThenWaits(t *testing.T) {
	var refused atomic.Int32
	refused.Store(-1)
	var srv *authServer
	srv = newAuthServer(t, token, func(n int, w http.ResponseWriter) {
		rotates(&srv)(n, w)
		srv.setValid("") // a burst: the new token is refused for a while too
		refused.Store(0)
	})
	f := &fakeSleep{after: func() {
		if refused.Add(1) == 2 {
			srv.setValid(newAccess)
		}
	}}
	c, handed := refreshing(t, srv.URL, waiting(f))
	if _, err := get(t, c, "/chats"); err != nil {
		t.Fatal(err)
	}
	srv.setValid("")
	body, err := get(t, c, "/chats")
	if err != nil || string(body) != good {
		t.Fatalf("body %q, err %v", body, err)
	}
	if n := len(srv.Posts()); n != 1 || len(*handed) != 1 {
		t.Errorf("%d refreshes, %d hand-overs; want 1 and 1", n, len(*handed))
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second, 10 * time.Second}, f.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// A failed refresh is never waited out, and a cancelled sync stops
// waiting at once.
func TestUnauthorizedWaitEnds(t *testing.T) {
	t.Run("refresh refused", func(t *testing.T) {
		srv := newAuthServer(t, token, func(_ int, w http.ResponseWriter) {
			writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
		})
		f := &fakeSleep{}
		c, _ := refreshing(t, srv.URL, waiting(f))
		if _, err := get(t, c, "/chats"); err != nil {
			t.Fatal(err)
		}
		srv.setValid("")
		_, err := get(t, c, "/chats")
		var be *Error
		if !errors.As(err, &be) || be.FailureType != airbyte.ConfigError || !strings.Contains(be.Message, "refresh token was already used") || len(f.waits) != 0 {
			t.Fatalf("err = %v after waits %v, want the refresh's config_error at once", err, f.waits)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				writeJSON(w, 200, good)
				return
			}
			writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
		})
		s := quick
		s.UnauthorizedWait = time.Hour
		c, _ := newClient(t, srv.URL, s)
		if _, err := get(t, c, "/chats"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Get(ctx, "/chats", c.URL("/chats", nil))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("err = %v after %s, want the context's end at once", err, time.Since(start))
		}
	})
}

// A 401 that arrives while an earlier request's 200 is still being read
// waits for that request's verdict: the token worked, so the 401 is
// waited out instead of ending the sync as a bad token (seen in CI, where
// a slow 200 of one stream lost the race to another stream's 401).
func TestUnauthorizedWhileASuccessIsPendingWaitsForIt(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	slowStarted := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2.0/slow":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"items":[`)
			w.(http.Flusher).Flush()
			close(slowStarted)
			<-release
			_, _ = io.WriteString(w, `]}`)
		case n == 1:
			writeJSON(w, 401, botmakerError("UNAUTHORIZED", "Not authorized"))
		default:
			writeJSON(w, 200, `{"items":[]}`)
		}
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before srv.Close, which waits for the handler
	f := &fakeSleep{}
	c, _ := newClient(t, srv.URL, waiting(f))
	slow := make(chan error, 1)
	go func() { _, err := get(t, c, "/slow"); slow <- err }()
	<-slowStarted
	fast := make(chan error, 1)
	go func() { _, err := get(t, c, "/fast"); fast <- err }()
	select {
	case err := <-fast:
		t.Fatalf("the 401 was judged before the pending 200 ended: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	once.Do(func() { close(release) })
	if err := <-slow; err != nil {
		t.Fatalf("slow request: %v", err)
	}
	if err := <-fast; err != nil {
		t.Errorf("fast request: %v, want the 401 waited out", err)
	}
	if got := f.total(); got != 5*time.Second {
		t.Errorf("waited %s, want one wait of 5s", got)
	}
}
