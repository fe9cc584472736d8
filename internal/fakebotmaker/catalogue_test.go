package fakebotmaker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// catalogueWalk GETs a catalogue row from its path and follows nextPage to
// the end; it returns the ids in order, the pages and the last body.
func catalogueWalk(t *testing.T, s *Server, e Endpoint) (ids []string, pages int, last []byte) {
	t.Helper()
	for next := s.URL() + e.Path; next != ""; pages++ {
		r := get(t, s, next, s.Token())
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		last, next = r.body, ""
		var its []map[string]any
		switch {
		case e.ItemsKey == "" && len(r.body) > 0 && r.body[0] == '{':
			var it map[string]any
			mustJSON(t, r.body, &it)
			its = append(its, it)
		case e.ItemsKey == "":
			mustJSON(t, r.body, &its)
		default:
			var page map[string]json.RawMessage
			mustJSON(t, r.body, &page)
			mustJSON(t, page[e.ItemsKey], &its)
			if _, has := page["nextPage"]; has != (e.Paging != SinglePage) {
				t.Errorf("paging %s, nextPage present: %v", e.Paging, has)
			}
			if raw := page["nextPage"]; raw != nil {
				_ = json.Unmarshal(raw, &next)
			}
			if next != "" && e.Paging == NextToken {
				next = s.URL() + e.Path + "?" + e.TokenParam + "=" + next
			}
		}
		for _, it := range its {
			ids = append(ids, itemID(e.Name, it))
		}
		if pages > 100 {
			t.Fatal("too many pages")
		}
	}
	return ids, pages, last
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// Every catalogue row serves what IDs lists, on the pages its row says,
// empty on demand (Quirks.Empty) and, for a bare body, as the list real
// accounts get or the one object the SPEC declares (Quirks.BareObject).
func TestCatalogues(t *testing.T) {
	for _, e := range Endpoints {
		if !Emptiable(e.Name) {
			continue
		}
		n, pages := 7, 1
		if e.PageSize > 0 {
			n, pages = 2*e.PageSize+1, 3
		}
		empty := `[]`
		switch {
		case e.Paging == NextURL || e.Paging == NextToken:
			empty = `{"` + e.ItemsKey + `":[],"nextPage":null}`
		case e.ItemsKey != "":
			empty = `{"` + e.ItemsKey + `":[]}`
		}
		type test struct {
			name         string
			quirks       Quirks
			items, pages int
			emptyBody    string
		}
		tests := []test{
			{"full", Quirks{}, n, pages, ""},
			{"empty", Quirks{Empty: map[string]bool{e.Name: true}}, 0, 1, empty},
		}
		if e.ItemsKey == "" {
			tests = append(tests, test{"one object", Quirks{BareObject: true}, 1, 1, ""})
		}
		counts := Counts{e.Name: n}
		for _, tt := range tests {
			t.Run(e.Name+"/"+tt.name, func(t *testing.T) {
				s := newTest(t, Config{Seed: 5, Counts: counts, Quirks: tt.quirks})
				got, pages, last := catalogueWalk(t, s, e)
				want := s.IDs(e.Name, time.Time{}, time.Time{})
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("walk vs IDs (-want +got):\n%s", diff)
				}
				if len(got) != tt.items || s.Total(e.Name) != tt.items || pages != tt.pages {
					t.Errorf("%d items (Total %d) on %d pages, want %d on %d", len(got), s.Total(e.Name), pages, tt.items, tt.pages)
				}
				if tt.emptyBody != "" && string(last) != tt.emptyBody {
					t.Errorf("empty body %s, want %s", last, tt.emptyBody)
				}
			})
		}
	}
}

// Each catalogue row answers a request over its rate with Botmaker's 429
// and the exact text of the SPEC's 429 description.
func TestCatalogueRateLimits(t *testing.T) {
	spec := map[string]string{ // the SPEC's 429 description of each GET
		"campaigns":                "Only 5 requests per second allowed.",
		"typifications":            "Only one request per second allowed.",
		"variables":                "Only one request per second allowed.",
		"ticket_field_definitions": "Only 60 requests per minute allowed.",
		"roles":                    "Only one request per second allowed.",
		"whatsapp_accounts":        "Only one request per second allowed.",
		"contacts":                 "Only 3 requests per second allowed.",
		"agents":                   "Only 200 requests per second allowed.",
		"channels":                 "Only one request per second allowed.",
		"intents":                  "Only one request per second allowed.",
		"whatsapp_templates":       "Only one request per second allowed.",
	}
	s := newTest(t, Config{Seed: 5, RateLimits: true})
	for _, e := range Endpoints {
		if !Emptiable(e.Name) {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			var limited *resp
			// twice the rate: the bucket refills while the requests run
			for range 2*int(e.Rate) + 5 {
				if r := get(t, s, e.Path, s.Token()); r.status == 429 {
					limited = &r
					break
				}
			}
			if limited == nil {
				t.Fatalf("%v requests at once, none limited", 2*int(e.Rate)+5)
			}
			if diff := cmp.Diff(errBody("TOO_MANY_REQUESTS", "rate-limit", spec[e.Name]), canonJSON(t, limited.body)); diff != "" {
				t.Errorf("429 body (-want +got):\n%s", diff)
			}
		})
	}
}

// Quirks.Empty that names a row it cannot empty is a typo, not a no-op.
func TestEmptyUnknownEndpoint(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("no panic")
		}
	}()
	NewHandler(Config{Quirks: Quirks{Empty: map[string]bool{"chats": true}}})
}
