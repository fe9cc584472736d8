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
	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// memSink collects what a stream writes.
type memSink struct {
	records []json.RawMessage
	states  []string
	est     []int64
}

func (m *memSink) Record(_ string, d []byte) error {
	m.records = append(m.records, append(json.RawMessage(nil), d...))
	return nil
}
func (m *memSink) State(_ string, s json.RawMessage) error {
	m.states = append(m.states, string(s))
	return nil
}
func (m *memSink) Estimate(_ string, n int64) error { m.est = append(m.est, n); return nil }

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

// The catalogue streams page through the fake exactly as Botmaker expects:
// contacts with next-page-token, agents and intents with nextPage URLs,
// channels in one request.
func TestCatalogueStreamsPaging(t *testing.T) {
	counts := fakebotmaker.Counts{"contacts": 250, "agents": 150, "channels": 5, "intents": 401}
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 3, Counts: counts})
	defer srv.Close()
	tests := []struct {
		stream string
		want   []string
		n      int
	}{
		{"contacts", []string{"/v2.0/contacts?", "/v2.0/contacts?next-page-token=<token>", "/v2.0/contacts?next-page-token=<token>"}, 250},
		{"agents", []string{"/v2.0/agents?", "/v2.0/agents?page=<token>"}, 150},
		{"channels", []string{"/v2.0/channels?"}, 5},
		{"intents", []string{"/v2.0/intents?", "/v2.0/intents?page=<token>", "/v2.0/intents?page=<token>"}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			srv.ResetRequests()
			s, _ := streams.Lookup(tt.stream)
			sink := &memSink{}
			if err := s.Read(context.Background(), env(t, srv.URL(), sink, streams.Options{}), false, nil); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range srv.Requests() {
				if !r.TokenOK || r.Status != http.StatusOK {
					t.Errorf("request %s: status %d token ok %v", r.Path, r.Status, r.TokenOK)
				}
				got = append(got, reqLine(r, "next-page-token", "page"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if len(sink.records) != tt.n || len(srv.IDs(tt.stream, time.Time{}, time.Time{})) != tt.n {
				t.Errorf("%d records, want %d", len(sink.records), tt.n)
			}
			if diff := cmp.Diff([]string{`{"__ab_no_cursor_state_message":true}`}, sink.states); diff != "" {
				t.Error(diff)
			}
		})
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
			if len(sink.records) != 1 || len(sink.states) != 0 {
				t.Errorf("records %d states %v", len(sink.records), sink.states)
			}
		})
	}
}
