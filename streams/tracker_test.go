package streams_test

import (
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
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
			// Only the lookback hour and windows around the tracked sessions
			// were read, in a bounded number of requests (10 s at the
			// endpoint's rate): nothing from before the oldest of them.
			from := mustTime(t, st1.Cursor).Add(-time.Hour - time.Second)
			s, _ := streams.Lookup(name)
			rechecks := 0
			for _, r := range f.srv.Requests() {
				if r.Endpoint != name || r.Query.Get("page") != "" || !mustTime(t, r.Query.Get("from")).Before(from) {
					continue
				}
				rechecks++
				if mustTime(t, r.Query.Get("from")).Before(earliest.Add(-time.Second)) {
					t.Errorf("a re-check reads from %s, before the oldest tracked session, %s", r.Query.Get("from"), earliest)
				}
			}
			if limit := int(s.RatePerSecond * 10); rechecks == 0 || rechecks > limit {
				t.Errorf("%d re-check requests, want 1 to %d", rechecks, limit)
			}
			// They wrote the tracked sessions' records only.
			for id := range got {
				if st := sessionStart(t, sessionOf(id)); st.Before(from) && !set(tracked)[sessionOf(id)] {
					t.Errorf("the second sync wrote %s, neither tracked nor in the lookback", id)
				}
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

// States written before open sessions were tracked keep working: one with
// only a cursor, and one whose cursor was held at the earliest open
// session. The first sync from either reads on from its cursor as before,
// tracks the sessions open now, and writes them once they finish.
func TestOldStatesStartTracking(t *testing.T) {
	for _, name := range unsettled {
		for _, kind := range []string{"cursor only", "held at the earliest open session"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				f := newFixture(t, fakebotmaker.Config{})
				opts := map[string]any{"lookback_window_hours": 1}
				open := set(f.srv.OpenSessionIDs())
				cursor := f.srv.Now().UTC().Truncate(time.Second).Add(-6 * time.Hour)
				if kind != "cursor only" {
					for id := range open {
						cursor = minTime(cursor, sessionStart(t, id))
					}
				}
				s, _ := streams.Lookup(name)
				state := stateFile(streamState(name, map[string]string{s.Cursor: streams.FormatTime(cursor)}))
				o1 := f.mustRead(opts, true, state, name)
				want := f.srv.IDs(name, cursor.Add(-time.Hour), time.Time{})
				if diff := sameSet(ids(o1, name), want); diff != "" {
					t.Errorf("first sync from the old state: %s", diff)
				}
				tracked := finalState(t, o1, name).openIDs()
				for _, id := range tracked {
					if !open[id] {
						t.Errorf("the state tracks %s, which is not open", id)
					}
				}
				if kind != "cursor only" && len(tracked) == 0 {
					t.Fatal("no open session tracked")
				}
				f.srv.Advance(time.Hour)
				finished := set(f.srv.FinishOpenSessions())
				f.srv.Advance(time.Minute)
				o2 := f.mustRead(opts, true, o1.FinalState(), name)
				got := set(ids(o2, name))
				for _, id := range f.srv.IDs(name, cursor, time.Time{}) {
					if finished[sessionOf(id)] && !got[id] {
						t.Errorf("%s of a session that finished after the first sync is missing", id)
					}
				}
			})
		}
	}
}

// Past the bound on tracked sessions the state keeps the oldest ones and
// the bookmark waits at the next open one, with a WARN saying so and why,
// so the state stays small with thousands of sessions open; once they
// finish, every one of them is written.
func TestTrackedSessionsBounded(t *testing.T) {
	const name = "sessions"
	// About 5% of the fake's sessions are open: well over a thousand.
	f := newFixture(t, fakebotmaker.Config{HistoryDays: 10, Counts: fakebotmaker.Counts{"sessions": 30000}})
	open := f.srv.OpenSessionIDs()
	if len(open) < 1200 {
		t.Fatalf("only %d open sessions; the test needs more than the bound", len(open))
	}
	o1 := f.mustRead(nil, true, nil, name)
	st := finalState(t, o1, name)
	if len(st.Open) != 1000 {
		t.Errorf("the state tracks %d sessions, want the bound, 1000", len(st.Open))
	}
	for _, msg := range o1.States[name] {
		if n := len(msg.Stream.StreamState); n > 120_000 {
			t.Fatalf("a STATE of %d bytes", n)
		}
	}
	tracked := set(st.openIDs())
	var hold time.Time
	for _, id := range open {
		if !tracked[id] && (hold.IsZero() || sessionStart(t, id).Before(hold)) {
			hold = sessionStart(t, id)
		}
	}
	if got := mustTime(t, st.Cursor); !got.Equal(hold) {
		t.Errorf("bookmark %s, want the oldest open session the state leaves out, %s", got, hold)
	}
	warned := len(o1.LogLines(airbyte.LogWarn, "stream sessions:", "more than the 1000")) > 0
	if !warned {
		t.Error("no WARN says more sessions are open than the state tracks")
	}

	// The records written after the held bookmark are re-reads for the
	// next sync's count: the state says up to where (written_through).
	var newest time.Time
	for _, id := range ids(o1, name) {
		newest = maxTime(newest, sessionStart(t, id))
	}
	var through string
	mustUnmarshal(t, st.raw["written_through"], &through)
	if got := mustTime(t, through); !got.Equal(newest) {
		t.Errorf("written_through %s, want the newest session written, %s", through, newest)
	}

	f.srv.Advance(time.Hour)
	added := set(f.srv.AddSessions(3))
	f.srv.Advance(time.Minute)
	o2 := f.mustRead(nil, true, o1.FinalState(), name)
	if n := len(finalState(t, o2, name).Open); n != 1000 {
		t.Errorf("with as many open, the next state tracks %d", n)
	}
	b, written := o2.Billed[name], ids(o2, name)
	if b.New != int64(len(added)) || b.Updated != 0 || b.New+b.Reread != int64(len(written)) {
		t.Errorf("the sync after: %d sessions written, %d of them added since; counted %s", len(written), len(added), b)
	}
	f.srv.Advance(time.Hour)
	finished := f.srv.FinishOpenSessions()
	f.srv.Advance(time.Minute)
	o3 := f.mustRead(nil, true, o2.FinalState(), name)
	if m := missing(finished, set(ids(o3, name))); len(m) > 0 {
		t.Errorf("sessions that finished are missing: %v", m)
	}
	if n := len(finalState(t, o3, name).Open); n != 0 {
		t.Errorf("the state still tracks %d sessions after all finished", n)
	}
}

// Hourly syncs over two days while sessions stay open for days: some
// finish after days (one after four), two never finish during the test, and
// each one is, for ten minutes before it finishes, in neither of
// Botmaker's listings; one of those ten minutes holds a sync. No finished
// session (for agent_metrics, no row of one) is lost, none is written
// while open, and the ones still open stay tracked.
func TestHourlySyncsLoseNoOpenSession(t *testing.T) {
	// The first finishes last of those that finish, 30 hours in, when only
	// younger sessions are open: a bookmark held at the earliest open
	// session had moved past it when it was in neither listing.
	ages := []time.Duration{72 * time.Hour, 60 * time.Hour, 50 * time.Hour, 30 * time.Hour, 2 * time.Hour, time.Hour}
	opens := []time.Duration{102 * time.Hour, 70 * time.Hour, 80 * time.Hour, 40 * time.Hour, 0, 0}
	for _, name := range unsettled {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{
				OpenSessions: &fakebotmaker.OpenSessions{Ages: ages, For: opens, Missing: 10 * time.Minute},
				PageSize:     map[string]int{"agent_metrics": 40},
			}})
			open := f.srv.OpenSessionIDs()
			if len(open) != len(ages) {
				t.Fatalf("%d sessions open, want %d", len(open), len(ages))
			}
			// The schedule's phase puts a sync five minutes before the
			// first session finishes, while it is in neither listing.
			gone := sessionStart(t, open[0]).Add(opens[0] - 5*time.Minute)
			f.srv.Advance(gone.Sub(f.srv.Now()) % time.Hour)
			written := map[string]bool{}
			var state []byte
			sawMissing := false
			for sync := 0; sync < 49; sync++ {
				if sync > 0 {
					f.srv.Advance(59 * time.Minute)
					f.srv.AddAgentMetrics(3)
					f.srv.Advance(time.Minute)
				}
				openNow := set(f.srv.OpenSessionIDs())
				o := f.mustRead(nil, true, state, name)
				for _, id := range ids(o, name) {
					if openNow[sessionOf(id)] {
						t.Errorf("sync %d wrote %s of an open session", sync, id)
					}
					written[id] = true
				}
				st := finalState(t, o, name)
				for _, e := range st.Open {
					sawMissing = sawMissing || e.ID == open[0] && e.MissingSince != ""
				}
				state = o.FinalState()
			}
			if !sawMissing {
				t.Error("no state says the first session was in neither listing: the schedule missed its ten minutes")
			}
			want := f.srv.IDs(name, f.start, time.Time{})
			if m := missing(want, written); len(m) > 0 {
				t.Errorf("%d records lost over the schedule: %v", len(missing(want, written)), m)
			}
			stillOpen := f.srv.OpenSessionIDs()
			if len(stillOpen) != 2 {
				t.Fatalf("%d sessions still open at the end, want the two that never finish", len(stillOpen))
			}
			var last []airbyte.State
			mustUnmarshal(t, state, &last)
			tracked := set(decodeState(t, last[0]).openIDs())
			for _, id := range stillOpen {
				// A session without agents has no agent-metrics row to track.
				if name == "sessions" && !tracked[id] {
					t.Errorf("session %s, still open, is no longer tracked", id)
				}
			}
		})
	}
}

// A tracked session in neither listing for longer than a week is given
// up, with a WARN naming it and saying what the user can do; until then it
// stays tracked.
func TestSessionMissingAWeekIsDropped(t *testing.T) {
	for _, name := range unsettled {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{OpenSessions: &fakebotmaker.OpenSessions{
				Ages: []time.Duration{48 * time.Hour}, For: []time.Duration{50*time.Hour + 10*24*time.Hour}, Missing: 10 * 24 * time.Hour}}})
			open := f.srv.OpenSessionIDs()
			if len(open) != 1 {
				t.Fatalf("%d sessions open, want 1", len(open))
			}
			id := open[0]
			o := f.mustRead(nil, true, nil, name)
			if got := finalState(t, o, name).openIDs(); len(got) != 1 || got[0] != id {
				if name == "agent_metrics" && len(got) == 0 {
					t.Skip("the session has no agent, so no row to track")
				}
				t.Fatalf("tracked %v, want %s", got, id)
			}
			for day := 1; day <= 9; day++ {
				f.srv.Advance(24 * time.Hour)
				o = f.mustRead(nil, true, o.FinalState(), name)
				tracked := set(finalState(t, o, name).openIDs())
				warned := len(o.LogLines(airbyte.LogWarn, id, "neither")) > 0
				switch {
				case day < 9 && (!tracked[id] || warned):
					t.Fatalf("day %d: tracked %v, warned %v; want it tracked, no WARN", day, tracked[id], warned)
				case day == 9 && (tracked[id] || !warned):
					t.Fatalf("day %d, over a week in neither listing: tracked %v, warned %v; want it dropped with a WARN", day, tracked[id], warned)
				}
			}
		})
	}
}

// Without long-term search Botmaker serves sessions of its last 7 days
// only: a tracked session older than that moves to pending_backfill, which
// a sync with long_term_search reads, finding it open again or finished.
func TestTrackedSessionPastTheRecentWindow(t *testing.T) {
	const name = "sessions"
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{OpenSessions: &fakebotmaker.OpenSessions{
		Ages: []time.Duration{48 * time.Hour}}}})
	id := f.srv.OpenSessionIDs()[0]
	noLTS := map[string]any{"long_term_search": false}
	o := f.mustRead(noLTS, true, nil, name)
	if got := finalState(t, o, name).openIDs(); len(got) != 1 || got[0] != id {
		t.Fatalf("tracked %v, want %s", got, id)
	}
	f.srv.Advance(6 * 24 * time.Hour)
	o = f.mustRead(noLTS, true, o.FinalState(), name)
	st := finalState(t, o, name)
	pending := false
	for _, p := range st.Pending {
		pending = pending || !mustTime(t, p.From).After(sessionStart(t, id)) && mustTime(t, p.To).After(sessionStart(t, id))
	}
	if len(st.Open) != 0 || !pending {
		t.Fatalf("a tracked session past the recent window: tracked %v, pending %v; want it pending", st.openIDs(), st.Pending)
	}
	o = f.mustRead(nil, true, o.FinalState(), name)
	st = finalState(t, o, name)
	if got := st.openIDs(); len(got) != 1 || got[0] != id || len(st.Pending) != 0 {
		t.Fatalf("with long-term search: tracked %v, pending %v; want it tracked again", got, st.Pending)
	}
}
