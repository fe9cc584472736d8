package streams_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

const pendingKeyName = "pending_backfill"

// A stream Botmaker serves only so far back, with no long-term search to
// reach further (notifications: 3 months without notification-name), is
// clamped to what it serves: one WARN, the skipped period kept in
// pending_backfill by every later sync, long_term_search or not (never
// claimed, never read), every record Botmaker serves delivered, to always
// sent, and no 400. The fake answers 400 past 3 months.
func TestCappedRecentWindow(t *testing.T) {
	if len(capped) == 0 {
		t.Skip("no capped stream")
	}
	f := newFixture(t, fakebotmaker.Config{})
	var pending1 []struct{ From, To string }
	last := map[string]airbyte.State{}
	for i, opts := range []map[string]any{{"long_term_search": false}, {"long_term_search": true}} {
		var state []byte
		if i > 0 {
			var msgs []airbyte.State
			for _, name := range capped {
				msgs = append(msgs, last[name])
			}
			state = stateFile(msgs...)
		}
		f.srv.ResetRequests()
		o := f.mustRead(opts, true, state, capped...)
		for _, name := range capped {
			s, _ := streams.Lookup(name)
			st := finalState(t, o, name)
			last[name] = o.States[name][len(o.States[name])-1]
			if i == 0 {
				pending1 = st.Pending
				if len(st.Pending) != 1 || st.Pending[0].From != f.start.Format(time.RFC3339) {
					t.Fatalf("%s: pending %v, want one period from start_date %s", name, st.Pending, f.start.Format(time.RFC3339))
				}
				if diff := sameSet(ids(o, name), f.srv.IDs(name, mustTime(t, st.Pending[0].To), time.Time{})); diff != "" {
					t.Errorf("%s: %s", name, diff)
				}
			} else if diff := cmp.Diff(pending1, st.Pending); diff != "" {
				t.Errorf("%s: sync %d changed pending_backfill (-first +now):\n%s", name, i+1, diff)
			}
			if c := mustTime(t, st.Cursor); c.Before(mustTime(t, st.Pending[0].To)) {
				t.Errorf("%s: cursor %s inside the pending period", name, st.Cursor)
			}
			// The sync that cuts the period warns; later ones, with nothing
			// new cut, say the same at INFO.
			level := airbyte.LogWarn
			if i > 0 {
				level = airbyte.LogInfo
			}
			var said []string
			for _, l := range o.Logs {
				if l.Level == level && strings.Contains(l.Message, "stream "+name+":") && strings.Contains(l.Message, pendingKeyName) {
					said = append(said, l.Message)
				}
				if i > 0 && l.Level == airbyte.LogWarn && strings.Contains(l.Message, "stream "+name+":") {
					t.Errorf("%s: sync %d warns again with nothing new cut: %s", name, i+1, l.Message)
				}
			}
			if len(said) != 1 || !strings.Contains(said[0], "No sync can read it") || strings.Contains(said[0], "long_term_search") {
				t.Errorf("%s: %s logs %q, want one that says no sync can read the period and does not offer long_term_search", name, level, said)
			}
			for _, r := range firstPages(t, f.srv, name) {
				if r.Query.Get("to") == "" || r.Query.Has("long-term-search") {
					t.Errorf("%s: %s lacks to or sends long-term-search", name, r.RawQuery)
				}
				if r.from.Before(r.At.Add(-s.Recent)) {
					t.Errorf("%s: from %s is older than the last %s", name, r.from, s.Recent)
				}
			}
		}
		if st := f.srv.Stats(); st.Statuses[400] > 0 {
			t.Errorf("sync %d: %d requests answered 400", i+1, st.Statuses[400])
		}
	}
}
