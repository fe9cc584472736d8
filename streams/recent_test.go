package streams_test

import (
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// /chats without long-term search serves seven days by the SPEC, about one
// by a user's report. Whichever is true, no time is silently lost: after a
// pause of three days without long-term search what is older than one day
// is read as far as Botmaker serves it and also kept pending, with a WARN
// that recommends long-term search, and a sync with it reads the pending
// period. An hourly schedule with long-term search bills nothing more for
// the doubt, deep re-reads included.
func TestChatsShorterRecentWindow(t *testing.T) {
	s, _ := streams.Lookup("chats")
	if s.RecentSure != 24*time.Hour || s.Recent != 7*24*time.Hour {
		t.Fatalf("chats: Recent %s, RecentSure %s", s.Recent, s.RecentSure)
	}
	// The fake serves chats of the last day only without long-term
	// search, silently, as the report has it.
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{Reported: fakebotmaker.Reported{ServedRecent: map[string]time.Duration{"chats": 24 * time.Hour}}}})
	off := map[string]any{"long_term_search": false}
	hourly := map[string]any{"deep_lookback_every_hours": 1, "lookback_window_hours": 48}
	o := f.mustRead(hourly, true, nil, "chats")
	for i := 0; i < 3; i++ {
		f.srv.Advance(time.Hour)
		f.srv.TouchChats(2)
		f.srv.ResetRequests()
		o = f.mustRead(hourly, true, o.FinalState(), "chats")
		for _, r := range firstPages(t, f.srv, "chats") {
			if r.Query.Has("long-term-search") {
				t.Errorf("hourly sync %d: %s sends long-term-search", i, r.RawQuery)
			}
		}
		if st := finalState(t, o, "chats"); len(st.Pending) > 0 {
			t.Errorf("hourly sync %d: pending %v", i, st.Pending)
		}
	}

	f.srv.Advance(time.Hour)
	old := f.srv.TouchChats(3) // more than a day old by the next sync
	f.srv.Advance(3 * 24 * time.Hour)
	recent := f.srv.TouchChats(2)
	f.srv.Advance(time.Minute)
	saved := mustTime(t, finalState(t, o, "chats").Cursor)
	f.srv.ResetRequests()
	o2 := f.mustRead(off, true, o.FinalState(), "chats")
	now2 := f.srv.Now()
	st := finalState(t, o2, "chats")
	if len(st.Pending) != 1 {
		t.Fatalf("pending %v, want one period", st.Pending)
	}
	from, to := mustTime(t, st.Pending[0].From), mustTime(t, st.Pending[0].To)
	if !from.Equal(saved) || to.Before(now2.Add(-24*time.Hour)) || to.After(now2.Add(-24*time.Hour+3*time.Minute)) {
		t.Errorf("pending %s to %s, want %s to about a day ago", st.Pending[0].From, st.Pending[0].To, saved)
	}
	var warned bool
	for _, l := range o2.Logs {
		if l.Level == airbyte.LogWarn && strings.Contains(l.Message, "stream chats:") {
			warned = strings.Contains(l.Message, "report only about 1 day") && strings.Contains(l.Message, "long_term_search") &&
				strings.Contains(l.Message, st.Pending[0].From+" to "+st.Pending[0].To)
		}
	}
	if !warned {
		t.Errorf("no WARN naming the pending period and long_term_search: %+v", o2.Logs)
	}
	if m := missing(recent, set(ids(o2, "chats"))); len(m) > 0 {
		t.Errorf("chats active in the last day missing: %v", m)
	}
	if m := missing(old, set(ids(o2, "chats"))); len(m) != len(old) {
		t.Errorf("the fake served chats older than a day without long-term search: %v", old)
	}
	for _, r := range firstPages(t, f.srv, "chats") {
		if r.Query.Has("long-term-search") {
			t.Errorf("without long-term search: %s", r.RawQuery)
		}
	}

	// With long-term search the pending period is read, as a long-term
	// search: whatever the window was, nothing is missing.
	f.srv.Advance(time.Hour)
	f.srv.ResetRequests()
	o3 := f.mustRead(nil, true, o2.FinalState(), "chats")
	if st := finalState(t, o3, "chats"); len(st.Pending) > 0 {
		t.Errorf("still pending: %v", st.Pending)
	}
	if m := missing(old, set(ids(o3, "chats"))); len(m) > 0 {
		t.Errorf("the backfill misses chats active during the pause: %v", m)
	}
	reqs := firstPages(t, f.srv, "chats")
	if len(reqs) == 0 || !reqs[0].from.Equal(from.Truncate(time.Second).Add(-time.Second)) || reqs[0].Query.Get("long-term-search") != "true" {
		t.Errorf("first request %+v, want the pending period with long-term-search", reqs)
	}
}
