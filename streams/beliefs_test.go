package streams_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// Syncs against a fake that breaks, on demand, beliefs a review found the
// connector relied on (issue 20): each ends with no record lost and no
// walk left hanging. The future settled_through is in months_test.go, the
// endless empty pages in TestPaginationThatNeverEnds, the stalled host in
// the connector's TestStalledHostEndsTheSyncOnce.

// Botmaker recomputes its recent window on every page and pages by offset:
// records the moving edge passes shift the rest of the list, and an offset
// skips one at each later page boundary. Without long-term search, slow
// pages (a simulated minute each) and small ones (five messages) make the
// edge overtake the first windows; they are read again from inside the
// edge, and what the edge passed waits in pending_backfill for the next
// sync with long-term search. The two syncs lose nothing.
func TestMovingEdgeWithOffsetTokens(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{
		Counts: fakebotmaker.Counts{"messages": 40000},
		Quirks: fakebotmaker.Quirks{MovingEdge: true, OffsetTokens: true, PageAdvance: time.Minute, PageSize: map[string]int{"messages": 5}},
	})
	o1 := f.mustRead(map[string]any{"long_term_search": false}, true, nil, "messages")
	if !slices.ContainsFunc(o1.Logs, func(l airbyte.Log) bool {
		return l.Level == airbyte.LogWarn && strings.Contains(l.Message, "read again from")
	}) {
		t.Errorf("no WARN says a window the edge overtook was read again")
	}
	o2 := f.mustRead(map[string]any{"long_term_search": true}, true, o1.FinalState(), "messages")
	want := f.truth("messages")
	l := lost(want, ids(o1, "messages"), ids(o2, "messages"))
	t.Logf("%d of %d messages lost; %d requests; pending after sync 1: %v", len(l), len(want), len(f.srv.Requests()), finalState(t, o1, "messages").Pending)
	if len(l) > 0 {
		t.Errorf("%d messages lost, e.g. %v", len(l), l[:min(3, len(l))])
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
