package streams_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// lowerBound is the oldest filter time the sync after a state with this
// cursor reads: the cursor minus the lookback, and a second more for chats,
// whose overlap with the previous window is kept. A month-by-month stream
// instead reads the current month and the one before again (months.go),
// from a first sync that walked every month before them.
func lowerBound(stream string, cursor time.Time, lookback time.Duration, now time.Time) time.Time {
	if s, _ := streams.Lookup(stream); s.Window == streams.BillingPeriod {
		now = now.UTC().Add(-2 * time.Minute)
		return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	}
	from := cursor.Add(-lookback)
	if stream == "chats" {
		from = from.Add(-time.Second)
	}
	return from
}

// Two consecutive incremental syncs with new and changed data in between:
// the second returns exactly what Botmaker lists from the first sync's
// cursor minus its lookback, which includes every new and changed record
// and nothing older. Two hours after a first sync the short lookback
// applies; from a state without last_deep_lookback (as written before it
// existed) the deep re-read of lookback_window_hours does.
func TestTwoIncrementalSyncs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     map[string]any
		oldState bool
		lookback time.Duration
	}{
		{"short lookback 2h", map[string]any{"short_lookback_hours": 2, "billing_refresh_hours": 0}, false, 2 * time.Hour},
		{"deep re-read from an old state", map[string]any{"lookback_window_hours": 24, "billing_refresh_hours": 0}, true, 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{})
			opts, lookback := tc.opts, tc.lookback
			o1 := f.mustRead(opts, true, nil)
			state := o1.FinalState()
			if tc.oldState {
				state = withoutLastDeep(t, state)
			}

			f.srv.Advance(2 * time.Hour)
			added := map[string][]string{
				"messages": f.srv.AddMessages(25),
				"chats":    f.srv.TouchChats(5),
				"calls":    f.srv.AddCalls(3),
				"tickets":  f.srv.AddTickets(2),
				"sessions": f.srv.AddSessions(4),
			}
			touchedAt := f.srv.Now().UTC().Truncate(time.Second)
			f.srv.Advance(time.Minute)
			f.srv.ResetRequests()
			o2 := f.mustRead(opts, true, state)
			// Inside Botmaker's recent window nothing is a long-term search.
			for _, r := range f.srv.Requests() {
				if r.Query.Has("long-term-search") {
					t.Errorf("%s?%s sends long-term-search", r.Path, r.RawQuery)
				}
			}

			for _, name := range windowed {
				cursor := mustTime(t, finalState(t, o1, name).Cursor)
				got := ids(o2, name)
				want := f.srv.IDs(name, lowerBound(name, cursor, lookback, f.srv.Now()), time.Time{})
				if diff := sameSet(got, want); diff != "" {
					t.Errorf("%s from cursor %s: %s", name, cursor.Format(time.RFC3339), diff)
				}
				if m := missing(added[name], set(got)); len(m) > 0 {
					t.Errorf("%s: new or changed records missing: %v", name, m)
				}
				if len(got) >= len(ids(o1, name)) {
					t.Errorf("%s: the second sync read %d records, the first %d", name, len(got), len(ids(o1, name)))
				}
			}
			// The touched chats arrive as Botmaker shows them now.
			touched := set(added["chats"])
			for _, rec := range o2.Records["chats"] {
				var c streams.Chat
				mustUnmarshal(t, rec, &c)
				if touched[c.ChatID] && (c.LastUserMessageDatetime == nil || !mustTime(t, string(*c.LastUserMessageDatetime)).Equal(touchedAt)) {
					t.Errorf("touched chat %s has lastUserMessageDatetime %v, want %s", c.ChatID, c.LastUserMessageDatetime, touchedAt)
				}
			}
		})
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Without long-term search no request reaches past what Botmaker serves,
// nothing fails, each limited stream warns once about the period it
// skipped, and the state keeps that period as pending_backfill: carried
// unchanged by syncs still without long-term search, read first by the
// first sync with it.
func TestWithoutLongTermSearch(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	off := map[string]any{"long_term_search": false}
	recent := map[string]time.Duration{}
	for _, name := range recentOnly {
		s, _ := streams.Lookup(name)
		recent[name] = s.Recent
	}
	// Streams no long-term search helps are TestCappedRecentWindow's.
	windowed := slices.DeleteFunc(slices.Clone(windowed), func(n string) bool { return slices.Contains(capped, n) })

	checkRequests := func(t *testing.T) {
		t.Helper()
		for _, name := range windowed {
			for _, r := range firstPages(t, f.srv, name) {
				if r.Query.Has("long-term-search") {
					t.Errorf("%s: %s sends long-term-search", name, r.RawQuery)
				}
				if rc := recent[name]; rc > 0 && r.from.Before(r.At.Add(-rc)) {
					t.Errorf("%s: from %s is older than the last %s", name, r.from, rc)
				}
			}
		}
		if st := f.srv.Stats(); st.Statuses[400] > 0 {
			t.Errorf("%d requests answered 400", st.Statuses[400])
		}
	}
	said := func(o *synctest.Output, level airbyte.LogLevel) map[string][]string {
		w := map[string][]string{}
		for _, l := range o.Logs {
			if l.Level != level {
				continue
			}
			for _, name := range windowed {
				if strings.Contains(l.Message, "stream "+name+":") {
					w[name] = append(w[name], l.Message)
				}
			}
		}
		return w
	}

	o1 := f.mustRead(off, true, nil)
	now1 := f.srv.Now()
	checkRequests(t)
	w1 := said(o1, airbyte.LogWarn)
	pending := map[string][]struct{ From, To string }{}
	for _, name := range windowed {
		st := finalState(t, o1, name)
		rc := recent[name]
		if rc == 0 {
			if len(st.Pending) > 0 || len(w1[name]) > 0 {
				t.Errorf("%s: pending %v, warnings %q", name, st.Pending, w1[name])
			}
			if diff := sameSet(ids(o1, name), f.srv.IDs(name, f.start, time.Time{})); diff != "" {
				t.Errorf("%s: %s", name, diff)
			}
			continue
		}
		if len(st.Pending) != 1 {
			t.Fatalf("%s: pending_backfill %v, want one period", name, st.Pending)
		}
		p := st.Pending[0]
		from, to := mustTime(t, p.From), mustTime(t, p.To)
		// Where Botmaker may serve less than the SPEC says (chats), the
		// shorter window is pending, and the longer one still read.
		pend := rc
		if s, _ := streams.Lookup(name); s.RecentSure > 0 && s.RecentSure < rc {
			pend = s.RecentSure
		}
		if !from.Equal(f.start) || to.Before(now1.Add(-pend)) || to.After(now1.Add(-pend+3*time.Minute)) {
			t.Errorf("%s: pending %s to %s, want start_date to about %s", name, p.From, p.To, now1.Add(-pend).Format(time.RFC3339))
		}
		if len(w1[name]) != 1 || !strings.Contains(w1[name][0], p.From+" to "+p.To) || !strings.Contains(w1[name][0], "long_term_search") {
			t.Errorf("%s: warnings %q, want one naming %s to %s and long_term_search", name, w1[name], p.From, p.To)
		}
		// Everything Botmaker serves is read; nothing older.
		edge := firstPages(t, f.srv, name)[0].from.Add(time.Second)
		if edge.Before(now1.Add(-rc)) || edge.After(now1.Add(-rc+3*time.Minute)) {
			t.Errorf("%s: read from %s, want about %s", name, edge, now1.Add(-rc))
		}
		if diff := sameSet(ids(o1, name), f.srv.IDs(name, lowerBound(name, edge, 0, f.srv.Now()), time.Time{})); name != "sessions" && diff != "" {
			t.Errorf("%s: %s", name, diff)
		}
		pending[name] = st.Pending
	}

	// Still without long-term search: the period is carried unchanged.
	f.srv.Advance(time.Hour)
	newMessages := f.srv.AddMessages(10)
	f.srv.Advance(time.Minute)
	f.srv.ResetRequests()
	o2 := f.mustRead(off, true, o1.FinalState())
	checkRequests(t)
	// Nothing new was cut: the period is news no more, said at INFO.
	w2, i2 := said(o2, airbyte.LogWarn), said(o2, airbyte.LogInfo)
	for name, p := range pending {
		if diff := cmp.Diff(p, finalState(t, o2, name).Pending); diff != "" {
			t.Errorf("%s: pending_backfill changed (-before +after):\n%s", name, diff)
		}
		if len(w2[name]) != 0 {
			t.Errorf("%s: warnings %q, want none: the period was pending already", name, w2[name])
		}
		if n := len(slices.DeleteFunc(i2[name], func(m string) bool { return !strings.Contains(m, "pending_backfill") })); n != 1 {
			t.Errorf("%s: %d INFO lines about the pending period, want 1: %q", name, n, i2[name])
		}
	}
	if m := missing(newMessages, set(ids(o2, "messages"))); len(m) > 0 {
		t.Errorf("new messages missing: %v", m)
	}

	// With long-term search the pending periods are read first.
	f.srv.ResetRequests()
	o3 := f.mustRead(nil, true, o2.FinalState())
	for name, ps := range pending {
		p := ps[0]
		want := f.srv.IDs(name, mustTime(t, p.From), mustTime(t, p.To))
		if len(want) == 0 {
			t.Fatalf("%s: nothing in the pending period", name)
		}
		if m := missing(want, set(ids(o3, name))); len(m) > 0 {
			t.Errorf("%s: backfill misses %v", name, m)
		}
		if st := finalState(t, o3, name); len(st.Pending) > 0 {
			t.Errorf("%s: still pending after the backfill: %v", name, st.Pending)
		}
		reqs := firstPages(t, f.srv, name)
		if first := reqs[0]; !first.from.Equal(mustTime(t, p.From).Add(-time.Second)) || first.Query.Get("long-term-search") != "true" {
			t.Errorf("%s: first request %s, want the pending period with long-term-search", name, first.RawQuery)
		}
		// While backfilling, the cursor stays and the period shrinks.
		cursor2 := finalState(t, o2, name).Cursor
		prev := ""
		for _, m := range o3.States[name] {
			st := decodeState(t, m)
			if len(st.Pending) == 0 {
				break
			}
			if st.Cursor != cursor2 || st.Pending[0].To != p.To || st.Pending[0].From <= prev {
				t.Errorf("%s: backfill checkpoint %s after %q", name, m.Stream.StreamState, prev)
			}
			prev = st.Pending[0].From
		}
		if prev == "" && name != "chats" {
			t.Errorf("%s: no checkpoint inside the backfill", name)
		}
	}
	if n := len(said(o3, airbyte.LogWarn)); n > 0 {
		t.Errorf("warnings with long-term search: %v", said(o3, airbyte.LogWarn))
	}
}

// Periods skipped by successive syncs without long-term search accumulate
// in the state, merged when they touch, and a state carrying periods that
// touch the new gap comes back merged.
func TestPendingBackfillAccumulates(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	off := map[string]any{"long_term_search": false}
	o1 := f.mustRead(off, true, nil, "messages")
	cursor1 := finalState(t, o1, "messages").Cursor
	f.srv.Advance(time.Minute)
	gapMessages := f.srv.AddMessages(7)
	// Longer than the 3 days Botmaker serves without long-term search.
	f.srv.Advance(5 * 24 * time.Hour)
	o2 := f.mustRead(off, true, o1.FinalState(), "messages")
	st := finalState(t, o2, "messages")
	if len(st.Pending) != 2 || st.Pending[0] != finalState(t, o1, "messages").Pending[0] || st.Pending[1].From != cursor1 {
		t.Fatalf("pending %+v; want the first sync's period and one from its cursor %s", st.Pending, cursor1)
	}
	got2 := set(ids(o2, "messages"))
	for _, id := range gapMessages {
		if got2[id] {
			t.Errorf("message %s of the skipped period was read without long-term search", id)
		}
	}
	o3 := f.mustRead(nil, true, o2.FinalState(), "messages")
	if m := missing(gapMessages, set(ids(o3, "messages"))); len(m) > 0 {
		t.Errorf("backfill misses %v", m)
	}

	// A pending period that ends where the new gap starts merges with it.
	now := f.srv.Now().UTC().Truncate(time.Second)
	c := now.Add(-10 * 24 * time.Hour)
	state := map[string]any{
		"creationTime": c.Format(time.RFC3339),
		"pending_backfill": []map[string]string{
			{"from": c.Add(-72 * time.Hour).Format(time.RFC3339), "to": c.Add(-48 * time.Hour).Format(time.RFC3339)},
			{"from": c.Add(-48 * time.Hour).Format(time.RFC3339), "to": c.Format(time.RFC3339)},
		},
	}
	o4 := f.mustRead(off, true, stateFile(streamState("messages", state)), "messages")
	got := finalState(t, o4, "messages").Pending
	if len(got) != 1 || got[0].From != c.Add(-72*time.Hour).Format(time.RFC3339) || mustTime(t, got[0].To).Before(now.Add(-3*24*time.Hour)) {
		t.Errorf("pending %+v, want one period from %s to the recent window's edge", got, c.Add(-72*time.Hour).Format(time.RFC3339))
	}
}

func recordID(t *testing.T, stream string, data []byte) string {
	t.Helper()
	s, _ := streams.Lookup(stream)
	var m map[string]any
	mustUnmarshal(t, data, &m)
	parts := make([]string, len(s.PrimaryKey))
	for i, k := range s.PrimaryKey {
		parts[i], _ = m[k].(string)
	}
	return fakebotmaker.JoinID(parts...)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
