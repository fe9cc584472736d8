package fakebotmaker

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rowsWhere are the table's rows that f keeps.
func rowsWhere(f func(Endpoint) bool) []Endpoint {
	var out []Endpoint
	for _, e := range Endpoints {
		if f(e) {
			out = append(out, e)
		}
	}
	return out
}

// orderedEndpoints are the rows Quirks.Order applies to.
var orderedEndpoints = rowsWhere(func(e Endpoint) bool { return e.Filter == FromTo })

// Every order pages consistently: the same records as oldest first, each
// once, and in the order asked for.
func TestQuirkOrders(t *testing.T) {
	counts := Counts{"chats": 700, "messages": 2600, "sessions": 1300, "calls": 600}
	from, to := testNow.AddDate(0, 0, -30), testNow
	base := newTest(t, Config{Seed: 3, Counts: counts})
	for _, order := range []Order{OldestFirst, NewestFirst, Shuffled} {
		for _, e := range orderedEndpoints {
			t.Run(string(order)+"/"+e.Name, func(t *testing.T) {
				// PageSize pages the endpoints whose pages hold more than
				// this data set (agent_metrics).
				s := newTest(t, Config{Seed: 3, Counts: counts, Quirks: Quirks{Order: map[string]Order{e.Name: order}, PageSize: map[string]int{e.Name: 200}}})
				query := q("from", ts(from), "to", ts(to), "long-term-search", "true")
				want, _ := walk(t, base, e.Name, query)
				got, pages := walk(t, s, e.Name, query)
				if pages < 2 {
					t.Fatalf("only %d page: the test needs several", pages)
				}
				if diff := cmp.Diff(sorted(ids(e.Name, want)), sorted(ids(e.Name, got))); diff != "" {
					t.Fatalf("records differ from oldest first (-want +got):\n%s", diff)
				}
				times := make([]string, len(got))
				for i, it := range got {
					times[i] = it[e.Cursor].(string)
				}
				asc := slices.IsSorted(times)
				desc := slices.IsSortedFunc(times, func(a, b string) int { return strings.Compare(b, a) })
				switch order {
				case OldestFirst:
					if !asc {
						t.Error("not oldest first")
					}
				case NewestFirst:
					if !desc {
						t.Error("not newest first")
					}
				case Shuffled:
					if asc || desc {
						t.Error("not shuffled")
					}
				}
			})
		}
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return out
}

// A lag hides what is younger than it, on every windowed endpoint and on
// tickets; setting it to 0 (POST /_control/lag) shows it again.
func TestQuirkLag(t *testing.T) {
	s := newTest(t, Config{Seed: 4, Quirks: Quirks{Lag: 72 * time.Hour}})
	from := testNow.AddDate(0, 0, -20)
	for _, e := range orderedEndpoints {
		before := s.Now().Add(-72 * time.Hour)
		got, _ := walk(t, s, e.Name, q("from", ts(from), "to", ts(testNow.Add(time.Hour)), "long-term-search", "true"))
		after := s.Now().Add(-72 * time.Hour)
		for _, it := range got {
			if c, _ := time.Parse(time.RFC3339, it[e.Cursor].(string)); c.After(after) {
				t.Errorf("%s: %s %s is inside the lag", e.Name, e.Cursor, c)
			}
		}
		gotSet := map[string]bool{}
		for _, id := range ids(e.Name, got) {
			gotSet[id] = true
		}
		for _, id := range s.IDs(e.Name, from, before) {
			if !gotSet[id] {
				t.Errorf("%s: %s is older than the lag but was not listed", e.Name, id)
			}
		}
	}
	tk, _ := walk(t, s, "tickets", q("daysBeforeNow", "20", "limit", "500"))
	if len(tk) == 0 || len(tk) >= len(s.IDs("tickets", from, time.Time{})) {
		t.Errorf("tickets with a 3-day lag: %d of %d", len(tk), len(s.IDs("tickets", from, time.Time{})))
	}
	res, err := http.Post(strings.TrimSuffix(s.URL(), "/v2.0")+"/_control/lag?d=0s", "", nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("POST /_control/lag: %v %v", res, err)
	}
	res.Body.Close()
	got, _ := walk(t, s, "messages", q("from", ts(testNow.AddDate(0, 0, -2)), "to", ts(testNow.Add(time.Minute))))
	if want := s.IDs("messages", testNow.AddDate(0, 0, -2), time.Time{}); len(got) != len(want) {
		t.Errorf("after SetLag(0): %d messages, want %d", len(got), len(want))
	}
}

func TestQuirkFutureRecord(t *testing.T) {
	s := newTest(t, Config{Seed: 5, Quirks: Quirks{FutureRecord: true}})
	for _, e := range rowsWhere(func(e Endpoint) bool { return e.Filter != NoFilter }) {
		query := q("from", ts(testNow.AddDate(0, 0, -2)), "to", ts(testNow))
		if e.Filter == DaysBeforeNow {
			query = q("daysBeforeNow", "2", "limit", "500")
		}
		got, _ := walk(t, s, e.Name, query)
		future := 0
		for _, it := range got {
			if strings.HasPrefix(itemID(e.Name, it), FuturePrefix) {
				future++
				if it[e.Cursor] != "2099-01-01T00:00:00Z" {
					t.Errorf("%s: the future record's %s is %v", e.Name, e.Cursor, it[e.Cursor])
				}
			}
		}
		if future != 1 {
			t.Errorf("%s: %d future records, want 1 (on the first page)", e.Name, future)
		}
	}
}

func TestQuirkTicketsNoTotal(t *testing.T) {
	s := newTest(t, Config{Seed: 5, Quirks: Quirks{TicketsNoTotal: true}})
	v := getOK(t, s, "/tickets?"+q("daysBeforeNow", "30"))
	if _, ok := v["total"]; ok {
		t.Errorf("total present: %v", v["total"])
	}
	if len(items(v)) == 0 {
		t.Error("no tickets")
	}
}

// Each paging quirk hands out a nextPage that never ends the walk.
func TestQuirkPaging(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		quirk    PagingQuirk
		query    string
		// repeatAt is the request (from 0) that repeats an earlier one; 0
		// when none does (empty pages forever).
		repeatAt int
	}{
		{"messages", PageRepeat, q("from", ts(testNow.AddDate(0, 0, -1)), "to", ts(testNow)), 1},
		{"messages", PageCycle, q("from", ts(testNow.AddDate(0, 0, -1)), "to", ts(testNow)), 3},
		{"calls", PageEmptyForever, q("from", ts(testNow.AddDate(0, 0, -1)), "to", ts(testNow)), 0},
		{"contacts", PageRepeat, "", 2},
		{"contacts", PageCycle, "", 3},
	} {
		t.Run(tc.endpoint+"/"+string(tc.quirk), func(t *testing.T) {
			s := newTest(t, Config{Seed: 6, Quirks: Quirks{Paging: map[string]PagingQuirk{tc.endpoint: tc.quirk}}})
			seen := map[string]int{}
			next := s.URL() + "/" + tc.endpoint + "?" + tc.query
			for i := 0; i < 20; i++ {
				if j, dup := seen[next]; dup {
					if i != tc.repeatAt {
						t.Errorf("request %d repeats request %d, want the first repeat at %d", i, j, tc.repeatAt)
					}
					return
				}
				seen[next] = i
				v := getOK(t, s, next)
				if tc.quirk == PageEmptyForever && len(items(v)) != 0 {
					t.Fatalf("page %d has %d items", i, len(items(v)))
				}
				np, _ := v["nextPage"].(string)
				if np == "" {
					t.Fatalf("page %d ends the walk", i)
				}
				if tc.endpoint == "contacts" {
					next = s.URL() + "/contacts?" + q("next-page-token", np)
				} else {
					next = np
				}
			}
			if tc.repeatAt != 0 {
				t.Errorf("no repeat in 20 pages")
			}
		})
	}
}

// With MovingEdge and simulated slow pages, a walk from the edge of the
// recent window loses what the edge passes before it is read: with newest
// first, the oldest records.
func TestQuirkMovingEdge(t *testing.T) {
	s := newTest(t, Config{Seed: 7, Counts: Counts{"messages": 60000}, Quirks: Quirks{
		MovingEdge: true, PageAdvance: time.Minute, Order: map[string]Order{"messages": NewestFirst},
	}})
	from := testNow.Add(-72*time.Hour + 30*time.Second)
	got, pages := walk(t, s, "messages", q("from", ts(from), "to", ts(testNow), "limit", "1000"))
	want := s.IDs("messages", from, testNow)
	if pages < 3 || len(got) >= len(want) {
		t.Errorf("%d pages, %d of %d messages: the edge cut nothing", pages, len(got), len(want))
	}
}

// LateEvery hides about one record in LateEvery of /messages, /sessions and
// /calls until its own delay has passed, while the others are listed at
// once; LateRecords says when each becomes visible.
func TestQuirkLateRecords(t *testing.T) {
	counts := Counts{"messages": 2600, "sessions": 1300, "calls": 600}
	from, to := testNow.AddDate(0, 0, -2), testNow
	for _, row := range rowsWhere(func(e Endpoint) bool { return e.late }) {
		e := row.Name
		t.Run(e, func(t *testing.T) {
			s := newTest(t, Config{Seed: 3, Counts: counts, HistoryDays: 3, Quirks: Quirks{LateEvery: 5, LateBy: 23 * time.Hour}})
			base := newTest(t, Config{Seed: 3, Counts: counts, HistoryDays: 3})
			query := q("from", ts(from), "to", ts(to), "long-term-search", "true")
			all, _ := walk(t, base, e, query)
			late := s.LateRecords(e)
			for step := 0; step < 3; step++ {
				now := s.Now()
				got, _ := walk(t, s, e, query)
				seen := map[string]bool{}
				for _, id := range ids(e, got) {
					seen[id] = true
				}
				hidden := 0
				for _, id := range ids(e, all) {
					at, isLate := late[id]
					if visible := !isLate || !at.After(now); visible != seen[id] {
						t.Fatalf("at %s: %s listed %v, late until %v (late %v)", now, id, seen[id], at, isLate)
					}
					if isLate && at.After(now) {
						hidden++
					}
				}
				if step == 0 && (hidden == 0 || hidden*3 > len(all)) {
					t.Errorf("%d of %d records hidden", hidden, len(all))
				}
				s.Advance(12 * time.Hour)
			}
		})
	}
}

// After ExpirePageTokens, a page token handed out before it is refused
// with 400, on contacts (a token) and on a catalogue paged by nextPage URL,
// and a walk begun afresh pages as before.
func TestQuirkExpirePageTokens(t *testing.T) {
	for _, endpoint := range []string{"contacts", "agents"} {
		t.Run(endpoint, func(t *testing.T) {
			s := newTest(t, Config{Seed: 6, Counts: Counts{endpoint: 250}})
			next := func(v map[string]any) string {
				np, _ := v["nextPage"].(string)
				if np == "" {
					t.Fatal("the first page ends the walk")
				}
				if endpoint == "contacts" {
					return s.URL() + "/contacts?" + q("next-page-token", np)
				}
				return np
			}
			old := next(getOK(t, s, "/"+endpoint))
			if r := get(t, s, old, s.Token()); r.status != http.StatusOK {
				t.Fatalf("before ExpirePageTokens: status %d", r.status)
			}
			s.ExpirePageTokens()
			if r := get(t, s, old, s.Token()); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Page token expired") {
				t.Errorf("old token after ExpirePageTokens: status %d %s", r.status, r.body)
			}
			fresh := next(getOK(t, s, "/"+endpoint))
			if r := get(t, s, fresh, s.Token()); r.status != http.StatusOK {
				t.Errorf("a token handed out afterwards: status %d %s", r.status, r.body)
			}
		})
	}
}

// Outage serves the endpoint n more requests, then 503 until it is
// called again with n < 0; other endpoints are not affected.
func TestOutage(t *testing.T) {
	s := newTest(t, Config{Seed: 6})
	s.Outage("agents", 2)
	var got []int
	for range 4 {
		got = append(got, get(t, s, "/agents", s.Token()).status)
	}
	got = append(got, get(t, s, "/channels", s.Token()).status)
	s.Outage("agents", -1)
	got = append(got, get(t, s, "/agents", s.Token()).status)
	want := []int{200, 200, 503, 503, 200, 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}
