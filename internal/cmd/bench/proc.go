package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/stdoutparse"
)

// run is what one child process did.
type run struct {
	Wall time.Duration
	CPU  time.Duration // user + system
	// ParentCPU is this process's CPU time during the run: the fake API
	// serving the child, and reading the child's stdout.
	ParentCPU time.Duration
	MaxRSS    int64 // bytes
	Bytes     int64 // stdout bytes
	Lines     int64 // stdout lines
	Records   map[string]int64
	// States holds each stream's last STATE message (as the next sync's
	// --state file wants it); StateCount counts them.
	States     map[string]json.RawMessage
	StateCount map[string]int
	Status     map[string]airbyte.Status
	Estimates  map[string]int64
	Problems   []string // ERROR traces, ERROR logs, stderr, invalid lines
	Warnings   []string // WARN logs (a 429 that was retried, for one)
	// Traffic holds the billed traffic the connector counted per stream
	// (connector.Runtime.Billed, by way of billedEnv); nil when the read
	// ended before counting.
	Traffic  map[string]connector.BilledTraffic
	ExitCode int
}

func (r *run) records() int64 {
	var n int64
	for _, v := range r.Records {
		n += v
	}
	return n
}

// childSpec says how to start one child.
type childSpec struct {
	Mode       string // "connector" or "floor"
	Args       []string
	Unpaced    bool
	CPUProfile string
	// Validate decodes every line fully (the smoke test); otherwise RECORD
	// lines are only counted, so the parent's reading costs the machine as
	// little as possible while the child is being measured.
	Validate bool
}

// recordPrefix is how the connector's writer starts every RECORD line.
var recordPrefix = []byte(`{"type":"RECORD","record":{"stream":"`)

// runChild starts the child, reads its stdout to the end and returns its
// resource usage. A child that exits non-zero is not an error here; the
// caller checks ExitCode and Problems.
func runChild(ctx context.Context, exe string, cs childSpec) (*run, error) {
	cmd := exec.CommandContext(ctx, exe, cs.Args...)
	cmd.Env = append(os.Environ(), childEnv+"="+cs.Mode)
	if cs.Unpaced {
		cmd.Env = append(cmd.Env, unpacedEnv+"=1")
	}
	if cs.CPUProfile != "" {
		cmd.Env = append(cmd.Env, cpuProfileEnv+"="+cs.CPUProfile)
	}
	var billedPath string
	if cs.Mode == "connector" {
		f, err := os.CreateTemp("", "botmaker-bench-billed-*.json")
		if err != nil {
			return nil, err
		}
		billedPath = f.Name()
		f.Close()
		defer os.Remove(billedPath)
		cmd.Env = append(cmd.Env, billedEnv+"="+billedPath)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	r := &run{Records: map[string]int64{}, States: map[string]json.RawMessage{}, StateCount: map[string]int{},
		Status: map[string]airbyte.Status{}, Estimates: map[string]int64{}}
	began, parentBefore := time.Now(), selfCPU()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	readErr := r.read(stdout, cs)
	if readErr != nil {
		_, _ = io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	r.Wall = time.Since(began)
	r.ParentCPU = selfCPU() - parentBefore
	var exitErr *exec.ExitError
	switch {
	case errors.As(waitErr, &exitErr):
		r.ExitCode = exitErr.ExitCode()
	case waitErr != nil:
		return nil, waitErr
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.MaxRSS = ru.Maxrss * 1024 // KiB on Linux
		if runtime.GOOS == "darwin" {
			r.MaxRSS = ru.Maxrss // bytes on macOS
		}
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		r.Problems = append(r.Problems, "stderr: "+s)
	}
	if readErr != nil {
		r.Problems = append(r.Problems, readErr.Error())
	}
	if billedPath != "" {
		if err := r.readBilled(billedPath); err != nil {
			r.Problems = append(r.Problems, err.Error())
		}
	}
	return r, nil
}

func (r *run) read(stdout io.Reader, cs childSpec) error {
	lines := stdoutparse.NewReader(stdout)
	counters := map[string]*int64{} // RECORD lines counted without decoding
	defer func() {
		for k, c := range counters {
			r.Records[k] += *c
		}
		r.Lines, r.Bytes = int64(lines.Lines()), lines.Bytes()
	}()
	for {
		line, err := lines.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if perr := r.line(line, cs, counters); perr != nil {
			return fmt.Errorf("stdout line %d: %w", lines.Lines(), perr)
		}
	}
}

func (r *run) line(line []byte, cs childSpec, counters map[string]*int64) error {
	if cs.Validate {
		if !json.Valid(line) {
			return fmt.Errorf("not JSON: %.200q", line)
		}
		if bytes.Contains(line, []byte(fakebotmaker.DefaultToken)) {
			return errors.New("the access token appears on stdout")
		}
	}
	if cs.Mode == "floor" {
		return nil
	}
	if rest, ok := bytes.CutPrefix(line, recordPrefix); ok && !cs.Validate {
		name, _, _ := bytes.Cut(rest, []byte(`"`))
		c := counters[string(name)] // no allocation for the lookup
		if c == nil {
			c = new(int64)
			counters[string(name)] = c
		}
		*c++
		return nil
	}
	m, err := stdoutparse.Message(line)
	if err != nil {
		return err
	}
	switch {
	case m.Type == airbyte.TypeRecord && m.Record != nil:
		r.Records[m.Record.Stream]++
	case m.Type == airbyte.TypeState && m.State != nil && m.State.Stream != nil:
		name := m.State.Stream.StreamDescriptor.Name
		r.StateCount[name]++
		b, _ := json.Marshal(m.State)
		r.States[name] = b
	case m.Type == airbyte.TypeTrace && m.Trace != nil:
		switch {
		case m.Trace.StreamStatus != nil:
			r.Status[m.Trace.StreamStatus.StreamDescriptor.Name] = m.Trace.StreamStatus.Status
		case m.Trace.Estimate != nil:
			r.Estimates[m.Trace.Estimate.Name] = m.Trace.Estimate.RowEstimate
		case m.Trace.Error != nil:
			r.Problems = append(r.Problems, fmt.Sprintf("%s error: %s", m.Trace.Error.FailureType, m.Trace.Error.Message))
		}
	case m.Type == airbyte.TypeLog && m.Log != nil:
		switch m.Log.Level {
		case airbyte.LogError, airbyte.LogFatal:
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s", m.Log.Level, m.Log.Message))
		case airbyte.LogWarn:
			r.Warnings = append(r.Warnings, m.Log.Message)
		}
	}
	return nil
}

// readBilled reads the billed traffic a connector child wrote (billedEnv);
// an empty file is a read that ended before counting.
func (r *run) readBilled(path string) error {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return err
	}
	var bs []connector.BilledTraffic
	if err := json.Unmarshal(b, &bs); err != nil {
		return fmt.Errorf("the child's billed traffic: %w", err)
	}
	r.Traffic = map[string]connector.BilledTraffic{}
	for _, t := range bs {
		r.Traffic[t.Stream] = t
	}
	return nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
