package fakebotmaker

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// /whatsapp/templates is one page of (name, locale) pairs whose states
// include some the state filter's enum lacks; the filter takes only its
// enum.
func TestTemplates(t *testing.T) {
	s := newTest(t, Config{Seed: 3})
	all, pages := walk(t, s, "whatsapp_templates", "")
	if pages != 1 || len(all) != DefaultCounts["whatsapp_templates"] {
		t.Fatalf("%d items in %d pages", len(all), pages)
	}
	if diff := cmp.Diff(s.IDs("whatsapp_templates", testNow.AddDate(-1, 0, 0), testNow), ids("whatsapp_templates", all)); diff != "" {
		t.Errorf("ids (-IDs +listed):\n%s", diff)
	}
	names, states := map[string]int{}, map[string]int{}
	for _, it := range all {
		names[it["name"].(string)]++
		states[it["state"].(string)]++
	}
	for n, c := range names {
		if c < 2 {
			t.Errorf("name %s in one locale only: the composite key is not exercised", n)
		}
	}
	for _, st := range []string{"ACCOUNT_PENDING", "BOTMAKER_PENDING", "PAUSED"} {
		if states[st] == 0 {
			t.Errorf("no template in state %s, which the state filter cannot ask for", st)
		}
	}
	approved, _ := walk(t, s, "whatsapp_templates", q("state", "APPROVED"))
	if len(approved) != states["APPROVED"] {
		t.Errorf("state=APPROVED lists %d, want %d", len(approved), states["APPROVED"])
	}
	for _, tc := range []struct{ query string }{{q("state", "ACCOUNT_PENDING")}, {q("state", "PAUSED")}} {
		if r := get(t, s, "/whatsapp/templates?"+tc.query, s.Token()); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.query, r.status)
		}
	}
}
