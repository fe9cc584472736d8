package fakebotmaker

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func newTest(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Now.IsZero() {
		cfg.Now = testNow
	}
	s := New(cfg)
	t.Cleanup(s.Close)
	return s
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// get fetches a path relative to s.URL() (or an absolute URL) with the
// given access-token header value ("" = no header).
func get(t testing.TB, s *Server, pathOrURL, token string) resp {
	t.Helper()
	u := pathOrURL
	if !strings.HasPrefix(u, "http") {
		u = s.URL() + pathOrURL
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("access-token", token)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{r.StatusCode, r.Header, b}
}

func getOK(t testing.TB, s *Server, path string) map[string]any {
	t.Helper()
	r := get(t, s, path, s.Token())
	if r.status != 200 {
		t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
	}
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

func items(v map[string]any) []map[string]any {
	raw, ok := v["items"].([]any)
	if !ok {
		raw, _ = v["tickets"].([]any)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

// itemID extracts the id of an item of an endpoint, at its row's ID path.
func itemID(endpoint string, it map[string]any) string {
	e, _ := Lookup(endpoint)
	var parts []string
	for _, p := range e.IDPaths() {
		path := strings.Split(p, ".")
		m := it
		for _, k := range path[:len(path)-1] {
			m = m[k].(map[string]any)
		}
		parts = append(parts, m[path[len(path)-1]].(string))
	}
	return JoinID(parts...)
}

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// walk lists path (with query) and follows nextPage to the end, returning
// all items and the number of pages.
func walk(t testing.TB, s *Server, endpoint, query string) ([]map[string]any, int) {
	t.Helper()
	var all []map[string]any
	if req := endpointIndex[endpoint].Required; len(req) > 0 {
		v, _ := url.ParseQuery(query)
		for k, vs := range req {
			if !v.Has(k) {
				v[k] = vs
			}
		}
		query = v.Encode()
	}
	next := endpointIndex[endpoint].Path + "?" + query
	pages := 0
	for next != "" {
		v := getOK(t, s, next)
		pages++
		all = append(all, items(v)...)
		np, _ := v["nextPage"].(string)
		switch {
		case np == "":
			next = ""
		case endpointIndex[endpoint].Paging == NextToken:
			next = endpointIndex[endpoint].Path + "?" + q(endpointIndex[endpoint].TokenParam, np)
		default:
			if !strings.HasPrefix(np, s.URL()+endpointIndex[endpoint].Path+"?") {
				t.Fatalf("nextPage %q is not an absolute URL on the same server", np)
			}
			next = np
		}
		if pages > 10000 {
			t.Fatal("too many pages")
		}
	}
	return all, pages
}

func ids(endpoint string, its []map[string]any) []string {
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = itemID(endpoint, it)
	}
	return out
}

// walkChunks walks [from, to) in chunks of at most 30 days.
func walkChunks(t testing.TB, s *Server, endpoint string, from, to time.Time, extra ...string) []string {
	t.Helper()
	var out []string
	for a := from; a.Before(to); a = a.Add(30 * 24 * time.Hour) {
		b := a.Add(30 * 24 * time.Hour)
		if b.After(to) {
			b = to
		}
		its, _ := walk(t, s, endpoint, q(append([]string{"from", ts(a), "to", ts(b)}, extra...)...))
		out = append(out, ids(endpoint, its)...)
	}
	return out
}

func errBody(typ, source, msg string) string {
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"type": typ, "source": source, "message": msg}}})
	return string(b)
}

// canonJSON re-encodes a JSON document with sorted keys for comparison.
func canonJSON(t testing.TB, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
