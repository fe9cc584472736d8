package cat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Invocation is one connector command with its input files' contents, as
// CAT's ConnectorRunner writes them to /data/config.json, /data/catalog.json
// and /data/state.json.
type Invocation struct {
	Command string // spec, check, discover or read
	Config  []byte // nil for spec
	Catalog []byte // read only
	State   []byte // read only; nil means no --state
}

// Connector runs invocations. Binary is the real one; tests wrap it to
// corrupt inputs or outputs on purpose.
type Connector interface {
	Run(ctx context.Context, inv Invocation) (*Output, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context, inv Invocation) (*Output, error)

// Run calls f.
func (f ConnectorFunc) Run(ctx context.Context, inv Invocation) (*Output, error) { return f(ctx, inv) }

// Binary runs a connector executable as a subprocess, the way CAT runs the
// image's entrypoint.
type Binary struct {
	Path string
	Env  []string // added to the environment
	Dir  string   // where the input files are written; "" means a temp dir per call
}

// Run writes the input files and runs the command. A non-zero exit is not an
// error (CAT runs with raise_container_error=False); on a failing exit the
// stderr lines are parsed too, as CAT parses e.stdout + e.stderr.
func (b *Binary) Run(ctx context.Context, inv Invocation) (*Output, error) {
	dir := b.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "cat-data-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	args := []string{inv.Command}
	write := func(name string, data []byte, flag string) error {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err
		}
		args = append(args, flag, p)
		return nil
	}
	if inv.Config != nil {
		if err := write("config.json", inv.Config, "--config"); err != nil {
			return nil, err
		}
	}
	if inv.Catalog != nil {
		if err := write("catalog.json", inv.Catalog, "--catalog"); err != nil {
			return nil, err
		}
	}
	if inv.State != nil {
		if err := write("state.json", inv.State, "--state"); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, b.Path, args...)
	cmd.Env = append(os.Environ(), b.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	out := &Output{Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr):
		out.ExitCode = exitErr.ExitCode()
	default:
		return nil, fmt.Errorf("run %s %s: %w", b.Path, strings.Join(args, " "), runErr)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s %s: %w", b.Path, inv.Command, ctx.Err())
	}
	msgs, dropped, err := ParseOutput(&stdout)
	if err != nil {
		return nil, err
	}
	out.Messages, out.Dropped = msgs, dropped
	if out.ExitCode != 0 {
		msgs, _, _ := ParseOutput(strings.NewReader(out.Stderr))
		out.Messages = append(out.Messages, msgs...)
	}
	return out, nil
}

// Runner runs the CAT rules of one acceptance-test-config.yml against a
// connector.
type Runner struct {
	Connector Connector
	// Dir is the base path: the folder of acceptance-test-config.yml.
	Dir    string
	Config *Config
	// Files replaces config-relative paths by other files, e.g.
	// secrets/config.json by a config generated for a fake API.
	Files map[string]string
	// Logf receives progress notes (t.Logf in tests); nil discards them.
	Logf func(format string, args ...any)

	mu    sync.Mutex
	cache map[string]*Output
	seen  []*Output // every output, for the secret check
}

// NewRunner loads dir's acceptance-test-config.yml.
func NewRunner(c Connector, dir string) (*Runner, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigFile, err)
	}
	if cfg.BasePath != "" {
		abs, err := filepath.Abs(cfg.BasePath)
		if err != nil {
			return nil, err
		}
		dir = abs
	}
	return &Runner{Connector: c, Dir: dir, Config: cfg}, nil
}

func (r *Runner) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// Path resolves a config-relative path.
func (r *Runner) Path(rel string) string {
	if p, ok := r.Files[rel]; ok {
		return p
	}
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(r.Dir, rel)
}

// ReadFile reads a config-relative file.
func (r *Runner) ReadFile(rel string) ([]byte, error) {
	return os.ReadFile(r.Path(rel))
}

// connectorConfig loads a config file as CAT does: json.loads, then
// json.dumps into the container.
func (r *Runner) connectorConfig(rel string) ([]byte, error) {
	raw, err := r.ReadFile(rel)
	if err != nil {
		return nil, fmt.Errorf("connector config %s: %w", rel, err)
	}
	var v any
	if err := decodeJSON(raw, &v); err != nil {
		return nil, fmt.Errorf("connector config %s is not JSON: %w", rel, err)
	}
	return json.Marshal(v)
}

// run executes an invocation, from the cache when cached is set (CAT caches
// container runs unless a test disables it).
func (r *Runner) run(ctx context.Context, inv Invocation, cached bool) (*Output, error) {
	key := inv.Command + "\x00" + string(inv.Config) + "\x00" + string(inv.Catalog) + "\x00" + string(inv.State)
	if cached {
		r.mu.Lock()
		out, ok := r.cache[key]
		r.mu.Unlock()
		if ok {
			return out, nil
		}
	}
	out, err := r.Connector.Run(ctx, inv)
	if err != nil {
		return nil, err
	}
	r.logf("%s: exit %d, %d messages%s", inv.Command, out.ExitCode, len(out.Messages), droppedNote(out))
	r.mu.Lock()
	r.seen = append(r.seen, out)
	r.mu.Unlock()
	if cached {
		r.mu.Lock()
		if r.cache == nil {
			r.cache = map[string]*Output{}
		}
		r.cache[key] = out
		r.mu.Unlock()
	}
	return out, nil
}

func droppedNote(o *Output) string {
	if len(o.Dropped) == 0 {
		return ""
	}
	return fmt.Sprintf(", %d lines dropped as not AirbyteMessages, first: %s", len(o.Dropped), o.Dropped[0])
}

// Spec runs spec (cached).
func (r *Runner) Spec(ctx context.Context) (*Output, error) {
	return r.run(ctx, Invocation{Command: "spec"}, true)
}

// Check runs check with a config file.
func (r *Runner) Check(ctx context.Context, configPath string) (*Output, error) {
	cfg, err := r.connectorConfig(configPath)
	if err != nil {
		return nil, err
	}
	return r.run(ctx, Invocation{Command: "check", Config: cfg}, true)
}

// Discover runs discover (cached).
func (r *Runner) Discover(ctx context.Context, configPath string) (*Output, error) {
	cfg, err := r.connectorConfig(configPath)
	if err != nil {
		return nil, err
	}
	return r.run(ctx, Invocation{Command: "discover", Config: cfg}, true)
}

// Read runs read with a catalog and an optional state (nil: no --state).
func (r *Runner) Read(ctx context.Context, configPath string, cat *ConfiguredCatalog, state any, cached bool) (*Output, error) {
	cfg, err := r.connectorConfig(configPath)
	if err != nil {
		return nil, err
	}
	catJSON, err := json.Marshal(cat)
	if err != nil {
		return nil, err
	}
	inv := Invocation{Command: "read", Config: cfg, Catalog: catJSON}
	if state != nil {
		if inv.State, err = json.Marshal(state); err != nil {
			return nil, err
		}
	}
	return r.run(ctx, inv, cached)
}

// DiscoveredCatalog is CAT's discovered_catalog fixture: the streams of the
// last CATALOG message, by name, in catalog order.
func (r *Runner) DiscoveredCatalog(ctx context.Context, configPath string) ([]Stream, error) {
	out, err := r.Discover(ctx, configPath)
	if err != nil {
		return nil, err
	}
	cats := out.Filter("CATALOG")
	if len(cats) == 0 {
		return nil, fmt.Errorf("no catalog message was emitted (exit %d)%s", out.ExitCode, errorTraces(out))
	}
	return dedupeStreams(cats[len(cats)-1].Catalog.Streams), nil
}

// dedupeStreams keeps the last stream of each name, as the Python dict
// comprehension {stream.name: stream} does, in first-seen order.
func dedupeStreams(in []Stream) []Stream {
	idx := map[string]int{}
	var out []Stream
	for _, s := range in {
		if i, ok := idx[s.Name]; ok {
			out[i] = s
			continue
		}
		idx[s.Name] = len(out)
		out = append(out, s)
	}
	return out
}

func errorTraces(o *Output) string {
	var b strings.Builder
	for _, m := range o.Filter("TRACE") {
		if m.Trace.Error != nil {
			fmt.Fprintf(&b, "; TRACE ERROR: %s", m.Trace.Error.Message)
		}
	}
	return b.String()
}

// CatalogFromDiscovered is utils/common.py
// build_configured_catalog_from_discovered_catalog_and_empty_streams.
func CatalogFromDiscovered(streams []Stream, empty []NamedBypass) *ConfiguredCatalog {
	skip := map[string]bool{}
	for _, e := range empty {
		skip[e.Name] = true
	}
	c := &ConfiguredCatalog{Streams: []ConfiguredStream{}}
	for _, s := range streams {
		if skip[s.Name] {
			continue
		}
		mode := ""
		if len(s.SupportedSyncModes) > 0 {
			mode = s.SupportedSyncModes[0]
		}
		c.Streams = append(c.Streams, ConfiguredStream{
			Stream: s, SyncMode: mode, DestinationSyncMode: "append",
			CursorField: s.DefaultCursorField, PrimaryKey: s.SourceDefinedPrimaryKey,
		})
	}
	return c
}

// CatalogFromFile is build_configured_catalog_from_custom_catalog: the
// file's streams, each with its stream object replaced by the discovered one.
func CatalogFromFile(raw []byte, discovered []Stream) (*ConfiguredCatalog, error) {
	var c ConfiguredCatalog
	if err := decodeJSON(raw, &c); err != nil {
		return nil, fmt.Errorf("configured catalog: %w", err)
	}
	byName := map[string]Stream{}
	for _, s := range discovered {
		byName[s.Name] = s
	}
	for i, cs := range c.Streams {
		s, ok := byName[cs.Stream.Name]
		if !ok {
			return nil, fmt.Errorf("the %s stream of the configured catalog is not part of the discovered catalog", cs.Stream.Name)
		}
		c.Streams[i].Stream = s
	}
	return &c, nil
}

// FullRefreshOnly is full_refresh_only_catalog.
func FullRefreshOnly(c *ConfiguredCatalog) *ConfiguredCatalog {
	return onlyMode(c, "full_refresh")
}

// IncrementalOnly is incremental_only_catalog.
func IncrementalOnly(c *ConfiguredCatalog) *ConfiguredCatalog {
	return onlyMode(c, "incremental")
}

func onlyMode(c *ConfiguredCatalog, mode string) *ConfiguredCatalog {
	out := &ConfiguredCatalog{Streams: []ConfiguredStream{}}
	for _, s := range c.Streams {
		for _, m := range s.Stream.SupportedSyncModes {
			if m == mode {
				s.SyncMode = mode
				out.Streams = append(out.Streams, s)
				break
			}
		}
	}
	return out
}

func decodeJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
