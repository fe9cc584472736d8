// Package synctest runs the connector in-process against the fake Botmaker
// API and parses what it prints, so tests assert on protocol messages rather
// than on text. Every line of stdout must be one Airbyte message.
package synctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/stdoutparse"
	"github.com/source-botmaker/source-botmaker/streams"
)

// Output is one command's parsed stdout.
type Output struct {
	Code     int
	Stdout   []byte
	Stderr   []byte
	Messages []airbyte.Message
	// Records holds each stream's record data, in order.
	Records map[string][]json.RawMessage
	// States holds each stream's STATE messages, in order.
	States map[string][]airbyte.State
	// Statuses holds each stream's STREAM_STATUS values, in order.
	Statuses map[string][]airbyte.Status
	Errors   []airbyte.ErrorTrace
	Logs     []airbyte.Log
	// Billed holds, by stream, the billed traffic the read handed to
	// Runtime.Billed: the values of its billed-traffic log lines.
	Billed map[string]connector.BilledTraffic
}

// Runtime is a connector runtime for tests: real clock, quick retries, and
// no pacing unless the test asks for it.
func Runtime() connector.Runtime {
	s := botmaker.DefaultSettings
	s.RetryWaitMin = 5 * time.Millisecond
	s.RetryWaitMax = 50 * time.Millisecond
	s.Timeout = 20 * time.Second
	// A 401 after the token worked is waited out in no time.
	s.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	rates := map[string]float64{}
	for _, st := range streams.All() {
		rates[st.Path] = 0
	}
	return connector.Runtime{Now: time.Now, Settings: s, Rates: rates}
}

// Run runs one command and parses its output; it fails the test on any
// stdout line that is not an Airbyte message.
func Run(t testing.TB, ctx context.Context, rt connector.Runtime, args ...string) *Output {
	t.Helper()
	var out, errb bytes.Buffer
	var billed []connector.BilledTraffic
	hook := rt.Billed
	rt.Billed = func(bs []connector.BilledTraffic) {
		billed = bs
		if hook != nil {
			hook(bs)
		}
	}
	code := rt.Run(ctx, args, &out, &errb)
	o := Parse(t, out.Bytes())
	o.Code, o.Stderr = code, errb.Bytes()
	for _, b := range billed {
		if o.Billed == nil {
			o.Billed = map[string]connector.BilledTraffic{}
		}
		o.Billed[b.Stream] = b
		// The values and the log line users read must tell the same story.
		if !slices.Contains(o.Logs, airbyte.Log{Level: airbyte.LogInfo, Message: b.String()}) {
			t.Errorf("no INFO log line %q for the billed traffic of %s", b, b.Stream)
		}
	}
	// Every scenario is also a leak test: whatever a test does, the fake's
	// token must not come out.
	for _, b := range [][]byte{o.Stdout, o.Stderr} {
		if bytes.Contains(b, []byte(fakebotmaker.DefaultToken)) {
			t.Fatalf("the access token appears in the output of %v", args)
		}
	}
	return o
}

// Parse parses connector stdout.
func Parse(t testing.TB, stdout []byte) *Output {
	t.Helper()
	o := &Output{Stdout: stdout, Records: map[string][]json.RawMessage{}, States: map[string][]airbyte.State{}, Statuses: map[string][]airbyte.Status{}}
	r := stdoutparse.NewReader(bytes.NewReader(stdout))
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		mp, err := stdoutparse.Message(line)
		if err != nil {
			t.Fatalf("stdout line %d: %v", r.Lines(), err)
		}
		m := *mp
		o.Messages = append(o.Messages, m)
		switch m.Type {
		case airbyte.TypeRecord:
			o.Records[m.Record.Stream] = append(o.Records[m.Record.Stream], m.Record.Data)
		case airbyte.TypeState:
			if m.State.Stream == nil {
				t.Fatalf("STATE without a stream: %s", line)
			}
			n := m.State.Stream.StreamDescriptor.Name
			o.States[n] = append(o.States[n], *m.State)
		case airbyte.TypeTrace:
			switch {
			case m.Trace.StreamStatus != nil:
				n := m.Trace.StreamStatus.StreamDescriptor.Name
				o.Statuses[n] = append(o.Statuses[n], m.Trace.StreamStatus.Status)
			case m.Trace.Error != nil:
				o.Errors = append(o.Errors, *m.Trace.Error)
			}
		case airbyte.TypeLog:
			o.Logs = append(o.Logs, *m.Log)
		}
	}
	return o
}

// Protocol returns the messages other than LOG: what a command answers,
// without the log lines (such as the version banner) around it.
func (o *Output) Protocol() []airbyte.Message {
	var out []airbyte.Message
	for _, m := range o.Messages {
		if m.Type != airbyte.TypeLog {
			out = append(out, m)
		}
	}
	return out
}

// LogLines is the text of every LOG message at level ("" for any level)
// that contains each of parts, in order.
func (o *Output) LogLines(level airbyte.LogLevel, parts ...string) []string {
	var out []string
	for _, l := range o.Logs {
		if level != "" && l.Level != level {
			continue
		}
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l.Message, p)
		}
		if all {
			out = append(out, l.Message)
		}
	}
	return out
}

// IDs returns the primary keys of a stream's records, in order: the
// values of fields, joined as the fake joins a composite id
// (fakebotmaker.JoinID), so they compare with Server.IDs.
func (o *Output) IDs(stream string, fields ...string) []string {
	var ids []string
	for _, r := range o.Records[stream] {
		var m map[string]any
		_ = json.Unmarshal(r, &m)
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i], _ = m[f].(string)
		}
		ids = append(ids, fakebotmaker.JoinID(parts...))
	}
	return ids
}

// Count is the number of records per stream.
func (o *Output) Count() map[string]int {
	c := map[string]int{}
	for k, v := range o.Records {
		c[k] = len(v)
	}
	return c
}

// FinalState is the state file a platform would pass to the next sync: the
// last STATE of every stream.
func (o *Output) FinalState() []byte {
	var msgs []airbyte.State
	names := make([]string, 0, len(o.States))
	for n := range o.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := o.States[n]
		msgs = append(msgs, s[len(s)-1])
	}
	b, _ := json.Marshal(msgs)
	return b
}

// Config is a config for the fake server.
func Config(srv *fakebotmaker.Server, start time.Time, extra map[string]any) map[string]any {
	c := map[string]any{
		"access_token":     fakebotmaker.DefaultToken,
		"start_date":       start.UTC().Format("2006-01-02T15:04:05Z"),
		"long_term_search": true,
		"base_url":         srv.URL(),
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// Catalog is a configured catalog of the named streams (every stream when
// none), incremental where supported and asked for.
func Catalog(incremental bool, names ...string) map[string]any {
	var out []map[string]any
	for _, s := range streams.All() {
		if len(names) > 0 && !contains(names, s.Name) {
			continue
		}
		mode := "full_refresh"
		if incremental && s.Incremental() {
			mode = "incremental"
		}
		c := s.Catalog()
		out = append(out, map[string]any{"stream": c, "sync_mode": mode, "destination_sync_mode": "append", "cursor_field": c.DefaultCursorField})
	}
	return map[string]any{"streams": out}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// File writes v (JSON-encoded unless it is []byte or string) to dir/name.
func File(t testing.TB, dir, name string, v any) string {
	t.Helper()
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The logger appends its fields to a message (" stream=chats"), after the
// message's last full stop when it has one.
var (
	fieldsAfterStop = regexp.MustCompile(`\. [a-z_]+=.*$`)
	fieldsSuffix    = regexp.MustCompile(`( \w+=\S+)+$`)
)

// actionStarts are how a sentence that tells the user what to do begins.
var actionStarts = []string{"Set ", "Run ", "Remove ", "Select ", "Report ", "Check ", "Generate ", "Give ", "Nothing to do"}

// SaysWhatToDo reports whether a log message's last sentence tells the
// user what they can do: every WARN must.
func SaysWhatToDo(msg string) bool {
	if loc := fieldsAfterStop.FindStringIndex(msg); loc != nil {
		msg = msg[:loc[0]+1]
	}
	msg = strings.TrimSpace(fieldsSuffix.ReplaceAllString(msg, ""))
	last := msg
	if i := strings.LastIndex(strings.TrimSuffix(msg, "."), ". "); i >= 0 {
		last = msg[i+2:]
	}
	for _, start := range actionStarts {
		if strings.HasPrefix(last, start) {
			return true
		}
	}
	return false
}
