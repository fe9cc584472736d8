package botmaker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// token is what every test client sends; no error or log may contain it.
const token = "tok-Secret-7f3a9c1e5b2d4086"

const good = `{"items":[{"id":"a"}],"nextPage":null}`

// quick are settings that keep retries fast.
var quick = Settings{
	Timeout:       2 * time.Second,
	MaxAttempts:   3,
	MaxElapsed:    10 * time.Second,
	MaxRetryAfter: 2 * time.Second,
	MaxBody:       1 << 20,
	RetryWaitMin:  time.Millisecond,
	RetryWaitMax:  5 * time.Millisecond,
}

// server answers the n-th request (from 0) with h(n, w, r) and counts
// requests and whether they carried the token.
type server struct {
	*httptest.Server
	n        atomic.Int32
	withTok  atomic.Int32
	handlers func(n int, w http.ResponseWriter, r *http.Request)
}

func newServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{handlers: h}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.n.Add(1)) - 1
		if r.Header.Get("access-token") == token {
			s.withTok.Add(1)
		}
		s.handlers(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// logBuf collects the client's log lines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newClient(t *testing.T, base string, s Settings) (*Client, *logBuf) {
	t.Helper()
	logs := &logBuf{}
	c, err := New(base+"/v2.0", token, s, zerolog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), token) {
			t.Errorf("the token is in the client's log:\n%s", logs)
		}
	})
	return c, logs
}

func get(t *testing.T, c *Client, path string) ([]byte, error) {
	t.Helper()
	body, err := c.Get(context.Background(), path, c.URL(path, url.Values{"from": {"2025-01-01T00:00:00Z"}}))
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("the token is in the error: %q", err)
	}
	return body, err
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func botmakerError(typ, msg string) string {
	return fmt.Sprintf(`{"errors":[{"type":%q,"source":"api","message":%q}]}`, typ, msg)
}

// raw writes a hand-made HTTP response on the bare connection, so the
// reason phrase and framing can be anything a hostile server sends.
func raw(w http.ResponseWriter, resp string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString(resp)
	_ = buf.Flush()
	_ = conn.Close()
}

// The policy table: what each final status does, how it is reported, and
// how many requests it costs.
func TestPolicyTable(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		attempts int
		ft       airbyte.FailureType
		hint     string
	}{
		{400, botmakerError("INVALID_DATETIME_INTERVAL", "from/to span over a month"), 1, airbyte.SystemError, "HTTP 400): INVALID_DATETIME_INTERVAL: from/to span over a month (api)"},
		{401, botmakerError("UNAUTHORIZED", "Not authorized"), 1, airbyte.ConfigError, "Botmaker rejected the access token (HTTP 401"},
		{403, "", 1, airbyte.ConfigError, "Check access_token"},
		{404, "", 1, airbyte.SystemError, "Check base_url"},
		{405, "", 1, airbyte.SystemError, "HTTP 405: Method Not Allowed"},
		{422, "", 1, airbyte.SystemError, "HTTP 422"},
		{408, "", 3, airbyte.TransientError, "HTTP 408"},
		{429, botmakerError("TOO_MANY_REQUESTS", "Only 3 requests per second allowed."), 3, airbyte.TransientError, "Only 3 requests per second allowed."},
		{500, botmakerError("INTERNAL_ERROR", "Internal server error"), 3, airbyte.TransientError, "kept failing on /chats (HTTP 500: INTERNAL_ERROR"},
		{501, "", 3, airbyte.TransientError, "HTTP 501"},
		{502, "<html>Bad Gateway</html>", 3, airbyte.TransientError, "HTTP 502: Bad Gateway"},
		{503, "", 3, airbyte.TransientError, "HTTP 503"},
		{504, "", 3, airbyte.TransientError, "HTTP 504"},
		{302, "", 1, airbyte.SystemError, "HTTP 302"}, // a redirect without Location
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, tt.status, tt.body) })
			c, _ := newClient(t, srv.URL, quick)
			_, err := get(t, c, "/chats")
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if be.FailureType != tt.ft || be.Status != tt.status || !strings.Contains(be.Message, tt.hint) {
				t.Errorf("got %s %d %q, want %s containing %q", be.FailureType, be.Status, be.Message, tt.ft, tt.hint)
			}
			if got := int(srv.n.Load()); got != tt.attempts {
				t.Errorf("%d requests, want %d", got, tt.attempts)
			}
		})
	}
}

// Each kind of transient trouble is retried and the request then succeeds.
func TestRecoversFromTransientTrouble(t *testing.T) {
	slow := quick
	slow.Timeout = 300 * time.Millisecond
	tests := []struct {
		name  string
		s     Settings
		fault func(w http.ResponseWriter, r *http.Request)
	}{
		{"500", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 500, botmakerError("INTERNAL_ERROR", "x")) }},
		{"502 html", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 502, "<html>bad gateway</html>") }},
		{"503", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 503, "") }},
		{"429 without Retry-After", quick, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 429, botmakerError("TOO_MANY_REQUESTS", "slow down"))
		}},
		{"429 with Retry-After", quick, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, "")
		}},
		{"408", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 408, "") }},
		{"200 cut short", quick, func(w http.ResponseWriter, _ *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"+good[:20])
		}},
		{"200 cut short, length matching", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, good[:20]) }},
		{"200 not JSON", quick, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, "<html>maintenance</html>") }},
		{"connection reset", quick, func(w http.ResponseWriter, _ *http.Request) { raw(w, "") }},
		{"garbage instead of HTTP", quick, func(w http.ResponseWriter, _ *http.Request) { raw(w, "SSH-2.0-OpenSSH\r\n") }},
		{"slow answer", slow, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}},
		{"slow body", slow, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			_, _ = io.WriteString(w, good[:5])
			w.(http.Flusher).Flush()
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 0 {
					tt.fault(w, r)
					return
				}
				writeJSON(w, 200, good)
			})
			c, logs := newClient(t, srv.URL, tt.s)
			body, err := get(t, c, "/chats")
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != good {
				t.Errorf("body %q", body)
			}
			if got := srv.n.Load(); got != 2 {
				t.Errorf("%d requests, want 2", got)
			}
			if !strings.Contains(logs.String(), "retrying Botmaker request") {
				t.Errorf("no retry WARN in %s", logs)
			}
		})
	}
}

// Broken bodies and HTTP errors share one attempt budget: a server that
// always answers a broken 200 gets MaxAttempts requests, not MaxAttempts².
func TestBrokenBodiesShareTheAttemptBudget(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n%2 == 0 {
			writeJSON(w, 200, `{"items":[`)
			return
		}
		writeJSON(w, 503, botmakerError("SERVICE_UNAVAILABLE", "down for maintenance"))
	})
	s := quick
	s.MaxAttempts = 4
	c, _ := newClient(t, srv.URL, s)
	_, err := get(t, c, "/messages")
	var be *Error
	if !errors.As(err, &be) || be.FailureType != airbyte.TransientError {
		t.Fatalf("err = %#v", err)
	}
	if got := srv.n.Load(); got != 4 {
		t.Errorf("%d requests, want 4", got)
	}
	// The last attempt's own body, not a stale one, gives the message.
	if !strings.Contains(be.Message, "HTTP 503: SERVICE_UNAVAILABLE: down for maintenance") {
		t.Errorf("message %q does not name the last outcome", be.Message)
	}
}

// MaxElapsed bounds a request as a whole, whatever the attempts allow.
func TestMaxElapsedBoundsTotalTime(t *testing.T) {
	tests := []struct {
		name    string
		s       func(Settings) Settings
		handler func(w http.ResponseWriter, r *http.Request)
	}{
		{"long backoffs", func(s Settings) Settings {
			s.MaxAttempts, s.RetryWaitMin, s.RetryWaitMax = 100, 200*time.Millisecond, 200*time.Millisecond
			return s
		}, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 503, "") }},
		{"slow answers", func(s Settings) Settings {
			s.MaxAttempts, s.Timeout = 100, 5*time.Second
			return s
		}, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}},
		{"Retry-After past the budget", func(s Settings) Settings {
			s.MaxAttempts, s.MaxRetryAfter = 100, time.Hour
			return s
		}, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, 429, "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			s := tt.s(quick)
			s.MaxElapsed = 700 * time.Millisecond
			c, _ := newClient(t, srv.URL, s)
			start := time.Now()
			_, err := get(t, c, "/sessions")
			took := time.Since(start)
			var be *Error
			if !errors.As(err, &be) || be.FailureType != airbyte.TransientError {
				t.Fatalf("err = %#v", err)
			}
			if took > 3*time.Second {
				t.Errorf("took %s with MaxElapsed %s", took, s.MaxElapsed)
			}
			if !strings.Contains(be.Message, "/sessions") || !(strings.Contains(be.Message, "within 700ms") || strings.Contains(be.Message, "past the 700ms this connector spends on one request")) {
				t.Errorf("message %q", be.Message)
			}
		})
	}
}

// A Retry-After beyond the cap fails at once as transient_error, saying so;
// one within the cap is slept through.
func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name, header string
		status       int
		wantErr      string // "" = the retry succeeds
		minWait      time.Duration
	}{
		{"seconds within the cap", "1", 429, "", time.Second},
		{"zero", "0", 429, "", 0},
		{"on 503", "1", 503, "", time.Second},
		{"seconds beyond the cap", "3600", 429, "asked to wait 1h0m0s before calling /tickets again (HTTP 429 with Retry-After), longer than the 2s this connector waits", 0},
		{"date beyond the cap", time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat), 429, "longer than the 2s this connector waits", 0},
		{"overflowing number", "99999999999999999", 429, "longer than the 2s this connector waits", 0},
		{"date in the past", "Mon, 02 Jan 2006 15:04:05 GMT", 429, "", 0},
		{"unparseable", "soon", 429, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 {
					w.Header().Set("Retry-After", tt.header)
					writeJSON(w, tt.status, botmakerError("TOO_MANY_REQUESTS", "Only 60 requests per minute allowed."))
					return
				}
				writeJSON(w, 200, good)
			})
			c, _ := newClient(t, srv.URL, quick)
			start := time.Now()
			_, err := get(t, c, "/tickets")
			took := time.Since(start)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if took < tt.minWait {
					t.Errorf("retried after %s, Retry-After asked %s", took, tt.minWait)
				}
				return
			}
			var be *Error
			if !errors.As(err, &be) || be.FailureType != airbyte.TransientError || !strings.Contains(be.Message, tt.wantErr) {
				t.Fatalf("err = %v, want transient_error containing %q", err, tt.wantErr)
			}
			if took > 1500*time.Millisecond || srv.n.Load() != 1 {
				t.Errorf("took %s and %d requests; a Retry-After beyond the cap must fail at once", took, srv.n.Load())
			}
		})
	}
}

func TestBackoffJitter(t *testing.T) {
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := backoff(time.Second, 30*time.Second, attempt, nil)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %s outside [%s, %s]", attempt, d, want/2, want)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct waits in 50; no jitter", attempt, len(seen))
		}
	}
	if d := backoff(time.Second, 30*time.Second, 200, nil); d < 15*time.Second || d > 30*time.Second {
		t.Errorf("a huge attempt number gives %s", d)
	}
}

// Pacing keeps under PaceShare of the limit, one request at a time; a 429
// halves the pace and successes bring it back.
func TestPacing(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 5 {
			writeJSON(w, 429, "")
			return
		}
		writeJSON(w, 200, good)
	})
	c, logs := newClient(t, srv.URL, quick)
	c.SetRate("/calls", 10)
	if got := c.Rate("/calls"); got != 9.5 {
		t.Fatalf("rate %v, want 9.5 (PaceShare of 10)", got)
	}
	start := time.Now()
	for range 5 {
		if _, err := get(t, c, "/calls"); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 4*time.Second*10/95 {
		t.Errorf("5 requests at 9.5/s took %s, want at least 421ms", took)
	}
	if _, err := get(t, c, "/calls"); err != nil { // 429, then 200
		t.Fatal(err)
	}
	// 9.5 → 4.75 after the 429, then +0.95 for the success that followed.
	if got := c.Rate("/calls"); got < 5.6 || got > 5.8 {
		t.Errorf("rate after one 429 and one success = %v, want 5.7", got)
	}
	if !strings.Contains(logs.String(), "slowing this endpoint down") {
		t.Error("no WARN about slowing down")
	}
	for range 5 {
		if _, err := get(t, c, "/calls"); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Rate("/calls"); got != 9.5 {
		t.Errorf("rate after successes = %v, want back at 9.5", got)
	}
	if diff := cmp.Diff(map[string]int{"/calls": 12}, c.Requests()); diff != "" {
		t.Error(diff)
	}
	c.SetRate("/calls", 0)
	if got := c.Rate("/calls"); got != 0 {
		t.Errorf("unpaced rate %v", got)
	}
}

// Endpoints allowed one request per second or less get extra slack per
// interval: their bucket holds one request, so early arrival is a 429.
func TestPaceFor(t *testing.T) {
	for _, tt := range []struct{ documented, want float64 }{
		{200, 190}, {5, 4.75}, {3, 2.85}, {1, 1 / (1/0.95 + 0.2)}, {0.5, 1 / (1/0.475 + 0.2)},
	} {
		if got := float64(paceFor(tt.documented)); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("paceFor(%v) = %v, want %v", tt.documented, got, tt.want)
		}
	}
}

// A stream of 429s slows the pace down to a floor, not to nothing.
func TestPaceFloor(t *testing.T) {
	p := &pace{lim: rate.NewLimiter(4, 1), base: 4}
	for range 20 {
		p.observe(429)
	}
	if got := float64(p.lim.Limit()); got != 0.25 {
		t.Errorf("floor %v, want 0.25", got)
	}
}

// The token only ever goes to the configured origin: a nextPage link or a
// redirect elsewhere is refused before anything is sent there.
func TestTokenStaysWithTheConfiguredOrigin(t *testing.T) {
	other := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, good) })
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		next    func(base string) string // a nextPage link; "" = the configured URL
		hint    string
	}{
		{"nextPage on another host", nil, func(string) string { return other.URL + "/v2.0/chats?page=2" }, "points to http://" + strings.TrimPrefix(other.URL, "http://")},
		{"nextPage on another scheme", nil, func(base string) string { return strings.Replace(base, "http://", "https://", 1) + "/v2.0/chats" }, "points to https://"},
		{"nextPage on another port", nil, func(base string) string { return "http://localhost:1/v2.0/chats" }, "points to http://localhost:1"},
		{"nextPage with user info", nil, func(base string) string {
			return strings.Replace(base, "http://", "http://evil:pass@", 1) + "/v2.0/chats"
		}, "with user info"},
		{"redirect with user info", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, strings.Replace(srvURL(r), "http://", "http://evil:pass@", 1)+"/v2.0/chats2", http.StatusFound)
		}, nil, "with user info"},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v2.0/chats?leak="+token, http.StatusFound)
		}, nil, "the redirect was not followed"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.String(), http.StatusFound) }, nil, "more than 5 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other.n.Store(0)
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				if tt.handler != nil {
					tt.handler(w, r)
					return
				}
				writeJSON(w, 200, good)
			})
			c, _ := newClient(t, srv.URL, quick)
			u := c.URL("/chats", nil)
			if tt.next != nil {
				var err error
				if u, err = url.Parse(tt.next(srv.URL)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := c.Get(context.Background(), "/chats", u)
			var be *Error
			if !errors.As(err, &be) || be.FailureType != airbyte.SystemError || !strings.Contains(be.Message, tt.hint) {
				t.Fatalf("err = %v, want system_error containing %q", err, tt.hint)
			}
			if strings.Contains(be.Message, token) {
				t.Error("token in the message")
			}
			if n := other.n.Load(); n != 0 {
				t.Errorf("the other host got %d requests", n)
			}
			if strings.Contains(be.Message, "pass") {
				t.Errorf("user info in the message: %s", be.Message)
			}
		})
	}
	t.Run("same-origin redirect is followed", func(t *testing.T) {
		srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2.0/chats" {
				http.Redirect(w, r, "/v2.0/chats2", http.StatusMovedPermanently)
				return
			}
			writeJSON(w, 200, good)
		})
		c, _ := newClient(t, srv.URL, quick)
		c.SetRate("/chats", 100)
		if _, err := get(t, c, "/chats"); err != nil {
			t.Fatal(err)
		}
		if srv.withTok.Load() != 2 {
			t.Errorf("%d of 2 requests carried the token", srv.withTok.Load())
		}
	})
}

func srvURL(r *http.Request) string { return "http://" + r.Host }

// A server that echoes the token everywhere it can (reason phrase, error
// body, redirect URL, garbage) never gets it into an error or a log line.
func TestHostileEchoesNeverLeakTheToken(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
	}{
		{"401 reason phrase", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 401 Bearer "+r.Header.Get("access-token")+"\r\nContent-Length: 0\r\n\r\n")
		}},
		{"500 reason phrase, retried out", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 500 bad token "+r.Header.Get("access-token")+"\r\nContent-Length: 0\r\n\r\n")
		}},
		{"400 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, botmakerError("BAD_TOKEN", "token "+r.Header.Get("access-token")+" is malformed"))
		}},
		{"403 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, botmakerError("FORBIDDEN", r.Header.Get("access-token")))
		}},
		{"429 body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 429, botmakerError("TOO_MANY_REQUESTS", r.Header.Get("access-token")))
		}},
		{"redirect with the token", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+r.Header.Get("access-token")+".example/x?t="+r.Header.Get("access-token"), http.StatusFound)
		}},
		{"garbage status line", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 "+r.Header.Get("access-token")+"\r\n\r\n")
		}},
		{"bad header", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\n"+r.Header.Get("access-token")+"\r\n\r\n")
		}},
		{"200 cut short", func(w http.ResponseWriter, r *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"items\":[\""+r.Header.Get("access-token"))
		}},
		{"200 not JSON", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, "token="+r.Header.Get("access-token"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, logs := newClient(t, srv.URL, quick)
			_, err := get(t, c, "/chats") // get fails the test if err has the token
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(fmt.Sprintf("%+v %#v", err, err), token) || strings.Contains(logs.String(), token) {
				t.Errorf("token leaked: err %q, logs %s", err, logs)
			}
		})
	}
}

// A huge, endless, deeply nested or dribbling response is refused within
// the size and time bounds.
func TestHostileBodiesAreBounded(t *testing.T) {
	s := quick
	s.MaxBody = 8 << 20
	s.Timeout = time.Second
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		ft      airbyte.FailureType
		hint    string
	}{
		{"300 MB streamed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[`)
			chunk := []byte(strings.Repeat(`{"id":"aaaaaaaaaaaaaaaa"},`, 4096))
			for sent := 0; sent < 300<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, airbyte.SystemError, "larger than 8 MiB"},
		{"300 MB announced", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(300<<20))
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"items":[`)
		}, airbyte.SystemError, "larger than 8 MiB"},
		{"a million nested brackets", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{"items":`+strings.Repeat("[", 1e6)+strings.Repeat("]", 1e6)+`}`)
		}, airbyte.TransientError, "is not JSON"},
		{"endless whitespace", func(w http.ResponseWriter, r *http.Request) {
			for {
				if _, err := w.Write(bytes.Repeat([]byte{' '}, 1<<16)); err != nil {
					return
				}
			}
		}, airbyte.SystemError, "larger than 8 MiB"},
		{"dribble", func(w http.ResponseWriter, r *http.Request) {
			for i := 0; ; i++ {
				if _, err := io.WriteString(w, " "); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(50 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		}, airbyte.TransientError, "no complete answer within 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, _ := newClient(t, srv.URL, s)
			start := time.Now()
			_, err := get(t, c, "/messages")
			var be *Error
			if !errors.As(err, &be) || be.FailureType != tt.ft || !strings.Contains(be.Message, tt.hint) {
				t.Fatalf("err = %v, want %s containing %q", err, tt.ft, tt.hint)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// Cancelling the context ends a request at once, whether it is waiting
// for Botmaker, for a backoff or for its pace, and returns ctx.Err().
func TestCancellation(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		rate    float64
	}{
		{"waiting for an answer", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 0},
		{"in a Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, 429, "")
		}, 0},
		{"waiting for the pace", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, good) }, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, _ := newClient(t, srv.URL, quick)
			c.SetRate("/chats", tt.rate)
			if tt.rate > 0 {
				if _, err := get(t, c, "/chats"); err != nil { // spends the one-request burst
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Get(ctx, "/chats", c.URL("/chats", nil))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if took := time.Since(start); took > 1500*time.Millisecond {
				t.Errorf("took %s after a cancel at 200ms", took)
			}
		})
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "ftp://x", "api.botmaker.com", "http://", "://x"} {
		if _, err := New(base, token, quick, zerolog.Nop()); err == nil || !strings.Contains(err.Error(), "https://api.botmaker.com/v2.0") {
			t.Errorf("%q: err = %v", base, err)
		}
	}
}

// Origins are compared normalised: the default port written out or the
// host in capitals is the same origin; another scheme, host, port or any
// user info is not.
func TestSameOriginNormalises(t *testing.T) {
	c, err := New("https://api.botmaker.com/v2.0", token, quick, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"https://api.botmaker.com/v2.0/contacts?next-page-token=x":     true,
		"https://api.botmaker.com:443/v2.0/contacts?next-page-token=x": true,
		"https://API.Botmaker.COM/v2.0/contacts":                       true,
		"HTTPS://api.botmaker.com:443/v2.0/contacts":                   true,
		"http://api.botmaker.com/v2.0/contacts":                        false,
		"http://api.botmaker.com:443/v2.0/contacts":                    false,
		"https://api.botmaker.com:8443/v2.0/contacts":                  false,
		"https://api.botmaker.com.evil.example/v2.0/contacts":          false,
		"https://evil.example/v2.0/contacts":                           false,
		"https://user:pass@api.botmaker.com/v2.0/contacts":             false,
		"https://user@api.botmaker.com:443/v2.0/contacts":              false,
	}
	for link, want := range tests {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.sameOrigin(u); got != want {
			t.Errorf("sameOrigin(%s) = %v, want %v", link, got, want)
		}
	}
	plain, _ := New("http://localhost:8080/v2.0", token, quick, zerolog.Nop())
	for link, want := range map[string]bool{"http://LOCALHOST:8080/v2.0/x": true, "http://localhost/v2.0/x": false, "http://localhost:80/v2.0/x": false} {
		u, _ := url.Parse(link)
		if got := plain.sameOrigin(u); got != want {
			t.Errorf("sameOrigin(%s) against http://localhost:8080 = %v, want %v", link, got, want)
		}
	}
}

// A 204, or a 200 without a body, is an empty result: an empty body, in
// one request, on any endpoint.
func TestEmptyResults(t *testing.T) {
	for name, h := range map[string]func(w http.ResponseWriter){
		"204":              func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
		"200 empty":        func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) },
		"200 blank":        func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, " \r\n") },
		"200 chunked none": func(w http.ResponseWriter) { w.(http.Flusher).Flush() },
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { h(w) })
			c, _ := newClient(t, srv.URL, quick)
			body, err := get(t, c, "/chats")
			if err != nil {
				t.Fatal(err)
			}
			if len(bytes.TrimSpace(body)) != 0 {
				t.Errorf("body %q, want empty", body)
			}
			if n := srv.n.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// The retry WARN says, before the wait, how long it waits, which attempt
// comes next of how many, and why: one line per retry.
func TestRetryLogSaysWaitAndReason(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	refused := closed.URL
	closed.Close()
	tests := []struct {
		name  string
		base  string // "" is the test server
		fault func(w http.ResponseWriter)
		want  []string // patterns of the WARN lines, in order
	}{
		{"503", "", func(w http.ResponseWriter) { writeJSON(w, 503, "") }, []string{
			`retrying Botmaker request to /chats in \d+ms \(attempt 2 of 3\): HTTP 503 Service Unavailable`,
			`retrying Botmaker request to /chats in \d+ms \(attempt 3 of 3\): HTTP 503 Service Unavailable`,
		}},
		{"429 with Retry-After", "", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, "")
		}, []string{
			`retrying Botmaker request to /chats in 1s \(attempt 2 of 3\): HTTP 429 Too Many Requests, with Retry-After`,
			`retrying Botmaker request to /chats in 1s \(attempt 3 of 3\): HTTP 429 Too Many Requests, with Retry-After`,
		}},
		{"connection refused", refused, nil, []string{
			`retrying Botmaker request to /chats in \d+ms \(attempt 2 of 3\): dial tcp [0-9.:]+: connect: connection refused`,
			`retrying Botmaker request to /chats in \d+ms \(attempt 3 of 3\): dial tcp [0-9.:]+: connect: connection refused`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base
			if base == "" {
				base = newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tt.fault(w) }).URL
			}
			c, logs := newClient(t, base, quick)
			if _, err := get(t, c, "/chats"); err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var ev struct{ Level, Message string }
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if ev.Level == "warn" {
					got = append(got, ev.Message)
				}
			}
			shown := slices.Clone(got)
			for i := range min(len(got), len(tt.want)) {
				if regexp.MustCompile("^" + tt.want[i] + `\. ` + regexp.QuoteMeta(retryAction) + "$").MatchString(got[i]) {
					shown[i] = tt.want[i]
				}
			}
			if diff := cmp.Diff(tt.want, shown); diff != "" {
				t.Errorf("retry WARN lines (-want patterns +got):\n%s", diff)
			}
		})
	}
}

func TestRetryLineRoundsTheWait(t *testing.T) {
	for _, tt := range []struct {
		wait time.Duration
		want string
	}{
		{3*time.Millisecond + 417*time.Microsecond, "in 3ms"},
		{1234567 * time.Microsecond, "in 1.2s"},
		{4*time.Second + 51*time.Millisecond, "in 4.1s"},
		{27*time.Second + 600*time.Millisecond, "in 28s"},
		{5 * time.Minute, "in 5m0s"},
	} {
		got := retryLine("/chats", tt.wait, 2, 6, "connection refused")
		want := "retrying Botmaker request to /chats " + tt.want + " (attempt 2 of 6): connection refused. " + retryAction
		if got != want {
			t.Errorf("%s: %q, want %q", tt.wait, got, want)
		}
	}
}
