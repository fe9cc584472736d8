package streams_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// served counts the items the API served per endpoint path, seen from a
// proxy in front of the fake: what Botmaker bills, whatever the connector
// then writes.
type served struct {
	mu sync.Mutex
	n  map[string]int
}

// newServedProxy starts a proxy to the fake; its base URL goes in the
// config's base_url. nextPage URLs name the proxy's host, so every page
// goes through it.
func newServedProxy(t *testing.T, srv *fakebotmaker.Server) (string, *served) {
	t.Helper()
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := &served{n: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	rp.ModifyResponse = func(r *http.Response) error {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var page struct{ Items []json.RawMessage }
		if r.StatusCode == http.StatusOK && json.Unmarshal(body, &page) == nil {
			c.mu.Lock()
			c.n[strings.TrimPrefix(r.Request.URL.Path, "/v2.0")] += len(page.Items)
			c.mu.Unlock()
		}
		return nil
	}
	ps := httptest.NewServer(rp)
	t.Cleanup(ps.Close)
	return ps.URL + "/v2.0", c
}

func (c *served) take(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n[path]
	c.n = map[string]int{}
	return n
}

// fiveOpenThreeDays are five sessions left open for three days: agent
// conversations in a contact centre where nobody closes a chat.
var fiveOpenThreeDays = &fakebotmaker.OpenSessions{Ages: []time.Duration{72 * time.Hour, 71 * time.Hour, 70*time.Hour + 30*time.Minute, 69 * time.Hour, 68 * time.Hour}}

// In a sync an hour after a full one, with five sessions open for three
// days, sessions and agent_metrics read (as Botmaker serves and bills
// them) at most three times the new records plus ten: the open sessions
// cost a narrow re-check each, not the three days since the oldest. At
// the demo's scale (the fake's defaults) and the bench's (120,000
// sessions over 59 days), with new sessions arriving at the pace of the
// fake's last hour.
func TestHourAfterFullSyncReadsWhatChanged(t *testing.T) {
	scales := []struct {
		name string
		cfg  fakebotmaker.Config
	}{
		{"demo", fakebotmaker.Config{}},
		{"bench", fakebotmaker.Config{HistoryDays: 59, Counts: fakebotmaker.Counts{"sessions": 120_000}}},
	}
	for _, sc := range scales {
		for _, name := range unsettled {
			t.Run(sc.name+"/"+name, func(t *testing.T) {
				cfg := sc.cfg
				cfg.Quirks.OpenSessions = fiveOpenThreeDays
				f := newFixture(t, cfg)
				if n := len(f.srv.OpenSessionIDs()); n != 5 {
					t.Fatalf("%d sessions open, want 5", n)
				}
				base, count := newServedProxy(t, f.srv)
				opts := map[string]any{"base_url": base}
				o1 := f.mustRead(opts, true, nil, name)
				count.take("")
				// New sessions arrive at the pace of the fake's last hour.
				now := f.srv.Now()
				perHour := len(f.srv.IDs("sessions", now.Add(-time.Hour), now))
				for i := 0; i < 4; i++ {
					f.srv.Advance(15 * time.Minute)
					f.srv.AddAgentMetrics((perHour + 3) / 4)
				}
				f.srv.Advance(time.Minute)
				count.take("")
				o2 := f.mustRead(opts, true, o1.FinalState(), name)
				s, _ := streams.Lookup(name)
				read := count.take(s.Path)
				before := set(ids(o1, name))
				fresh := 0
				for _, id := range ids(o2, name) {
					if !before[id] {
						fresh++
					}
				}
				t.Logf("%s at the %s's scale, an hour after a full sync: %d records read, %d new", name, sc.name, read, fresh)
				if fresh == 0 {
					t.Fatal("no new record: the test proves nothing")
				}
				if read > 3*fresh+10 {
					t.Errorf("%d records read for %d new, more than 3x plus 10", read, fresh)
				}
			})
		}
	}
}
