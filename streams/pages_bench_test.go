package streams

import (
	"io"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/connector/stdout"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// fakePage is one full /messages page (1,000 items, every 50th with a ~10 KB
// text) from the fake API, as the client hands it over.
func fakePage(tb testing.TB) ([]byte, *url.URL) {
	tb.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := fakebotmaker.NewHandler(fakebotmaker.Config{Now: now, HistoryDays: 30,
		Counts: fakebotmaker.Counts{"messages": 100_000}, LargeTextEvery: 50})
	q := url.Values{"from": {FormatTime(now.AddDate(0, 0, -30))}, "to": {FormatTime(now)}, "limit": {"1500"}, "long-term-search": {"true"}}
	u := &url.URL{Scheme: "http", Host: "fake", Path: "/v2.0/messages", RawQuery: q.Encode()}
	req := httptest.NewRequest("GET", u.String(), nil)
	req.Header.Set("access-token", fakebotmaker.DefaultToken)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("fake answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), u
}

// BenchmarkPage is the connector's CPU work for one page after the client
// has it: split it into items, transform each, write each RECORD line.
func BenchmarkPage(b *testing.B) {
	body, u := fakePage(b)
	s, _ := Lookup("messages")
	b.SetBytes(int64(len(body)))
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.parsePage(body, u); err != nil {
				b.Fatal(err)
			}
		}
	})
	p, err := s.parsePage(body, u)
	if err != nil {
		b.Fatal(err)
	}
	if len(p.items) != 1000 {
		b.Fatalf("%d items", len(p.items))
	}
	b.Run("transform", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			for _, it := range p.items {
				if buf, _, err = s.plan.transform(buf[:0], it, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		w := stdout.NewWriter(io.Discard)
		w.AddSecret(fakebotmaker.DefaultToken)
		var buf []byte
		for b.Loop() {
			p, err := s.parsePage(body, u)
			if err != nil {
				b.Fatal(err)
			}
			for _, it := range p.items {
				var cur string
				if buf, cur, err = s.plan.transform(buf[:0], it, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := ParseTime(cur); err != nil {
					b.Fatal(err)
				}
				if err := w.Record(s.Name, buf); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
