package streams_test

import (
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// agent_metrics lists the rows of closed sessions; rows of open sessions
// still change, so the bookmark waits at the earliest open session and
// each of its rows arrives, in its final version, once the session
// closes. Pages of 40 rows make every window page, to its last page.
func TestAgentMetricsWaitForOpenSessions(t *testing.T) {
	const name = "agent_metrics"
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{PageSize: map[string]int{name: 40}}})
	opts := map[string]any{"lookback_window_hours": 1}
	open := f.srv.OpenSessionIDs()
	if len(open) == 0 {
		t.Fatal("the fake has no open sessions")
	}
	earliest := sessionStart(t, open[0])
	for _, id := range open {
		earliest = minTime(earliest, sessionStart(t, id))
	}
	o1 := f.mustRead(opts, true, nil, name)
	if diff := sameSet(ids(o1, name), f.srv.IDs(name, f.start, time.Time{})); diff != "" {
		t.Errorf("first sync: %s", diff)
	}
	openSet := set(open)
	for _, id := range ids(o1, name) {
		if openSet[strings.Split(id, fakebotmaker.KeySep)[0]] {
			t.Errorf("a row of open session %s was written", id)
		}
	}
	if got := mustTime(t, finalState(t, o1, name).Cursor); got.After(earliest) {
		t.Errorf("bookmark %s, after the earliest open session's start %s", got, earliest)
	}
	pages, windows := 0, 0
	for _, r := range f.srv.Requests() {
		if r.Endpoint == name && r.Query.Get("session-status") == "closed" {
			pages++
			if r.Query.Get("page") == "" {
				windows++
			}
		}
	}
	if pages <= windows {
		t.Errorf("%d pages for %d windows: pagination not exercised", pages, windows)
	}

	f.srv.Advance(3 * time.Hour)
	finished := set(f.srv.FinishOpenSessions())
	f.srv.Advance(time.Minute)
	o2 := f.mustRead(opts, true, o1.FinalState(), name)
	got := set(ids(o2, name))
	var rows int
	for _, id := range f.srv.IDs(name, earliest, time.Time{}) {
		if finished[strings.Split(id, fakebotmaker.KeySep)[0]] {
			rows++
			if !got[id] {
				t.Errorf("row %s of a session that closed between the syncs is missing", id)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no rows of the sessions that closed: the test proves nothing")
	}
}
