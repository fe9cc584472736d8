package botmaker

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A host that stalls on one endpoint while it answers another is not
// dead: the stalled request fails alone, and the other endpoint goes on.
// A host that answers nothing is: the request after the one that showed it
// fails at once with ErrHostDown, naming the first failure.
func TestHostShownDead(t *testing.T) {
	s := quickSettingsForHost()
	t.Run("one endpoint stalls", func(t *testing.T) {
		srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2.0/stalls" {
				<-r.Context().Done()
				return
			}
			writeJSON(w, 200, `{"items":[]}`)
		})
		c, _ := newClient(t, srv.URL, s)
		done := make(chan error, 1)
		go func() { _, err := get(t, c, "/stalls"); done <- err }()
		var err error
	answering:
		for {
			select {
			case err = <-done:
				break answering
			default:
				if _, err := get(t, c, "/answers"); err != nil {
					t.Fatalf("/answers: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if err == nil || strings.Contains(err.Error(), "stopped waiting") {
			t.Errorf("/stalls: %v; want its own failure, the host not shown dead", err)
		}
		if _, err := get(t, c, "/answers"); err != nil {
			t.Errorf("/answers after /stalls failed: %v", err)
		}
	})
	t.Run("every endpoint stalls", func(t *testing.T) {
		srv := newServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c, _ := newClient(t, srv.URL, s)
		_, err := get(t, c, "/first")
		if err == nil || !strings.Contains(err.Error(), "stopped waiting") || errors.Is(err, ErrHostDown) {
			t.Fatalf("/first: %v; want the failure that shows the host dead", err)
		}
		before := srv.n.Load()
		_, err = get(t, c, "/second")
		if !errors.Is(err, ErrHostDown) || FailureTypeOf(err) != "transient_error" || !strings.Contains(err.Error(), "/first") {
			t.Errorf("/second: %v; want ErrHostDown naming /first", err)
		}
		if n := srv.n.Load(); n != before {
			t.Errorf("/second sent %d requests to a host shown dead", n-before)
		}
	})
}

func quickSettingsForHost() Settings {
	s := DefaultSettings
	s.Timeout, s.MaxAttempts = 100*time.Millisecond, 3
	s.RetryWaitMin, s.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	return s
}
