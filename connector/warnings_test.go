package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// warnScenario runs the connector where some WARNs are due and returns
// their messages.
type warnScenario func(t *testing.T) []string

// TestEveryWarningSaysWhatToDo: every WARN the code can log, one row per
// Warn() call in the source (the rows are counted against the calls, so a
// new WARN needs a row), is brought about and ends with what the user can
// do.
func TestEveryWarningSaysWhatToDo(t *testing.T) {
	hostile, pending, configs, creds10, renewal := once(hostileRead), once(noLTSRead), once(oddInputRead), once(expiringRead(10*24*time.Hour, true)), once(expiringRead(3*24*time.Hour, true))
	tracked := once(trackedRead)
	tests := []struct {
		site  string // the file of the Warn() call
		match string // in the WARN's message
		run   warnScenario
	}{
		{"streams/oddities.go", "could not be converted to the declared type", hostile},
		{"streams/oddities.go", "that is not a date-time", hostile},
		{"streams/oddities.go", "that were not objects", hostile},
		{"streams/oddities.go", "larger than 16 MiB", oversizedRead},
		{"streams/oddities.go", "not UTF-8", hostile},
		{"streams/bookmark.go", "later than now", futureStateRead},
		{"streams/months.go", "is not trusted", futureMonthsReadRead},
		{"streams/recent.go", "took longer than", slowEdgeRead},
		{"streams/fullrefresh.go", "refused the page the previous attempt reached", refusedPageRead},
		{"streams/recent.go", "was skipped", pending},
		{"streams/daysbeforenow.go", "said total 1000 but listed 1200", cappedTotalRead},
		{"streams/months.go", "can be settled yet", lateSettledRead},
		{"streams/tracker.go", "so it is no longer tracked", tracked},
		{"streams/tracker.go", "more than the 1000 the state tracks", tracked},
		{"connector/run.go", "is not a Botmaker connector option", configs},
		{"connector/run.go", "supports only full_refresh", configs},
		{"connector/run.go", "not a Botmaker stream", configs},
		{"connector/run.go", "the sync was interrupted", interruptedRead},
		{"connector/credentials.go", "syncs fail from then on", expiringCheck},
		{"connector/credentials.go", "syncs fail from then on", expiringRead(10*24*time.Hour, false)},
		{"connector/credentials.go", "within 7 days of that date", creds10},
		{"connector/credentials.go", "Botmaker renewed the credentials", renewal},
		{"internal/botmaker/client.go", "retrying Botmaker request", throttledRead},
		{"internal/botmaker/client.go", "slowing this endpoint down", throttledRead},
		{"internal/botmaker/unauthorized.go", "although the access token worked earlier", unauthorizedRead},
	}
	perFile := map[string]int{}
	for _, tt := range tests {
		perFile[tt.site]++
	}
	if diff := warnCalls(t); !mapsEqual(diff, perFile) {
		t.Errorf("Warn() calls per file %v, rows per file %v: every Warn() call needs a row", diff, perFile)
	}
	for _, tt := range tests {
		t.Run(tt.site+" "+tt.match, func(t *testing.T) {
			got := tt.run(t)
			hit := 0
			for _, w := range got {
				if strings.Contains(w, tt.match) {
					hit++
				}
			}
			if hit == 0 {
				t.Fatalf("no WARN with %q among %q", tt.match, got)
			}
			for _, w := range got {
				if !synctest.SaysWhatToDo(w) {
					t.Errorf("the WARN does not end with what the user can do: %s", w)
				}
			}
		})
	}
}

// warnCalls counts the Warn() calls in the module's non-test Go files, by
// path from the module root.
func warnCalls(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(b), ".Warn()"); n > 0 {
			rel, _ := filepath.Rel("..", path)
			out[filepath.ToSlash(rel)] = n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// once runs a scenario once for the rows that share it.
func once(f warnScenario) warnScenario {
	var mu sync.Mutex
	var got []string
	done := false
	return func(t *testing.T) []string {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			got, done = f(t), true
		}
		return got
	}
}

func warns(o *synctest.Output) []string {
	return o.LogLines(airbyte.LogWarn)
}

// staticServer answers every request with body.
func staticServer(t *testing.T, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v2.0"
}

func readOf(t *testing.T, ctx context.Context, rt connector.Runtime, cfg, catalog any, state any) *synctest.Output {
	dir := t.TempDir()
	args := []string{"read", "--config", synctest.File(t, dir, "config.json", cfg), "--catalog", synctest.File(t, dir, "catalog.json", catalog)}
	if state != nil {
		args = append(args, "--state", synctest.File(t, dir, "state.json", state))
	}
	return run(t, ctx, rt, args...)
}

func hostileRead(t *testing.T) []string {
	base := staticServer(t, hostileCalls)
	rt := synctest.Runtime()
	rt.Now = func() time.Time { return time.Date(2025, 6, 25, 0, 0, 0, 0, time.UTC) }
	cfg := map[string]any{"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": base}
	return warns(readOf(t, context.Background(), rt, cfg, synctest.Catalog(true, "calls"), nil))
}

func oversizedRead(t *testing.T) []string {
	base := staticServer(t, `{"items":[{"id":"A1","name":"`+strings.Repeat("a", streams.MaxItem)+`"},{"id":"A2"}],"nextPage":null}`)
	cfg := map[string]any{"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": base}
	return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(false, "agents"), nil))
}

func smallFake(t *testing.T, c fakebotmaker.Config) *fakebotmaker.Server {
	if c.Seed == 0 {
		c.Seed = 7
	}
	if c.Token == "" {
		c.Token = secret // config's
	}
	if c.Counts == nil {
		c.Counts = small
	}
	c.HistoryDays = 30
	srv := fakebotmaker.New(c)
	t.Cleanup(srv.Close)
	return srv
}

func futureStateRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	state := []map[string]any{{"type": "STREAM", "stream": map[string]any{
		"stream_descriptor": map[string]any{"name": "messages"}, "stream_state": map[string]any{"creationTime": "2099-01-01T00:00:00Z"}}}}
	o := readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, "messages"), state)
	if o.Code != 0 {
		t.Fatalf("exit %d: %+v", o.Code, o.Errors)
	}
	return warns(o)
}

// refusedPageRead resumes a full refresh of contacts from the page its
// first STATE names, after the fake has expired every page token.
func refusedPageRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"contacts": 300}})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	o := readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(false, "contacts"), nil)
	if o.Code != 0 || len(o.States["contacts"]) < 2 {
		t.Fatalf("exit %d, %d contacts STATEs: %+v", o.Code, len(o.States["contacts"]), o.Errors)
	}
	srv.ExpirePageTokens()
	state := []airbyte.State{o.States["contacts"][0]}
	o = readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(false, "contacts"), state)
	if o.Code != 0 {
		t.Fatalf("exit %d: %+v", o.Code, o.Errors)
	}
	return warns(o)
}

// futureMonthsReadRead reads whatsapp_billed_conversations from a state
// whose open months were read, it says, in 2099.
func futureMonthsReadRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	name := "whatsapp_billed_conversations"
	state := []map[string]any{{"type": "STREAM", "stream": map[string]any{
		"stream_descriptor": map[string]any{"name": name}, "stream_state": map[string]any{
			"startDatetime": streams.FormatTime(srv.Now().Add(-time.Hour)), "months_read_at": "2099-01-01T00:00:00Z"}}}}
	o := readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, name), state)
	if o.Code != 0 {
		t.Fatalf("exit %d: %+v", o.Code, o.Errors)
	}
	return warns(o)
}

// slowEdgeRead reads chats without long-term search from a fake whose
// clock, the connector's too, moves on 90 seconds with every page of five,
// so the walk of a window at the recent window's edge outlasts its margin.
func slowEdgeRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"chats": 20000}, Quirks: fakebotmaker.Quirks{PageAdvance: 90 * time.Second, PageSize: map[string]int{"chats": 5}}})
	rt := synctest.Runtime()
	rt.Now = srv.Now
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), map[string]any{"long_term_search": false})
	return warns(readOf(t, context.Background(), rt, cfg, synctest.Catalog(true, "chats"), nil))
}

// cappedTotalRead reads tickets from a fake whose total is capped below
// the tickets it lists.
func cappedTotalRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"tickets": 1200}, Quirks: fakebotmaker.Quirks{TicketsTotalCap: 1000}})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, "tickets"), nil))
}

// lateSettledRead reads billed conversations from a state whose
// settled_through is the current month, which no sync writes.
func lateSettledRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	state := []map[string]any{{"type": "STREAM", "stream": map[string]any{
		"stream_descriptor": map[string]any{"name": "whatsapp_billed_conversations"}, "stream_state": map[string]any{
			"startDatetime": srv.Now().UTC().AddDate(0, 0, -1).Format(time.RFC3339), "settled_through": srv.Now().UTC().Format("2006-01")}}}}
	return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, "whatsapp_billed_conversations"), state))
}

// trackedRead reads sessions from a state that tracks more open sessions
// than the bound, all at one creation time (so one re-check window), one
// of them in neither of Botmaker's listings for 8 days.
func trackedRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	now := srv.Now().UTC()
	at := now.Add(-48 * time.Hour).Format(time.RFC3339)
	open := []map[string]any{{"id": "S-gone", "creationTime": at, "missing_since": now.Add(-8 * 24 * time.Hour).Format(time.RFC3339)}}
	for i := range 1000 {
		open = append(open, map[string]any{"id": fmt.Sprintf("S-open-%d", i), "creationTime": at})
	}
	state := []map[string]any{{"type": "STREAM", "stream": map[string]any{
		"stream_descriptor": map[string]any{"name": "sessions"},
		"stream_state":      map[string]any{"creationTime": now.Add(-time.Hour).Format(time.RFC3339), "open_sessions": open}}}}
	cfg := config(srv, "", now.AddDate(0, 0, -29), map[string]any{"long_term_search": true})
	o := readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, "sessions"), state)
	if o.Code != 0 {
		t.Fatalf("exit %d: %+v", o.Code, o.Errors)
	}
	return warns(o)
}

func noLTSRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), map[string]any{"long_term_search": false})
	return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(true, "messages"), nil))
}

// oddInputRead reads with an unknown config key, a full-refresh-only
// stream asked for incrementally and a state entry for no stream.
func oddInputRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), map[string]any{"acces_token_typo": "x"})
	cat := synctest.Catalog(false, "channels")
	for _, s := range cat["streams"].([]map[string]any) {
		s["sync_mode"] = "incremental"
	}
	state := []map[string]any{{"type": "STREAM", "stream": map[string]any{
		"stream_descriptor": map[string]any{"name": "no_such_stream"}, "stream_state": map[string]any{"x": 1}}}}
	return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, cat, state))
}

func interruptedRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), nil)
	return warns(readOf(t, ctx, synctest.Runtime(), cfg, synctest.Catalog(false, "channels"), nil))
}

// expiringRead reads with an access token that expires in left, with or
// without the refresh credentials.
func expiringRead(left time.Duration, creds bool) warnScenario {
	return func(t *testing.T) []string {
		tok := fakebotmaker.JWT(time.Now().Add(left), "warn")
		srv := smallFake(t, fakebotmaker.Config{Token: tok})
		extra := map[string]any{"access_token": tok}
		if creds {
			extra = withCreds(extra)
		}
		cfg := config(srv, "", srv.Now().AddDate(0, 0, -31), extra)
		return warns(readOf(t, context.Background(), synctest.Runtime(), cfg, synctest.Catalog(false, "channels"), nil))
	}
}

func expiringCheck(t *testing.T) []string {
	tok := fakebotmaker.JWT(time.Now().Add(10*24*time.Hour), "warn")
	srv := smallFake(t, fakebotmaker.Config{Token: tok})
	cfg := synctest.File(t, t.TempDir(), "config.json", config(srv, "", srv.Now().AddDate(0, 0, -31), map[string]any{"access_token": tok}))
	return warns(run(t, context.Background(), synctest.Runtime(), "check", "--config", cfg))
}

// throttledRead reads channels, paced, from a server that answers the
// first request 429.
// unauthorizedRead syncs through a 401 of 20 seconds after the token
// worked (Reported.UnauthorizedAfter), the waits moving the fake's clock.
func unauthorizedRead(t *testing.T) []string {
	srv := smallFake(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Reported: fakebotmaker.Reported{UnauthorizedAfter: 2, UnauthorizedFor: 20 * time.Second}}})
	rt := synctest.Runtime()
	rt.Now = srv.Now
	rt.Settings.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	return warns(readOf(t, context.Background(), rt, config(srv, "", srv.Now().AddDate(0, 0, -20), nil), synctest.Catalog(true, "calls", "contacts"), nil))
}

func throttledRead(t *testing.T) []string {
	var mu sync.Mutex
	first := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		again := first
		first = false
		mu.Unlock()
		if again {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]any{"items": []any{}, "nextPage": nil})
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	rt := synctest.Runtime()
	rt.Rates["/channels"] = 50
	cfg := map[string]any{"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": srv.URL + "/v2.0"}
	return warns(readOf(t, context.Background(), rt, cfg, synctest.Catalog(false, "channels"), nil))
}
