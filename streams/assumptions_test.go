package streams_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// Real syncs while the fake breaks an assumption about Botmaker that its
// SPEC does not promise (fakebotmaker.Quirks). Each test counts the records
// lost against the fake's own ground truth and fails on any.

// truth is every record of a stream the fake serves from start_date on
// (sessions: finished ones), FutureRecord's copies aside.
func (f *fixture) truth(name string) []string {
	return f.srv.IDs(name, f.start, time.Time{})
}

// lost lists the records of truth that none of the outputs holds.
func lost(want []string, got ...[]string) []string {
	var out []string
	g := set(got...)
	for _, id := range want {
		if !g[id] {
			out = append(out, id)
		}
	}
	return out
}

// Botmaker serves records three days after their timestamp during the
// first sync and at once during the second; the connector's clock may also
// run ahead of Botmaker's or behind it. The two syncs lose nothing that
// Botmaker held when the second began, except, with the connector's clock
// behind, what is newer than the connector's now: that is not due yet, and
// a third sync must deliver it.
func TestLagThatShrinksLosesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ahead time.Duration
	}{
		{"same clock", 0},
		{"connector clock 2h ahead", 2 * time.Hour},
		{"connector clock 2h behind", -2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Lag: 72 * time.Hour}})
			f.ahead = tc.ahead
			// The billing months are read on every sync here: their cadence
			// only delays what TestBilledMonthsOnACadence covers.
			every := map[string]any{"billing_refresh_hours": 0}
			o1 := f.mustRead(every, true, nil)
			f.srv.Advance(time.Hour)
			f.srv.SetLag(0)
			held := f.srv.Now()
			o2 := f.mustRead(every, true, o1.FinalState())
			f.srv.Advance(3 * time.Hour)
			o3 := f.mustRead(every, true, o2.FinalState())
			for _, name := range windowed {
				due := f.srv.IDs(name, f.start, held.Add(min(tc.ahead, 0)))
				l := lost(due, ids(o1, name), ids(o2, name))
				t.Logf("%s: %d of %d records lost by two syncs", name, len(l), len(due))
				if len(l) > 0 {
					t.Errorf("%s: %d records lost by two syncs, e.g. %v", name, len(l), l[:min(3, len(l))])
				}
				all := f.srv.IDs(name, f.start, held)
				if l := lost(all, ids(o1, name), ids(o2, name), ids(o3, name)); len(l) > 0 {
					t.Errorf("%s: %d records lost by three syncs, e.g. %v", name, len(l), l[:min(3, len(l))])
				}
			}
		})
	}
}

// resumeLoss reads every windowed stream once, then for each STATE it
// printed resumes from that STATE, as a platform would after the sync was
// killed right after it: the records written before it plus those of the
// resumed read must hold every record, and the resumed read must hold at
// least as many as CAT's sequential-slices test expects. It also checks
// that each STATE's recordCount adds up. It returns the records lost over
// all those resumes.
func resumeLoss(t *testing.T, f *fixture, opts map[string]any) int {
	t.Helper()
	o := f.mustRead(opts, true, nil)
	total := 0
	for _, name := range windowed {
		want := f.truth(name)
		all := ids(o, name)
		var before []string
		var counted float64
		states := 0
		for _, m := range o.Messages {
			switch {
			case m.Type == airbyte.TypeRecord && m.Record.Stream == name:
				before = append(before, recordID(t, name, m.Record.Data))
			case m.Type == airbyte.TypeState && m.State.Stream.StreamDescriptor.Name == name:
				states++
				counted += float64(m.State.SourceStats.RecordCount)
				if int(counted) != len(before) {
					t.Fatalf("%s STATE %d: recordCounts add up to %v, %d records so far", name, states, counted, len(before))
				}
				st := *m.State
				st.SourceStats = nil
				r := f.mustRead(opts, true, stateFile(st), name)
				resumed := ids(r, name)
				if l := lost(want, before, resumed); len(l) > 0 {
					total += len(l)
					t.Errorf("%s: resuming from STATE %d %s loses %d records, e.g. %v", name, states, st.Stream.StreamState, len(l), l[:min(3, len(l))])
				}
				if min := len(all) - len(before); len(resumed) < min {
					t.Errorf("%s: resuming from %s read %d records, CAT expects at least %d", name, st.Stream.StreamState, len(resumed), min)
				}
			}
		}
		if states < 2 && name != "tickets" {
			t.Errorf("%s: %d STATEs; a 91-day sync should checkpoint per window", name, states)
		}
		if l := lost(want, all); len(l) > 0 {
			t.Errorf("%s: the clean read lost %d records", name, len(l))
		}
	}
	return total
}

// A sync interrupted after any of its STATEs resumes without loss whatever
// order Botmaker lists items in. The shortest lookback leaves the
// checkpoints themselves to prove it.
func TestResumeUnderEveryOrder(t *testing.T) {
	for _, order := range []fakebotmaker.Order{fakebotmaker.OldestFirst, fakebotmaker.NewestFirst, fakebotmaker.Shuffled} {
		t.Run(string(order), func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Order: fakebotmaker.OrderEvery(order)}})
			n := resumeLoss(t, f, map[string]any{"lookback_window_hours": 1})
			t.Logf("order %s: %d records lost over every resume", order, n)
		})
	}
}

// A record dated 2099 on the first page of every window is written but
// never becomes a bookmark: no STATE lies in the future, and resuming from
// any STATE loses nothing.
func TestFutureRecordNeverBookmarked(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{FutureRecord: true}})
	opts := map[string]any{"lookback_window_hours": 1}
	o := f.mustRead(opts, true, nil)
	for _, name := range windowed {
		future := 0
		for _, id := range ids(o, name) {
			if strings.HasPrefix(id, fakebotmaker.FuturePrefix) {
				future++
			}
		}
		if future == 0 {
			t.Errorf("%s: the fake's 2099 record was not written", name)
		}
		for _, st := range o.States[name] {
			if c := mustTime(t, decodeState(t, st).Cursor); c.After(f.srv.Now()) {
				t.Errorf("%s: STATE %s lies in the future", name, st.Stream.StreamState)
			}
		}
	}
	if n := resumeLoss(t, f, opts); n > 0 {
		t.Logf("%d records lost over every resume", n)
	}
}

// A saved state in the future is named in a WARN.
func TestFutureStateWarns(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"messages": 50}})
	o := f.mustRead(nil, true, stateFile(streamState("messages", map[string]string{"creationTime": "2099-01-01T00:00:00Z"})), "messages")
	if !slices.ContainsFunc(o.Logs, func(l airbyte.Log) bool {
		return l.Level == airbyte.LogWarn && strings.Contains(l.Message, "messages") && strings.Contains(l.Message, "2099-01-01T00:00:00Z")
	}) {
		t.Errorf("no WARN names the stream and the value: %+v", o.Logs)
	}
}

// /tickets pages without total are read to the end.
func TestTicketsWithoutTotal(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"tickets": 1200}, Quirks: fakebotmaker.Quirks{TicketsNoTotal: true}})
	o := f.mustRead(nil, true, nil, "tickets")
	want := f.truth("tickets")
	if l := lost(want, ids(o, "tickets")); len(l) > 0 {
		t.Errorf("%d of %d tickets lost", len(l), len(want))
	}
	if n := len(f.srv.Requests()); n != 3 {
		t.Errorf("%d requests for 1,200 tickets in pages of 500 without total; want 3 (the last one short)", n)
	}
}

// A nextPage that repeats, cycles, or pages through empty pages forever
// fails that stream with a system_error naming the endpoint, within
// seconds, and the other streams finish.
func TestPaginationThatNeverEnds(t *testing.T) {
	for _, tc := range []struct {
		stream string
		quirk  fakebotmaker.PagingQuirk
	}{
		{"messages", fakebotmaker.PageRepeat},
		{"messages", fakebotmaker.PageCycle},
		{"calls", fakebotmaker.PageEmptyForever},
		{"contacts", fakebotmaker.PageRepeat},
		{"contacts", fakebotmaker.PageCycle},
		{"intents", fakebotmaker.PageEmptyForever},
	} {
		t.Run(tc.stream+"/"+string(tc.quirk), func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Paging: map[string]fakebotmaker.PagingQuirk{tc.stream: tc.quirk}}})
			began := time.Now()
			o := f.read(nil, true, nil, tc.stream, "agents")
			if took := time.Since(began); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if o.Code == 0 || len(o.Errors) != 1 {
				t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
			}
			e := o.Errors[0]
			if e.FailureType != airbyte.SystemError || !strings.Contains(e.Message, "/"+tc.stream) || !strings.Contains(e.Message, "nextPage") {
				t.Errorf("error %+v: want a system_error naming /%s and its nextPage", e, tc.stream)
			}
			if st := o.Statuses[tc.stream]; len(st) == 0 || st[len(st)-1] != airbyte.StatusIncomplete {
				t.Errorf("%s statuses %v", tc.stream, st)
			}
			if st := o.Statuses["agents"]; len(st) == 0 || st[len(st)-1] != airbyte.StatusComplete {
				t.Errorf("agents statuses %v", st)
			}
			if tc.quirk == fakebotmaker.PageEmptyForever {
				// The first page, then the run of empty ones that ends the
				// walk (README: 10 empty pages in a row); the quirk empties
				// every page, the first too.
				n := 0
				for _, r := range f.srv.Requests() {
					if r.Endpoint == tc.stream {
						n++
					}
				}
				if n > 10 {
					t.Errorf("%d requests to /%s before the walk failed; want at most 10", n, tc.stream)
				}
			}
		})
	}
}

// A state written by the previous release, whose cursor was the
// connector's clock rather than a record's time, is simply a cursor: the
// next sync reads from it minus the lookback, losing nothing.
func TestWallClockStateResumes(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	cursor := f.srv.Now().Add(-36 * time.Hour).Truncate(time.Second)
	var msgs []airbyte.State
	for _, name := range windowed {
		s, _ := streams.Lookup(name)
		msgs = append(msgs, streamState(name, map[string]string{s.Cursor: cursor.Format(time.RFC3339)}))
	}
	o := f.mustRead(nil, true, stateFile(msgs...))
	for _, name := range windowed {
		want := f.srv.IDs(name, cursor.Add(-24*time.Hour), time.Time{})
		if l := lost(want, ids(o, name)); len(l) > 0 {
			t.Errorf("%s: %d of %d records since the cursor minus the lookback lost", name, len(l), len(want))
		}
	}
}

// Without long-term search, a walk from the edge of the recent window whose
// pages are slow (a minute each, newest first, and an edge that moves with
// Botmaker's clock) loses nothing: windows near the edge are short enough
// to be read before the edge reaches them, and what the edge passes first
// stays in pending_backfill, which a later sync with long-term search reads.
func TestSlowWalkAtTheRecentEdge(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{
		Counts: fakebotmaker.Counts{"messages": 40000},
		Quirks: fakebotmaker.Quirks{MovingEdge: true, PageAdvance: time.Minute, Order: map[string]fakebotmaker.Order{"messages": fakebotmaker.NewestFirst}},
	})
	o1 := f.mustRead(map[string]any{"long_term_search": false}, true, nil, "messages")
	st := finalState(t, o1, "messages")
	o2 := f.mustRead(map[string]any{"long_term_search": true}, true, o1.FinalState(), "messages")
	want := f.truth("messages")
	l := lost(want, ids(o1, "messages"), ids(o2, "messages"))
	t.Logf("%d of %d messages lost; pending after sync 1: %v", len(l), len(want), st.Pending)
	if len(l) > 0 {
		t.Errorf("%d messages lost, e.g. %v", len(l), l[:min(3, len(l))])
	}
}
