package fakebotmaker

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Every row is complete, and rows never share what tells their items and
// page tokens apart: a copied row would otherwise serve another endpoint's
// ids, or accept its tokens.
func TestEndpointTable(t *testing.T) {
	kinds := map[kind]string{kBot: "bot", kEvent: "event", kSessMsg: "session message", kRecording: "recording", kAttachment: "attachment"}
	tokens := map[byte]string{}
	for _, e := range Endpoints {
		t.Run(e.Name, func(t *testing.T) {
			if !strings.HasPrefix(e.Path, "/") || pathIndex[e.Path] != endpointIndex[e.Name] {
				t.Errorf("path %q is not this row's alone", e.Path)
			}
			if (e.ItemsKey == "" && e.Paging != SinglePage) || e.Rate <= 0 || e.RateText == "" || e.DefaultCount <= 0 || e.ID == "" ||
				e.list == nil || e.ids == nil || e.total == nil || e.kind == 0 {
				t.Fatalf("incomplete row %+v", e)
			}
			if (e.PageSize == 0) != (e.Paging == SinglePage) {
				t.Errorf("paging %s with page size %d", e.Paging, e.PageSize)
			}
			if (e.Cursor == "") != (e.Filter == NoFilter) {
				t.Errorf("filter %s with cursor %q", e.Filter, e.Cursor)
			}
			if (e.TokenParam != "") != (e.Paging == NextToken) {
				t.Errorf("paging %s with token parameter %q", e.Paging, e.TokenParam)
			}
			if e.Recent != 0 && !strings.HasSuffix(e.recentMsg(), " days need long-term-search=true") {
				t.Errorf("recent message %q", e.recentMsg())
			}
			if other, dup := kinds[e.kind]; dup {
				t.Errorf("kind %d is also %s's", e.kind, other)
			}
			kinds[e.kind] = e.Name
			if e.Paging == NextURL || e.Paging == NextToken {
				if e.tokenKind == 0 {
					t.Error("no token kind")
				} else if other, dup := tokens[e.tokenKind]; dup {
					t.Errorf("token kind %q is also %s's", e.tokenKind, other)
				}
				tokens[e.tokenKind] = e.Name
			}
			if e.query != nil {
				// keyset (what Quirks.OffsetTokens and EdgeShiftsOffsets
				// go by) says what the row's query does.
				srv := newTest(t, Config{Seed: 5})
				qv := url.Values{"from": {"2025-01-01T00:00:00Z"}, "to": {"2025-01-02T00:00:00Z"}}
				for k, v := range e.Required {
					qv[k] = v
				}
				srv.mu.RLock()
				l, apiE := e.query(srv, &e, httptest.NewRequest(http.MethodGet, "/v2.0"+e.Path, nil), qv)
				srv.mu.RUnlock()
				if apiE != nil {
					t.Fatalf("query with the required parameters: %+v", apiE)
				}
				if (l.resume != nil) != e.keyset {
					t.Errorf("keyset %v, but the query's listing resumes by keyset: %v", e.keyset, l.resume != nil)
				}
			}
		})
	}
}

// Counts that name no endpoint are a typo, not a request for defaults.
func TestCountsUnknownEndpoint(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"chat"`) {
			t.Errorf("panic %v, want one naming \"chat\"", r)
		}
	}()
	NewHandler(Config{Counts: Counts{"chat": 3}})
}

// POST /_control/add makes new items of every endpoint whose row has the
// mutation, listed by IDs from then on, and refuses the others by name.
func TestControlAdd(t *testing.T) {
	s := newTest(t, Config{Seed: 23})
	base := strings.TrimSuffix(s.URL(), "/v2.0") + "/_control/add?"
	for _, e := range Endpoints {
		t.Run(e.Name, func(t *testing.T) {
			res, err := http.Post(base+q("endpoint", e.Name, "n", "2"), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if e.add == nil {
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("status %d, want 400", res.StatusCode)
				}
				return
			}
			var added []string
			if err := json.NewDecoder(res.Body).Decode(&added); err != nil || res.StatusCode != 200 {
				t.Fatalf("status %d: %v", res.StatusCode, err)
			}
			listed := map[string]bool{}
			for _, id := range s.IDs(e.Name, time.Time{}, time.Time{}) {
				listed[id] = true
			}
			if len(added) != 2 || !listed[added[0]] || !listed[added[1]] {
				t.Errorf("added %v; listed: %v %v", added, listed[added[0]], len(added) > 1 && listed[added[1]])
			}
		})
	}
}
