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

// Syncs against a fake that breaks, on demand, beliefs a review found the
// connector relied on (issue 20): each ends with no record lost and no
// walk left hanging. The future settled_through is in months_test.go, the
// endless empty pages in TestPaginationThatNeverEnds, the stalled host in
// the connector's TestStalledHostEndsTheSyncOnce.

// Botmaker recomputes its recent window on every page and pages by offset:
// records the moving edge passes shift the rest of the list, and an offset
// skips one at each later page boundary. Every windowed stream the fake's
// OffsetTokens quirk applies to (a recent-window edge, a position as page
// token) is read without long-term search, with slow pages (a simulated
// minute each) and small ones (five records) over about 20 records an hour,
// so the edge overtakes the first windows; they are read again from inside
// the edge, and what the edge passed waits in pending_backfill. A second
// sync, with long-term search where the stream takes it, reads it. No
// record is neither written nor pending, and a stream that can backfill
// ends with nothing pending.
func TestMovingEdgeWithOffsetTokens(t *testing.T) {
	const history = 90 // days, the fixture's
	var names []string
	for _, s := range streams.All() {
		if e, ok := fakebotmaker.Lookup(s.Name); ok && s.Incremental() && e.EdgeShiftsOffsets() {
			names = append(names, s.Name)
		}
	}
	if len(names) < 2 {
		t.Fatalf("the quirk applies to %v only", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, _ := streams.Lookup(name)
			f := newFixture(t, fakebotmaker.Config{HistoryDays: history,
				Counts: fakebotmaker.Counts{name: 20 * 24 * history},
				Quirks: fakebotmaker.Quirks{MovingEdge: true, OffsetTokens: true, PageAdvance: time.Minute, PageSize: map[string]int{name: 5}},
			})
			o1 := f.mustRead(map[string]any{"long_term_search": false}, true, nil, name)
			if !slices.ContainsFunc(o1.Logs, func(l airbyte.Log) bool {
				return l.Level == airbyte.LogWarn && strings.Contains(l.Message, "read again from")
			}) {
				t.Errorf("no WARN says a window the edge overtook was read again: the edge never reached a window")
			}
			o2 := f.mustRead(map[string]any{"long_term_search": true}, true, o1.FinalState(), name)
			st := finalState(t, o2, name)
			var pending []string
			for _, p := range st.Pending {
				pending = append(pending, f.srv.IDs(name, mustTime(t, p.From), mustTime(t, p.To))...)
			}
			want := f.truth(name)
			l := lost(want, ids(o1, name), ids(o2, name), pending)
			t.Logf("%d of %d lost; %d pending; %d requests; pending after sync 1: %v", len(l), len(want), len(pending), len(f.srv.Requests()), finalState(t, o1, name).Pending)
			if len(l) > 0 {
				t.Errorf("%d records neither written nor pending, e.g. %v", len(l), l[:min(3, len(l))])
			}
			if s.LongTermSearch && len(st.Pending) > 0 {
				t.Errorf("pending after a sync with long-term search: %v", st.Pending)
			}
		})
	}
}

// A /tickets total capped below the real count (total 1000 for 1,200
// tickets, as search engines report) does not end the walk: every ticket
// is read, and a WARN names both numbers.
func TestCappedTicketsTotal(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"tickets": 1200}, Quirks: fakebotmaker.Quirks{TicketsTotalCap: 1000}})
	o := f.mustRead(nil, true, nil, "tickets")
	want := f.truth("tickets")
	if l := lost(want, ids(o, "tickets")); len(l) > 0 {
		t.Errorf("%d of %d tickets lost", len(l), len(want))
	}
	if !slices.ContainsFunc(o.Logs, func(l airbyte.Log) bool {
		return l.Level == airbyte.LogWarn && strings.Contains(l.Message, "total 1000") && strings.Contains(l.Message, "listed 1200")
	}) {
		t.Errorf("no WARN names the total and the count: %+v", o.Logs)
	}
	if n := len(f.srv.Requests()); n != 3 {
		t.Errorf("%d requests for 1,200 tickets in pages of 500; want 3 (the last one short)", n)
	}
	// The progress estimate, made from the total, is never below what was
	// written before it, and ends at the count.
	var written, last int64
	for _, m := range o.Messages {
		switch {
		case m.Type == airbyte.TypeRecord && m.Record.Stream == "tickets":
			written++
		case m.Type == airbyte.TypeTrace && m.Trace.Estimate != nil && m.Trace.Estimate.Name == "tickets":
			if last = m.Trace.Estimate.RowEstimate; last < written {
				t.Errorf("ESTIMATE %d after %d tickets written", last, written)
			}
		}
	}
	if last != int64(len(want)) {
		t.Errorf("last ESTIMATE %d, want %d", last, len(want))
	}
}

// A listing in cursor order for pages on end that then lists an older
// record (the window's oldest, held back to its last page) disproves any
// order a STATE inside the window could have rested on. Resuming from
// every STATE, with the shortest lookback, loses nothing.
func TestOrderThatLooksAscendingThenIsNot(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Straggler: true,
		PageSize: map[string]int{"messages": 100, "sessions": 100, "calls": 100, "chats": 100}}})
	n := resumeLoss(t, f, map[string]any{"lookback_window_hours": 1})
	t.Logf("%d records lost over every resume", n)
}
