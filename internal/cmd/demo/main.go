// Command demo runs the connector against the bundled fake Botmaker API and
// prints what it synced: a full sync of every stream, then an incremental
// sync from the first sync's final state.
//
//	go run ./internal/cmd/demo [-seed 1] [-state-out state.json]
//
// It runs the connector with the commands and files Airbyte gives the
// binary (discover, then read with --config/--catalog[/--state] files) and
// checks every stdout line is an Airbyte protocol message. It exits 1 when a
// line is not, when the connector fails, or when any stream does not
// COMPLETE.
//
// The connector runs in this process, as the binary's main runs it
// (connector.DefaultRuntime), not as a child process: that is how its
// billed-traffic counts reach the demo as values (connector.Runtime.Billed)
// while its stdout stays pure protocol and the binary gains no side channel
// for them. The built binary is run as Airbyte runs it by make e2e and the
// acceptance tests (integration_tests).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/plural"
	"github.com/source-botmaker/source-botmaker/internal/stdoutparse"
	"github.com/source-botmaker/source-botmaker/streams"
)

func main() {
	var o options
	flag.Int64Var(&o.Seed, "seed", 1, "seed of the fake API's generated data")
	flag.StringVar(&o.StateOut, "state-out", "", "write the final state (input for a next `read --state`) to this file")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	o.RateLimits = true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// As in connector.Main: the first signal winds the sync down, a second
	// one ends the demo at once.
	go func() { <-ctx.Done(); stop() }()
	if _, err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

type options struct {
	Seed       int64
	StateOut   string
	Counts     fakebotmaker.Counts // missing endpoints use the fake's defaults
	RateLimits bool                // the fake answers 429 past Botmaker's documented limits
}

// streamResult is one stream's outcome in one sync.
type streamResult struct {
	Name     string
	Mode     airbyte.SyncMode
	Records  int
	States   int
	Status   airbyte.Status // last stream status seen; "" if none
	Requests int            // requests the fake received on the stream's endpoint
	Cursor   string         // the final state's stream_state, compact

	// CursorField is the incremental stream's cursor; "" in full refresh.
	CursorField string
	// Bookmark is the cursor in the final state; zero if there is none.
	Bookmark time.Time
	// Newest is the latest cursor value among the records.
	Newest time.Time
	// Since is the bookmark this sync started from, when it started from
	// the previous sync's state. Records whose cursor is after it are New:
	// sync 1 did not write them. The others are Reread, read again by the
	// lookback. For the streams Botmaker bills, those the connector counts
	// Updated come out of either: the finished version of a session (or its
	// agent_metrics rows) that sync 1 saw open and tracked. This is the
	// connector's own split (connector.BilledTraffic), which its
	// billed-traffic log line reports; read checks the two agree.
	Since                time.Time
	New, Updated, Reread int
	// Billed is the connector's billed-traffic count (Runtime.Billed); nil
	// for streams Botmaker does not bill.
	Billed *connector.BilledTraffic
}

// syncResult is one `read` run.
type syncResult struct {
	Title     string
	Since     bool // started from a previous sync's state
	Streams   []streamResult
	Records   int
	Seconds   float64
	Throttled int // HTTP 429 responses from the fake during the sync
	Errors    []string
	ExitCode  int
	State     []json.RawMessage // last STATE message per stream, in stream order
	Added     []activity        // made new on the fake before this sync; nil for the first
	Finished  int               // sessions sync 1 tracked open that finished before this sync
}

func (s syncResult) complete() bool {
	if s.ExitCode != 0 || len(s.Streams) == 0 {
		return false
	}
	for _, st := range s.Streams {
		if st.Status != airbyte.StatusComplete {
			return false
		}
	}
	return true
}

// run does the whole demo and returns both syncs' results. Its error says
// what went wrong; the tables are printed to out either way.
func run(ctx context.Context, o options, out io.Writer) ([]syncResult, error) {
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: o.Seed, Counts: o.Counts, RateLimits: o.RateLimits,
		Quirks: fakebotmaker.Quirks{OpenSessions: &fakebotmaker.OpenSessions{Ages: openSessionAges}}})
	defer srv.Close()

	dir, err := os.MkdirTemp("", "botmaker-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	start := time.Now().UTC().AddDate(0, 0, -90).Format("2006-01-02T00:00:00Z")
	cfg := map[string]any{
		"access_token":     fakebotmaker.DefaultToken,
		"start_date":       start,
		"long_term_search": true,
		"base_url":         srv.URL(),
	}
	configPath := filepath.Join(dir, "config.json")
	if err := writeJSON(configPath, cfg); err != nil {
		return nil, err
	}

	catalog, err := discover(ctx, configPath)
	if err != nil {
		return nil, err
	}
	catalogPath := filepath.Join(dir, "catalog.json")
	if err := writeJSON(catalogPath, configure(catalog)); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Fake Botmaker API at %s (seed %d, rate limits %s)\n", srv.URL(), o.Seed, onOff(o.RateLimits))
	fmt.Fprintf(out, "Config: start_date %s, long_term_search on; %d streams discovered\n\n", start, len(catalog.Streams))

	var results []syncResult
	first, err := read(ctx, srv, "Sync 1: full history", configPath, catalogPath, "", nil)
	results = append(results, first)
	printSync(out, first)
	if err != nil {
		return results, err
	}
	if !first.complete() {
		return results, errors.New("sync 1 did not complete every stream")
	}

	// A little new activity on every incremental stream, so the
	// incremental sync has something new to pick up besides the lookback
	// window it re-reads.
	added, err := addActivity(srv, activityPerStream)
	if err != nil {
		return results, err
	}
	// The sessions open at sync 1 (openSessionAges), which it tracked,
	// finish: sync 2 writes them and their agent_metrics rows as updated.
	finished := len(srv.FinishOpenSessions())
	fmt.Fprint(out, "\nMeanwhile on the fake API, new activity on every incremental stream:")
	for i, a := range added {
		sep := ","
		if i == len(added)-1 {
			sep = "."
		}
		fmt.Fprintf(out, " %s +%d%s", a.Stream, a.Items, sep)
	}
	fmt.Fprintf(out, "\n%d sessions open at sync 1 (for up to 3 days) finished.\n\n", finished)

	// The new items are stamped with the current second; let it pass so the
	// next sync's window ends after them.
	time.Sleep(1100 * time.Millisecond)

	statePath := filepath.Join(dir, "state.json")
	if err := writeJSON(statePath, first.State); err != nil {
		return results, err
	}
	second, err := read(ctx, srv, "Sync 2: incremental, from sync 1's final state", configPath, catalogPath, statePath, bookmarks(first))
	second.Added = added
	second.Finished = finished
	results = append(results, second)
	printSync(out, second)
	if err != nil {
		return results, err
	}
	if o.StateOut != "" {
		if err := writeJSON(o.StateOut, second.State); err != nil {
			return results, err
		}
		fmt.Fprintf(out, "\nFinal state written to %s\n", o.StateOut)
	}
	if !second.complete() {
		return results, errors.New("sync 2 did not complete every stream")
	}
	return results, nil
}

// openSessionAges are the ages of the sessions the fake keeps open for
// sync 1 (the only open ones): it tracks them, and they finish before
// sync 2, which counts their records updated.
var openSessionAges = []time.Duration{72 * time.Hour, 26 * time.Hour, 3 * time.Hour}

// activityPerStream is how many items the fake makes new on each
// incremental stream between the two syncs.
const activityPerStream = 5

// activity is what the fake made new on one stream's endpoint between the
// syncs; the incremental sync must read at least Items new records of it.
type activity struct {
	Stream string
	Items  int // ids the fake's Add returned: new items, or for chats existing ones with new activity
}

// addActivity makes n items new on the endpoint of every incremental
// stream in the registry, at the fake's current clock, through the
// fake's Add (what its POST /_control/add?endpoint=E serves; endpoints are
// named as the streams). A stream whose endpoint has no Add is an error,
// so a new incremental stream is never left out of the demo.
func addActivity(srv *fakebotmaker.Server, n int) ([]activity, error) {
	var out []activity
	for _, s := range streams.All() {
		if !s.Incremental() {
			continue
		}
		ids, ok := srv.Add(s.Name, n)
		if !ok {
			return out, fmt.Errorf("the fake API cannot add activity to stream %s: give its endpoint row an add (internal/fakebotmaker/table.go)", s.Name)
		}
		out = append(out, activity{Stream: s.Name, Items: len(ids)})
	}
	return out, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// connectorRun is one connector command run in process: its stdout read
// line by line as it is written, each line checked and decoded.
type connectorRun struct {
	ExitCode int
	Stderr   string
	Billed   []connector.BilledTraffic
}

// runConnector runs the connector with args as its command line and hands
// each stdout message to each, in order. A line that is not a protocol
// message (or holds the token) is the error; the rest of stdout is read all
// the same, so the connector never blocks on a full pipe.
func runConnector(ctx context.Context, args []string, each func(*airbyte.Message)) (connectorRun, error) {
	var res connectorRun
	rt := connector.DefaultRuntime()
	rt.Billed = func(bs []connector.BilledTraffic) { res.Billed = bs }
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := rt.Run(ctx, args, pw, &stderr)
		pw.Close()
		done <- code
	}()
	var parseErr error
	lines := stdoutparse.NewReader(pr)
	for {
		line, err := lines.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			if parseErr == nil {
				parseErr = fmt.Errorf("%s stdout line %d: %w", args[0], lines.Lines()+1, err)
			}
			_, _ = io.Copy(io.Discard, pr)
			break
		}
		if parseErr != nil {
			continue
		}
		m, err := parseLine(line)
		if err != nil {
			parseErr = fmt.Errorf("%s stdout line %d: %w", args[0], lines.Lines(), err)
			continue
		}
		each(m)
	}
	res.ExitCode = <-done
	res.Stderr = strings.TrimSpace(stderr.String())
	return res, parseErr
}

func discover(ctx context.Context, configPath string) (*airbyte.Catalog, error) {
	var catalog *airbyte.Catalog
	var failed string
	res, err := runConnector(ctx, []string{"discover", "--config", configPath}, func(m *airbyte.Message) {
		if m.Type == airbyte.TypeCatalog {
			catalog = m.Catalog
		}
		if m.Type == airbyte.TypeTrace && m.Trace.Error != nil && failed == "" {
			failed = m.Trace.Error.Message
		}
	})
	switch {
	case err != nil:
		return nil, err
	case failed != "":
		return nil, fmt.Errorf("discover failed: %s", failed)
	case res.ExitCode != 0:
		return nil, fmt.Errorf("discover: exit code %d; stderr: %s", res.ExitCode, res.Stderr)
	case catalog == nil:
		return nil, errors.New("discover printed no CATALOG message")
	}
	return catalog, nil
}

// configure selects every stream the way a user would in the Airbyte UI:
// incremental with the source's cursor where the stream supports it.
func configure(c *airbyte.Catalog) airbyte.ConfiguredCatalog {
	var cc airbyte.ConfiguredCatalog
	for _, s := range c.Streams {
		cs := airbyte.ConfiguredStream{Stream: s, SyncMode: airbyte.FullRefresh, DestinationSyncMode: "overwrite", PrimaryKey: s.SourceDefinedPrimaryKey}
		if slices.Contains(s.SupportedSyncModes, airbyte.Incremental) {
			cs.SyncMode = airbyte.Incremental
			cs.CursorField = s.DefaultCursorField
			cs.DestinationSyncMode = "append_dedup"
		}
		cc.Streams = append(cc.Streams, cs)
	}
	return cc
}

// parseLine decodes one stdout line, which must not hold the fake's token.
func parseLine(line []byte) (*airbyte.Message, error) {
	m, err := stdoutparse.Message(line)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(line, []byte(fakebotmaker.DefaultToken)) {
		return nil, errors.New("the access token appears on stdout")
	}
	return m, nil
}

// bookmarks are the cursors of each incremental stream's final state in a
// sync: what the next sync starts from.
func bookmarks(r syncResult) map[string]time.Time {
	out := map[string]time.Time{}
	for _, s := range r.Streams {
		if !s.Bookmark.IsZero() {
			out[s.Name] = s.Bookmark
		}
	}
	return out
}

// read runs one sync. since holds the previous sync's bookmarks, against
// which each record is counted as new or re-read; nil for a first sync.
func read(ctx context.Context, srv *fakebotmaker.Server, title, configPath, catalogPath, statePath string, since map[string]time.Time) (syncResult, error) {
	res := syncResult{Title: title}
	var cat airbyte.ConfiguredCatalog
	raw, err := os.ReadFile(catalogPath)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(raw, &cat); err != nil {
		return res, err
	}
	byName := map[string]*streamResult{}
	res.Since = since != nil
	for _, cs := range cat.Streams {
		sr := streamResult{Name: cs.Stream.Name, Mode: cs.SyncMode, Since: since[cs.Stream.Name]}
		if cs.SyncMode == airbyte.Incremental && len(cs.CursorField) == 1 {
			sr.CursorField = cs.CursorField[0]
		}
		res.Streams = append(res.Streams, sr)
	}
	for i := range res.Streams {
		byName[res.Streams[i].Name] = &res.Streams[i]
	}

	args := []string{"read", "--config", configPath, "--catalog", catalogPath}
	if statePath != "" {
		args = append(args, "--state", statePath)
	}
	srv.ResetRequests()
	began := time.Now()
	states := map[string]json.RawMessage{}
	run, parseErr := runConnector(ctx, args, func(m *airbyte.Message) { tally(&res, byName, states, m) })
	res.Seconds = time.Since(began).Seconds()
	res.ExitCode = run.ExitCode
	if run.Stderr != "" {
		res.Errors = append(res.Errors, "stderr: "+run.Stderr)
	}
	for i := range run.Billed {
		if s := byName[run.Billed[i].Stream]; s != nil {
			s.Billed = &run.Billed[i]
		}
	}

	for _, r := range srv.Requests() {
		if r.Status == 429 {
			res.Throttled++
		}
		for i := range res.Streams {
			if s, ok := streams.Lookup(res.Streams[i].Name); ok && r.Path == "/v2.0"+s.Path {
				res.Streams[i].Requests++
			}
		}
	}
	var disagree []string
	for i := range res.Streams {
		s := &res.Streams[i]
		if b := s.Billed; b != nil && s.CursorField != "" {
			if err := s.takeUpdated(b); err != nil {
				disagree = append(disagree, err.Error())
			}
		}
		res.Records += s.Records
		if st, ok := states[s.Name]; ok {
			res.State = append(res.State, st)
		}
	}
	if parseErr != nil {
		return res, parseErr
	}
	if len(disagree) > 0 {
		return res, errors.New(strings.Join(disagree, "; "))
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("%s: the connector exited with code %d", title, res.ExitCode)
	}
	return res, nil
}

// takeUpdated moves the records the connector counts as updated out of the
// demo's new and re-read counts, after checking the rest agrees: an updated
// record is one the demo, going by its cursor alone, counts as either.
func (s *streamResult) takeUpdated(b *connector.BilledTraffic) error {
	fromNew, fromReread := int64(s.New)-b.New, int64(s.Reread)-b.Reread
	if fromNew < 0 || fromReread < 0 || fromNew+fromReread != b.Updated {
		return fmt.Errorf("stream %s: the connector counted %d new, %d updated and %d re-read records; the demo, by cursor, %d new and %d re-read", s.Name, b.New, b.Updated, b.Reread, s.New, s.Reread)
	}
	s.New, s.Updated, s.Reread = int(b.New), int(b.Updated), int(b.Reread)
	return nil
}

func tally(res *syncResult, byName map[string]*streamResult, states map[string]json.RawMessage, m *airbyte.Message) {
	switch m.Type {
	case airbyte.TypeRecord:
		if s := byName[m.Record.Stream]; s != nil {
			s.Records++
			if s.CursorField != "" {
				c := cursorOf(m.Record.Data, s.CursorField)
				if c.After(s.Newest) {
					s.Newest = c
				}
				if !s.Since.IsZero() && !c.IsZero() && !c.After(s.Since) {
					s.Reread++
				} else {
					s.New++
				}
			}
		}
	case airbyte.TypeState:
		if m.State.Stream == nil {
			return
		}
		name := m.State.Stream.StreamDescriptor.Name
		if s := byName[name]; s != nil {
			s.States++
			s.Cursor = string(m.State.Stream.StreamState)
			if s.CursorField != "" {
				s.Bookmark = cursorOf(m.State.Stream.StreamState, s.CursorField)
			}
		}
		b, _ := json.Marshal(m.State)
		states[name] = b
	case airbyte.TypeTrace:
		switch {
		case m.Trace.StreamStatus != nil:
			if s := byName[m.Trace.StreamStatus.StreamDescriptor.Name]; s != nil {
				s.Status = m.Trace.StreamStatus.Status
			}
		case m.Trace.Error != nil:
			res.Errors = append(res.Errors, fmt.Sprintf("%s error: %s", m.Trace.Error.FailureType, m.Trace.Error.Message))
		}
	case airbyte.TypeLog:
		if m.Log.Level == airbyte.LogError || m.Log.Level == airbyte.LogFatal || m.Log.Level == airbyte.LogWarn {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %s", m.Log.Level, m.Log.Message))
		}
	}
}

// cursorOf reads an RFC 3339 timestamp field of a JSON object; zero when
// it is missing or not a timestamp.
func cursorOf(obj json.RawMessage, field string) time.Time {
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) != nil {
		return time.Time{}
	}
	var v string
	if json.Unmarshal(fields[field], &v) != nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// stateLabel says what a stream's final state means, instead of showing
// the protocol's placeholder for streams without a cursor.
func stateLabel(s streamResult) string {
	switch {
	case s.Cursor == "":
		return "-"
	case s.CursorField == "":
		return "none (full refresh keeps no cursor)"
	case s.Bookmark.IsZero():
		return s.Cursor
	}
	label := s.CursorField + " " + s.Bookmark.UTC().Format(time.RFC3339)
	var st struct {
		Pending []json.RawMessage `json:"pending_backfill"`
	}
	if json.Unmarshal([]byte(s.Cursor), &st) == nil && len(st.Pending) > 0 {
		label += fmt.Sprintf(" + %d pending backfill period(s)", len(st.Pending))
	}
	return label
}

func printSync(out io.Writer, r syncResult) {
	fmt.Fprintln(out, r.Title)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if r.Since {
		fmt.Fprintln(tw, "stream\tmode\trecords\tnew\tupdated\tre-read\tSTATE msgs\tstatus\trequests\tbilled KB\tfinal state")
	} else {
		fmt.Fprintln(tw, "stream\tmode\trecords\tSTATE msgs\tstatus\trequests\tbilled KB\tfinal state")
	}
	for _, s := range r.Streams {
		status := string(s.Status)
		if status == "" {
			status = "(none)"
		}
		split := ""
		if r.Since {
			split = "-\t-\t-\t"
			if s.CursorField != "" && !s.Since.IsZero() {
				split = fmt.Sprintf("%d\t%d\t%d\t", s.New, s.Updated, s.Reread)
			}
		}
		billed := "-"
		if s.Billed != nil {
			billed = fmt.Sprintf("%.0f", float64(s.Billed.Bytes)/1000)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s%d\t%s\t%d\t%s\t%s\n", s.Name, s.Mode, s.Records, split, s.States, status, s.Requests, billed, stateLabel(s))
	}
	tw.Flush()
	fmt.Fprintf(out, "total: %s in %.1f s; HTTP 429 responses: %d; exit code %d\n", plural.Count(r.Records, "record"), r.Seconds, r.Throttled, r.ExitCode)
	if r.Since {
		fmt.Fprintln(out, "new: no earlier sync wrote or tracked it (cursor after the bookmark this sync started from); updated: the finished version of a session, or its agent_metrics rows, that sync 1 saw open and tracked; re-read: written by sync 1 and read again by a lookback or a re-read billing month (as the connector's billed-traffic log line counts them).")
		fmt.Fprintln(out, "sessions, agent_metrics: a session still open is kept in the state (open_sessions) and re-checked in a narrow window each sync; it is written once it has finished. Full-refresh streams are read in full every time.")
		for _, s := range streams.All() {
			if s.Window == streams.BillingPeriod {
				fmt.Fprintf(out, "%s: its open billing months are read again once per billing_refresh_hours (default 24), so this sync reads nothing for it.\n", s.Name)
			}
		}
	}
	if !r.Since {
		fmt.Fprintf(out, "billed KB: response kilobytes of the requests Botmaker bills (%s), from the connector's log.\n", billedNames())
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(out, "connector warnings and errors:")
	}
	for _, e := range r.Errors {
		fmt.Fprintln(out, "  "+e)
	}
}

// billedNames lists the billed streams from the registry (Def.Billing):
// "agent_metrics, messages; chats with long-term search".
func billedNames() string {
	var every, longTerm []string
	for _, s := range streams.All() {
		switch s.Billing {
		case streams.Billed:
			every = append(every, s.Name)
		case streams.BilledLongTerm:
			longTerm = append(longTerm, s.Name)
		}
	}
	out := strings.Join(every, ", ")
	if len(longTerm) > 0 {
		out += "; " + strings.Join(longTerm, ", ") + " with long-term search"
	}
	return out
}
