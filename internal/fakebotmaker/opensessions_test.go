package fakebotmaker

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Quirks.OpenSessions: the chosen sessions are the only open ones, listed
// (with their agent-metrics rows) only as open until, Missing before they
// finish, they leave both listings, and then appear finished; one with no
// For stays open.
func TestOpenSessionsQuirk(t *testing.T) {
	s := newTest(t, Config{HistoryDays: 10, Quirks: Quirks{OpenSessions: &OpenSessions{
		Ages: []time.Duration{72 * time.Hour, 48 * time.Hour}, For: []time.Duration{73 * time.Hour}, Missing: 10 * time.Minute}}})
	open := s.OpenSessionIDs()
	if len(open) != 2 {
		t.Fatalf("open sessions %v, want 2", open)
	}
	from, to := s.Now().Add(-80*time.Hour), s.Now().Add(2*time.Hour)
	listed := func(extra ...string) []string { return walkChunks(t, s, "sessions", from, to, extra...) }
	rows := func(status string) []string {
		var out []string
		for _, id := range walkChunks(t, s, "agent_metrics", from, to, "session-status", status) {
			out = append(out, strings.Split(id, KeySep)[0])
		}
		return out
	}
	in := func(ids []string, id string) bool { return slices.Contains(ids, id) }
	first := open[0]
	check := func(when string, finished, withOpen, openRow, closedRow bool) {
		t.Helper()
		for _, c := range []struct {
			what      string
			got, want bool
		}{
			{"the finished listing", in(listed(), first), finished},
			{"the listing with open sessions", in(listed("include-open-sessions", "true"), first), withOpen},
			{"the ground truth", in(s.IDs("sessions", from, to), first), finished},
			{"OpenSessionIDs", in(s.OpenSessionIDs(), first), withOpen && !finished},
			{"the open agent-metrics rows", in(rows("open"), first), openRow},
			{"the closed agent-metrics rows", in(rows("closed"), first), closedRow},
		} {
			if c.got != c.want {
				t.Errorf("%s: session %s in %s: %v, want %v", when, first, c.what, c.got, c.want)
			}
		}
	}
	hasRows := len(s.metricAgents(int(s.firstChosen()))) > 0
	check("open", false, true, hasRows, false)
	start, err := time.Parse(time.RFC3339, first[strings.LastIndexByte(first, '_')+1:])
	if err != nil {
		t.Fatal(err)
	}
	s.Advance(start.Add(73*time.Hour - 5*time.Minute).Sub(s.Now()))
	check("missing", false, false, false, false)
	s.Advance(6 * time.Minute)
	check("finished", true, true, false, hasRows)
	if ids := s.OpenSessionIDs(); len(ids) != 1 || ids[0] != open[1] {
		t.Errorf("open sessions %v after the first finished, want only %s", ids, open[1])
	}
}

// firstChosen is the session Ages[0] chose.
func (s *Server) firstChosen() int32 {
	for seq, i := range s.chosenOpen {
		if i == 0 {
			return seq
		}
	}
	return -1
}
