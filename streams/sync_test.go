package streams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// Helpers shared by the read tests: a fake Botmaker API whose clock is
// also the connector's, and in-process reads against it.

// windowed are the incremental streams, by name.
var windowed = streamsWhere((*streams.Stream).Incremental)

// recentOnly are the streams Botmaker serves only recent days of without
// long-term search.
var recentOnly = streamsWhere(func(s *streams.Stream) bool { return s.Recent > 0 && s.LongTermSearch })

// capped are the streams Botmaker serves only recent days of, with no
// long-term search to reach further (notifications).
var capped = streamsWhere(func(s *streams.Stream) bool { return s.Recent > 0 && !s.LongTermSearch })

// streamsWhere names the registered streams f keeps, in name order.
func streamsWhere(f func(*streams.Stream) bool) []string {
	var out []string
	for _, s := range streams.All() {
		if f(s) {
			out = append(out, s.Name)
		}
	}
	return out
}

type fixture struct {
	t     *testing.T
	srv   *fakebotmaker.Server
	dir   string
	start time.Time     // start_date: a day before the fake's oldest item
	ahead time.Duration // how far the connector's clock runs ahead of the fake's
}

func newFixture(t *testing.T, cfg fakebotmaker.Config) *fixture {
	t.Helper()
	if cfg.HistoryDays == 0 {
		cfg.HistoryDays = 90
	}
	if cfg.Seed == 0 {
		cfg.Seed = 11
	}
	srv := fakebotmaker.New(cfg)
	t.Cleanup(srv.Close)
	start := srv.Now().UTC().Truncate(time.Second).AddDate(0, 0, -cfg.HistoryDays-1)
	return &fixture{t: t, srv: srv, dir: t.TempDir(), start: start}
}

// read runs one read of the named streams (every windowed stream when none)
// with config options opts on top of synctest.Config (long_term_search
// true) and state (nil for none).
func (f *fixture) read(opts map[string]any, incremental bool, state []byte, names ...string) *synctest.Output {
	f.t.Helper()
	if len(names) == 0 {
		names = windowed
	}
	rt := synctest.Runtime()
	rt.Now = func() time.Time { return f.srv.Now().Add(f.ahead) }
	cfg := synctest.File(f.t, f.dir, "config.json", synctest.Config(f.srv, f.start, opts))
	cat := synctest.File(f.t, f.dir, "catalog.json", synctest.Catalog(incremental, names...))
	args := []string{"read", "--config", cfg, "--catalog", cat}
	if state != nil {
		args = append(args, "--state", synctest.File(f.t, f.dir, "state.json", state))
	}
	return synctest.Run(f.t, context.Background(), rt, args...)
}

// mustRead is read that fails the test unless every stream completes.
func (f *fixture) mustRead(opts map[string]any, incremental bool, state []byte, names ...string) *synctest.Output {
	f.t.Helper()
	o := f.read(opts, incremental, state, names...)
	if o.Code != 0 || len(o.Errors) > 0 {
		f.t.Fatalf("read exited %d with errors %+v; logs %+v", o.Code, o.Errors, o.Logs)
	}
	return o
}

// ids are the primary keys of a stream's records, in order.
func ids(o *synctest.Output, stream string) []string {
	s, _ := streams.Lookup(stream)
	return o.IDs(stream, s.PrimaryKey...)
}

func set(xs ...[]string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		for _, v := range x {
			m[v] = true
		}
	}
	return m
}

// missing lists the wanted ids absent from got, at most a few.
func missing(want []string, got map[string]bool) []string {
	var out []string
	for _, id := range want {
		if !got[id] {
			out = append(out, id)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("... (%d in all)", len(out)))
	}
	return out
}

// sameSet reports how got and want differ as sets.
func sameSet(got, want []string) string {
	g, w := set(got), set(want)
	var extra []string
	for id := range g {
		if !w[id] {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	if len(extra) > 5 {
		extra = append(extra[:5], fmt.Sprintf("... (%d in all)", len(extra)))
	}
	if m := missing(want, g); len(m) > 0 || len(extra) > 0 {
		return fmt.Sprintf("%d records, want %d: missing %v, unexpected %v", len(g), len(w), m, extra)
	}
	return ""
}

func dups(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if seen[x] {
			out = append(out, x)
		}
		seen[x] = true
	}
	return out
}

// stateOf decodes a STATE message's stream_state.
type stateOf struct {
	Cursor  string
	Pending []struct{ From, To string }
	// Open is the open records tracked one by one (sessions,
	// agent_metrics).
	Open []struct {
		ID           string `json:"id"`
		CreationTime string `json:"creationTime"`
		MissingSince string `json:"missing_since"`
	}
	raw map[string]json.RawMessage
}

func decodeState(t *testing.T, st airbyte.State) stateOf {
	t.Helper()
	name := st.Stream.StreamDescriptor.Name
	s, _ := streams.Lookup(name)
	var out stateOf
	if err := json.Unmarshal(st.Stream.StreamState, &out.raw); err != nil {
		t.Fatalf("%s state %s: %v", name, st.Stream.StreamState, err)
	}
	if err := json.Unmarshal(out.raw[s.Cursor], &out.Cursor); err != nil {
		t.Fatalf("%s state %s has no %s", name, st.Stream.StreamState, s.Cursor)
	}
	if p, ok := out.raw["open_sessions"]; ok {
		if err := json.Unmarshal(p, &out.Open); err != nil {
			t.Fatalf("%s state %s: %v", name, st.Stream.StreamState, err)
		}
	}
	if p, ok := out.raw["pending_backfill"]; ok {
		if err := json.Unmarshal(p, &out.Pending); err != nil {
			t.Fatalf("%s state %s: %v", name, st.Stream.StreamState, err)
		}
	}
	return out
}

// openIDs are the ids a state tracks open.
func (s stateOf) openIDs() []string {
	var out []string
	for _, e := range s.Open {
		out = append(out, e.ID)
	}
	return out
}

func finalState(t *testing.T, o *synctest.Output, stream string) stateOf {
	t.Helper()
	st := o.States[stream]
	if len(st) == 0 {
		t.Fatalf("%s: no STATE", stream)
	}
	return decodeState(t, st[len(st)-1])
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%v: %.300s", err, data)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := streams.ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sessionStart is the start time a session id carries ("<chatId>_<time>").
func sessionStart(t *testing.T, id string) time.Time {
	t.Helper()
	i := strings.LastIndexByte(id, '_')
	if i < 0 {
		t.Fatalf("session id %q has no start time", id)
	}
	return mustTime(t, id[i+1:])
}

// request is a first-page request of an endpoint (later pages follow
// nextPage and carry the same window).
type request struct {
	fakebotmaker.Request
	from, to time.Time
}

func firstPages(t *testing.T, srv *fakebotmaker.Server, stream string) []request {
	t.Helper()
	var out []request
	for _, r := range srv.Requests() {
		if r.Endpoint != stream || r.Query.Get("page") != "" {
			continue
		}
		rq := request{Request: r}
		if v := r.Query.Get("from"); v != "" {
			rq.from = mustTime(t, v)
		}
		if v := r.Query.Get("to"); v != "" {
			rq.to = mustTime(t, v)
		}
		out = append(out, rq)
	}
	return out
}

// isProbe tells an unsettled stream's probe (open sessions included) from
// the listing the records come from: the probe's query holds the stream's
// Unsettled.Probe values.
func isProbe(r request) bool {
	s, ok := streams.Lookup(r.Endpoint)
	if !ok || s.Unsettled == nil {
		return false
	}
	for k, v := range s.Unsettled.Probe {
		if r.Query.Get(k) != v[0] {
			return false
		}
	}
	return true
}

func stateFile(msgs ...airbyte.State) []byte {
	b, _ := json.Marshal(msgs)
	return b
}

func streamState(name string, state any) airbyte.State {
	raw, ok := state.(string)
	if !ok {
		b, _ := json.Marshal(state)
		raw = string(b)
	}
	return airbyte.State{Type: airbyte.StateStream, Stream: &airbyte.StreamState{StreamDescriptor: airbyte.StreamDescriptor{Name: name}, StreamState: json.RawMessage(raw)}}
}

// withoutLastDeep removes last_deep_lookback from the named streams (all
// when none is named) of a state file, making their states as written
// before the key existed.
func withoutLastDeep(t *testing.T, state []byte, names ...string) []byte {
	t.Helper()
	var msgs []airbyte.State
	mustUnmarshal(t, state, &msgs)
	for i, m := range msgs {
		if len(names) > 0 && !slices.Contains(names, m.Stream.StreamDescriptor.Name) {
			continue
		}
		var st map[string]json.RawMessage
		mustUnmarshal(t, m.Stream.StreamState, &st)
		delete(st, "last_deep_lookback")
		b, _ := json.Marshal(st)
		msgs[i].Stream.StreamState = b
	}
	return stateFile(msgs...)
}
