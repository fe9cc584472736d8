package streams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// memSink collects what a stream writes.
type memSink struct {
	records []json.RawMessage
	states  []string
	est     []int64     // the estimates' rows
	estSent []estimated // each estimate in full, with what was written before it
}

// estimated is one Estimate call and the records written before it.
type estimated struct {
	rows, bytes int64
	before      int // records written before it (memSink.records[:before])
}

func (m *memSink) Record(_ string, d []byte, _ []string) error {
	m.records = append(m.records, append(json.RawMessage(nil), d...))
	return nil
}
func (m *memSink) State(_ string, s json.RawMessage) error {
	m.states = append(m.states, string(s))
	return nil
}
func (m *memSink) Estimate(_ string, rows, bytes int64) error {
	m.est = append(m.est, rows)
	m.estSent = append(m.estSent, estimated{rows, bytes, len(m.records)})
	return nil
}

func quickSettings() botmaker.Settings {
	s := botmaker.DefaultSettings
	s.RetryWaitMin, s.RetryWaitMax, s.MaxAttempts = time.Millisecond, 5*time.Millisecond, 3
	return s
}

func env(t *testing.T, base string, sink streams.Sink, opts streams.Options) streams.Env {
	t.Helper()
	cl, err := botmaker.New(base, fakebotmaker.DefaultToken, quickSettings(), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return streams.Env{Fetch: cl, Sink: sink, Log: zerolog.Nop(), Opts: opts, Now: time.Now}
}

// reqLine renders a logged request with its opaque paging parameter values
// replaced, so expectations name the parameters without the fake's encoding.
func reqLine(r fakebotmaker.Request, opaque ...string) string {
	q := r.Query
	for _, k := range opaque {
		if q.Has(k) {
			q.Set(k, "<token>")
		}
	}
	s, _ := url.QueryUnescape(q.Encode())
	return r.Path + "?" + s
}

// The full-refresh streams page through the fake exactly as Botmaker
// expects, each as its row in the fake's table says: one request for a
// single page; for a paged one the first page, a middle one and the last
// (two full pages and one item), each later request carrying the previous
// page's token. An account with none of a catalogue's items (Quirks.Empty)
// is one request and no records, and a bare response is read both as the
// list real accounts get and as the one object the SPEC declares.
func TestCatalogueStreamsPaging(t *testing.T) {
	type sync struct {
		name   string
		quirks fakebotmaker.Quirks
		n      int // items the fake generates
	}
	for _, s := range streams.All() {
		if s.Incremental() {
			continue
		}
		e, _ := fakebotmaker.Lookup(s.Name)
		n := 5
		if e.PageSize > 0 {
			n = 2*e.PageSize + 1
		}
		syncs := []sync{{"full", fakebotmaker.Quirks{}, n}}
		if fakebotmaker.Emptiable(s.Name) {
			syncs = append(syncs, sync{"empty", fakebotmaker.Quirks{Empty: map[string]bool{s.Name: true}}, n})
		}
		if e.ItemsKey == "" {
			syncs = append(syncs, sync{"one object", fakebotmaker.Quirks{BareObject: true}, n})
		}
		for _, sy := range syncs {
			t.Run(s.Name+"/"+sy.name, func(t *testing.T) {
				srv := fakebotmaker.New(fakebotmaker.Config{Seed: 3, Counts: fakebotmaker.Counts{s.Name: sy.n}, Quirks: sy.quirks})
				defer srv.Close()
				want := srv.IDs(s.Name, time.Time{}, time.Time{})
				param := e.TokenParam
				if param == "" {
					param = "page" // the fake's nextPage URLs carry their token as page
				}
				wantReqs := []string{"/v2.0" + e.Path + "?"}
				if e.PageSize > 0 {
					for range (len(want) - 1) / e.PageSize {
						wantReqs = append(wantReqs, "/v2.0"+e.Path+"?"+param+"=<token>")
					}
				}
				sink := &memSink{}
				if err := s.Read(context.Background(), env(t, srv.URL(), sink, streams.Options{}), false, nil); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range srv.Requests() {
					if !r.TokenOK || r.Status != http.StatusOK {
						t.Errorf("request %s: status %d token ok %v", r.Path, r.Status, r.TokenOK)
					}
					got = append(got, reqLine(r, param))
				}
				if diff := cmp.Diff(wantReqs, got); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
				var gotIDs []string
				for _, r := range sink.records {
					var rec map[string]any
					if err := json.Unmarshal(r, &rec); err != nil {
						t.Fatal(err)
					}
					var parts []string
					for _, k := range s.PrimaryKey {
						v, _ := rec[k].(string)
						parts = append(parts, v)
					}
					gotIDs = append(gotIDs, strings.Join(parts, fakebotmaker.KeySep))
				}
				if diff := cmp.Diff(want, gotIDs, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("records' keys (-fake +read):\n%s", diff)
				}
				switch {
				case sy.name == "empty" && len(want) != 0, sy.name == "one object" && len(want) != 1, sy.name == "full" && len(want) != sy.n:
					t.Errorf("the fake lists %d items", len(want))
				}
				// A paged catalogue stream checkpoints the page it reached
				// after each page but the last, then says it is complete.
				wantStates := []string{`{"__ab_no_cursor_state_message":true}`}
				if s.Resumable() {
					wantStates = []string{`{"__ab_full_refresh_sync_complete":true}`}
					for range len(wantReqs) - 1 {
						wantStates = append([]string{`{"next_page":"<token>"}`}, wantStates...)
					}
				}
				var gotStates []string
				for _, st := range sink.states {
					if strings.HasPrefix(st, `{"next_page":"`) {
						st = `{"next_page":"<token>"}`
					}
					gotStates = append(gotStates, st)
				}
				if diff := cmp.Diff(wantStates, gotStates); diff != "" {
					t.Error(diff)
				}
			})
		}
	}
}

// A nextPage link to another host or scheme is refused and never requested,
// so the access token cannot leave the configured host.
func TestForeignNextPageRefused(t *testing.T) {
	for _, next := range []string{"http://evil.example.com/v2.0/agents?page=2", "https://%s/v2.0/agents?page=2", "//evil.example.com/x"} {
		t.Run(next, func(t *testing.T) {
			var hits []string
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits = append(hits, r.Host+r.URL.String())
				n := next
				if strings.Contains(n, "%s") {
					n = fmt.Sprintf(n, strings.TrimPrefix(srv.URL, "http://"))
				}
				fmt.Fprintf(w, `{"items":[{"id":"a"}],"nextPage":%q}`, n)
			}))
			defer srv.Close()
			s, _ := streams.Lookup("agents")
			sink := &memSink{}
			err := s.Read(context.Background(), env(t, srv.URL+"/v2.0", sink, streams.Options{}), false, nil)
			if err == nil || !strings.Contains(err.Error(), "refusing to follow it") {
				t.Fatalf("err = %v", err)
			}
			if len(hits) != 1 {
				t.Errorf("requests: %v", hits)
			}
			// The page reached is checkpointed before it is asked for; a
			// next attempt given it is refused the same way.
			if len(sink.records) != 1 || len(sink.states) != 1 || !strings.HasPrefix(sink.states[0], `{"next_page":`) {
				t.Errorf("records %d states %v", len(sink.records), sink.states)
			}
		})
	}
}

// /contacts' nextPage is a token or, as reported of Botmaker, the whole
// next URL; a URL outside base_url's origin (host, scheme, user info) is
// refused before anything is sent there.
func TestContactsNextPageTokenOrURL(t *testing.T) {
	tests := []struct {
		name, next string // %s is the server's host:port
		refused    bool
	}{
		{"token", "tok/2+=", false},
		{"same-origin URL", "http://%s/v2.0/contacts?next-page-token=tok%%2F2%%2B%%3D", false},
		{"same-origin URL, scheme in capitals", "HTTP://%s/v2.0/contacts?next-page-token=tok%%2F2%%2B%%3D", false},
		{"another host", "http://evil.example.com/v2.0/contacts?next-page-token=tok%2F2%2B%3D", true},
		{"another scheme", "https://%s/v2.0/contacts?next-page-token=tok%%2F2%%2B%%3D", true},
		{"user info", "http://u:p@%s/v2.0/contacts?next-page-token=tok%%2F2%%2B%%3D", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits []string
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits = append(hits, r.URL.String())
				if r.URL.Query().Get("next-page-token") == "tok/2+=" {
					fmt.Fprint(w, `{"items":[{"id":"b"}],"nextPage":null}`)
					return
				}
				n := tt.next
				if strings.Contains(n, "%s") {
					n = fmt.Sprintf(n, strings.TrimPrefix(srv.URL, "http://"))
				}
				fmt.Fprintf(w, `{"items":[{"id":"a"}],"nextPage":%q}`, n)
			}))
			defer srv.Close()
			s, _ := streams.Lookup("contacts")
			sink := &memSink{}
			err := s.Read(context.Background(), env(t, srv.URL+"/v2.0", sink, streams.Options{}), false, nil)
			if tt.refused {
				if err == nil || !strings.Contains(err.Error(), "refusing to follow it") || len(hits) != 1 {
					t.Fatalf("err = %v after requests %v, want a refusal after one", err, hits)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range sink.records {
				var c struct{ ID string }
				_ = json.Unmarshal(r, &c)
				ids = append(ids, c.ID)
			}
			if diff := cmp.Diff([]string{"a", "b"}, ids); diff != "" || len(hits) != 2 {
				t.Errorf("records (-want +got):\n%s\nrequests %v", diff, hits)
			}
		})
	}
}

// Cursors with and without fractional seconds, mixed in one listing, are
// compared as times: a bookmark with a fraction filters in whole seconds
// (Botmaker's filters take no fraction), keeps every record after it
// whatever its precision, and moves to the newest one.
func TestMixedPrecisionCursors(t *testing.T) {
	items := []string{
		`{"id":"a","creationDatetime":"2025-06-01T10:00:00Z"}`,
		`{"id":"b","creationDatetime":"2025-06-01T10:00:00.400Z"}`,
		`{"id":"c","creationDatetime":"2025-06-01T10:00:00.6Z"}`,
		`{"id":"d","creationDatetime":"2025-06-01T10:00:01Z"}`,
		`{"id":"e","creationDatetime":"2025-06-01T10:00:01.250000Z"}`,
		`{"id":"f","creationDatetime":"2025-06-01T10:00:02Z"}`,
	}
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, q.Get("from")+" "+q.Get("to"))
		from, err1 := time.Parse(time.RFC3339, q.Get("from"))
		to, err2 := time.Parse(time.RFC3339, q.Get("to"))
		if err1 != nil || err2 != nil || strings.Contains(q.Get("from")+q.Get("to"), ".") {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"errors":[{"type":"INVALID_DATETIME","message":"expected whole seconds"}]}`)
			return
		}
		var page []string
		for _, it := range items {
			var c struct{ CreationDatetime string }
			_ = json.Unmarshal([]byte(it), &c)
			ts, _ := time.Parse(time.RFC3339Nano, c.CreationDatetime)
			if ts.After(from) && ts.Before(to) {
				page = append(page, it)
			}
		}
		fmt.Fprintf(w, `{"items":[%s],"nextPage":null}`, strings.Join(page, ","))
	}))
	defer srv.Close()
	s, _ := streams.Lookup("calls")
	sink := &memSink{}
	e := env(t, srv.URL+"/v2.0", sink, streams.Options{StartDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), DeepEvery: 24 * time.Hour})
	e.Now = func() time.Time { return time.Date(2025, 6, 1, 10, 0, 3, 0, time.UTC) }
	state := `{"creationDatetime":"2025-06-01T10:00:00.500Z","last_deep_lookback":"2025-06-01T10:00:00Z"}`
	if err := s.Read(context.Background(), e, true, json.RawMessage(state)); err != nil {
		t.Fatalf("%v (requests %q)", err, queries)
	}
	var ids []string
	for _, r := range sink.records {
		var c struct{ ID string }
		_ = json.Unmarshal(r, &c)
		ids = append(ids, c.ID)
	}
	if diff := cmp.Diff([]string{"c", "d", "e", "f"}, ids); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2025-06-01T09:59:59Z 2025-06-01T10:00:03Z"}, queries); diff != "" {
		t.Errorf("from/to (-want +got):\n%s", diff)
	}
	if n := len(sink.states); n == 0 || !strings.Contains(sink.states[n-1], `"creationDatetime":"2025-06-01T10:00:02Z"`) {
		t.Errorf("states %q, want the bookmark at f", sink.states)
	}
}
