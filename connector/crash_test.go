package connector_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// The tests in this file run the real binary, as Airbyte does, so that
// signals and SIGKILL hit a real process.
var binary struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// connectorBinary builds the connector once per test run.
func connectorBinary(t testing.TB) string {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "source-botmaker-test-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "source-botmaker")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if out, err := exec.Command(goTool, "build", "-o", binary.path, "github.com/source-botmaker/source-botmaker").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// syncBuffer is written by exec's copying goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

type proc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	started        time.Time
	exited         time.Time
}

func startProc(t testing.TB, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(connectorBinary(t), args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.exited = time.Now()
		close(p.done)
	}()
	return p
}

// wait returns the exit code, -1 for a death by signal.
func (p *proc) wait() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// lines is the complete lines printed so far: a process killed mid-write
// may leave a partial last line, which the platform would discard too.
func (p *proc) lines() []byte {
	b := p.stdout.Bytes()
	return b[:bytes.LastIndexByte(b, '\n')+1]
}

// readUntil waits until stdout holds s, or the process ends.
func (p *proc) readUntil(s string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if bytes.Contains(p.stdout.Bytes(), []byte(s)) {
			return true
		}
		select {
		case <-p.done:
			return bytes.Contains(p.stdout.Bytes(), []byte(s))
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

// crashCounts make a clean incremental read of a few seconds under the
// binary's own pacing (the binary cannot be told not to pace), with
// several pages and checkpoints per stream.
var crashCounts = fakebotmaker.Counts{"chats": 1200, "messages": 9000, "sessions": 1500, "calls": 800, "contacts": 400, "agents": 60, "channels": 4, "intents": 300, "tickets": 700}

// ledger is what a platform commits from a sequence of runs: a stream's
// records count once a later STATE of that stream covers them, and the
// last STATE per stream is the input of the next run.
type ledger struct {
	seen   map[string]map[string]int // stream -> primary key -> times committed
	states map[string]airbyte.State
}

func newLedger() *ledger {
	return &ledger{seen: map[string]map[string]int{}, states: map[string]airbyte.State{}}
}

func (l *ledger) add(t testing.TB, o *synctest.Output) {
	t.Helper()
	pending := map[string][]string{}
	for _, m := range o.Messages {
		switch m.Type {
		case airbyte.TypeRecord:
			s, ok := streams.Lookup(m.Record.Stream)
			if !ok {
				t.Errorf("record of unknown stream %q", m.Record.Stream)
				continue
			}
			pending[s.Name] = append(pending[s.Name], primaryKey(t, s, m.Record.Data))
		case airbyte.TypeState:
			name := m.State.Stream.StreamDescriptor.Name
			if l.seen[name] == nil {
				l.seen[name] = map[string]int{}
			}
			for _, k := range pending[name] {
				l.seen[name][k]++
			}
			pending[name] = nil
			l.states[name] = *m.State
		}
	}
}

func (l *ledger) stateFile(t testing.TB, dir string) string {
	t.Helper()
	if len(l.states) == 0 {
		return ""
	}
	var msgs []airbyte.State
	names := make([]string, 0, len(l.states))
	for n := range l.states {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		msgs = append(msgs, l.states[n])
	}
	return synctest.File(t, dir, fmt.Sprintf("state-%d.json", time.Now().UnixNano()), msgs)
}

// compare returns the records of want missing from l, and the number of
// records l committed more than once.
func (l *ledger) compare(want map[string]map[string]int) (missing []string, dups int) {
	for name, keys := range want {
		for k := range keys {
			if l.seen[name][k] == 0 {
				missing = append(missing, name+" "+k)
			}
		}
	}
	for _, keys := range l.seen {
		for _, n := range keys {
			dups += n - 1
		}
	}
	sort.Strings(missing)
	return missing, dups
}

// A read SIGKILLed at many moments and resumed each time from the last
// STATE it printed ends with the same records as a clean read: none
// missing, none unknown; duplicates (re-reads after the last checkpoint and
// the lookback window) are reported. It runs once for each order Botmaker
// might list items in, since its SPEC promises none.
func TestCrashResumeLosesNothing(t *testing.T) {
	for _, order := range []fakebotmaker.Order{fakebotmaker.OldestFirst, fakebotmaker.NewestFirst, fakebotmaker.Shuffled} {
		t.Run(string(order), func(t *testing.T) {
			// Three sessions stay open (the generated data has dozens):
			// every resumed run re-checks the tracked ones at
			// agent_metrics' 1 request a second, and three carry the
			// open_sessions state through the kills as well as dozens do.
			q := fakebotmaker.Quirks{Order: fakebotmaker.OrderEvery(order), OpenSessions: &fakebotmaker.OpenSessions{
				Ages: []time.Duration{3 * time.Hour, 30 * time.Hour, 100 * time.Hour}}}
			crashResume(t, fakebotmaker.Config{Token: secret, Seed: 21, HistoryDays: 60, Counts: crashCounts, Quirks: q})
		})
	}
}

func crashResume(t *testing.T, fake fakebotmaker.Config) {
	srv := fakebotmaker.New(fake)
	defer srv.Close()
	dir := t.TempDir()
	start := srv.Now().AddDate(0, 0, -61)
	cfg := synctest.File(t, dir, "config.json", config(srv, "", start, map[string]any{"long_term_search": true}))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
	read := func(t testing.TB, state string) *proc {
		args := []string{"read", "--config", cfg, "--catalog", cat}
		if state != "" {
			args = append(args, "--state", state)
		}
		return startProc(t, args...)
	}

	p := read(t, "")
	if code := p.wait(); code != 0 {
		t.Fatalf("clean read: exit %d\n%s", code, p.stderr.Bytes())
	}
	clean := synctest.Parse(t, p.lines())
	allComplete(t, clean)
	noSecret(t, p.stdout.Bytes(), p.stderr.Bytes())
	took := p.exited.Sub(p.started)
	cleanLedger := newLedger()
	cleanLedger.add(t, clean)
	want := cleanLedger.seen
	got := map[string][]string{}
	for name, ks := range want {
		got[name] = nil
		for k := range ks {
			got[name] = append(got[name], k)
		}
		sort.Strings(got[name])
	}
	for _, s := range streams.All() {
		if w := wantIDs(srv, start)[s.Name]; strings.Join(w, ",") != strings.Join(got[s.Name], ",") {
			t.Fatalf("the clean read of %s differs from the fake's data: %d records, want %d", s.Name, len(got[s.Name]), len(w))
		}
	}
	t.Logf("clean read: %d records in %s", len(clean.Messages), took.Round(time.Millisecond))

	const scenarios = 24
	var (
		mu                  sync.Mutex
		kills, lost, dups   int
		runs, maxRunsToDone int
	)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			l := newLedger()
			sdir := filepath.Join(dir, fmt.Sprint(i))
			_ = os.Mkdir(sdir, 0o700)
			// The first kill points spread evenly over a clean read; the
			// resumed runs are killed again at random moments, 0 to 2 times.
			delays := []time.Duration{took * time.Duration(2*i+1) / (2 * scenarios)}
			for range i % 3 {
				delays = append(delays, time.Duration(float64(took)*(0.05+0.85*rng.Float64())))
			}
			myKills, n := 0, 0
			for ; ; n++ {
				p := read(t, l.stateFile(t, sdir))
				killed := false
				if n < len(delays) {
					select {
					case <-p.done:
					case <-time.After(delays[n]):
						killed = p.cmd.Process.Signal(syscall.SIGKILL) == nil
					}
				}
				code := p.wait()
				noSecret(t, p.stdout.Bytes(), p.stderr.Bytes())
				o := synctest.Parse(t, p.lines())
				if killed && code == -1 {
					myKills++
				} else if code != 0 || len(o.Errors) > 0 {
					t.Errorf("scenario %d run %d: exit %d, errors %+v", i, n, code, o.Errors)
					return
				}
				l.add(t, o)
				if code == 0 {
					break
				}
				if n > 10 {
					t.Errorf("scenario %d: no complete run after %d", i, n)
					return
				}
			}
			missing, d := l.compare(want)
			if len(missing) > 0 {
				t.Errorf("scenario %d (kills after %v): %d records lost, e.g. %v", i, delays, len(missing), missing[:min(5, len(missing))])
			}
			for name, ks := range l.seen {
				for k := range ks {
					if want[name][k] == 0 {
						t.Errorf("scenario %d: %s %s was never in the clean read", i, name, k)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			kills += myKills
			lost += len(missing)
			dups += d
			runs += n + 1
			maxRunsToDone = max(maxRunsToDone, n+1)
		}()
	}
	wg.Wait()
	t.Logf("kill points tried: %d over %d scenarios (%d runs, at most %d to complete); records lost: %d; duplicate records re-read after resuming: %d",
		kills, scenarios, runs, maxRunsToDone, lost, dups)
	if kills < 20 {
		t.Errorf("only %d runs were killed mid-read; the test needs at least 20", kills)
	}
}

// SIGTERM or SIGINT mid-read: no new requests, what was read is flushed
// (every line complete), unfinished streams are INCOMPLETE with a
// transient_error, and the process exits non-zero within about 2 seconds,
// also while a request hangs.
func TestSignalStopsPromptly(t *testing.T) {
	tests := []struct {
		name   string
		sig    syscall.Signal
		faults fakebotmaker.Faults
		after  string // send the signal once stdout holds this ("" = after a second)
	}{
		{"SIGTERM mid-read", syscall.SIGTERM, fakebotmaker.Faults{}, `"type":"RECORD"`},
		{"SIGINT mid-read", syscall.SIGINT, fakebotmaker.Faults{}, `"type":"RECORD"`},
		{"SIGTERM while requests hang", syscall.SIGTERM, fakebotmaker.Faults{Rate: 1, Kinds: []fakebotmaker.FaultKind{fakebotmaker.FaultSlow}, SlowDelay: time.Minute}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := maps.Clone(crashCounts)
			counts["messages"] = 300000 // about a minute of paced requests
			srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 4, HistoryDays: 60, Counts: counts, Faults: tt.faults})
			defer srv.Close()
			dir := t.TempDir()
			cfg := synctest.File(t, dir, "config.json", config(srv, "", srv.Now().AddDate(0, 0, -61), map[string]any{"long_term_search": true}))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
			p := startProc(t, "read", "--config", cfg, "--catalog", cat)
			if tt.after == "" {
				time.Sleep(time.Second)
			} else if !p.readUntil(tt.after, 30*time.Second) {
				_ = p.cmd.Process.Kill()
				t.Fatalf("never printed %s: %s", tt.after, p.stderr.Bytes())
			} else {
				time.Sleep(300 * time.Millisecond)
			}
			signalled := time.Now()
			if err := p.cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			requestsAtSignal := srv.Stats().Requests
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				t.Fatal("still running 10s after the signal")
			}
			stopped := p.exited.Sub(signalled)
			t.Logf("exited %s after %s", stopped.Round(time.Millisecond), tt.sig)
			if stopped > 2500*time.Millisecond {
				t.Errorf("took %s to stop", stopped)
			}
			if code := p.cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			out := p.stdout.Bytes()
			noSecret(t, out, p.stderr.Bytes())
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Error("stdout does not end with a complete line")
			}
			o := synctest.Parse(t, out)
			incomplete := 0
			for _, s := range streams.All() {
				st := o.Statuses[s.Name]
				if len(st) == 0 {
					t.Errorf("%s: no status", s.Name)
					continue
				}
				switch st[len(st)-1] {
				case airbyte.StatusIncomplete:
					incomplete++
				case airbyte.StatusComplete:
				default:
					t.Errorf("%s ends %v", s.Name, st)
				}
			}
			if incomplete == 0 {
				t.Error("no stream INCOMPLETE")
			}
			if len(o.Errors) != incomplete {
				t.Errorf("%d TRACE ERRORs for %d INCOMPLETE streams", len(o.Errors), incomplete)
			}
			for _, e := range o.Errors {
				if e.FailureType != airbyte.TransientError || !strings.Contains(e.Message, "interrupted") {
					t.Errorf("error %+v", e)
				}
			}
			warned := len(o.LogLines(airbyte.LogWarn, "the sync was interrupted")) > 0
			if !warned {
				t.Error("no WARN about the interruption")
			}
			// In-flight requests may finish on the server side, but no new
			// one starts after the signal.
			time.Sleep(200 * time.Millisecond)
			if after := srv.Stats().Requests; after > requestsAtSignal+len(streams.All()) {
				t.Errorf("%d requests after the signal", after-requestsAtSignal)
			}
			if tt.after == `"type":"RECORD"` && len(o.Records) == 0 {
				t.Error("the records read before the signal were not flushed")
			}
		})
	}
}
