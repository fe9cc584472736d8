package fakebotmaker

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// /notifications/sent-results: from is required without
// notification-name and reaches 3 calendar months back; items come newest
// first, 500 a page.
func TestNotifications(t *testing.T) {
	s := newTest(t, Config{Seed: 3})
	for _, tc := range []struct {
		query, wantParam string
	}{
		{"", "from"},
		{q("to", ts(testNow)), "from"},
		{q("from", ts(testNow.AddDate(0, -3, -1)), "to", ts(testNow)), "from"},
	} {
		r := get(t, s, "/notifications/sent-results?"+tc.query, s.Token())
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"source":"`+tc.wantParam+`"`) {
			t.Errorf("%q: status %d %s, want 400 naming %s", tc.query, r.status, r.body, tc.wantParam)
		}
	}
	from := testNow.AddDate(0, -3, 0)
	all, pages := walk(t, s, "notifications", q("from", ts(from), "to", ts(testNow)))
	if pages < 3 || len(all) != DefaultCounts["notifications"] {
		t.Fatalf("%d items in %d pages", len(all), pages)
	}
	starts := make([]string, len(all))
	for i, it := range all {
		starts[i] = it["start"].(string)
	}
	if !slices.IsSortedFunc(starts, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Error("not newest first")
	}
	// to defaults to now minus one day.
	day, _ := walk(t, s, "notifications", q("from", ts(testNow.AddDate(0, 0, -2))))
	for _, it := range day {
		if it["start"].(string) >= ts(testNow.AddDate(0, 0, -1)) {
			t.Fatalf("without to, %s is listed", it["start"])
		}
	}
}
