package integrationtests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/internal/cat"
	registry "github.com/source-botmaker/source-botmaker/streams"
)

// expectedPerStream is how many expected records each stream gets.
const expectedPerStream = 3

// The expected records of windowed streams come from the middle of the
// history: a read from start_date ~90 days back returns them whatever the
// clock, and none of them is still changing (open sessions are recent).
const (
	bandNewest = 5 * 24 * time.Hour
	bandOldest = 80 * 24 * time.Hour
)

func fixturePath(name string) string { return filepath.Join(".", name) }

// generated reads the fake at fixtureNow and returns the generated
// fixtures: configured_catalog.json and expected_records.jsonl.
func generated(t *testing.T) (catalog, expected []byte) {
	t.Helper()
	fake := startFake(t, fixtureNow)
	r, err := cat.NewRunner(&cat.Binary{Path: connectorBinary(t)}, repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	r.Files = map[string]string{cat.DefaultConfigPath: writeSecretsConfig(t, fake)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	streams, err := r.DiscoveredCatalog(ctx, cat.DefaultConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	catalog = configuredCatalog(t, streams)

	c := cat.CatalogFromDiscovered(streams, nil)
	out, err := r.Read(ctx, cat.DefaultConfigPath, c, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 0 {
		t.Fatalf("read exited %d: %s", out.ExitCode, out.Stderr)
	}
	byStream := map[string][]*cat.RecordMessage{}
	for _, rec := range out.Records() {
		byStream[rec.Stream] = append(byStream[rec.Stream], rec)
	}
	var buf bytes.Buffer
	for _, s := range streams {
		// Sorted by the whole primary key, composite or not.
		key := func(r *cat.RecordMessage) string {
			var parts []string
			for _, p := range s.SourceDefinedPrimaryKey {
				parts = append(parts, fmt.Sprint(r.Data[p[0]]))
			}
			return strings.Join(parts, "|")
		}
		var pick []*cat.RecordMessage
		for _, rec := range byStream[s.Name] {
			if len(s.DefaultCursorField) > 0 {
				v, _ := rec.Data[s.DefaultCursorField[0]].(string)
				ts, err := time.Parse(time.RFC3339Nano, v)
				if err != nil || ts.After(fixtureNow.Add(-bandNewest)) || ts.Before(fixtureNow.Add(-bandOldest)) {
					continue
				}
			}
			pick = append(pick, rec)
		}
		sort.Slice(pick, func(i, j int) bool { return key(pick[i]) < key(pick[j]) })
		if len(pick) > expectedPerStream {
			pick = pick[:expectedPerStream]
		}
		if len(pick) == 0 {
			// A stream Botmaker serves only so far back by the connector's
			// clock, with no long-term search (notifications), has nothing
			// in the fake's history at fixtureNow: the connector's clock is
			// the real one. CAT's read of it runs at the real clock too.
			if st, _ := registry.Lookup(s.Name); st != nil && st.Recent > 0 && !st.LongTermSearch {
				continue
			}
			t.Fatalf("stream %s has no record to expect", s.Name)
		}
		for _, rec := range pick {
			line, err := json.Marshal(map[string]any{"stream": rec.Stream, "data": rec.Data, "emitted_at": fixtureNow.UnixMilli()})
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(line)
			buf.WriteByte('\n')
		}
	}
	return catalog, buf.Bytes()
}

// configuredCatalog is the catalog full_refresh and incremental use: every
// stream, incremental where it can be.
func configuredCatalog(t *testing.T, streams []cat.Stream) []byte {
	t.Helper()
	type stream struct {
		Name                    string         `json:"name"`
		JSONSchema              map[string]any `json:"json_schema"`
		SupportedSyncModes      []string       `json:"supported_sync_modes"`
		SourceDefinedCursor     *bool          `json:"source_defined_cursor,omitempty"`
		DefaultCursorField      []string       `json:"default_cursor_field,omitempty"`
		SourceDefinedPrimaryKey [][]string     `json:"source_defined_primary_key,omitempty"`
	}
	type configured struct {
		Stream              stream     `json:"stream"`
		SyncMode            string     `json:"sync_mode"`
		CursorField         []string   `json:"cursor_field,omitempty"`
		DestinationSyncMode string     `json:"destination_sync_mode"`
		PrimaryKey          [][]string `json:"primary_key,omitempty"`
	}
	var out struct {
		Streams []configured `json:"streams"`
	}
	for _, s := range streams {
		c := configured{
			Stream:   stream{s.Name, s.JSONSchema, s.SupportedSyncModes, s.SourceDefinedCursor, s.DefaultCursorField, s.SourceDefinedPrimaryKey},
			SyncMode: "full_refresh", DestinationSyncMode: "overwrite", PrimaryKey: s.SourceDefinedPrimaryKey,
		}
		for _, m := range s.SupportedSyncModes {
			if m == "incremental" {
				c.SyncMode, c.DestinationSyncMode, c.CursorField = "incremental", "append_dedup", s.DefaultCursorField
			}
		}
		out.Streams = append(out.Streams, c)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// expectedKeys lists "stream key" of an expected_records.jsonl, the key
// being the record's primary key as the configured catalog declares it.
func expectedKeys(t *testing.T, raw, catalog []byte) []string {
	t.Helper()
	var c struct {
		Streams []struct {
			Stream     struct{ Name string } `json:"stream"`
			PrimaryKey [][]string            `json:"primary_key"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(catalog, &c); err != nil {
		t.Fatal(err)
	}
	pks := map[string][][]string{}
	for _, s := range c.Streams {
		pks[s.Stream.Name] = s.PrimaryKey
	}
	recs, err := cat.LoadExpectedRecords(raw)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for stream, list := range recs {
		pk, ok := pks[stream]
		if !ok {
			t.Fatalf("expected records of %s, a stream the catalog lacks", stream)
		}
		for _, d := range list {
			key := stream
			for _, path := range pk {
				key += fmt.Sprintf(" %v", d[path[0]])
			}
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestGenerateExpectedRecords regenerates configured_catalog.json and
// expected_records.jsonl with -update, and otherwise checks that the
// committed files are what the generator makes: the catalog byte for byte,
// the expected records by stream and primary key (their other fields carry
// times that depend on the moment of the read).
//
//	go test ./integration_tests -run TestGenerateExpectedRecords -update
func TestGenerateExpectedRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the fake API")
	}
	catalog, expected := generated(t)
	if *update {
		for name, b := range map[string][]byte{"configured_catalog.json": catalog, "expected_records.jsonl": expected} {
			if err := os.WriteFile(fixturePath(name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	gotCatalog, err := os.ReadFile(fixturePath("configured_catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(catalog), string(gotCatalog)); diff != "" {
		t.Errorf("configured_catalog.json is stale; run go test ./integration_tests -run TestGenerateExpectedRecords -update (-generated +committed):\n%s", diff)
	}
	gotExpected, err := os.ReadFile(fixturePath("expected_records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(expectedKeys(t, expected, catalog), expectedKeys(t, gotExpected, catalog)); diff != "" {
		t.Errorf("expected_records.jsonl is stale; run go test ./integration_tests -run TestGenerateExpectedRecords -update (-generated +committed):\n%s", diff)
	}
}

// stateFixtures are the state files and the one cursor value each gives
// every incremental stream: an ordinary past one, and one far in the future
// (CAT's test_state_with_abnormally_large_values).
var stateFixtures = []struct{ name, cursor string }{
	{"abnormal_state.json", "2999-12-31T00:00:00Z"},
	{"sample_state.json", "2025-06-01T00:00:00Z"},
}

// stateFixture is the state file that gives each stream of cursors (name
// to cursor field) the value cursor.
func stateFixture(cursors map[string]string, cursor string) []byte {
	names := make([]string, 0, len(cursors))
	for n := range cursors {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, n := range names {
		fmt.Fprintf(&b, `  {"type": "STREAM", "stream": {"stream_descriptor": {"name": %q}, "stream_state": {%q: %q}}}`, n, cursors[n], cursor)
		if i < len(names)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// TestStateFixtures checks the state files against the discovered catalog:
// every incremental stream, keyed by its cursor field, with a timestamp the
// connector accepts. With -update it writes them from discover.
//
//	go test ./integration_tests -run TestStateFixtures -update
func TestStateFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "spec.json"))
	if err != nil || len(raw) == 0 {
		t.Fatalf("spec.json: %v", err)
	}
	bin := connectorBinary(t)
	fake := startFake(t, time.Time{})
	r, err := cat.NewRunner(&cat.Binary{Path: bin}, repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	r.Files = map[string]string{cat.DefaultConfigPath: writeSecretsConfig(t, fake)}
	streams, err := r.DiscoveredCatalog(context.Background(), cat.DefaultConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, s := range streams {
		if len(s.DefaultCursorField) == 1 {
			want[s.Name] = s.DefaultCursorField[0]
		}
	}
	for _, fx := range stateFixtures {
		name := fx.name
		t.Run(name, func(t *testing.T) {
			if *update {
				if err := os.WriteFile(fixturePath(name), stateFixture(want, fx.cursor), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := os.ReadFile(fixturePath(name))
			if err != nil {
				t.Fatal(err)
			}
			var states []struct {
				Type   string `json:"type"`
				Stream struct {
					StreamDescriptor struct {
						Name string `json:"name"`
					} `json:"stream_descriptor"`
					StreamState map[string]string `json:"stream_state"`
				} `json:"stream"`
			}
			if err := json.Unmarshal(raw, &states); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, s := range states {
				if s.Type != "STREAM" {
					t.Errorf("state of %s has type %q, want STREAM", s.Stream.StreamDescriptor.Name, s.Type)
				}
				for k, v := range s.Stream.StreamState {
					got[s.Stream.StreamDescriptor.Name] = k
					if _, err := time.Parse(time.RFC3339, v); err != nil {
						t.Errorf("%s: %s is not RFC 3339: %v", s.Stream.StreamDescriptor.Name, v, err)
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("streams and cursor fields differ from discover (-discover +%s):\n%s", name, diff)
			}
		})
	}
}

// TestSecretsNotCommitted keeps secrets/ out of git: only the README-documented
// path is used and .gitignore covers it.
func TestSecretsNotCommitted(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "/secrets/") {
		t.Fatalf(".gitignore must list /secrets/ so secrets/config.json is never committed")
	}
}
