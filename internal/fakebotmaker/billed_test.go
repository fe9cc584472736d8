package fakebotmaker

import (
	"net/http"
	"testing"
)

// /billing/whatsapp/billed-conversations serves one month a request and
// refuses a billing period that is not YYYY-MM.
func TestBilledConversations(t *testing.T) {
	s := newTest(t, Config{Seed: 3})
	for _, bad := range []string{"2026", "2026-13", "2026-11-01"} {
		if r := get(t, s, "/billing/whatsapp/billed-conversations?"+q("billingPeriod", bad), s.Token()); r.status != http.StatusBadRequest {
			t.Errorf("billingPeriod=%s: status %d, want 400", bad, r.status)
		}
	}
	total := 0
	for _, m := range []string{"2026-07", "2026-08", "2026-09", "2026-10", "2026-11"} {
		got, _ := walk(t, s, "whatsapp_billed_conversations", q("billingPeriod", m))
		for _, it := range got {
			if it["startDatetime"].(string)[:7] != m {
				t.Errorf("%s lists %s", m, it["startDatetime"])
			}
		}
		total += len(got)
	}
	if total != DefaultCounts["whatsapp_billed_conversations"] {
		t.Errorf("%d conversations over the months, want %d", total, DefaultCounts["whatsapp_billed_conversations"])
	}
}
