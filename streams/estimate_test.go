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
