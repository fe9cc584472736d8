package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// TestDemo runs the demo end to end with a tiny fake dataset: both syncs
// must complete every stream, and the incremental sync must read less than
// the full one.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two rate-limited syncs of every stream")
	}
	statePath := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := run(ctx, options{
		Seed:       7,
		StateOut:   statePath,
		Counts:     fakebotmaker.Counts{"chats": 12, "messages": 60, "sessions": 20, "calls": 8, "contacts": 9, "agents": 3, "channels": 2, "intents": 4, "tickets": 10},
		RateLimits: true,
	}, &out)
	t.Logf("demo output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d syncs, want 2", len(results))
	}

	var names []string
	for _, s := range streams.All() {
		names = append(names, s.Name)
	}
	for i, r := range results {
		var got []string
		for _, s := range r.Streams {
			got = append(got, s.Name)
			if s.Status != "COMPLETE" {
				t.Errorf("sync %d: stream %s ended %q, want COMPLETE", i+1, s.Name, s.Status)
			}
			// The open billing months were read by sync 1, less than
			// billing_refresh_hours ago: sync 2 reads nothing for them.
			st, _ := streams.Lookup(s.Name)
			if cadenced := i > 0 && st.Window == streams.BillingPeriod; (s.Requests == 0) != cadenced {
				t.Errorf("sync %d: stream %s made %d requests", i+1, s.Name, s.Requests)
			}
		}
		if diff := cmp.Diff(names, got); diff != "" {
			t.Errorf("sync %d streams (-want +got):\n%s", i+1, diff)
		}
		if !strings.Contains(out.String(), r.Title) {
			t.Errorf("the output has no table titled %q", r.Title)
		}
	}
	for _, s := range results[0].Streams {
		if s.Records == 0 {
			t.Errorf("sync 1: stream %s synced no records", s.Name)
		}
	}
	// Every incremental stream of the registry got new activity between
	// the syncs and reads it in sync 2. AddAgentMetrics starts sessions as
	// AddSessions does, so sessions and agent_metrics read more than their
	// own share: at least, not exactly.
	added := map[string]int{}
	for _, a := range results[1].Added {
		added[a.Stream] = a.Items
	}
	for _, st := range streams.All() {
		if !st.Incremental() {
			continue
		}
		n, ok := added[st.Name]
		if !ok || n == 0 {
			t.Errorf("no new activity on incremental stream %s between the syncs", st.Name)
		}
		for _, s := range results[1].Streams {
			if s.Name != st.Name {
				continue
			}
			// Its open billing months are read again only once
			// billing_refresh_hours have passed: not in sync 2.
			if st.Window == streams.BillingPeriod {
				if s.New != 0 {
					t.Errorf("sync 2: stream %s counted %d new records, want none before its billing months are due", s.Name, s.New)
				}
				continue
			}
			if s.New == 0 || s.New < n {
				t.Errorf("sync 2: stream %s counted %d new records, want at least the %d added after sync 1", s.Name, s.New, n)
			}
		}
	}
	// The sessions sync 1 tracked open finished before sync 2: updated,
	// every one of them, and their agent_metrics rows.
	if results[1].Finished == 0 {
		t.Error("no session open at sync 1 finished before sync 2: the test proves nothing")
	}
	for _, s := range results[1].Streams {
		if s.Name == "sessions" && s.Updated != results[1].Finished || s.Name == "agent_metrics" && s.Updated == 0 {
			t.Errorf("sync 2: stream %s counted %d updated records; %d sessions tracked open finished", s.Name, s.Updated, results[1].Finished)
		}
	}
	for _, s := range results[1].Streams {
		if s.CursorField != "" && s.New+s.Updated+s.Reread != s.Records {
			t.Errorf("sync 2: stream %s: %d new + %d updated + %d re-read, but %d records", s.Name, s.New, s.Updated, s.Reread, s.Records)
		}
		// The demo's split is the connector's: read() reports any
		// difference as an error, which fails the run above.
		if st, _ := streams.Lookup(s.Name); st.Billing != streams.NotBilled && s.Billed == nil {
			t.Errorf("sync 2: no billed-traffic count for %s", s.Name)
		}
	}
	if strings.Contains(out.String(), "__ab_no_cursor_state_message") {
		t.Error("the output shows the protocol's no-cursor placeholder instead of a label")
	}
	if results[1].Records >= results[0].Records {
		t.Errorf("the incremental sync read %d records, the full sync %d: incremental should read less", results[1].Records, results[0].Records)
	}

	// The state file must be what the connector accepts as --state, with a
	// cursor for every incremental stream.
	raw, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := connector.ParseState(raw)
	if err != nil {
		t.Fatalf("the written state does not parse: %v\n%s", err, raw)
	}
	for _, s := range streams.All() {
		if !s.Incremental() {
			continue
		}
		var st map[string]any
		if err := json.Unmarshal(parsed[s.Name], &st); err != nil || st[s.Cursor] == nil {
			t.Errorf("state for %s = %s, want a %q cursor", s.Name, parsed[s.Name], s.Cursor)
		}
	}
}

func TestStateLabel(t *testing.T) {
	at := time.Date(2026, 11, 22, 21, 14, 21, 0, time.UTC)
	tests := []struct {
		s    streamResult
		want string
	}{
		{streamResult{}, "-"},
		{streamResult{Cursor: `{"__ab_no_cursor_state_message":true}`}, "none (full refresh keeps no cursor)"},
		{streamResult{Cursor: `{"creationTime":"2026-11-22T21:14:21Z"}`, CursorField: "creationTime", Bookmark: at}, "creationTime 2026-11-22T21:14:21Z"},
		{streamResult{Cursor: `{"creationTime":"2026-11-22T21:14:21Z","pending_backfill":[{"from":"a","to":"b"}]}`, CursorField: "creationTime", Bookmark: at}, "creationTime 2026-11-22T21:14:21Z + 1 pending backfill period(s)"},
		{streamResult{Cursor: `{"creationTime":"soon"}`, CursorField: "creationTime"}, `{"creationTime":"soon"}`},
	}
	for _, tt := range tests {
		if got := stateLabel(tt.s); got != tt.want {
			t.Errorf("stateLabel(%s) = %q, want %q", tt.s.Cursor, got, tt.want)
		}
	}
}

// TestBookmarks: the next sync starts from each stream's final cursor, even
// when it stayed behind records it read (more open sessions than the state
// tracks hold it back).
func TestBookmarks(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	r := syncResult{Streams: []streamResult{
		{Name: "messages", Bookmark: t0, Newest: t0.Add(-time.Minute)},
		{Name: "sessions", Bookmark: t0, Newest: t0.Add(72 * time.Hour)},
		{Name: "agents"},
	}}
	want := map[string]time.Time{"messages": t0, "sessions": t0}
	if diff := cmp.Diff(want, bookmarks(r)); diff != "" {
		t.Errorf("bookmarks (-want +got):\n%s", diff)
	}
}

// TestParseLine checks the demo rejects what Airbyte could not read.
func TestParseLine(t *testing.T) {
	cases := []struct {
		line string
		ok   bool
	}{
		{`{"type":"RECORD","record":{"stream":"chats","data":{"chat_id":"1"},"emitted_at":1}}`, true},
		{`{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"chats"}}}}`, true},
		{`{"type":"LOG","log":{"level":"INFO","message":"hi"}}`, true},
		{`not json`, false},
		{`{"type":"RECORD"}`, false},
		{`{"type":"RECORD","record":{"stream":"chats","data":[1],"emitted_at":1}}`, false},
		{`{"type":"NOPE"}`, false},
		{`{"type":"LOG","log":{"level":"INFO","message":"token ` + fakebotmaker.DefaultToken + `"}}`, false},
	}
	for _, c := range cases {
		_, err := parseLine([]byte(c.line))
		if (err == nil) != c.ok {
			t.Errorf("parseLine(%s) error = %v, want ok=%v", c.line, err, c.ok)
		}
	}
}
