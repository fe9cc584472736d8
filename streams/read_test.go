package streams_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// A full sync, in either mode, returns every record Botmaker lists from
// start_date to now, each once (chats may repeat at a window edge because
// their filter is not their cursor), and ends every stream with a STATE.
func TestFullSyncReturnsEveryRecord(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	for _, incremental := range []bool{false, true} {
		t.Run(fmt.Sprintf("incremental=%v", incremental), func(t *testing.T) {
			o := f.mustRead(nil, incremental, nil)
			for _, name := range windowed {
				got := ids(o, name)
				if diff := sameSet(got, f.srv.IDs(name, f.start, time.Time{})); diff != "" {
					t.Errorf("%s: %s", name, diff)
				}
				if d := dups(got); name != "chats" && len(d) > 0 {
					t.Errorf("%s: duplicates %v", name, d)
				}
				if len(o.States[name]) == 0 {
					t.Errorf("%s: no STATE", name)
				}
				var counted float64
				for _, st := range o.States[name] {
					counted += float64(st.SourceStats.RecordCount)
				}
				if int(counted) != len(got) {
					t.Errorf("%s: STATE recordCounts add up to %v, records %d", name, counted, len(got))
				}
			}
		})
	}
}

// Every from/to request spans at most 30 days, the windows of a stream tile
// [start_date, now) with a one-second overlap and no gap, long-term search
// is sent only where a window reaches past Botmaker's recent window, and
// nothing is answered 400.
func TestWindowsTileAtMost30Days(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	var fromTo []string
	recent := map[string]time.Duration{} // the fake's, not the Defs' own
	sure := map[string]time.Duration{}
	for _, s := range streams.All() {
		if s.Window == streams.FromTo {
			fromTo = append(fromTo, s.Name)
			e, _ := fakebotmaker.Lookup(s.Name)
			recent[s.Name] = e.Recent
			if s.RecentSure > 0 && s.RecentSure < e.Recent {
				// A first sync reads with long-term search from where
				// Botmaker surely serves (chats: reported one day).
				sure[s.Name] = s.RecentSure
			}
		}
	}
	f.mustRead(nil, true, nil, fromTo...)
	for _, name := range fromTo {
		reqs := firstPages(t, f.srv, name)
		var listing, probes []request
		for _, r := range reqs {
			if r.to.Sub(r.from) > streams.MaxWindow {
				t.Errorf("%s: window %s to %s spans %s", name, r.from, r.to, r.to.Sub(r.from))
			}
			lts := r.Query.Get("long-term-search") == "true"
			if rc := recent[name]; rc > 0 {
				if r.from.Before(r.At.Add(-rc)) && !lts {
					t.Errorf("%s: window from %s is older than the recent window but has no long-term-search", name, r.from)
				}
				if sr := sure[name]; sr > 0 {
					rc = sr
				}
				if r.from.After(r.At.Add(-rc+5*time.Minute)) && lts {
					t.Errorf("%s: window from %s is inside the recent window but sends long-term-search", name, r.from)
				}
			} else if lts {
				t.Errorf("%s: sends long-term-search, which the endpoint does not take", name)
			}
			if isProbe(r) {
				probes = append(probes, r)
			} else {
				listing = append(listing, r)
			}
		}
		if len(listing) < 3 {
			t.Fatalf("%s: %d windows for 91 days", name, len(listing))
		}
		if e, _ := fakebotmaker.Lookup(name); e.Recent > 0 && !e.LongTermSearch {
			// Clamped to what Botmaker serves (TestCappedRecentWindow).
			if edge := listing[0].At.Add(-e.Recent); listing[0].from.Before(edge) {
				t.Errorf("%s: first window from %s, before the edge %s", name, listing[0].from, edge)
			}
		} else if got, want := listing[0].from, f.start.Add(-time.Second); !got.Equal(want) {
			t.Errorf("%s: first window from %s, want %s", name, got, want)
		}
		for i := 1; i < len(listing); i++ {
			if got, want := listing[i].from, listing[i-1].to.Add(-time.Second); !got.Equal(want) {
				t.Errorf("%s: window %d from %s, want %s (a second before the previous window's end)", name, i, got, want)
			}
		}
		if last := listing[len(listing)-1]; last.At.Sub(last.to) > time.Minute {
			t.Errorf("%s: last window ends at %s, not now (%s)", name, last.to, last.At)
		}
		s, _ := streams.Lookup(name)
		if s.Unsettled == nil && len(probes) > 0 {
			t.Errorf("%s: %d probe requests", name, len(probes))
		}
		if s.Unsettled != nil {
			// A first sync probes only its Horizon back.
			if len(probes) == 0 {
				t.Fatalf("%s: no probe for open records", name)
			}
			for _, p := range probes {
				if p.from.Before(p.At.Add(-s.Unsettled.Horizon - time.Minute)) {
					t.Errorf("%s: a first sync probes from %s, more than %s back", name, p.from, s.Unsettled.Horizon)
				}
			}
		}
	}
	if n := f.srv.Stats().Statuses[400]; n > 0 {
		t.Errorf("%d requests answered 400", n)
	}
}

// The tickets walk: daysBeforeNow from start_date (then from the cursor
// minus the lookback), offset paging up to total, the creationTime filter
// applied here, one ESTIMATE and a single STATE once the walk is done.
func TestTicketsDaysBeforeNow(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	o := f.mustRead(nil, true, nil, "tickets")
	check := func(t *testing.T, o *synctest.Output, from time.Time) {
		t.Helper()
		reqs := firstPages(t, f.srv, "tickets") // offset paging: every request
		if len(reqs) == 0 {
			t.Fatal("no request")
		}
		days, _ := strconv.Atoi(reqs[0].Query.Get("daysBeforeNow"))
		want := int(math.Ceil((reqs[0].At.Sub(from) + 2*time.Minute).Hours() / 24))
		if days < want || days > want+1 {
			t.Errorf("daysBeforeNow %d, want %d (from %s)", days, want, from)
		}
		total := len(f.srv.IDs("tickets", reqs[0].At.AddDate(0, 0, -days), time.Time{}))
		var offsets []string
		for _, r := range reqs {
			offsets = append(offsets, r.Query.Get("offset"))
			if r.Query.Get("limit") != "500" || r.Query.Get("daysBeforeNow") != strconv.Itoa(days) {
				t.Errorf("request %s", r.RawQuery)
			}
		}
		var wantOffsets []string
		for off := 0; off < total || off == 0; off += 500 {
			wantOffsets = append(wantOffsets, strconv.Itoa(off))
		}
		if diff := cmp.Diff(wantOffsets, offsets); diff != "" {
			t.Errorf("offsets for %d tickets (-want +got):\n%s", total, diff)
		}
		if diff := sameSet(ids(o, "tickets"), f.srv.IDs("tickets", from, time.Time{})); diff != "" {
			t.Error(diff)
		}
		if n := len(o.States["tickets"]); n != 1 {
			t.Errorf("%d STATEs, want one at the end of the walk", n)
		}
		var estimates []int64
		for _, m := range o.Messages {
			if m.Type == airbyte.TypeTrace && m.Trace.Estimate != nil && m.Trace.Estimate.Name == "tickets" {
				estimates = append(estimates, m.Trace.Estimate.RowEstimate)
			}
		}
		if diff := cmp.Diff([]int64{int64(total)}, estimates); diff != "" {
			t.Errorf("ESTIMATE (-want +got):\n%s", diff)
		}
	}
	t.Run("first sync", func(t *testing.T) { check(t, o, f.start) })

	cursor := mustTime(t, finalState(t, o, "tickets").Cursor)
	f.srv.Advance(time.Hour)
	added := f.srv.AddTickets(3)
	f.srv.Advance(time.Minute)
	f.srv.ResetRequests()
	o2 := f.mustRead(nil, true, o.FinalState(), "tickets")
	t.Run("incremental", func(t *testing.T) {
		check(t, o2, cursor.Add(-time.Hour)) // the short lookback: no deep re-read is due
		if m := missing(added, set(ids(o2, "tickets"))); len(m) > 0 {
			t.Errorf("new tickets missing: %v", m)
		}
	})
}

// A state far in the future reads nothing, asks Botmaker nothing, and
// keeps its cursor in at least one STATE per stream (CAT's abnormal state).
func TestFutureState(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	var msgs []airbyte.State
	for _, name := range windowed {
		s, _ := streams.Lookup(name)
		msgs = append(msgs, streamState(name, map[string]string{s.Cursor: "2100-01-01T00:00:00Z"}))
	}
	for _, lts := range []bool{true, false} {
		f.srv.ResetRequests()
		o := f.mustRead(map[string]any{"long_term_search": lts}, true, stateFile(msgs...))
		for _, name := range windowed {
			if n := len(o.Records[name]); n > 0 {
				t.Errorf("lts=%v %s: %d records", lts, name, n)
			}
			if len(o.States[name]) == 0 {
				t.Fatalf("lts=%v %s: no STATE", lts, name)
			}
			if got := finalState(t, o, name); got.Cursor != "2100-01-01T00:00:00Z" || len(got.Pending) > 0 {
				t.Errorf("lts=%v %s: state %+v", lts, name, got)
			}
		}
		if n := len(f.srv.Requests()); n > 0 {
			t.Errorf("lts=%v: %d requests", lts, n)
		}
	}
}

// A state the stream cannot use fails that stream with a config_error that
// names the stream and the bad value, before any request.
func TestMalformedState(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"chats": 10, "messages": 10, "sessions": 10, "calls": 10, "tickets": 10}})
	tests := []struct {
		name  string
		state string // %s is the cursor field
		hint  string
	}{
		{"not a timestamp", `{"%s": "yesterday"}`, `"yesterday"`},
		{"date only", `{"%s": "2025-01-01"}`, `"2025-01-01"`},
		{"number", `{"%s": 1735689600}`, `1735689600`},
		{"null", `{"%s": null}`, `got null`},
		{"object", `{"%s": {"at": "2025-01-01T00:00:00Z"}}`, `{"at":"2025-01-01T00:00:00Z"}`},
		{"array state", `["2025-01-01T00:00:00Z"]`, `["2025-01-01T00:00:00Z"]`},
		{"string state", `"2025-01-01T00:00:00Z"`, `"2025-01-01T00:00:00Z"`},
		{"another stream's cursor", `{"updated_at": "2025-01-01T00:00:00Z"}`, `updated_at`},
		{"pending not a list", `{"%s": "2025-01-01T00:00:00Z", "pending_backfill": "soon"}`, `"soon"`},
		{"pending period without to", `{"%s": "2025-01-01T00:00:00Z", "pending_backfill": [{"from": "2024-01-01T00:00:00Z"}]}`, `pending_backfill[0].to`},
		{"pending period bad from", `{"%s": "2025-01-01T00:00:00Z", "pending_backfill": [{"from": "last year", "to": "2024-02-01T00:00:00Z"}]}`, `"last year"`},
		{"pending period backwards", `{"%s": "2025-01-01T00:00:00Z", "pending_backfill": [{"from": "2024-03-01T00:00:00Z", "to": "2024-02-01T00:00:00Z"}]}`, `ends before it starts`},
		{"last deep lookback not a time", `{"%s": "2025-01-01T00:00:00Z", "last_deep_lookback": "this morning"}`, `last_deep_lookback`},
		{"last deep lookback a number", `{"%s": "2025-01-01T00:00:00Z", "last_deep_lookback": 1735689600}`, `1735689600`},
	}
	for _, tt := range tests {
		for _, name := range windowed {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				s, _ := streams.Lookup(name)
				state := tt.state
				if strings.Contains(state, "%s") {
					state = fmt.Sprintf(state, s.Cursor)
				}
				f.srv.ResetRequests()
				o := f.read(nil, true, stateFile(streamState(name, state)), name)
				if o.Code == 0 {
					t.Fatal("exit 0")
				}
				if len(o.Errors) != 1 {
					t.Fatalf("errors %+v", o.Errors)
				}
				e := o.Errors[0]
				if e.FailureType != airbyte.ConfigError || !strings.Contains(e.Message, `"`+name+`"`) || !strings.Contains(e.Message, tt.hint) {
					t.Errorf("got %s %q; want a config_error naming %q and %q", e.FailureType, e.Message, name, tt.hint)
				}
				if n := len(o.Records[name]) + len(f.srv.Requests()); n > 0 {
					t.Errorf("%d records and requests", n)
				}
			})
		}
	}
	// Empty states and Airbyte's own markers are a first sync, not an error.
	for _, state := range []string{`{}`, `null`, `{"__ab_no_cursor_state_message": true}`} {
		o := f.read(nil, true, stateFile(streamState("calls", state)), "calls")
		if o.Code != 0 || len(o.Records["calls"]) != 10 {
			t.Errorf("state %s: exit %d, %d records, errors %+v", state, o.Code, len(o.Records["calls"]), o.Errors)
		}
	}
}

// The sessions include_* options become the include-* parameters of the
// listing; the open-session probe never asks for the billed extras.
func TestSessionIncludeOptions(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{HistoryDays: 5, Counts: fakebotmaker.Counts{"sessions": 200}})
	tests := []struct {
		opts map[string]any
		want map[string]string
		keys []string // record fields that must be present
	}{
		{nil, map[string]string{"include-messages": "false", "include-events": "false", "include-ai-analysis": "false"}, nil},
		{map[string]any{"include_messages": true}, map[string]string{"include-messages": "true", "include-events": "false", "include-ai-analysis": "false"}, []string{"messages"}},
		{map[string]any{"include_events": true, "include_ai_analysis": true}, map[string]string{"include-messages": "false", "include-events": "true", "include-ai-analysis": "true"}, []string{"events", "aiAnalysis"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.opts), func(t *testing.T) {
			f.srv.ResetRequests()
			o := f.mustRead(tt.opts, true, nil, "sessions")
			var listings, probes int
			for _, r := range f.srv.Requests() {
				got := map[string]string{}
				for k := range tt.want {
					got[k] = r.Query.Get(k)
				}
				want := tt.want
				if r.Query.Get("include-open-sessions") == "true" {
					probes++
					want = map[string]string{"include-messages": "false", "include-events": "false", "include-ai-analysis": "false"}
				} else {
					listings++
					if v := r.Query.Get("include-open-sessions"); v != "false" {
						t.Errorf("include-open-sessions=%q", v)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", r.RawQuery, diff)
				}
			}
			if listings == 0 || probes == 0 {
				t.Errorf("%d listing and %d probe requests", listings, probes)
			}
			if len(o.Records["sessions"]) == 0 {
				t.Fatal("no sessions")
			}
			for _, k := range tt.keys {
				if !strings.Contains(string(o.Records["sessions"][0]), `"`+k+`":`) {
					t.Errorf("record has no %s: %.300s", k, o.Records["sessions"][0])
				}
			}
		})
	}
}
