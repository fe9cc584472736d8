package streams_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
