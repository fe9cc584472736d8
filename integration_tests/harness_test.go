// Package integrationtests holds the CAT fixtures of the connector and the
// Go tests that run the acceptance rules (internal/cat) against the built
// binary and the fake Botmaker API, the way CAT runs them against the image.
package integrationtests

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

var update = flag.Bool("update", false, "regenerate the generated fixtures (configured_catalog.json, expected_records.jsonl, the state files)")

// repoRoot is the connector directory: acceptance-test-config.yml's folder.
const repoRoot = ".."

// smallCounts keep every read to a few seconds at the connector's real
// per-endpoint pacing while still giving each windowed stream several
// checkpoints (three 30-day windows plus pages) for the slice test.
var smallCounts = fakebotmaker.Counts{
	"chats": 60, "messages": 300, "sessions": 120, "calls": 40, "contacts": 50,
	"agents": 10, "channels": 6, "intents": 30, "tickets": 60,
}

// fakeSeed is the data seed of the fixtures: expected_records.jsonl holds
// ids of this seed.
const fakeSeed = 1

// historyDays is the span of generated data and of start_date.
const historyDays = 90

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// connectorBinary builds the connector once per test run, as CAT builds the
// image once.
func connectorBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cat-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "source-botmaker")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("go build: %s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the connector: %v", buildErr)
	}
	return binPath
}

// fixtureNow is the fake's clock at start for the acceptance run and the
// fixture generator. The fake derives some ids from item times (a session id
// carries its start time), so expected_records.jsonl matches only a fake
// started at the same instant; the connector itself runs on the real clock
// and reads from start_date to now, the months after fixtureNow being empty.
var fixtureNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// startFake starts the fake API with the fixture dataset; now zero means
// the real clock.
func startFake(t *testing.T, now time.Time) *fakebotmaker.Server {
	t.Helper()
	s := fakebotmaker.New(fakebotmaker.Config{Seed: fakeSeed, Now: now, HistoryDays: historyDays, Counts: smallCounts})
	t.Cleanup(s.Close)
	return s
}

// writeSecretsConfig writes the config CAT would read from
// secrets/config.json, pointed at the fake.
func writeSecretsConfig(t *testing.T, s *fakebotmaker.Server) string {
	t.Helper()
	start := s.Now().Add(-historyDays * 24 * time.Hour).UTC().Truncate(time.Second)
	cfg := map[string]any{
		"access_token":     fakebotmaker.DefaultToken,
		"start_date":       start.Format(time.RFC3339),
		"long_term_search": true,
		"base_url":         s.URL(),
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newRunner is a CAT runner over the real binary against a fresh fake.
func newRunner(t *testing.T, c func(cat.Connector) cat.Connector) (*cat.Runner, *fakebotmaker.Server) {
	t.Helper()
	fake := startFake(t, fixtureNow)
	var conn cat.Connector = &cat.Binary{Path: connectorBinary(t)}
	if c != nil {
		conn = c(conn)
	}
	r, err := cat.NewRunner(conn, repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	r.Files = map[string]string{cat.DefaultConfigPath: writeSecretsConfig(t, fake)}
	return r, fake
}
