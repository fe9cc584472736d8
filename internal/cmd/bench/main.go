// Command bench measures the connector against the bundled fake Botmaker API
// and prints one table per scenario:
//
//  1. CPU-bound: rate limits off, messages only; records/s, output MB/s, peak
//     RSS and CPU seconds, beside a raw-copy floor (a minimal program that
//     downloads the same pages and writes each item's bytes) measured in the
//     same run on the same machine.
//  2. Memory: peak RSS at a small and a large number of messages.
//  3. API-bound: the fake enforces Botmaker's documented per-endpoint rate
//     limits, every stream; sync wall time against the lower bound
//     computed from the data set, and the number of 429 responses.
//  4. Requests per 1,000 records per stream, and Botmaker-billed requests,
//     for a full and an incremental sync.
//
// Usage:
//
//	make bench                      # or: go run ./internal/cmd/bench
//	go run ./internal/cmd/bench -scenarios cpu -runs 1 -cpuprofile cpu.pprof
//	go run ./internal/cmd/bench -smoke   # tiny data set, checks counts only
//
// make bench passes -docs docs/performance.md, which puts the output of a
// full run between that file's markers.
//
// The connector and the floor run as child processes (this binary re-executed
// with BOTMAKER_BENCH_CHILD set), so peak RSS and CPU time are theirs alone;
// the fake API runs in this process.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/source-botmaker/source-botmaker/connector"
)

func main() {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode, os.Args[1:]))
	}
	o := defaultOptions()
	var scen string
	flag.BoolVar(&o.Smoke, "smoke", false, "tiny data sets and full output validation (seconds, not minutes); checks counts, not speed")
	flag.IntVar(&o.Runs, "runs", o.Runs, "runs per timing in the CPU-bound and memory scenarios (the median is reported)")
	flag.IntVar(&o.APIRuns, "api-runs", o.APIRuns, "full syncs in the API-bound scenario (about a minute each)")
	flag.IntVar(&o.Messages, "messages", o.Messages, "messages in the CPU-bound scenario")
	flag.StringVar(&scen, "scenarios", "cpu,memory,api", "scenarios to run: cpu, memory, api (api also prints the requests table)")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write the first CPU-bound connector run's CPU profile to this file")
	docs := flag.String("docs", "", "after a full run (every scenario, not -smoke), write the output into this file between its bench markers (make bench: docs/performance.md)")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	o.Scenarios = map[string]bool{}
	for _, s := range strings.Split(scen, ",") {
		switch s = strings.TrimSpace(s); s {
		case "cpu", "memory", "api":
			o.Scenarios[s] = true
		case "":
		default:
			fmt.Fprintf(os.Stderr, "unknown scenario %q\n", s)
			os.Exit(2)
		}
	}
	if o.Smoke {
		o.smoke()
	}
	if *docs != "" && (o.Smoke || len(o.Scenarios) < 3) {
		fmt.Fprintln(os.Stderr, "-docs takes a full run: every scenario, without -smoke")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var printed bytes.Buffer
	if _, err := bench(ctx, o, io.MultiWriter(os.Stdout, &printed)); err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
	if *docs != "" {
		release := "unknown"
		if md, err := os.ReadFile("metadata.yaml"); err == nil {
			if v, err := connector.VersionFromMetadata(md); err == nil {
				release = v
			}
		}
		if err := writeDocs(*docs, printed.Bytes(), release, time.Now().UTC()); err != nil {
			fmt.Fprintln(os.Stderr, "bench: cannot write the results into the docs:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "bench: results written into", *docs)
	}
}

// options size the scenarios.
type options struct {
	Smoke      bool
	Runs       int
	APIRuns    int
	Messages   int // CPU-bound scenario
	SmallMsgs  int // memory scenario's small data set
	LargeEvery int // every Nth message has a ~10 KB text
	CPUHistory int // days of history in the CPU-bound data set
	APICounts  apiCounts
	Scenarios  map[string]bool
	CPUProfile string
	exe        string // the binary to re-execute; os.Executable by default
	log        io.Writer
}

func defaultOptions() options {
	return options{
		Runs:       5,
		APIRuns:    3,
		Messages:   1_000_000,
		SmallMsgs:  10_000,
		LargeEvery: 50,
		CPUHistory: 90,
		APICounts:  defaultAPICounts,
	}
}

// smoke shrinks everything to a few seconds' work.
func (o *options) smoke() {
	o.Runs, o.APIRuns = 1, 1
	o.Messages, o.SmallMsgs = 3000, 1000
	o.APICounts = smokeAPICounts
	if len(o.Scenarios) == 0 {
		o.Scenarios = map[string]bool{"cpu": true, "memory": true, "api": true}
	}
}
