package streams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// stepClock is a clock a test moves: every record written adds perRecord,
// so a read of n records "takes" n*perRecord without the test waiting.
type stepClock struct {
	mu        sync.Mutex
	t         time.Time
	perRecord time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// clockSink is a memSink that moves the clock with every record.
type clockSink struct {
	memSink
	clock *stepClock
}

func (s *clockSink) Record(stream string, d []byte, nulled []string) error {
	s.clock.mu.Lock()
	s.clock.t = s.clock.t.Add(s.clock.perRecord)
	s.clock.mu.Unlock()
	return s.memSink.Record(stream, d, nulled)
}

// pageMarks is a Fetcher that notes, at every request, how many records
// the sink holds: the page boundaries, in records.
type pageMarks struct {
	streams.Fetcher
	sink  *clockSink
	marks []int
}

func (p *pageMarks) Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	p.marks = append(p.marks, len(p.sink.records))
	return p.Fetcher.Get(ctx, endpoint, u)
}

// longestPage is the most records written between two requests.
func (p *pageMarks) longestPage(total int) int {
	most, prev := 0, 0
	for _, m := range append(p.marks, total) {
		most, prev = max(most, m-prev), m
	}
	return most
}

// TestProgressLines: a stream that runs longer than progressEvery logs one
// INFO line about every 30 seconds, with its records so far and, where the
// walk has a range, where it is in it, and sends an ESTIMATE with each;
// one strategy of each kind (windows, an offset walk newest first, months,
// a full refresh).
func TestProgressLines(t *testing.T) {
	const perRecord = 100 * time.Millisecond // 300 records make 30 s
	day := `\d{4}-\d\d-\d\d`
	stamp := day + `T\d\d:\d\d:\d\dZ`
	withRange := regexp.MustCompile(`^stream (\w+): ([\d,]+) records so far, at (` + stamp + `) of (` + day + `)\.\.(` + day + `)$`)
	bare := regexp.MustCompile(`^stream (\w+): ([\d,]+) records so far$`)
	tests := []struct {
		stream    string
		n         int
		incr      bool
		wantRange bool
	}{
		{"messages", 3000, true, true},
		{"tickets", 3000, true, true},
		{"whatsapp_billed_conversations", 3000, true, true},
		{"intents", 3000, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Seed: 3, HistoryDays: 80, Counts: fakebotmaker.Counts{tt.stream: tt.n}})
			defer srv.Close()
			s, _ := streams.Lookup(tt.stream)
			clock := &stepClock{t: srv.Now(), perRecord: perRecord}
			sink := &clockSink{clock: clock}
			var logs bytes.Buffer
			e := env(t, srv.URL(), sink, streams.Options{StartDate: srv.Now().AddDate(0, 0, -81), LongTermSearch: true, Lookback: time.Hour})
			e.Now, e.Log = clock.Now, zerolog.New(&logs).Level(zerolog.InfoLevel)
			pages := &pageMarks{Fetcher: e.Fetch, sink: sink}
			e.Fetch = pages
			if err := s.Read(context.Background(), e, tt.incr, nil); err != nil {
				t.Fatal(err)
			}
			total := len(sink.records)
			if total < 2*300 {
				t.Fatalf("only %d records: the test needs a read longer than a minute", total)
			}
			var counts []int
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var ev struct{ Level, Message string }
				_ = json.Unmarshal([]byte(line), &ev)
				if !strings.Contains(ev.Message, "records so far") {
					continue
				}
				if ev.Level != "info" {
					t.Errorf("progress at %s, want info: %s", ev.Level, ev.Message)
				}
				m := bare.FindStringSubmatch(ev.Message)
				if tt.wantRange {
					m = withRange.FindStringSubmatch(ev.Message)
				}
				if m == nil || m[1] != tt.stream {
					t.Fatalf("progress line has the wrong shape: %q", ev.Message)
				}
				if testing.Verbose() {
					t.Log(ev.Message)
				}
				n, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
				counts = append(counts, n)
				if tt.wantRange && (m[3] < m[4] || m[3] > m[5]+"T99") {
					t.Errorf("position %s outside its range %s..%s", m[3], m[4], m[5])
				}
			}
			// About every 30 s: never sooner, and at most a page later (a
			// line is due at the end of a page).
			if len(counts) == 0 {
				t.Fatalf("no progress line in a read of %s", time.Duration(total)*perRecord)
			}
			slack := time.Duration(pages.longestPage(total)) * perRecord
			prev := 0
			for _, n := range append(counts, total) {
				gap := time.Duration(n-prev) * perRecord
				if n < total && gap < 30*time.Second {
					t.Errorf("progress lines %s apart (records %d then %d), want at least 30s", gap, prev, n)
				}
				if gap > 30*time.Second+slack {
					t.Errorf("%s without a progress line (records %d to %d), want at most 30s and a page (%s)", gap, prev, n, slack)
				}
				prev = n
			}
			if len(sink.est) < len(counts) {
				t.Errorf("%d estimates for %d progress lines, want one with each", len(sink.est), len(counts))
			}
			for _, est := range sink.est {
				if est <= 0 || est > int64(3*total) {
					t.Errorf("estimate %d for %d records", est, total)
				}
			}
		})
	}
}

// TestNoProgressOnAShortRead: a read shorter than 30 s logs no progress.
func TestNoProgressOnAShortRead(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 3, HistoryDays: 20, Counts: fakebotmaker.Counts{"messages": 200}})
	defer srv.Close()
	s, _ := streams.Lookup("messages")
	clock := &stepClock{t: srv.Now(), perRecord: 100 * time.Millisecond}
	sink := &clockSink{clock: clock}
	var logs bytes.Buffer
	e := env(t, srv.URL(), sink, streams.Options{StartDate: srv.Now().AddDate(0, 0, -21), LongTermSearch: true})
	e.Now, e.Log = clock.Now, zerolog.New(&logs)
	if err := s.Read(context.Background(), e, true, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "records so far") {
		t.Errorf("a read of %d records (%s) logged progress:\n%s", len(sink.records), time.Duration(len(sink.records))*100*time.Millisecond, logs.String())
	}
}
