package streams_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// whatsapp_billed_conversations is read a billing month a request, each to
// its last page: a first sync walks every month from start_date's (empty
// ones included) and settles those before the previous month; the next
// sync walks only the previous and the current month again, and gets what
// was billed in between.
func TestBilledConversationsMonthByMonth(t *testing.T) {
	const name = "whatsapp_billed_conversations"
	f := newFixture(t, fakebotmaker.Config{Quirks: fakebotmaker.Quirks{PageSize: map[string]int{name: 300}}})
	f.start = f.start.AddDate(0, -2, 0) // two months with no conversations
	month := func(t time.Time) string { return t.UTC().Format("2006-01") }
	walked := func() (months []string, pages int) {
		for _, r := range f.srv.Requests() {
			if r.Endpoint != name {
				continue
			}
			pages++
			if r.Query.Get("page") == "" {
				months = append(months, r.Query.Get("billingPeriod"))
			}
		}
		return months, pages
	}
	now := f.srv.Now().UTC().Add(-2 * time.Minute)
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var all []string
	for m := time.Date(f.start.Year(), f.start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(current); m = m.AddDate(0, 1, 0) {
		all = append(all, month(m))
	}

	o1 := f.mustRead(nil, true, nil, name)
	if diff := sameSet(ids(o1, name), f.srv.IDs(name, f.start, time.Time{})); diff != "" {
		t.Errorf("first sync: %s", diff)
	}
	months, pages := walked()
	if diff := cmp.Diff(all, months); diff != "" {
		t.Errorf("first sync's months (-want +got):\n%s", diff)
	}
	if pages <= len(months) {
		t.Errorf("%d pages for %d months: pagination not exercised", pages, len(months))
	}
	st := finalState(t, o1, name)
	if got, want := string(st.raw["settled_through"]), `"`+month(current.AddDate(0, -2, 0))+`"`; got != want {
		t.Errorf("settled_through %s, want %s", got, want)
	}

	f.srv.Advance(time.Hour)
	added := f.srv.AddBilledConversations(4)
	f.srv.Advance(time.Minute)
	f.srv.ResetRequests()
	o2 := f.mustRead(map[string]any{"billing_refresh_hours": 0}, true, o1.FinalState(), name)
	months, _ = walked()
	if diff := cmp.Diff(all[len(all)-2:], months); diff != "" {
		t.Errorf("second sync's months (-want +got):\n%s", diff)
	}
	if m := missing(added, set(ids(o2, name))); len(m) > 0 {
		t.Errorf("conversations billed between the syncs are missing: %v", m)
	}
	if diff := sameSet(ids(o2, name), f.srv.IDs(name, current.AddDate(0, -1, 0), time.Time{})); diff != "" {
		t.Errorf("second sync: %s", diff)
	}
}

// A settled_through no sync could have written (the current month, the one
// before, or one years ahead: a hand-edited state, a clock that ran ahead
// at a month boundary) is named in a WARN and not trusted: the sync reads
// every month from start_date's, loses nothing, and writes a correct one.
func TestLateSettledThroughIsNotTrusted(t *testing.T) {
	const name = "whatsapp_billed_conversations"
	f := newFixture(t, fakebotmaker.Config{})
	o1 := f.mustRead(nil, true, nil, name)
	st := finalState(t, o1, name)
	now := f.srv.Now().UTC().Add(-2 * time.Minute)
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, late := range []time.Time{current.AddDate(0, -1, 0), current, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)} {
		t.Run(late.Format("2006-01"), func(t *testing.T) {
			raw := map[string]json.RawMessage{}
			for k, v := range st.raw {
				raw[k] = v
			}
			raw["settled_through"] = json.RawMessage(`"` + late.Format("2006-01") + `"`)
			o := f.mustRead(nil, true, stateFile(streamState(name, raw)), name)
			if l := lost(f.truth(name), ids(o, name)); len(l) > 0 {
				t.Errorf("%d of %d conversations lost, e.g. %v", len(l), len(f.truth(name)), l[:min(3, len(l))])
			}
			if !slices.ContainsFunc(o.Logs, func(l airbyte.Log) bool {
				return l.Level == airbyte.LogWarn && strings.Contains(l.Message, "settled_through") && strings.Contains(l.Message, late.Format("2006-01"))
			}) {
				t.Errorf("no WARN names settled_through %s", late.Format("2006-01"))
			}
			if got, want := string(finalState(t, o, name).raw["settled_through"]), `"`+current.AddDate(0, -2, 0).Format("2006-01")+`"`; got != want {
				t.Errorf("settled_through %s after the sync, want %s", got, want)
			}
		})
	}
}

// The open months are read at most once per billing_refresh_hours: a sync
// an hour after a full one reads nothing billed for the stream and keeps
// its state; once the hours have passed it reads them again and gets what
// was billed meanwhile; 0 reads them on every sync. A month still to be
// settled is read whatever the cadence.
func TestBilledMonthsOnACadence(t *testing.T) {
	const name = "whatsapp_billed_conversations"
	tests := []struct {
		name      string
		opts      map[string]any
		edit      func(map[string]json.RawMessage) // the full sync's state, before the hour-later sync
		hourLater bool                             // the sync an hour later reads the open months
	}{
		{"default 24 hours", nil, nil, false},
		{"2 hours", map[string]any{"billing_refresh_hours": 2}, nil, false},
		{"every sync", map[string]any{"billing_refresh_hours": 0}, nil, true},
		{"older month unsettled", nil, func(m map[string]json.RawMessage) { delete(m, "settled_through") }, true},
		{"read_at in the future", nil, func(m map[string]json.RawMessage) { m["months_read_at"] = json.RawMessage(`"2099-01-01T00:00:00Z"`) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{})
			began := f.srv.Now()
			o1 := f.mustRead(tt.opts, true, nil, name)
			st1 := finalState(t, o1, name)
			var readAt string
			mustUnmarshal(t, st1.raw["months_read_at"], &readAt)
			if at, err := time.Parse(time.RFC3339, readAt); err != nil || at.Before(began.Truncate(time.Second)) || at.After(f.srv.Now()) {
				t.Errorf("months_read_at %q, want the full sync's start %s", readAt, began)
			}
			state := o1.FinalState()
			if tt.edit != nil {
				state = editState(t, state, name, tt.edit)
			}

			f.srv.Advance(time.Hour)
			added := f.srv.AddBilledConversations(3)
			f.srv.Advance(time.Minute)
			o2 := f.mustRead(tt.opts, true, state, name)
			b := o2.Billed[name]
			if read := b.Requests > 0; read != tt.hourLater {
				t.Fatalf("an hour later: %d billed requests, %d bytes; want the open months read: %v", b.Requests, b.Bytes, tt.hourLater)
			}
			if !tt.hourLater {
				if n := len(ids(o2, name)); n != 0 {
					t.Errorf("an hour later: %d records written, want none", n)
				}
				if got := finalState(t, o2, name).raw; !cmp.Equal(got, st1.raw) {
					t.Errorf("an hour later the state changed:\n got %s\nwant %s", got, st1.raw)
				}
				f.srv.Advance(24 * time.Hour)
				o2 = f.mustRead(tt.opts, true, o2.FinalState(), name)
				if o2.Billed[name].Requests == 0 {
					t.Fatalf("a day later: nothing read")
				}
			}
			if m := missing(added, set(ids(o2, name))); len(m) > 0 {
				t.Errorf("conversations billed meanwhile are missing: %v", m)
			}
		})
	}
}

// editState changes one stream's stream_state in a state file.
func editState(t *testing.T, state []byte, stream string, edit func(map[string]json.RawMessage)) []byte {
	t.Helper()
	var msgs []map[string]json.RawMessage
	mustUnmarshal(t, state, &msgs)
	for _, m := range msgs {
		var s struct {
			Desc  json.RawMessage            `json:"stream_descriptor"`
			State map[string]json.RawMessage `json:"stream_state"`
		}
		mustUnmarshal(t, m["stream"], &s)
		if !strings.Contains(string(s.Desc), `"`+stream+`"`) {
			continue
		}
		edit(s.State)
		m["stream"], _ = json.Marshal(s)
	}
	out, _ := json.Marshal(msgs)
	return out
}
