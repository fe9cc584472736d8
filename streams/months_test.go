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
	o2 := f.mustRead(nil, true, o1.FinalState(), name)
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
