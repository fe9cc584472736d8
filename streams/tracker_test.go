package streams_test

import (
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// unsettled are the streams whose open records are tracked one by one.
var unsettled = streamsWhere(func(s *streams.Stream) bool { return s.Unsettled != nil })

// sessionOf is the session an id of the stream belongs to: the id itself
// for sessions, the first part of an agent_metrics row's key.
func sessionOf(id string) string { return strings.Split(id, fakebotmaker.KeySep)[0] }

// An open session is not listed while open; the state tracks it by id and
// creation time while the bookmark moves on to the newest record written,
// and a later sync re-checks it with a narrow window around its creation
// time, writing its finished version (for agent_metrics, every row of it)
// once it has finished, however long it stayed open, and forgetting it
// then. Pages of 40 agent_metrics rows make every window page.
func TestOpenRecordsTrackedOneByOne(t *testing.T) {
	for _, name := range unsettled {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{PageSize: map[string]int{"agent_metrics": 40}}})
			opts := map[string]any{"lookback_window_hours": 1}
			open := set(f.srv.OpenSessionIDs())
			var earliest time.Time
			for id := range open {
				if st := sessionStart(t, id); earliest.IsZero() || st.Before(earliest) {
					earliest = st
				}
			}
			// A bookmark kept a fixed day behind now would lose these.
			if age := f.srv.Now().Sub(earliest); age < 48*time.Hour {
				t.Fatalf("the earliest open session is only %s old; the test needs older ones", age)
			}

			o1 := f.mustRead(opts, true, nil, name)
			var newest time.Time
			for _, id := range ids(o1, name) {
				if open[sessionOf(id)] {
					t.Errorf("a record of open session %s was written", id)
				}
				newest = maxTime(newest, sessionStart(t, sessionOf(id)))
			}
			st1 := finalState(t, o1, name)
			tracked := st1.openIDs()
			if len(tracked) == 0 {
				t.Fatal("the state tracks no open session")
			}
			for _, id := range tracked {
				if !open[id] {
					t.Errorf("the state tracks %s, which is not open", id)
				}
			}
			if name == "sessions" && len(tracked) != len(open) {
				t.Errorf("the state tracks %d sessions, %d are open", len(tracked), len(open))
			}
			if got := mustTime(t, st1.Cursor); !got.Equal(newest) {
				t.Errorf("bookmark %s, want the newest record written, %s: open sessions no longer hold it", got, newest)
			}

			f.srv.Advance(3 * time.Hour)
			finished := set(f.srv.FinishOpenSessions())
			f.srv.Advance(time.Minute)
			f.srv.ResetRequests()
			o2 := f.mustRead(opts, true, o1.FinalState(), name)
			got := set(ids(o2, name))
			rows := 0
			for _, id := range f.srv.IDs(name, earliest, time.Time{}) {
				if finished[sessionOf(id)] && set(tracked)[sessionOf(id)] {
					rows++
					if !got[id] {
						t.Errorf("%s of a tracked session that finished between the syncs is missing", id)
					}
				}
			}
			if rows == 0 {
				t.Fatal("no record of a tracked session that finished: the test proves nothing")
			}
			st2 := finalState(t, o2, name)
			if len(st2.Open) != 0 {
				t.Errorf("the state still tracks %v after every session finished and was written", st2.openIDs())
			}
			// Only the lookback hour and narrow windows around the tracked
			// sessions were read: nothing else from the days they were open.
			from := mustTime(t, st1.Cursor).Add(-time.Hour - time.Second)
			var wide time.Duration
			for _, r := range firstPages(t, f.srv, name) {
				if r.from.Before(from) {
					wide += r.to.Sub(r.from)
				}
			}
			if limit := time.Duration(len(tracked)) * (10*time.Minute + 2*time.Second) * 2; wide > limit {
				t.Errorf("the re-check windows span %s in all, more than %s for %d tracked sessions", wide, limit, len(tracked))
			}
			// A third sync after nothing happened re-reads only the
			// lookback hour before the bookmark.
			f.srv.ResetRequests()
			o3 := f.mustRead(opts, true, o2.FinalState(), name)
			cursor := mustTime(t, st2.Cursor)
			for _, id := range ids(o3, name) {
				if st := sessionStart(t, sessionOf(id)); st.Before(cursor.Add(-time.Hour - time.Second)) {
					t.Errorf("a third sync after nothing happened re-read %s, from before the lookback hour", id)
				}
			}
		})
	}
}
