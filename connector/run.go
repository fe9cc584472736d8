// Package connector is the Airbyte source: it parses the command line,
// config, catalog and state, runs spec/check/discover/read, and turns every
// outcome into protocol messages on the one stdout writer.
package connector

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector/stdout"
	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/plural"
	"github.com/source-botmaker/source-botmaker/streams"
)

// commands is the CLI: each command, what it does and the flags it takes,
// in the order usage lists them.
var commands = []struct {
	name, does string
	flags      []string // names registered by newFlagSet
}{
	{"spec", "print the connector's configuration spec (SPEC message)", nil},
	{"check", "validate the config and test the access token with one cheap request", []string{"config"}},
	{"discover", "list the streams and their schemas (CATALOG message)", []string{"config"}},
	{"read", "sync the streams the catalog selects, resuming from --state if given", []string{"config", "catalog", "state"}},
}

// flagHelp is each flag's usage text; --debug is on every command.
var flagHelp = map[string]string{
	"config":  "path to the connector config JSON (required)",
	"catalog": "path to the configured catalog JSON (required)",
	"state":   "path to the state JSON from a previous read (optional)",
	"debug":   "log debug messages (also LOG_LEVEL=debug)",
}

// usage is the whole CLI's help: one line per command with its flags.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: source-botmaker <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.does)
		for _, f := range append(slices.Clone(c.flags), "debug") {
			fmt.Fprintf(&b, "      --%-8s %s\n", f, flagHelp[f])
		}
	}
	b.WriteString("\n  help [command], --help, -h   print this help, or one command's\n")
	b.WriteString("  version, --version           print the connector's version\n")
	b.WriteString("\nstdout carries only Airbyte protocol messages; see the README for config and state.\n")
	return b.String()
}

// commandUsage is one command's help, listing only the flags it takes.
func commandUsage(name string) string {
	for _, c := range commands {
		if c.name != name {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "usage: source-botmaker %s", name)
		for _, f := range c.flags {
			if f == "state" {
				fmt.Fprintf(&b, " [--%s %s.json]", f, strings.ToUpper(f))
			} else {
				fmt.Fprintf(&b, " --%s %s.json", f, strings.ToUpper(f))
			}
		}
		fmt.Fprintf(&b, " [--debug]\n\n%s\n\nflags:\n", c.does)
		for _, f := range append(slices.Clone(c.flags), "debug") {
			fmt.Fprintf(&b, "  --%-8s %s\n", f, flagHelp[f])
		}
		return b.String()
	}
	return usage()
}

// Runtime lets tests, the demo and the benchmark swap the clock and HTTP
// settings, and receive what the log only says in words.
type Runtime struct {
	Now      func() time.Time
	Settings botmaker.Settings
	// Rates overrides the per-endpoint pacing (requests per second by
	// endpoint path; 0 disables pacing); nil uses each stream's documented
	// limit.
	Rates map[string]float64
	// Billed, when set, receives at the end of a read the counts of every
	// billed-traffic log line, in catalog order. The log line is for
	// people; whoever runs the connector in process reads the values here
	// instead of parsing the line back.
	Billed func([]BilledTraffic)
}

// DefaultRuntime is how the binary runs: the real clock, the client's
// default settings and each stream's documented rate.
func DefaultRuntime() Runtime {
	return Runtime{Now: time.Now, Settings: botmaker.DefaultSettings}
}

// Main runs one command and returns the process exit code. stdout receives
// only protocol messages; stderr only usage text.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal winds the sync down (stop requesting, flush, report
	// INCOMPLETE); a second one ends the process at once, as by default.
	go func() { <-ctx.Done(); stop() }()
	return DefaultRuntime().Run(ctx, args, stdout, stderr)
}

// Run is Main with an explicit context and runtime; out is the process's
// stdout.
func (rt Runtime) Run(ctx context.Context, args []string, out, stderr io.Writer) (code int) {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	cmd := args[0]
	// Help and version are asked for, not errors: they go to stdout with
	// exit 0. Nothing else reaches stdout outside the protocol.
	switch cmd {
	case "help", "--help", "-help", "-h":
		if len(args) > 1 {
			fmt.Fprint(out, commandUsage(args[1]))
		} else {
			fmt.Fprint(out, usage())
		}
		return 0
	case "version", "--version", "-version":
		fmt.Fprintf(out, "source-botmaker %s (Airbyte protocol %s)\n", Version, airbyte.Version)
		return 0
	}
	var takes []string
	known := false
	for _, c := range commands {
		if c.name == cmd {
			takes, known = c.flags, true
		}
	}
	if !known {
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage())
		return 2
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	paths := map[string]*string{}
	for _, f := range takes {
		paths[f] = fs.String(f, "", flagHelp[f])
	}
	debugFlag := fs.Bool("debug", false, flagHelp["debug"])
	if err := fs.Parse(args[1:]); errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(out, commandUsage(cmd))
		return 0
	} else if err != nil || fs.NArg() > 0 {
		if err == nil {
			err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		fmt.Fprintf(stderr, "%s: %v\n\n%s", cmd, err, commandUsage(cmd))
		return 2
	}
	for _, f := range takes {
		if f != "state" && *paths[f] == "" {
			fmt.Fprintf(stderr, "%s needs --%s\n\n%s", cmd, f, commandUsage(cmd))
			return 2
		}
	}
	path := func(f string) string {
		if p, ok := paths[f]; ok {
			return *p
		}
		return ""
	}
	configPath, catalogPath, statePath := path("config"), path("catalog"), path("state")

	w := stdout.NewWriter(out)
	if rt.Now == nil {
		rt.Now = time.Now
	}
	w.SetClock(rt.Now)
	debugOn := *debugFlag || strings.EqualFold(os.Getenv("LOG_LEVEL"), "debug")
	log := stdout.NewLogger(w, debugOn)
	defer func() {
		if p := recover(); p != nil {
			_ = w.Error("", airbyte.SystemError, "The Botmaker connector hit an internal error; please report it with this message.", fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			code = 1
		}
		if err := w.Flush(); err != nil && code == 0 {
			code = 1
		}
	}()

	// Once per command, so every run's log says which build produced it.
	log.Info().Msgf("source-botmaker %s, command %s", Version, cmd)

	c := &command{rt: rt, w: w, log: log}
	switch cmd {
	case "spec":
		return c.spec()
	case "check":
		return c.check(ctx, configPath)
	case "discover":
		return c.discover(configPath)
	default:
		return c.read(ctx, configPath, catalogPath, statePath)
	}
}

type command struct {
	rt  Runtime
	w   *stdout.Writer
	log zerolog.Logger
	// rawConfig is the config as the user wrote it, the base of the
	// config handed back when the credentials are renewed (credentials.go).
	rawConfig []byte
	gate      *tokenGate // read's
}

// fail reports a failure that ends the command: one TRACE ERROR, exit 1.
func (c *command) fail(ft airbyte.FailureType, msg string, err error) int {
	internal := ""
	if err != nil {
		internal = err.Error()
	}
	_ = c.w.Error("", ft, msg, internal)
	return 1
}

func (c *command) spec() int {
	spec := Spec()
	if err := c.w.Write(&airbyte.Message{Type: airbyte.TypeSpec, Spec: &spec}); err != nil {
		return 1
	}
	return 0
}

// loadConfig reads and validates the config file. The token is registered
// with the writer before anything else can print it.
func (c *command) loadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{"", fmt.Sprintf("cannot read the config file %s: %v", path, errors.Unwrap(err))}
	}
	cfg, warnings, err := ParseConfig(raw, c.rt.Now())
	if cfg != nil {
		c.w.AddSecret(cfg.AccessToken)
		c.w.AddSecret(cfg.SecretID)
		c.w.AddSecret(cfg.RefreshToken)
		c.rawConfig = raw
	}
	if err != nil {
		return nil, err
	}
	for _, wmsg := range warnings {
		c.log.Warn().Msg(wmsg)
	}
	return cfg, nil
}

func (c *command) client(cfg *Config, s botmaker.Settings) (*botmaker.Client, error) {
	cl, err := botmaker.New(cfg.BaseURL, cfg.AccessToken, s, c.log)
	if err != nil {
		return nil, &ConfigError{"base_url", err.Error()}
	}
	for _, st := range streams.All() {
		r := st.RatePerSecond
		if v, ok := c.rt.Rates[st.Path]; ok {
			r = v
		}
		cl.SetRate(st.Path, r)
	}
	return cl, nil
}

func (c *command) status(s airbyte.ConnectionStatusValue, msg string) int {
	if err := c.w.Write(&airbyte.Message{Type: airbyte.TypeConnectionStatus, ConnectionStatus: &airbyte.ConnectionStatus{Status: s, Message: msg}}); err != nil {
		return 1
	}
	return 0
}

// check validates the config and asks Botmaker for the channel list, the
// cheapest authenticated call (one small page, not billed).
func (c *command) check(ctx context.Context, path string) int {
	cfg, err := c.loadConfig(path)
	if err != nil {
		return c.status(airbyte.StatusFailed, err.Error())
	}
	s := c.rt.Settings
	if s.MaxAttempts > 3 {
		s.MaxAttempts = 3
	}
	cl, err := c.client(cfg, s)
	if err != nil {
		return c.status(airbyte.StatusFailed, err.Error())
	}
	if code, done := c.checkToken(cfg); done {
		return code
	}
	ch, _ := streams.Lookup("channels")
	req := ch.FirstRequest(streams.Env{Fetch: cl, Opts: cfg.StreamOptions()})
	body, err := cl.Get(ctx, ch.Path, req)
	if err != nil {
		return c.status(airbyte.StatusFailed, err.Error())
	}
	if err := ch.CheckPage(body, req); err != nil {
		return c.status(airbyte.StatusFailed, fmt.Sprintf("The server at base_url answered %s with JSON that is not Botmaker's documented response (%v). Check that base_url points at the Botmaker API, for example %s.", ch.Path, err, DefaultBaseURL))
	}
	return c.status(airbyte.StatusSucceeded, "")
}

func (c *command) discover(path string) int {
	if _, err := c.loadConfig(path); err != nil {
		return c.fail(airbyte.ConfigError, err.Error(), nil)
	}
	cat := Discover()
	if err := c.w.Write(&airbyte.Message{Type: airbyte.TypeCatalog, Catalog: &cat}); err != nil {
		return 1
	}
	return 0
}

func (c *command) read(ctx context.Context, configPath, catalogPath, statePath string) int {
	cfg, err := c.loadConfig(configPath)
	if err != nil {
		return c.fail(airbyte.ConfigError, err.Error(), nil)
	}
	rawCat, err := os.ReadFile(catalogPath)
	if err != nil {
		return c.fail(airbyte.ConfigError, fmt.Sprintf("Cannot read the catalog file %s: %v", catalogPath, errors.Unwrap(err)), nil)
	}
	selected, err := ParseCatalog(rawCat)
	if err != nil {
		return c.fail(airbyte.ConfigError, err.Error(), nil)
	}
	for _, sel := range selected {
		if sel.FullRefreshFallback {
			c.log.Warn().Msgf("stream %q supports only full_refresh; it is read in full although the catalog asks for incremental (incremental is available for %s). Select full_refresh for it in the connection to match.", sel.Stream.Name, incrementalNames())
		}
	}
	states := map[string]json.RawMessage{}
	if statePath != "" {
		rawState, err := os.ReadFile(statePath)
		if err != nil {
			return c.fail(airbyte.ConfigError, fmt.Sprintf("Cannot read the state file %s: %v", statePath, errors.Unwrap(err)), nil)
		}
		parsed, err := ParseState(rawState)
		if err != nil {
			return c.fail(airbyte.ConfigError, err.Error(), nil)
		}
		for name, st := range parsed {
			if _, ok := streams.Lookup(name); !ok {
				c.log.Warn().Msgf("the state has an entry for %q, which is not a Botmaker stream; it is ignored. Remove that entry from the state file to silence this.", name)
				continue
			}
			states[name] = st
		}
	}
	cl, err := c.client(cfg, c.rt.Settings)
	if err != nil {
		return c.fail(airbyte.ConfigError, err.Error(), nil)
	}
	if code, done := c.prepareToken(ctx, cfg, cl); done {
		return code
	}
	// The streams' context ends early when the token is refused (tokenGate).
	sctx, stopStreams := context.WithCancelCause(ctx)
	defer stopStreams(nil)
	c.gate = newTokenGate(stopStreams, stdout.LogSink(c.w))
	env := streams.Env{Fetch: cl, Log: c.log, Opts: cfg.StreamOptions(), Now: c.rt.Now}

	start := c.rt.Now()
	c.log.Info().Msgf("reading %s, up to %d at a time", plural.Count(len(selected), "Botmaker stream"), cfg.MaxConcurrentStreams)
	for _, sel := range selected {
		_ = c.w.Status(sel.Stream.Name, airbyte.StatusStarted)
	}
	// A stream's failure goes into failed at its own index (no lock needed)
	// rather than to Wait, which keeps only one error: the log names every
	// stream that did not complete.
	var g errgroup.Group
	g.SetLimit(cfg.MaxConcurrentStreams)
	failed := make([]bool, len(selected))
	traffic := newTraffic(selected)
	for i, sel := range selected {
		g.Go(func() error {
			env := env
			env.Traffic = traffic[sel.Stream.Name]
			failed[i] = c.readStream(sctx, env, sel, states[sel.Stream.Name]) != nil
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		c.log.Warn().Msg("the sync was interrupted: requests stopped, what was read is flushed, and streams that had not finished are INCOMPLETE. Run the sync again: they resume from their last STATE.")
	}
	c.log.Info().Msgf("read finished in %s; requests per endpoint: %s", c.rt.Now().Sub(start).Round(time.Millisecond), perEndpoint(cl.Requests()))
	c.reportBilled(cfg, selected, traffic, failed)
	var incomplete []string
	for i, sel := range selected {
		if failed[i] {
			incomplete = append(incomplete, sel.Stream.Name)
		}
	}
	if len(incomplete) > 0 {
		c.log.Error().Msgf("streams that did not complete: %s", strings.Join(incomplete, ", "))
	}
	for _, f := range c.gate.streamErrors() {
		msg, ft, internal := describe(f.stream, f.err)
		_ = c.w.Error(f.stream, ft, msg, internal)
	}
	if err := c.gate.refused(); err != nil {
		return c.fail(botmaker.FailureTypeOf(err), err.Error()+" The sync stopped at this first refusal; every stream resumes from its last saved state once the credentials work.", nil)
	}
	if len(incomplete) > 0 {
		return 1
	}
	return 0
}

// perEndpoint renders request counts as "/chats 4, /messages 8" in endpoint
// order, not as a Go map.
func perEndpoint(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for _, ep := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", ep, counts[ep]))
	}
	return strings.Join(parts, ", ")
}

// readStream reads one stream and reports its status. A panic inside one
// stream fails that stream, not the others.
func (c *command) readStream(ctx context.Context, env streams.Env, sel Selected, state json.RawMessage) (err error) {
	name := sel.Stream.Name
	sink := &statusSink{w: c.w, name: name}
	env.Sink = sink
	ctx = botmaker.WithRateLimitReport(ctx, sink.rateLimited)
	env.Log = c.gate.logger(c.log, name)
	env.Fetch = gatedFetcher{Fetcher: env.Fetch, g: c.gate, stream: name, planGated: sel.Stream.PlanGated}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v\n%s", p, debug.Stack())
		}
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		c.gate.release(name)
		if err != nil {
			_ = c.w.Status(name, airbyte.StatusIncomplete)
			if errors.Is(err, botmaker.ErrHostDown) {
				// The request that showed the host dead reports it, once:
				// one clear transient_error rather than one a stream, so
				// this stream's stop is news only at INFO.
				env.Log.Info().Msgf("stream %s stopped without an error of its own: another request showed Botmaker's host unreachable, and its error is the sync's", name)
				return
			}
			if botmaker.CredentialsRejected(err) {
				c.gate.reportLater(name, err) // once, if the sync stopped
				return
			}
			if c.gate.refused() != nil && errors.Is(err, context.Canceled) {
				return // stopped by the refusal read reports
			}
			msg, ft, internal := describe(name, err)
			_ = c.w.Error(name, ft, msg, internal)
			return
		}
		_ = c.w.Status(name, airbyte.StatusComplete)
	}()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return sel.Stream.Read(ctx, env, sel.Incremental, state)
}

// describe turns a stream's error into the user message, the failure type
// and an internal message that adds what the message leaves out (none when
// the message says it all).
func describe(stream string, err error) (msg string, ft airbyte.FailureType, internal string) {
	var be *botmaker.Error
	var se *streams.StateError
	switch {
	case errors.As(err, &be):
		return fmt.Sprintf("Stream %s failed: %s", stream, be.Message), be.FailureType, ""
	case errors.As(err, &se):
		return se.Error(), airbyte.ConfigError, ""
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Stream %s stopped because the sync was interrupted; the next sync resumes from its last state.", stream), airbyte.TransientError, ""
	default:
		return fmt.Sprintf("Stream %s failed: %v", stream, err), airbyte.SystemError, err.Error()
	}
}

// statusSink emits the stream's RUNNING status before its first record,
// and RUNNING with a RATE_LIMITED reason while a request waits on a 429.
type statusSink struct {
	w    *stdout.Writer
	name string

	mu      sync.Mutex // rateLimited runs on the page-fetching goroutines
	running bool
}

func (s *statusSink) Record(stream string, data []byte, nulled []string) error {
	s.mu.Lock()
	first := !s.running
	s.running = true
	s.mu.Unlock()
	if first {
		if err := s.w.Status(s.name, airbyte.StatusRunning); err != nil {
			return err
		}
	}
	return s.w.RecordNulled(stream, data, nulled)
}

// rateLimited is the stream's botmaker.RateLimitReport: Airbyte shows
// "rate limited, resumes at until" until the plain RUNNING that follows.
// A write error here surfaces on the stream's next record or state.
func (s *statusSink) rateLimited(until time.Time) {
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	if until.IsZero() {
		_ = s.w.Status(s.name, airbyte.StatusRunning)
		return
	}
	_ = s.w.RateLimited(s.name, until)
}

func (s *statusSink) State(stream string, state json.RawMessage) error {
	return s.w.State(stream, state)
}

func (s *statusSink) Estimate(stream string, rows, bytes int64) error {
	return s.w.Estimate(stream, rows, bytes)
}
