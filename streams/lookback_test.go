package streams_test

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// lastDeep is the last_deep_lookback of a STATE; "" when it has none.
func lastDeep(t *testing.T, st airbyte.State) string {
	t.Helper()
	var v string
	if raw, ok := decodeState(t, st).raw["last_deep_lookback"]; ok {
		mustUnmarshal(t, raw, &v)
	}
	return v
}

// hourly is the outcome of a first sync and 24 hourly syncs.
type hourly struct {
	lost         map[string][]string
	rereadBytes  int64 // the billed streams' re-read records, as Botmaker served them
	billedBytes  int64 // every billed response of the 24 incremental syncs
	reread, news int64
}

// runHourly makes a first sync, then 24 syncs an hour apart with new
// activity before each, against a fake that shows about one record in 20
// up to 23 hours after its timestamp. Records visible when the last sync
// began must all have arrived by then.
func runHourly(t *testing.T, opts map[string]any) hourly {
	t.Helper()
	f := newFixture(t, fakebotmaker.Config{HistoryDays: 10, Quirks: fakebotmaker.Quirks{LateEvery: 20, LateBy: 23 * time.Hour}})
	// Sessions open now would hold the sessions bookmark for days and make
	// every sync re-read from there; TestShortLookbackFromOpenSession
	// covers that case.
	f.srv.FinishOpenSessions()
	names := []string{"calls", "messages", "sessions"}
	o := f.mustRead(opts, true, nil, names...)
	got := map[string][]string{}
	for _, n := range names {
		got[n] = ids(o, n)
	}
	state := o.FinalState()
	var h hourly
	var lastBegan time.Time
	for i := 1; i <= 24; i++ {
		f.srv.Advance(time.Hour)
		f.srv.AddMessages(25)
		f.srv.AddSessions(4)
		f.srv.AddCalls(3)
		f.srv.Advance(time.Minute) // the new records' second is over
		f.srv.ResetRequests()
		lastBegan = f.srv.Now()
		o := f.mustRead(opts, true, state, names...)
		state = o.FinalState()
		for _, n := range names {
			got[n] = append(got[n], ids(o, n)...)
		}
		for _, b := range o.Billed {
			h.rereadBytes += b.RereadBytes
			h.billedBytes += b.Bytes
			h.reread += b.Reread
			h.news += b.New
		}
	}
	h.lost = map[string][]string{}
	for _, n := range names {
		late := f.srv.LateRecords(n)
		var want []string
		for _, id := range f.truth(n) {
			if at, ok := late[id]; !ok || !at.After(lastBegan) {
				want = append(want, id)
			}
		}
		h.lost[n] = lost(want, got[n])
	}
	return h
}

// 24 hourly syncs lose nothing, records up to 23 hours late included,
// while the default short lookback and daily deep re-read cost at most a
// quarter of the bytes re-read by a 24-hour lookback on every sync.
func TestHourlySyncsWithLateRecords(t *testing.T) {
	before := runHourly(t, map[string]any{"short_lookback_hours": 24, "deep_lookback_every_hours": 720})
	after := runHourly(t, nil)
	for name, h := range map[string]hourly{"24-hour lookback every sync": before, "defaults": after} {
		for stream, l := range h.lost {
			if len(l) > 0 {
				t.Errorf("%s: %s lost %d records, e.g. %v", name, stream, len(l), l[:min(3, len(l))])
			}
		}
	}
	t.Logf("over 24 hourly syncs, messages and sessions: 24-hour lookback every sync re-read %d records, %d bytes (%d billed response bytes); defaults re-read %d records, %d bytes (%d billed response bytes): %.1f%%",
		before.reread, before.rereadBytes, before.billedBytes, after.reread, after.rereadBytes, after.billedBytes, 100*float64(after.rereadBytes)/float64(before.rereadBytes))
	if after.news != before.news {
		t.Errorf("new records: %d with the defaults, %d with 24-hour lookbacks", after.news, before.news)
	}
	if before.rereadBytes == 0 || after.rereadBytes*4 > before.rereadBytes {
		t.Errorf("the defaults re-read %d bytes, more than a quarter of the %d bytes 24-hour lookbacks re-read", after.rereadBytes, before.rereadBytes)
	}
}

// A deep re-read runs exactly when deep_lookback_every_hours has passed
// since the stream's last one, each stream on its own schedule, and only
// the STATE after its whole range records it.
func TestDeepLookbackWhenDue(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{HistoryDays: 10})
	names := []string{"calls", "messages", "tickets"}
	opts := map[string]any{"deep_lookback_every_hours": 6, "lookback_window_hours": 24, "short_lookback_hours": 1}
	began := f.srv.Now().UTC().Truncate(time.Second)
	o := f.mustRead(opts, true, nil, names...)
	deepAt := map[string]time.Time{}
	for _, n := range names {
		got := mustTime(t, lastDeep(t, o.States[n][len(o.States[n])-1]))
		if d := got.Sub(began); d < 0 || d > time.Second {
			t.Fatalf("%s: the first sync records last_deep_lookback %s, want %s", n, got, began)
		}
		deepAt[n] = got
	}
	// messages' state is as written before the key existed: its deep
	// re-read is due at once, and then runs an hour behind the others'.
	state := withoutLastDeep(t, o.FinalState(), "messages")
	deepAt["messages"] = time.Time{}

	for i := 1; i <= 13; i++ {
		f.srv.Advance(time.Hour)
		f.srv.AddMessages(5)
		f.srv.AddCalls(2)
		f.srv.AddTickets(1)
		f.srv.Advance(time.Minute)
		f.srv.ResetRequests()
		prev := map[string]stateOf{}
		var in []airbyte.State
		mustUnmarshal(t, state, &in)
		for _, m := range in {
			prev[m.Stream.StreamDescriptor.Name] = decodeState(t, m)
		}
		now := f.srv.Now().UTC().Truncate(time.Second)
		o := f.mustRead(opts, true, state, names...)
		for _, n := range names {
			due := deepAt[n].IsZero() || !now.Before(deepAt[n].Add(6*time.Hour))
			sts := o.States[n]
			final := lastDeep(t, sts[len(sts)-1])
			recorded := final != "" && (deepAt[n].IsZero() || mustTime(t, final).After(deepAt[n]))
			if recorded != due {
				t.Errorf("sync %d (+%dh): %s deep re-read recorded %v (last_deep_lookback %q), due %v (last %s)", i, i, n, recorded, final, due, deepAt[n])
			}
			for _, st := range sts[:len(sts)-1] {
				if due && lastDeep(t, st) == final {
					t.Errorf("sync %d: %s recorded its deep re-read before its last STATE: %s", i, n, st.Stream.StreamState)
				}
			}
			// The range read says the same: the short lookback, or the
			// lookback window plus the time since the last deep re-read.
			back := time.Hour
			if due {
				back = 24 * time.Hour
				if !deepAt[n].IsZero() {
					back += now.Sub(deepAt[n])
				}
			}
			from := mustTime(t, prev[n].Cursor).Add(-back)
			reqs := firstPages(t, f.srv, n)
			if len(reqs) == 0 {
				t.Fatalf("sync %d: %s sent no request", i, n)
			}
			if n == "tickets" {
				days, _ := strconv.Atoi(reqs[0].Query.Get("daysBeforeNow"))
				if want := int(math.Ceil((reqs[0].At.Sub(from) + 2*time.Minute).Hours() / 24)); days < want || days > want+1 {
					t.Errorf("sync %d: tickets daysBeforeNow %d, want %d (from %s, deep %v)", i, days, want, from, due)
				}
			} else if d := reqs[0].from.Add(time.Second).Sub(from); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("sync %d: %s read from %s, want %s (deep %v)", i, n, reqs[0].from, from, due)
			}
			if n == "messages" {
				if b := o.Billed["messages"]; (b.Lookback == connector.LookbackDeep) != due {
					t.Errorf("sync %d: the messages billed-traffic line says %q, deep re-read due %v", i, b.Lookback, due)
				}
			}
			if recorded {
				deepAt[n] = mustTime(t, final)
			}
		}
		state = o.FinalState()
	}
}

// The billed traffic of each billed stream (the values; synctest checks
// the log line says the same) matches what the fake served it, and splits
// the records into new and re-read as the
// connector defines them: re-read when the cursor is at or before the
// bookmark the sync started from.
func TestBilledTrafficMatchesTheFake(t *testing.T) {
	names := windowed
	for _, lts := range []bool{true, false} {
		f := newFixture(t, fakebotmaker.Config{HistoryDays: 10})
		// Every billed stream reads in both syncs (TestBilledMonthsOnACadence
		// covers the billing months' cadence).
		opts := map[string]any{"long_term_search": lts, "billing_refresh_hours": 0}
		var state []byte
		for sync := 0; sync < 2; sync++ {
			if sync > 0 {
				f.srv.Advance(time.Hour)
				f.srv.AddMessages(30)
				f.srv.TouchChats(4)
				f.srv.AddSessions(3)
				f.srv.Advance(time.Minute)
			}
			f.srv.ResetRequests()
			o := f.mustRead(opts, true, state, names...)
			checkBilled(t, f, o, state, lts, sync)
			state = o.FinalState()
		}
	}
}

func checkBilled(t *testing.T, f *fixture, o *synctest.Output, in []byte, lts bool, sync int) {
	t.Helper()
	lines := o.Billed
	var want, got []string
	for _, s := range streams.All() {
		if s.Billing == streams.Billed || (s.Billing == streams.BilledLongTerm && lts) {
			want = append(want, s.Name)
		}
	}
	for n := range lines {
		got = append(got, n)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("lts %v sync %d: billed-traffic lines for %v, want %v", lts, sync, got, want)
	}
	saved := map[string]time.Time{}
	if in != nil {
		var msgs []airbyte.State
		mustUnmarshal(t, in, &msgs)
		for _, m := range msgs {
			saved[m.Stream.StreamDescriptor.Name] = mustTime(t, decodeState(t, m).Cursor)
		}
	}
	for _, n := range want {
		s, _ := streams.Lookup(n)
		var reqs, bytes int64
		for _, r := range f.srv.Requests() {
			if r.Path == "/v2.0"+s.Path && r.Status == 200 && s.Billing.Bills(r.Query) {
				reqs++
				bytes += int64(r.Bytes)
			}
		}
		var news, reread int64
		for _, rec := range o.Records[n] {
			var m map[string]json.RawMessage
			mustUnmarshal(t, rec, &m)
			var c string
			mustUnmarshal(t, m[s.Cursor], &c)
			if !saved[n].IsZero() && !mustTime(t, c).After(saved[n]) {
				reread++
			} else {
				news++
			}
		}
		b := lines[n]
		lookback := connector.LookbackDeep
		if sync > 0 {
			lookback = connector.LookbackShort
		}
		// An updated record (the finished version of one tracked open) is,
		// by its cursor alone, new or re-read.
		fromNew, fromReread := news-b.New, reread-b.Reread
		if fromNew < 0 || fromReread < 0 || fromNew+fromReread != b.Updated {
			t.Errorf("lts %v sync %d: %s: by cursor %d new and %d re-read records, but %s", lts, sync, n, news, reread, b)
		}
		wantLine := connector.BilledTraffic{Stream: n, Requests: reqs, Bytes: bytes, New: b.New, Updated: b.Updated, Reread: b.Reread, RereadBytes: b.RereadBytes, Lookback: lookback}
		if b != wantLine {
			t.Errorf("lts %v sync %d: %s billed-traffic line\n%s\nwant\n%s", lts, sync, n, b, wantLine)
		}
		if (b.Reread == 0) != (b.RereadBytes == 0) {
			t.Errorf("lts %v sync %d: %s: %d records re-read in %d bytes", lts, sync, n, b.Reread, b.RereadBytes)
		}
		// Chats within the recent window are not long-term searches.
		if reqs == 0 && (s.Billing == streams.Billed || sync == 0) {
			t.Errorf("lts %v sync %d: %s made no billed request", lts, sync, n)
		}
		t.Logf("lts %v sync %d: %s", lts, sync, b)
	}
}

// The billed-traffic counts split each record written once: a session
// (and its agent_metrics rows) that a sync saw open and tracked, written
// finished by the next, counts as updated, neither new nor re-read, and
// its bytes are not re-read bytes; the rest split by cursor around the
// bookmark the sync started from. A sync in which no tracked session
// finished counts none updated.
func TestTrackedOpenCountsAsUpdated(t *testing.T) {
	for _, name := range unsettled {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{})
			s, _ := streams.Lookup(name)
			opts := map[string]any{"lookback_window_hours": 1}
			o := f.mustRead(opts, true, nil, name)
			for sync, finish := range []bool{true, false} {
				st := finalState(t, o, name)
				tracked, saved := set(st.openIDs()), mustTime(t, st.Cursor)
				if finish && len(tracked) == 0 {
					t.Fatal("the first sync tracks no open session: the test proves nothing")
				}
				f.srv.Advance(3 * time.Hour)
				if finish {
					f.srv.FinishOpenSessions()
				}
				f.srv.AddSessions(3)
				f.srv.Advance(time.Minute)
				o = f.mustRead(opts, true, o.FinalState(), name)
				var want connector.BilledTraffic
				for i, id := range ids(o, name) {
					var m map[string]json.RawMessage
					mustUnmarshal(t, o.Records[name][i], &m)
					var c string
					mustUnmarshal(t, m[s.Cursor], &c)
					switch {
					case tracked[sessionOf(id)]:
						want.Updated++
					case !mustTime(t, c).After(saved):
						want.Reread++
					default:
						want.New++
					}
				}
				b := o.Billed[name]
				got := connector.BilledTraffic{New: b.New, Updated: b.Updated, Reread: b.Reread}
				if got != want {
					t.Errorf("sync %d: records new %d, updated %d, re-read %d; want %d, %d, %d (%s)", sync+2, b.New, b.Updated, b.Reread, want.New, want.Updated, want.Reread, b)
				}
				if finish == (want.Updated == 0) {
					t.Errorf("sync %d: %d records of tracked sessions written: the test proves nothing", sync+2, want.Updated)
				}
				if (b.Reread == 0) != (b.RereadBytes == 0) || b.RereadBytes > b.Bytes {
					t.Errorf("sync %d: %d records re-read in %d bytes of %d", sync+2, b.Reread, b.RereadBytes, b.Bytes)
				}
			}
		})
	}
}

// A last_deep_lookback later than now (a clock that ran ahead, a
// hand-edited state) would put the next deep re-read off indefinitely; the
// sync treats it as due and records its own start.
func TestFutureLastDeepLookbackIsDue(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{HistoryDays: 10})
	o := f.mustRead(nil, true, nil, "messages")
	cursor := finalState(t, o, "messages").Cursor
	state := stateFile(streamState("messages", map[string]string{"creationTime": cursor, "last_deep_lookback": "2099-01-01T00:00:00Z"}))
	f.srv.Advance(time.Hour)
	began := f.srv.Now().UTC().Truncate(time.Second)
	o = f.mustRead(nil, true, state, "messages")
	sts := o.States["messages"]
	if got := mustTime(t, lastDeep(t, sts[len(sts)-1])); got.Before(began) || got.After(began.Add(time.Second)) {
		t.Errorf("last_deep_lookback %s after the sync, want its start %s", got, began)
	}
	if b := o.Billed["messages"]; b.Lookback != connector.LookbackDeep {
		t.Errorf("the sync did a %q", b.Lookback)
	}
}
