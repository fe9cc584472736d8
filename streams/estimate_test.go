package streams_test

import (
	"context"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// A sync over several windows tells Airbyte how many records to expect after
// each window but the last, extrapolated from the windows done so far.
func TestWindowEstimates(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 5, HistoryDays: 89, Counts: fakebotmaker.Counts{"messages": 3000}})
	defer srv.Close()
	s, _ := streams.Lookup("messages")
	sink := &memSink{}
	start := srv.Now().Add(-89 * 24 * time.Hour)
	if err := s.Read(context.Background(), env(t, srv.URL(), sink, streams.Options{StartDate: start, LongTermSearch: true, Lookback: time.Hour}), true, nil); err != nil {
		t.Fatal(err)
	}
	if len(sink.est) != 2 { // 89 days: three windows of at most 30 days
		t.Fatalf("estimates %v, want 2", sink.est)
	}
	n := int64(len(sink.records))
	for _, e := range sink.est {
		if e <= 0 || e > 3*n {
			t.Errorf("estimate %d for %d records", e, n)
		}
	}
}

// Every ESTIMATE carries a byte_estimate once a record has been written,
// and it is the estimated rows times a record size seen so far: between
// the smallest and the largest record written before it. Where the rows
// are Botmaker's own total (tickets), the bytes land near what the read
// then writes.
func TestEstimateBytes(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 7, HistoryDays: 89, Counts: fakebotmaker.Counts{
		"messages": 3000, "tickets": 1200, "whatsapp_billed_conversations": 900}})
	defer srv.Close()
	start := srv.Now().Add(-89 * 24 * time.Hour)
	tests := []struct {
		stream string
		total  bool // the rows are the endpoint's total
	}{
		{"messages", false},                      // a window walk's extrapolation
		{"tickets", true},                        // Botmaker's total
		{"whatsapp_billed_conversations", false}, // a month walk's extrapolation
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			s, _ := streams.Lookup(tt.stream)
			sink := &memSink{}
			if err := s.Read(context.Background(), env(t, srv.URL(), sink, streams.Options{StartDate: start, LongTermSearch: true, Lookback: time.Hour}), true, nil); err != nil {
				t.Fatal(err)
			}
			if len(sink.estSent) == 0 {
				t.Fatal("no estimate")
			}
			var total int64
			for _, r := range sink.records {
				total += int64(len(r))
			}
			if last := sink.estSent[len(sink.estSent)-1]; last.bytes == 0 {
				t.Errorf("the last estimate (%d rows after %d records) has no byte_estimate", last.rows, last.before)
			}
			for _, e := range sink.estSent {
				if e.before == 0 {
					if e.bytes != 0 {
						t.Errorf("byte_estimate %d before any record was written", e.bytes)
					}
					continue
				}
				lo, hi := int64(len(sink.records[0])), int64(0)
				for _, r := range sink.records[:e.before] {
					lo, hi = min(lo, int64(len(r))), max(hi, int64(len(r)))
				}
				if e.bytes < e.rows*lo || e.bytes > e.rows*hi {
					t.Errorf("byte_estimate %d for %d rows, want %d records of %d to %d bytes", e.bytes, e.rows, e.rows, lo, hi)
				}
				if tt.total {
					if d := float64(e.bytes-total) / float64(total); d < -0.2 || d > 0.2 {
						t.Errorf("byte_estimate %d, %d written (%+.0f%%)", e.bytes, total, 100*d)
					}
				}
			}
		})
	}
}
