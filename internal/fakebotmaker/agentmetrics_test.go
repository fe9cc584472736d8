package fakebotmaker

import (
	"net/http"
	"strings"
	"testing"
)

// /dashboards/agent-metrics refuses a request without session-status, or
// with a window over a month; a transfer gives a session two rows.
func TestAgentMetricsTraps(t *testing.T) {
	s := newTest(t, Config{Seed: 3})
	from, to := ts(testNow.AddDate(0, 0, -20)), ts(testNow)
	for _, tc := range []struct{ query, source string }{
		{q("from", from, "to", to), "session-status"},
		{q("from", from, "to", to, "session-status", "both"), "session-status"},
		{q("to", to, "session-status", "closed"), "to"},
		{q("from", ts(testNow.AddDate(0, 0, -32)), "to", to, "session-status", "closed"), "from"},
	} {
		r := get(t, s, "/dashboards/agent-metrics?"+tc.query, s.Token())
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"source":"`+tc.source+`"`) {
			t.Errorf("%s: status %d %s, want 400 naming %s", tc.query, r.status, r.body, tc.source)
		}
	}
	rows, _ := walk(t, s, "agent_metrics", q("from", from, "to", to))
	perSession := map[string]int{}
	for _, it := range rows {
		perSession[it["sessionId"].(string)]++
	}
	two := 0
	for _, n := range perSession {
		if n == 2 {
			two++
		}
	}
	if two == 0 {
		t.Error("no session with two agents: the composite key is not exercised")
	}
}
