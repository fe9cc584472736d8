package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/rawjson"
	"github.com/source-botmaker/source-botmaker/streams"
)

// The bench re-executes its own binary (the bench command, or the test binary
// in the smoke test) in a child mode, so that the connector's peak RSS and CPU
// time are its own process's, not the fake API's.
const (
	childEnv      = "BOTMAKER_BENCH_CHILD"      // "connector" or "floor"
	unpacedEnv    = "BOTMAKER_BENCH_UNPACED"    // "1": no client-side pacing (rate limits off)
	cpuProfileEnv = "BOTMAKER_BENCH_CPUPROFILE" // write the child's CPU profile here
	// billedEnv names the file where a connector child writes the billed
	// traffic of its read (connector.Runtime.Billed) as JSON. A file the
	// parent reads after the child exits keeps the counts values end to
	// end without a word added to the connector's stdout, which stays pure
	// protocol and is what the bench measures.
	billedEnv = "BOTMAKER_BENCH_BILLED"
)

// child runs the mode named by childEnv and returns the exit code.
func child(mode string, args []string) int {
	if path := os.Getenv(cpuProfileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch mode {
	case "connector":
		connector.TuneMemory() // as main does
		rt := connector.DefaultRuntime()
		if path := os.Getenv(billedEnv); path != "" {
			rt.Billed = func(bs []connector.BilledTraffic) {
				b, err := json.Marshal(bs)
				if err == nil {
					err = os.WriteFile(path, b, 0o600)
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, "bench child: billed traffic:", err)
				}
			}
		}
		if os.Getenv(unpacedEnv) == "1" {
			rt.Rates = map[string]float64{}
			for _, s := range streams.All() {
				rt.Rates[s.Path] = 0
			}
		}
		return rt.Run(ctx, args, os.Stdout, os.Stderr)
	case "floor":
		if err := floor(ctx, args, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(os.Stderr, "unknown %s %q\n", childEnv, mode)
		return 2
	}
}

// floor is the fastest a program can turn the API's pages into one line per
// item: it GETs each first-page URL from the list file and every page its
// nextPage leads to, one request at a time, and writes each item's raw bytes
// and a newline. No decoding, no transformation, no protocol envelope.
func floor(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	configPath := fs.String("config", "", "connector config (base_url and access_token are used)")
	urlsPath := fs.String("urls", "", "file with one first-page URL per line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(*configPath)
	if err != nil {
		return err
	}
	var cfg struct {
		Token string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return err
	}
	list, err := os.ReadFile(*urlsPath)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdout, 256<<10)
	var body bytes.Buffer
	for _, u := range strings.Fields(string(list)) {
		for u != "" {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			req.Header.Set("access-token", cfg.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			body.Reset()
			_, err = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: status %d", resp.Request.URL.Path, resp.StatusCode)
			}
			next := ""
			_, err = rawjson.ObjectEachArray(body.Bytes(), "items", func(item []byte) error {
				out.Write(item)
				return out.WriteByte('\n')
			}, func(k, v []byte) error {
				if string(k) == "nextPage" && !rawjson.IsNull(v) {
					return json.Unmarshal(v, &next)
				}
				return nil
			})
			if err != nil {
				return err
			}
			u = next
		}
	}
	if err := out.Flush(); err != nil && !errors.Is(err, syscall.EPIPE) {
		return err
	}
	return nil
}
