package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// syncBuffer is a goroutine-safe stderr sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", "7", "-token", "T0K", "-scale", "0.1", "-messages", "1234", "-v"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading first line: %v (stderr %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	var addrs struct{ URL, Control string }
	if err := json.Unmarshal([]byte(line), &addrs); err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	if !strings.HasPrefix(addrs.URL, "http://127.0.0.1:") || !strings.HasSuffix(addrs.URL, "/v2.0") ||
		addrs.Control != strings.TrimSuffix(addrs.URL, "/v2.0")+"/_control" {
		t.Fatalf("line %q", line)
	}

	req, _ := http.NewRequest(http.MethodGet, addrs.URL+"/agents", nil)
	req.Header.Set("access-token", "T0K")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /agents: %d", res.StatusCode)
	}
	var totals []int
	for _, ep := range []string{"messages", "chats", "agents"} {
		res, err := http.Get(addrs.Control + "/total?endpoint=" + ep)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Total int }
		_ = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		totals = append(totals, v.Total)
	}
	if diff := cmp.Diff([]int{1234, 60, 4}, totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if logs := stderr.String(); strings.Contains(logs, "T0K") || !strings.Contains(logs, "path=/v2.0/agents") {
		t.Errorf("stderr:\n%s", logs)
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-fault-kinds", "boom"}, {"-scale", "0"}, {"-now", "yesterday"}, {"extra"}, {"-auth-fault", "sometimes"}, {"-token-expire-at", "soon"},
		{"-order", "messages=sideways"}, {"-order", "nowhere=newest"}, {"-paging", "messages"}, {"-paging", "calls=forever"}} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, &out, &errb); err == nil || out.Len() != 0 {
			t.Errorf("%v: err %v, stdout %q", args, err, out.String())
		}
	}
	_ = fakebotmaker.DefaultToken
}

// The credential flags reach the fake: the starting token dies after the
// given number of requests and the control endpoint shows the credentials.
func TestRunCredentialFlags(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-scale", "0.01", "-token", "T0K", "-client-id", "cid", "-secret-id", "sid", "-refresh-token", "rt", "-token-expire-after", "1"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	var addrs struct{ URL, Control string }
	_ = json.Unmarshal([]byte(line), &addrs)
	var statuses []int
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodGet, addrs.URL+"/agents", nil)
		req.Header.Set("access-token", "T0K")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
	}
	if diff := cmp.Diff([]int{200, 401}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	res, err := http.Get(addrs.Control + "/credentials")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	want := map[string]any{"clientId": "cid", "secretId": "sid", "accessToken": "T0K", "refreshToken": "rt", "refreshes": float64(0)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The quirk flags reach the fake's Quirks.
func TestQuirkFlags(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	qf := addQuirkFlags(fs)
	if err := fs.Parse([]string{"-lag", "72h", "-page-advance", "1m", "-order", "messages=newest, calls=shuffled", "-paging", "contacts=repeat,calls=empty", "-future-record", "-tickets-no-total", "-moving-edge", "-late-every", "20", "-late-by", "5h", "-offset-tokens", "-tickets-total-cap", "1000", "-straggler", "-stall"}); err != nil {
		t.Fatal(err)
	}
	got, err := qf.quirks()
	if err != nil {
		t.Fatal(err)
	}
	want := fakebotmaker.Quirks{
		Lag: 72 * time.Hour, PageAdvance: time.Minute,
		Order:        map[string]fakebotmaker.Order{"messages": fakebotmaker.NewestFirst, "calls": fakebotmaker.Shuffled},
		Paging:       map[string]fakebotmaker.PagingQuirk{"contacts": fakebotmaker.PageRepeat, "calls": fakebotmaker.PageEmptyForever},
		FutureRecord: true, TicketsNoTotal: true, MovingEdge: true,
		LateEvery: 20, LateBy: 5 * time.Hour,
		OffsetTokens: true, TicketsTotalCap: 1000, Straggler: true, Stall: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quirks (-want +got):\n%s", diff)
	}
}
