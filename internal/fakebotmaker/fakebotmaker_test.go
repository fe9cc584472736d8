package fakebotmaker

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuth(t *testing.T) {
	s := newTest(t, Config{Seed: 1, Token: "tok-123"})
	unauthorized := errBody("UNAUTHORIZED", "access-token", "Not authorized")
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"missing", "", 401},
		{"wrong", "tok-124", 401},
		{"bearer prefix", "Bearer tok-123", 401},
		{"correct", "tok-123", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetRequests()
			r := get(t, s, "/agents", tc.token)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d", r.status, tc.status)
			}
			if tc.status == 401 {
				if diff := cmp.Diff(unauthorized, canonJSON(t, r.body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
				if ct := r.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			}
			reqs := s.Requests()
			if len(reqs) != 1 {
				t.Fatalf("logged %d requests", len(reqs))
			}
			if got, want := reqs[0].TokenOK, tc.status == 200; got != want {
				t.Errorf("TokenOK = %v, want %v", got, want)
			}
			if got := reqs[0].Status; got != tc.status {
				t.Errorf("logged status = %d", got)
			}
			if tc.token != "" && strings.Contains(strings.Join([]string{reqs[0].Path, reqs[0].RawQuery, reqs[0].Host}, " "), tc.token) {
				t.Error("token value leaked into the request log")
			}
		})
	}
	if got := s.Stats().Unauthorized; got != 3 {
		t.Errorf("Stats.Unauthorized = %d, want 3", got)
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	s := newTest(t, Config{Seed: 1})
	r := get(t, s, "/nope", s.Token())
	if r.status != 404 || !strings.Contains(string(r.body), `"errors"`) {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = get(t, s, strings.TrimSuffix(s.URL(), "/v2.0")+"/other", s.Token())
	if r.status != 404 {
		t.Errorf("outside /v2.0: %d", r.status)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/chats", nil)
	req.Header.Set("access-token", s.Token())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 405 {
		t.Errorf("POST /chats: %d", res.StatusCode)
	}
}

// TestEnvelopes checks each endpoint's envelope keys and first page size.
func TestEnvelopes(t *testing.T) {
	s := newTest(t, Config{Seed: 2, Counts: Counts{"sessions": 3000, "calls": 1000}})
	now := s.Now()
	lts := func(days int) string {
		return q("from", ts(now.Add(-time.Duration(days)*24*time.Hour)), "to", ts(now), "long-term-search", "true")
	}
	tests := []struct {
		endpoint  string
		query     string
		keys      []string
		size      int
		nextIsURL bool
	}{
		{"chats", lts(30), []string{"items", "nextPage"}, 250, true},
		{"messages", lts(30), []string{"items", "nextPage"}, 250, true},
		{"messages", lts(30) + "&limit=1500", []string{"items", "nextPage"}, 1000, true},
		{"messages", lts(30) + "&limit=600", []string{"items", "nextPage"}, 600, true},
		{"sessions", lts(30), []string{"items", "nextPage"}, 500, true},
		{"calls", q("from", ts(now.Add(-30*24*time.Hour)), "to", ts(now)), []string{"items", "nextPage"}, 250, true},
		{"contacts", "", []string{"items", "nextPage"}, 100, false},
		{"agents", "", []string{"items", "nextPage"}, 40, false},
		{"channels", "", []string{"items"}, 6, false},
		{"intents", "", []string{"items", "nextPage"}, 200, true},
		{"tickets", "", []string{"tickets", "total"}, 50, false},
	}
	for _, tc := range tests {
		t.Run(tc.endpoint+"?"+tc.query, func(t *testing.T) {
			v := getOK(t, s, "/"+tc.endpoint+"?"+tc.query)
			var keys []string
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if diff := cmp.Diff(tc.keys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if got := len(items(v)); got != tc.size {
				t.Errorf("page size = %d, want %d", got, tc.size)
			}
			np, _ := v["nextPage"].(string)
			if tc.nextIsURL && !strings.HasPrefix(np, s.URL()+"/"+tc.endpoint+"?") {
				t.Errorf("nextPage = %q, want absolute URL", np)
			}
			if tc.endpoint == "contacts" && (np == "" || strings.Contains(np, "/")) {
				t.Errorf("contacts nextPage = %q, want opaque token", np)
			}
			if tc.endpoint == "agents" && v["nextPage"] != nil {
				t.Errorf("agents single page nextPage = %v, want null", v["nextPage"])
			}
		})
	}
}

// TestWalkMatchesIDs follows nextPage to the end and compares with IDs.
func TestWalkMatchesIDs(t *testing.T) {
	s := newTest(t, Config{Seed: 3, Counts: Counts{"agents": 230}})
	now := s.Now()
	from := now.Add(-95 * 24 * time.Hour)
	for _, ep := range []string{"chats", "messages", "sessions", "calls"} {
		t.Run(ep, func(t *testing.T) {
			extra := []string{"long-term-search", "true"}
			if ep == "messages" {
				extra = append(extra, "limit", "1000")
			}
			got := walkChunks(t, s, ep, from, now, extra...)
			want := s.IDs(ep, from, now)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("walk vs IDs (-want +got):\n%s", diff)
			}
			if len(want) != s.Total(ep) {
				t.Errorf("IDs over full history = %d, Total = %d", len(want), s.Total(ep))
			}
		})
	}
	for _, tc := range []struct {
		ep    string
		pages int
	}{{"contacts", 5}, {"agents", 3}, {"channels", 1}, {"intents", 3}} {
		t.Run(tc.ep, func(t *testing.T) {
			its, pages := walk(t, s, tc.ep, "")
			if diff := cmp.Diff(s.IDs(tc.ep, time.Time{}, time.Time{}), ids(tc.ep, its)); diff != "" {
				t.Errorf("walk vs IDs (-want +got):\n%s", diff)
			}
			if pages != tc.pages {
				t.Errorf("pages = %d, want %d", pages, tc.pages)
			}
		})
	}
	t.Run("tickets", func(t *testing.T) {
		var got []string
		total := -1
		for off := 0; total < 0 || off < total; {
			v := getOK(t, s, "/tickets?"+q("daysBeforeNow", "1000", "limit", "500", "offset", itoa(off)))
			total = int(v["total"].(float64))
			its := items(v)
			got = append(got, ids("tickets", its)...)
			off += len(its)
		}
		want := s.IDs("tickets", time.Time{}, time.Time{})
		for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
			want[i], want[j] = want[j], want[i]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tickets newest first (-want +got):\n%s", diff)
		}
	})
}

func TestItemsSortedAndInWindow(t *testing.T) {
	s := newTest(t, Config{Seed: 4})
	now := s.Now()
	from, to := now.Add(-10*24*time.Hour), now.Add(-2*24*time.Hour)
	for _, tc := range []struct{ ep, field string }{
		{"chats", "lastUserMessageDatetime"}, {"messages", "creationTime"},
		{"sessions", "creationTime"}, {"calls", "creationDatetime"},
	} {
		its, _ := walk(t, s, tc.ep, q("from", ts(from), "to", ts(to), "long-term-search", "true"))
		if len(its) == 0 {
			t.Fatalf("%s: empty window", tc.ep)
		}
		var prev time.Time
		for _, it := range its {
			tm, err := time.Parse(time.RFC3339, it[tc.field].(string))
			if err != nil {
				t.Fatal(err)
			}
			if tm.Before(from) || !tm.Before(to) {
				t.Errorf("%s: %s=%s outside [%s,%s)", tc.ep, tc.field, tm, from, to)
			}
			if tm.Before(prev) {
				t.Errorf("%s: not ascending at %s", tc.ep, tm)
			}
			prev = tm
		}
	}
}

func TestRecentShare(t *testing.T) {
	s := newTest(t, Config{Seed: 5})
	now := s.Now()
	for _, ep := range []string{"chats", "messages", "sessions", "calls", "tickets"} {
		recent := len(s.IDs(ep, now.Add(-48*time.Hour), now))
		all := len(s.IDs(ep, time.Time{}, time.Time{}))
		if share := float64(recent) / float64(all); share < 0.05 {
			t.Errorf("%s: %d/%d in the last 2 days (%.3f), want >= 5%%", ep, recent, all, share)
		}
	}
}

func TestContactsTokenPaging(t *testing.T) {
	s := newTest(t, Config{Seed: 6})
	v := getOK(t, s, "/contacts")
	tok := v["nextPage"].(string)
	v2 := getOK(t, s, "/contacts?"+q("next-page-token", tok))
	if a, b := itemID("contacts", items(v)[0]), itemID("contacts", items(v2)[0]); a == b {
		t.Error("second page starts with the first page's item")
	}
	if r := get(t, s, "/contacts?next-page-token=%21%21bad", s.Token()); r.status != 400 || !strings.Contains(string(r.body), "next-page-token") {
		t.Errorf("bad token: %d %s", r.status, r.body)
	}
	// filters
	chs := items(getOK(t, s, "/channels"))
	wa := chs[0]["id"].(string)
	its, _ := walk(t, s, "contacts", q("channel-id", wa))
	if len(its) == 0 || len(its) >= s.Total("contacts") {
		t.Errorf("channel-id filter returned %d of %d", len(its), s.Total("contacts"))
	}
	for _, it := range its {
		found := false
		for _, c := range it["chats"].([]any) {
			found = found || c.(map[string]any)["chatChannelId"] == wa
		}
		if !found {
			t.Errorf("contact %s has no chat on %s", it["id"], wa)
		}
	}
	if r := get(t, s, "/contacts?"+q("channel-id", wa, "platform", "whatsapp"), s.Token()); r.status != 400 {
		t.Errorf("channel-id+platform: %d", r.status)
	}
	bs, _ := walk(t, s, "contacts", q("has-whastapp-bsuid", "true"))
	for _, it := range bs {
		if len(it["whatsappBsuids"].([]any)) == 0 {
			t.Errorf("has-whastapp-bsuid returned contact without bsuid")
		}
	}
}

func TestTickets(t *testing.T) {
	s := newTest(t, Config{Seed: 7})
	now := s.Now()
	all := s.IDs("tickets", time.Time{}, time.Time{})
	last := func(days int) []string { // newest first within days
		in := s.IDs("tickets", now.Add(-time.Duration(days)*24*time.Hour), time.Time{})
		out := make([]string, len(in))
		for i := range in {
			out[i] = in[len(in)-1-i]
		}
		return out
	}
	tests := []struct {
		name         string
		query        string
		status       int
		days, off, n int
	}{
		{"defaults", "", 200, 60, 0, 50},
		{"offset", q("offset", "40", "limit", "25"), 200, 60, 40, 25},
		{"days 2", q("daysBeforeNow", "2", "limit", "500"), 200, 2, 0, 500},
		{"days 1000 tail", q("daysBeforeNow", "1000", "offset", itoa(len(all)-3), "limit", "10"), 200, 1000, len(all) - 3, 10},
		{"offset past end", q("offset", "100000"), 200, 60, 100000, 50},
		{"limit 0", q("limit", "0"), 400, 0, 0, 0},
		{"limit 501", q("limit", "501"), 400, 0, 0, 0},
		{"days 0", q("daysBeforeNow", "0"), 400, 0, 0, 0},
		{"offset -1", q("offset", "-1"), 400, 0, 0, 0},
		{"limit junk", q("limit", "x"), 400, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, "/tickets?"+tc.query, s.Token())
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if tc.status != 200 {
				return
			}
			var v map[string]any
			_ = json.Unmarshal(r.body, &v)
			want := last(tc.days)
			if got := int(v["total"].(float64)); got != len(want) {
				t.Errorf("total = %d, want %d", got, len(want))
			}
			lo, hi := min(tc.off, len(want)), min(tc.off+tc.n, len(want))
			if diff := cmp.Diff(want[lo:hi], ids("tickets", items(v)), cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") })); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
	// daysBeforeNow=60 excludes older tickets
	if n60, nAll := len(last(60)), len(all); n60 >= nAll || n60 == 0 {
		t.Errorf("60-day tickets %d of %d", n60, nAll)
	}
}

func TestWindowRules(t *testing.T) {
	s := newTest(t, Config{Seed: 8})
	now := s.Now()
	ago := func(d time.Duration) string { return ts(now.Add(-d)) }
	day := 24 * time.Hour
	month := errBody("INVALID_DATETIME_INTERVAL", "from", "The difference between 'from' and 'to' cannot be greater than 1 month")
	tests := []struct {
		name   string
		path   string
		status int
		body   string // canonical JSON error body, "" = don't check
	}{
		{"chats 6d no LTS", "/chats?" + q("from", ago(6*day)), 200, ""},
		{"chats 8d no LTS", "/chats?" + q("from", ago(8*day)), 400, errBody("INVALID_DATETIME_INTERVAL", "from", "Chats beyond the last 7 days need long-term-search=true")},
		{"chats 8d LTS", "/chats?" + q("from", ago(8*day), "long-term-search", "true"), 200, ""},
		{"chats 32d span LTS", "/chats?" + q("from", ago(40*day), "to", ago(8*day), "long-term-search", "true"), 400, month},
		{"chats 31d span LTS", "/chats?" + q("from", ago(39*day), "to", ago(8*day), "long-term-search", "true"), 200, ""},
		{"chats from=to", "/chats?" + q("from", ago(day), "to", ago(day)), 400, ""},
		{"chats from>to", "/chats?" + q("from", ago(day), "to", ago(2*day)), 400, ""},
		{"chats bad from", "/chats?" + q("from", "yesterday"), 400, ""},
		{"chats fractional", "/chats?" + q("from", now.Add(-day).Format("2006-01-02T15:04:05.000Z"), "to", now.Format("2006-01-02T15:04:05.000Z")), 200, ""},
		{"chats offset unescaped plus", "/chats?from=" + now.Add(-day).In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05+01:00"), 200, ""},
		{"messages 2d no LTS", "/messages?" + q("from", ago(2*day)), 200, ""},
		{"messages 4d no LTS", "/messages?" + q("from", ago(4*day)), 400, errBody("INVALID_DATETIME_INTERVAL", "from", "Messages beyond the last 3 days need long-term-search=true")},
		{"messages 4d LTS", "/messages?" + q("from", ago(4*day), "long-term-search", "true"), 200, ""},
		{"messages 32d LTS", "/messages?" + q("from", ago(32*day), "to", ts(now), "long-term-search", "true"), 400, month},
		{"messages bad to", "/messages?" + q("to", "2026-13-01T00:00:00Z"), 400, ""},
		{"sessions 8d no LTS", "/sessions?" + q("from", ago(8*day)), 400, ""},
		{"sessions 8d LTS", "/sessions?" + q("from", ago(8*day), "long-term-search", "true"), 200, ""},
		{"sessions 32d LTS", "/sessions?" + q("from", ago(33*day), "to", ago(day), "long-term-search", "true"), 400, month},
		{"calls 60d no LTS", "/calls?" + q("from", ago(60*day), "to", ago(30*day)), 200, ""},
		{"calls 32d", "/calls?" + q("from", ago(32*day)), 400, month},
		{"bad bool", "/chats?" + q("long-term-search", "yes please"), 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, tc.path, s.Token())
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.body != "" {
				if diff := cmp.Diff(tc.body, canonJSON(t, r.body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			if tc.status == 400 && !strings.Contains(string(r.body), `"errors"`) {
				t.Errorf("400 without error body: %s", r.body)
			}
		})
	}
	// bad datetimes name the parameter
	r := get(t, s, "/messages?"+q("to", "nope"), s.Token())
	var e struct{ Errors []Item }
	_ = json.Unmarshal(r.body, &e)
	if len(e.Errors) != 1 || e.Errors[0].Source != "to" || !strings.Contains(e.Errors[0].Message, "'to'") {
		t.Errorf("bad to: %s", r.body)
	}
}

// Item mirrors the SPEC's error Item for decoding in tests.
type Item struct{ Type, Source, Message string }

func TestMessagesLimit(t *testing.T) {
	s := newTest(t, Config{Seed: 9})
	base := q("from", ts(s.Now().Add(-20*24*time.Hour)), "long-term-search", "true")
	for _, tc := range []struct {
		limit  string
		status int
		size   int
	}{
		{"", 200, 250}, {"249", 400, 0}, {"250", 200, 250}, {"999", 200, 999}, {"1000", 200, 1000},
		{"1500", 200, 1000}, {"1501", 400, 0}, {"abc", 400, 0},
	} {
		t.Run("limit="+tc.limit, func(t *testing.T) {
			p := "/messages?" + base
			if tc.limit != "" {
				p += "&limit=" + tc.limit
			}
			r := get(t, s, p, s.Token())
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if tc.status == 400 {
				if !strings.Contains(string(r.body), `"source":"limit"`) {
					t.Errorf("error does not name limit: %s", r.body)
				}
				return
			}
			var v map[string]any
			_ = json.Unmarshal(r.body, &v)
			if got := len(items(v)); got != tc.size {
				t.Errorf("size = %d, want %d", got, tc.size)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	s := newTest(t, Config{Seed: 10})
	now := s.Now()
	from, to := ts(now.Add(-3*24*time.Hour)), ts(now)
	open := s.OpenSessionIDs()
	if len(open) == 0 {
		t.Fatal("no open sessions generated")
	}
	if share := float64(len(open)) / float64(s.g.n[kSess]); share < 0.02 || share > 0.09 {
		t.Errorf("open share %.3f, want about 5%%", share)
	}
	finished, _ := walk(t, s, "sessions", q("from", from, "to", to))
	withOpen, _ := walk(t, s, "sessions", q("from", from, "to", to, "include-open-sessions", "true"))
	if len(withOpen)-len(finished) != len(open) {
		t.Errorf("with open %d, finished %d, open %d", len(withOpen), len(finished), len(open))
	}
	got := map[string]bool{}
	for _, it := range finished {
		got[it["id"].(string)] = true
	}
	for _, id := range open {
		if got[id] {
			t.Errorf("open session %s listed without include-open-sessions", id)
		}
	}
	// default to = now-1day without include-open-sessions
	def := items(getOK(t, s, "/sessions"))
	for _, it := range def {
		tm, _ := time.Parse(time.RFC3339, it["creationTime"].(string))
		if tm.After(now.Add(-24 * time.Hour)) {
			t.Errorf("default window returned session at %s", tm)
		}
	}

	for _, tc := range []struct {
		name    string
		params  []string
		present []string
	}{
		{"none", nil, nil},
		{"messages", []string{"include-messages"}, []string{"messages"}},
		{"events", []string{"include-events"}, []string{"events"}},
		{"ai", []string{"include-ai-analysis"}, []string{"aiAnalysis"}},
		{"all", []string{"include-messages", "include-events", "include-ai-analysis", "include-variables"}, []string{"aiAnalysis", "events", "messages"}},
	} {
		t.Run("include "+tc.name, func(t *testing.T) {
			kv := []string{"from", from, "to", to}
			for _, p := range tc.params {
				kv = append(kv, p, "true")
			}
			its := items(getOK(t, s, "/sessions?"+q(kv...)))
			if len(its) == 0 {
				t.Fatal("no sessions")
			}
			for _, it := range its {
				var present []string
				for _, k := range []string{"aiAnalysis", "events", "messages"} {
					if _, ok := it[k]; ok {
						present = append(present, k)
					}
				}
				if diff := cmp.Diff(tc.present, present); diff != "" {
					t.Fatalf("keys (-want +got):\n%s", diff)
				}
				_, hasVars := it["chat"].(map[string]any)["variables"]
				if wantVars := len(tc.params) == 4; hasVars != wantVars {
					t.Fatalf("chat.variables present = %v", hasVars)
				}
			}
		})
	}
}

func TestMutations(t *testing.T) {
	s := newTest(t, Config{Seed: 11})
	s.Advance(time.Hour)
	t0 := s.Now()
	msgs := s.AddMessages(3)
	chats := s.TouchChats(4)
	calls := s.AddCalls(2)
	tickets := s.AddTickets(2)
	sess := s.AddSessions(2)
	before := s.Total("sessions")
	finished := s.FinishOpenSessions()
	if len(finished) == 0 || s.Total("sessions") != before+len(finished) {
		t.Errorf("FinishOpenSessions: %d finished, total %d -> %d", len(finished), before, s.Total("sessions"))
	}
	if again := s.FinishOpenSessions(); len(again) != 0 {
		t.Errorf("second FinishOpenSessions returned %d", len(again))
	}
	if len(s.OpenSessionIDs()) != 0 {
		t.Error("sessions still open")
	}
	s.Advance(time.Minute)
	from := ts(t0.Add(-time.Second))
	to := ts(s.Now())
	for _, tc := range []struct {
		ep   string
		want []string
	}{
		{"messages", msgs}, {"chats", sortedCopy(chats)}, {"calls", calls}, {"sessions", sess},
	} {
		got, _ := walk(t, s, tc.ep, q("from", from, "to", to, "long-term-search", "true"))
		gotIDs := ids(tc.ep, got)
		if tc.ep == "chats" {
			sort.Strings(gotIDs)
		}
		if diff := cmp.Diff(tc.want, gotIDs); diff != "" {
			t.Errorf("%s after mutation (-want +got):\n%s", tc.ep, diff)
		}
		if diff := cmp.Diff(tc.want, sortIf(tc.ep == "chats", s.IDs(tc.ep, t0.Add(-time.Second), s.Now()))); diff != "" {
			t.Errorf("%s IDs (-want +got):\n%s", tc.ep, diff)
		}
	}
	// finished sessions now listable in their (past) window
	all, _ := walk(t, s, "sessions", q("from", ts(s.Now().Add(-4*24*time.Hour)), "to", to))
	listed := map[string]bool{}
	for _, it := range all {
		listed[it["id"].(string)] = true
	}
	for _, id := range finished {
		if !listed[id] {
			t.Errorf("finished session %s not listed", id)
		}
	}
	// new tickets come first
	v := getOK(t, s, "/tickets?limit=2")
	if diff := cmp.Diff([]string{tickets[1], tickets[0]}, ids("tickets", items(v))); diff != "" {
		t.Errorf("newest tickets (-want +got):\n%s", diff)
	}
	// touched chat activity == now (seconds)
	its, _ := walk(t, s, "chats", q("from", from, "to", to))
	for _, it := range its {
		tm, _ := time.Parse(time.RFC3339, it["lastUserMessageDatetime"].(string))
		if tm.Before(t0.Truncate(time.Second)) {
			t.Errorf("touched chat at %s", tm)
		}
	}
}

func sortedCopy(x []string) []string {
	y := append([]string(nil), x...)
	sort.Strings(y)
	return y
}

func sortIf(b bool, x []string) []string {
	if b {
		return sortedCopy(x)
	}
	return x
}

func TestClock(t *testing.T) {
	s := newTest(t, Config{Seed: 12})
	n0 := s.Now()
	if n0.Before(testNow) || n0.Sub(testNow) > 5*time.Second {
		t.Errorf("Now = %s", n0)
	}
	s.Advance(48 * time.Hour)
	if d := s.Now().Sub(n0); d < 48*time.Hour || d > 48*time.Hour+5*time.Second {
		t.Errorf("after Advance: %s", d)
	}
	// zero Now => real clock
	r := New(Config{})
	defer r.Close()
	if d := time.Since(r.Now()); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("default Now off by %s", d)
	}
}

func TestRateLimits(t *testing.T) {
	s := newTest(t, Config{Seed: 13, RateLimits: true, RetryAfter: true})
	// hammer /chats (3/s)
	var got429 resp
	n429 := 0
	for i := 0; i < 10; i++ {
		r := get(t, s, "/chats", s.Token())
		if r.status == 429 {
			n429++
			got429 = r
		}
	}
	if n429 < 5 {
		t.Fatalf("%d of 10 rapid /chats requests got 429", n429)
	}
	if diff := cmp.Diff(errBody("TOO_MANY_REQUESTS", "rate-limit", "Only 3 requests per second allowed."), canonJSON(t, got429.body)); diff != "" {
		t.Errorf("429 body (-want +got):\n%s", diff)
	}
	if ra := got429.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q", ra)
	}
	if st := s.Stats(); st.Status429 != n429 || st.RateLimited != n429 {
		t.Errorf("stats 429 = %d/%d, want %d", st.Status429, st.RateLimited, n429)
	}
	// paced /agents (200/s) at ~100/s never limited
	for i := 0; i < 30; i++ {
		if r := get(t, s, "/agents", s.Token()); r.status != 200 {
			t.Fatalf("paced /agents request %d: %d", i, r.status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// /channels (1/s): two back to back -> second limited; after 1s fine
	time.Sleep(1100 * time.Millisecond)
	if r := get(t, s, "/channels", s.Token()); r.status != 200 {
		t.Fatalf("channels: %d", r.status)
	}
	if r := get(t, s, "/channels", s.Token()); r.status != 429 {
		t.Fatalf("second channels: %d", r.status)
	}
	time.Sleep(1050 * time.Millisecond)
	if r := get(t, s, "/channels", s.Token()); r.status != 200 {
		t.Fatalf("paced channels: %d", r.status)
	}
	// without RetryAfter there is no header
	s2 := newTest(t, Config{Seed: 13, RateLimits: true})
	for i := 0; i < 3; i++ {
		r := get(t, s2, "/intents", s2.Token())
		if r.status == 429 && r.header.Get("Retry-After") != "" {
			t.Error("Retry-After sent without Config.RetryAfter")
		}
	}
}

func TestFaults(t *testing.T) {
	t.Run("rate", func(t *testing.T) {
		s := newTest(t, Config{Seed: 14, Faults: Faults{Rate: 0.3, Seed: 5, Kinds: []FaultKind{Fault500, Fault503}}})
		bad := 0
		const n = 400
		for i := 0; i < n; i++ {
			if get(t, s, "/channels", s.Token()).status != 200 {
				bad++
			}
		}
		if bad < n*20/100 || bad > n*40/100 {
			t.Errorf("%d of %d requests faulted, want about 30%%", bad, n)
		}
		st := s.Stats()
		if st.FaultsInjected[Fault500]+st.FaultsInjected[Fault503] != bad {
			t.Errorf("stats %v, want %d", st.FaultsInjected, bad)
		}
	})
	for _, tc := range []struct {
		kind   FaultKind
		status int
		check  func(t *testing.T, r resp, full []byte, took time.Duration)
	}{
		{Fault500, 500, func(t *testing.T, r resp, _ []byte, _ time.Duration) {
			if !json.Valid(r.body) || !strings.Contains(string(r.body), `"errors"`) {
				t.Errorf("body %s", r.body)
			}
		}},
		{Fault502, 502, nil},
		{Fault503, 503, nil},
		{Fault429, 429, func(t *testing.T, r resp, _ []byte, _ time.Duration) {
			if diff := cmp.Diff(errBody("TOO_MANY_REQUESTS", "rate-limit", "Only 200 requests per second allowed."), canonJSON(t, r.body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if r.header.Get("Retry-After") != "1" {
				t.Error("no Retry-After")
			}
		}},
		{FaultTruncated, 200, func(t *testing.T, r resp, full []byte, _ time.Duration) {
			if json.Valid(r.body) || len(r.body) != len(full)/2 || !bytes.HasPrefix(full, r.body) {
				t.Errorf("truncated body: %d bytes of %d", len(r.body), len(full))
			}
		}},
		{FaultSlow, 200, func(t *testing.T, r resp, full []byte, took time.Duration) {
			if took < 50*time.Millisecond || !bytes.Equal(r.body, full) {
				t.Errorf("slow took %s, same body %v", took, bytes.Equal(r.body, full))
			}
		}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			s := newTest(t, Config{Seed: 15, RetryAfter: true, Faults: Faults{Rate: 1, Kinds: []FaultKind{tc.kind}, SlowDelay: 50 * time.Millisecond}})
			clean := newTest(t, Config{Seed: 15})
			full := get(t, clean, "/agents", clean.Token()).body
			start := time.Now()
			r := get(t, s, "/agents", s.Token())
			took := time.Since(start)
			if r.status != tc.status {
				t.Fatalf("status %d", r.status)
			}
			if tc.check != nil {
				tc.check(t, r, full, took)
			}
			if got := s.Stats().FaultsInjected[tc.kind]; got != 1 {
				t.Errorf("FaultsInjected[%s] = %d", tc.kind, got)
			}
		})
	}
	t.Run("no faults on 401", func(t *testing.T) {
		s := newTest(t, Config{Seed: 15, Faults: Faults{Rate: 1}})
		if r := get(t, s, "/agents", "nope"); r.status != 401 {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestDeterminism(t *testing.T) {
	cfg := Config{Seed: 16, LargeTextEvery: 7}
	a, b := newTest(t, cfg), newTest(t, cfg)
	c := newTest(t, Config{Seed: 17, LargeTextEvery: 7})
	from := ts(testNow.Add(-20 * 24 * time.Hour))
	to := ts(testNow)
	paths := []string{
		"/chats?" + q("from", from, "to", to, "long-term-search", "true"),
		"/messages?" + q("from", from, "to", to, "long-term-search", "true", "limit", "1000"),
		"/sessions?" + q("from", from, "to", to, "long-term-search", "true", "include-messages", "true", "include-events", "true", "include-ai-analysis", "true", "include-variables", "true", "include-open-sessions", "true"),
		"/calls?" + q("from", from, "to", to),
		"/contacts", "/agents", "/channels", "/intents",
		"/tickets?" + q("daysBeforeNow", "30", "limit", "500"),
	}
	for _, p := range paths {
		ra, rb, rc := get(t, a, p, a.Token()), get(t, b, p, b.Token()), get(t, c, p, c.Token())
		norm := func(s *Server, body []byte) string {
			return strings.ReplaceAll(string(body), strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/v2.0"), "http://"), "HOST")
		}
		if norm(a, ra.body) != norm(b, rb.body) {
			t.Errorf("%s: same seed, different bytes", p)
		}
		if norm(a, ra.body) == norm(c, rc.body) {
			t.Errorf("%s: different seed, same bytes", p)
		}
		if !json.Valid(ra.body) {
			t.Errorf("%s: invalid JSON", p)
		}
	}
}

func TestLargeText(t *testing.T) {
	s := newTest(t, Config{Seed: 18, LargeTextEvery: 10})
	its, _ := walk(t, s, "messages", q("from", ts(s.Now().Add(-2*24*time.Hour)), "limit", "1000"))
	large, normal := 0, 0
	for _, it := range its {
		c := it["content"].(map[string]any)
		txt, _ := c["text"].(string)
		switch {
		case len(txt) >= 9000:
			large++
		case c["type"] == "text" && (len(txt) < 90 || len(txt) > 400):
			t.Errorf("text of %d bytes", len(txt))
		default:
			normal++
		}
	}
	if large < len(its)/10-2 || large > len(its)/10+2 {
		t.Errorf("%d large texts of %d messages", large, len(its))
	}
}

// TestOptionalFields checks that optional fields are sometimes absent or
// null. That every field is sometimes filled is checked, for every stream
// of the registry, by integration_tests' TestFieldCoverage; the message
// content variants are checked here, since no schema lists them.
func TestOptionalFields(t *testing.T) {
	s := newTest(t, Config{Seed: 19})
	now := s.Now()
	from := ts(now.Add(-30 * 24 * time.Hour))
	tests := []struct {
		ep, query string
		optional  []string // absent or null in some items
	}{
		{"chats", q("from", from, "long-term-search", "true"), strings.Fields("externalId email onHoldAgentId whatsAppWindowCloseDatetime agentId")},
		{"messages", q("from", from, "long-term-search", "true", "limit", "1000"), strings.Fields("agentId queueId encryptionParams")},
		{"sessions", q("from", from, "long-term-search", "true", "include-ai-analysis", "true"), strings.Fields("aiAnalysis")},
		{"calls", q("from", from), strings.Fields("agentId recording endDatetime")},
		{"contacts", "", strings.Fields("birthday companyId lastName")},
		{"agents", "", strings.Fields("alias")},
		{"channels", "", strings.Fields("number token")},
		{"intents", "", strings.Fields("bot")},
	}
	for _, tc := range tests {
		t.Run(tc.ep, func(t *testing.T) {
			its, _ := walk(t, s, tc.ep, tc.query)
			missing := map[string]int{}
			for _, it := range its {
				for _, k := range tc.optional {
					if it[k] == nil {
						missing[k]++
					}
				}
			}
			for _, f := range tc.optional {
				if missing[f] == 0 {
					t.Errorf("optional field %s always present in %d items", f, len(its))
				}
			}
		})
	}
	t.Run("content", func(t *testing.T) {
		its, _ := walk(t, s, "messages", q("from", from, "long-term-search", "true", "limit", "1000"))
		seen := map[string]bool{}
		for _, it := range its {
			for k := range it["content"].(map[string]any) {
				seen[k] = true
			}
			seen["type:"+it["content"].(map[string]any)["type"].(string)] = true
		}
		for _, f := range strings.Fields("type text buttons selectedButton carouselItems media location call whatsAppTemplateName originalText originalAudioUrl type:text type:image type:audio type:file type:video type:buttons type:carousel type:button-click type:call") {
			if !seen[f] {
				t.Errorf("content field %s never seen", f)
			}
		}
	})
}

func TestEscaping(t *testing.T) {
	for _, s := range append(append([]string{}, specials...), "", "plain", "\x00\x7f", "bad utf8 \xff\xfe end", "é\u2028\u2029</script>") {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q -> %s: %v", s, b, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if got != want {
			t.Errorf("%q round-tripped to %q", s, got)
		}
		if !bytes.Equal(appendJSONBytes(nil, []byte(s)), b) {
			t.Errorf("appendJSONBytes differs for %q", s)
		}
	}
}

func TestAppendTime(t *testing.T) {
	for _, sec := range []int64{0, 1, -1, 86399, 951782400, 1709164800, 1798761599, 4102444800, 1e10, -62135596800} {
		if got, want := formatTime(sec), time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05Z"); got != want {
			t.Errorf("%d: %s, want %s", sec, got, want)
		}
	}
	for sec := int64(1700000000); sec < 1700000000+400*86400; sec += 86400 - 7 {
		if got, want := formatTime(sec), time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05Z"); got != want {
			t.Fatalf("%d: %s, want %s", sec, got, want)
		}
	}
}

func TestUniqueIDs(t *testing.T) {
	s := newTest(t, Config{Seed: 20, Counts: Counts{"sessions": 20000, "chats": 50, "messages": 100000}})
	for _, ep := range EndpointNames() {
		all := s.IDs(ep, time.Time{}, time.Time{})
		seen := map[string]bool{}
		for _, id := range all {
			if seen[id] {
				t.Fatalf("%s: duplicate id %s", ep, id)
			}
			seen[id] = true
		}
		if ep == "chats" {
			for _, id := range all {
				if len(id) != 20 || strings.ToUpper(id) != id {
					t.Fatalf("chat id %q", id)
				}
			}
		}
	}
}

func TestLazyScale(t *testing.T) {
	s := newTest(t, Config{Seed: 21, Counts: Counts{"messages": 1_000_000}, LargeTextEvery: 1000})
	if s.Total("messages") != 1_000_000 {
		t.Fatal(s.Total("messages"))
	}
	now := s.Now()
	v := getOK(t, s, "/messages?"+q("from", ts(now.Add(-30*24*time.Hour)), "to", ts(now.Add(-29*24*time.Hour)), "long-term-search", "true", "limit", "1500"))
	if n := len(items(v)); n != 1000 {
		t.Errorf("page of %d", n)
	}
	// a session with hundreds of messages embeds at most maxSessionMessages
	its := items(getOK(t, s, "/sessions?"+q("from", ts(now.Add(-2*24*time.Hour)), "include-messages", "true")))
	if len(its) == 0 || len(its[0]["messages"].([]any)) != maxSessionMessages {
		t.Errorf("embedded messages: %d sessions", len(its))
	}
}

func TestControlEndpoints(t *testing.T) {
	s := newTest(t, Config{Seed: 22})
	base := strings.TrimSuffix(s.URL(), "/v2.0") + "/_control"
	post := func(path string) []byte {
		t.Helper()
		res, err := http.Post(base+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, buf.Bytes())
		}
		return buf.Bytes()
	}
	getJSON := func(path string, v any) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var added []string
	_ = json.Unmarshal(post("/add?endpoint=messages&n=3"), &added)
	if len(added) != 3 {
		t.Errorf("add messages: %v", added)
	}
	for _, p := range []string{"/add?endpoint=chats&n=2", "/add?endpoint=calls&n=1", "/add?endpoint=tickets&n=1", "/add?endpoint=sessions&n=1", "/finish-sessions", "/advance?d=1h", "/reset-requests"} {
		post(p)
	}
	var all []string
	getJSON("/ids?endpoint=messages", &all)
	if len(all) != s.Total("messages") || all[len(all)-1] != added[2] {
		t.Errorf("ids: %d, total %d", len(all), s.Total("messages"))
	}
	var tot struct {
		Endpoint string
		Total    int
	}
	getJSON("/total?endpoint=tickets", &tot)
	if tot.Total != DefaultCounts["tickets"]+1 {
		t.Errorf("total: %+v", tot)
	}
	get(t, s, "/channels", s.Token())
	var st Stats
	getJSON("/stats", &st)
	if st.Requests != 1 || st.Endpoints["channels"] != 1 {
		t.Errorf("stats: %+v", st)
	}
	if res, _ := http.Get(base + "/add?endpoint=messages&n=1"); res.StatusCode != 405 {
		t.Errorf("GET mutation: %d", res.StatusCode)
	}
	if res, _ := http.Get(base + "/ids?endpoint=bogus"); res.StatusCode != 400 {
		t.Errorf("bad endpoint: %d", res.StatusCode)
	}
}

func TestNextPageKeepsQuery(t *testing.T) {
	s := newTest(t, Config{Seed: 23})
	v := getOK(t, s, "/messages?"+q("from", ts(s.Now().Add(-2*24*time.Hour)), "limit", "300", "chat-platform", "whatsapp"))
	np := v["nextPage"].(string)
	for _, want := range []string{"limit=300", "chat-platform=whatsapp", "from=", "page="} {
		if !strings.Contains(np, want) {
			t.Errorf("nextPage %s lacks %s", np, want)
		}
	}
	// a chat's listMessagesURL works (chat-id filter)
	chat := items(getOK(t, s, "/chats?"+q("from", ts(s.Now().Add(-2*24*time.Hour)))))[0]
	u := chat["listMessagesURL"].(string)
	id := chat["chat"].(map[string]any)["chatId"].(string)
	r := get(t, s, u, s.Token())
	if r.status != 200 {
		t.Fatalf("listMessagesURL: %d %s", r.status, r.body)
	}
	var mv map[string]any
	_ = json.Unmarshal(r.body, &mv)
	for _, m := range items(mv) {
		if m["chat"].(map[string]any)["chatId"] != id {
			t.Errorf("chat-id filter leaked %v", m["chat"])
		}
	}
}

func BenchmarkMessagesPage(b *testing.B) {
	s := NewHandler(Config{Seed: 1, Now: testNow, Counts: Counts{"messages": 1_000_000}})
	req, _ := http.NewRequest(http.MethodGet, "http://fake/v2.0/messages?"+q("from", ts(testNow.Add(-30*24*time.Hour)), "to", ts(testNow.Add(-1*24*time.Hour)), "long-term-search", "true", "limit", "1000"), nil)
	req.Header.Set("access-token", DefaultToken)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.n = 0
		s.ServeHTTP(w, req)
		if i%1000 == 999 {
			s.ResetRequests()
		}
	}
	b.SetBytes(int64(w.n))
}

type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
