package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	for _, args := range [][]string{{"-fault-kinds", "boom"}, {"-scale", "0"}, {"-now", "yesterday"}, {"extra"}} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, &out, &errb); err == nil || out.Len() != 0 {
			t.Errorf("%v: err %v, stdout %q", args, err, out.String())
		}
	}
	_ = fakebotmaker.DefaultToken
}
