package integrationtests

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// The mutation tests wrap the real binary so that one thing CAT checks is
// wrong (a spec field, a schema, a state message, a status, the handling of
// a state) and assert that the runner's case for that rule fails. Together
// with TestAcceptance passing on the unmodified binary this shows each rule
// can tell a good connector from a broken one.

// editOutput applies f to a copy of every output of the inner connector.
func editOutput(f func(inv cat.Invocation, out *cat.Output)) func(cat.Connector) cat.Connector {
	return func(inner cat.Connector) cat.Connector {
		return cat.ConnectorFunc(func(ctx context.Context, inv cat.Invocation) (*cat.Output, error) {
			out, err := inner.Run(ctx, inv)
			if err != nil {
				return nil, err
			}
			cp := copyOutput(out)
			f(inv, cp)
			return cp, nil
		})
	}
}

func copyOutput(o *cat.Output) *cat.Output {
	b, err := json.Marshal(o.Messages)
	if err != nil {
		panic(err)
	}
	cp := *o
	cp.Messages = nil
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&cp.Messages); err != nil {
		panic(err)
	}
	return &cp
}

// editMessages keeps the messages f returns true for, after f edits them.
func editMessages(command string, f func(m *cat.Message) bool) func(cat.Connector) cat.Connector {
	return editOutput(func(inv cat.Invocation, out *cat.Output) {
		if inv.Command != command {
			return
		}
		var keep []cat.Message
		for i := range out.Messages {
			if f(&out.Messages[i]) {
				keep = append(keep, out.Messages[i])
			}
		}
		out.Messages = keep
	})
}

func specProps(m *cat.Message) map[string]any {
	return m.Spec["connectionSpecification"].(map[string]any)["properties"].(map[string]any)
}

func prop(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }

// editStreams edits every discovered stream.
func editStreams(f func(s *cat.Stream)) func(cat.Connector) cat.Connector {
	return editMessages("discover", func(m *cat.Message) bool {
		if m.Type == "CATALOG" {
			for i := range m.Catalog.Streams {
				f(&m.Catalog.Streams[i])
			}
		}
		return true
	})
}

// editRecords edits every record's data.
func editRecords(f func(r *cat.RecordMessage)) func(cat.Connector) cat.Connector {
	return editMessages("read", func(m *cat.Message) bool {
		if m.Type == "RECORD" {
			f(m.Record)
		}
		return true
	})
}

// cachingBinary runs each distinct invocation once, so that the many
// output mutations of one read cost one read.
type cachingBinary struct {
	inner cat.Connector
	mu    sync.Mutex
	cache map[string]*cat.Output
}

func (c *cachingBinary) Run(ctx context.Context, inv cat.Invocation) (*cat.Output, error) {
	key := inv.Command + "\x00" + string(inv.Config) + "\x00" + string(inv.Catalog) + "\x00" + string(inv.State)
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.cache[key]; ok {
		return o, nil
	}
	o, err := c.inner.Run(ctx, inv)
	if err == nil {
		c.cache[key] = o
	}
	return o, err
}

type mutation struct {
	name string
	wrap func(cat.Connector) cat.Connector
	// live mutations need fresh reads (emitted_at, state handling).
	live bool
	// run are the cases to run in order; breaks are those that must fail.
	run, breaks []string
}

var mutations = []mutation{
	{name: "secret not marked", wrap: editMessages("spec", func(m *cat.Message) bool {
		if m.Type == "SPEC" {
			prop(specProps(m), "access_token")["airbyte_secret"] = false
		}
		return true
	}), breaks: []string{"spec/test_secret_is_properly_marked", "spec/test_match_expected"}},
	{name: "spec additionalProperties false", wrap: editMessages("spec", func(m *cat.Message) bool {
		if m.Type == "SPEC" {
			m.Spec["connectionSpecification"].(map[string]any)["additionalProperties"] = false
		}
		return true
	}), breaks: []string{"spec/test_additional_properties_is_true"}},
	{name: "spec $ref and anyOf", wrap: editMessages("spec", func(m *cat.Message) bool {
		if m.Type == "SPEC" {
			prop(specProps(m), "start_date")["anyOf"] = []any{map[string]any{"$ref": "#/definitions/date"}}
		}
		return true
	}), breaks: []string{"spec/test_defined_refs_exist_in_json_spec_file", "spec/test_forbidden_complex_types", "spec/test_oneof_usage"}},
	{name: "spec type list with null first and duplicate order", wrap: editMessages("spec", func(m *cat.Message) bool {
		if m.Type == "SPEC" {
			p := specProps(m)
			prop(p, "lookback_window_hours")["type"] = []any{"null", "integer"}
			prop(p, "base_url")["order"] = json.Number("0")
		}
		return true
	}), breaks: []string{"spec/test_property_type_is_not_array", "spec/test_duplicate_order"}},
	{name: "spec emitted twice", wrap: editOutput(func(inv cat.Invocation, out *cat.Output) {
		if inv.Command == "spec" {
			out.Messages = append(out.Messages, out.Messages...)
		}
	}), breaks: []string{"spec/test_config_match_spec", "spec/test_enum_usage"}},
	{name: "check succeeds on an invalid config", wrap: editMessages("check", func(m *cat.Message) bool {
		if m.Type == "CONNECTION_STATUS" {
			m.ConnectionStatus.Status = "SUCCEEDED"
		}
		return true
	}), breaks: []string{"connection/test_check/1_failed"}},
	{name: "check without status", wrap: editMessages("check", func(m *cat.Message) bool { return m.Type != "CONNECTION_STATUS" }),
		breaks: []string{"connection/test_check/0_succeed", "connection/test_check/1_failed"}},
	{name: "primary key missing from schema", wrap: editStreams(func(s *cat.Stream) {
		if len(s.SourceDefinedPrimaryKey) > 0 {
			delete(s.JSONSchema["properties"].(map[string]any), s.SourceDefinedPrimaryKey[0][0])
		}
	}), breaks: []string{"discovery/test_primary_keys_exist_in_schema", "discovery/test_primary_keys_data_type"}},
	{name: "primary key typed object", wrap: editStreams(func(s *cat.Stream) {
		if len(s.SourceDefinedPrimaryKey) > 0 {
			prop(s.JSONSchema["properties"].(map[string]any), s.SourceDefinedPrimaryKey[0][0])["type"] = []any{"object", "null"}
		}
	}), breaks: []string{"discovery/test_primary_keys_data_type"}},
	{name: "cursor missing from schema", wrap: editStreams(func(s *cat.Stream) {
		if len(s.DefaultCursorField) > 0 {
			delete(s.JSONSchema["properties"].(map[string]any), s.DefaultCursorField[0])
		}
	}), breaks: []string{"discovery/test_defined_cursors_exist_in_schema"}},
	{name: "invalid, closed schema with allOf", wrap: editStreams(func(s *cat.Stream) {
		s.JSONSchema["type"] = json.Number("5")
		s.JSONSchema["additionalProperties"] = false
		s.JSONSchema["allOf"] = []any{}
	}), breaks: []string{"discovery/test_streams_have_valid_json_schemas", "discovery/test_additional_properties_is_true", "discovery/test_defined_keyword_exist_in_schema[allOf]"}},
	{name: "no supported sync modes", wrap: editStreams(func(s *cat.Stream) { s.SupportedSyncModes = []string{} }),
		breaks: []string{"discovery/test_streams_has_sync_modes"}},
	{name: "integers written as 1.0", wrap: editRecords(func(r *cat.RecordMessage) {
		for k, v := range r.Data {
			if n, ok := v.(json.Number); ok && !strings.ContainsAny(string(n), ".eE") {
				r.Data[k] = json.Number(string(n) + ".0")
			}
		}
	}), breaks: []string{"basic_read/test_read/validate_schema/records"}},
	{name: "impossible date-time", wrap: editRecords(func(r *cat.RecordMessage) {
		if _, ok := r.Data["creationTime"].(string); ok {
			r.Data["creationTime"] = "2025-02-30T10:00:00Z"
		}
	}), breaks: []string{"basic_read/test_read/validate_schema/records"}},
	{name: "records unlike the schema", wrap: editRecords(func(r *cat.RecordMessage) {
		r.Data = map[string]any{"unrelated": "x"}
	}), breaks: []string{"basic_read/test_read/validate_schema/structure", "basic_read/test_read/expected_records", "basic_read/test_read/primary_keys_data_type"}},
	{name: "stream without records", wrap: editMessages("read", func(m *cat.Message) bool {
		return m.Type != "RECORD" || m.Record.Stream != "sessions"
	}), breaks: []string{"basic_read/test_read/empty_streams", "basic_read/test_read/expected_records"}},
	{name: "states without sourceStats", wrap: editMessages("read", func(m *cat.Message) bool {
		if m.Type == "STATE" {
			m.State.SourceStats = nil
		}
		return true
	}), breaks: []string{"basic_read/test_read/state_messages"}},
	{name: "LEGACY states", wrap: editMessages("read", func(m *cat.Message) bool {
		if m.Type == "STATE" {
			m.State.Type = "LEGACY"
		}
		return true
	}), breaks: []string{"basic_read/test_read/state_messages"}},
	{name: "no RUNNING status", wrap: editMessages("read", func(m *cat.Message) bool {
		return !(m.Type == "TRACE" && m.Trace.StreamStatus != nil && m.Trace.StreamStatus.Status == "RUNNING")
	}), breaks: []string{"basic_read/test_read/stream_statuses"}},
	{name: "no ERROR trace for a bad catalog", wrap: editMessages("read", func(m *cat.Message) bool {
		return !(m.Type == "TRACE" && m.Trace.Type == "ERROR")
	}), breaks: []string{"basic_read/test_airbyte_trace_message_on_failure"}},
	{name: "secret in a log line", wrap: editOutput(func(inv cat.Invocation, out *cat.Output) {
		if inv.Command == "check" {
			out.Messages = append(out.Messages, cat.Message{Type: "LOG", Log: &cat.LogMessage{Level: "INFO", Message: "token " + fakebotmaker.DefaultToken}})
		}
	}), run: []string{"connection/test_check/0_succeed"}, breaks: []string{"secrets/test_secret_never_in_the_output"}},

	{name: "emitted_at frozen", live: true, wrap: editRecords(func(r *cat.RecordMessage) { r.EmittedAt = "1700000000000" }),
		breaks: []string{"full_refresh/test_sequential_reads/emitted_at_increases"}},
	{name: "later reads lose records", live: true, wrap: func(inner cat.Connector) cat.Connector {
		var mu sync.Mutex
		reads := 0
		return editOutput(func(inv cat.Invocation, out *cat.Output) {
			if inv.Command != "read" {
				return
			}
			mu.Lock()
			reads++
			n := reads
			mu.Unlock()
			if n == 1 {
				return
			}
			dropped := map[string]bool{}
			var keep []cat.Message
			for _, m := range out.Messages {
				if m.Type == "RECORD" && !dropped[m.Record.Stream] {
					dropped[m.Record.Stream] = true
					continue
				}
				keep = append(keep, m)
			}
			out.Messages = keep
		})(inner)
	}, breaks: []string{"full_refresh/test_sequential_reads/first_read_subset_of_second"}},
	{name: "state ignored", live: true, wrap: func(inner cat.Connector) cat.Connector {
		return cat.ConnectorFunc(func(ctx context.Context, inv cat.Invocation) (*cat.Output, error) {
			inv.State = nil
			return inner.Run(ctx, inv)
		})
	}, breaks: []string{"incremental/test_two_sequential_reads", "incremental/test_read_sequential_slices/calls", "incremental/test_state_with_abnormally_large_values"}},
	{name: "nothing read after an intermediate state", live: true, wrap: editOutput(func(inv cat.Invocation, out *cat.Output) {
		if inv.Command != "read" || inv.State == nil {
			return
		}
		var keep []cat.Message
		for _, m := range out.Messages {
			if m.Type != "RECORD" {
				keep = append(keep, m)
			}
		}
		out.Messages = keep
	}), breaks: []string{"incremental/test_read_sequential_slices/messages"}},
	{name: "no states", live: true, wrap: editMessages("read", func(m *cat.Message) bool { return m.Type != "STATE" }),
		breaks: []string{"incremental/test_two_sequential_reads", "incremental/test_state_with_abnormally_large_values"}},
}

func TestMutationsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the fake API")
	}
	bin := connectorBinary(t)
	// One fake on the fixture clock for the output mutations (the
	// expected records match it), one on the real clock for the live
	// ones, where 90 days of windows read faster than the year since
	// fixtureNow.
	fixtureFake := startFake(t, fixtureNow)
	fixtureConfig := writeSecretsConfig(t, fixtureFake)
	liveFake := startFake(t, time.Time{})
	liveConfig := writeSecretsConfig(t, liveFake)
	shared := &cachingBinary{inner: &cat.Binary{Path: bin}, cache: map[string]*cat.Output{}}
	for _, mu := range mutations {
		t.Run(mu.name, func(t *testing.T) {
			t.Parallel()
			var conn cat.Connector = shared
			cfg := fixtureConfig
			if mu.live {
				conn, cfg = &cat.Binary{Path: bin}, liveConfig
			}
			r, err := cat.NewRunner(mu.wrap(conn), repoRoot)
			if err != nil {
				t.Fatal(err)
			}
			r.Files = map[string]string{cat.DefaultConfigPath: cfg}
			cases := map[string]cat.Case{}
			for _, c := range r.Suite() {
				cases[c.Name] = c
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			for _, name := range mu.run {
				if err := cases[name].Run(ctx); err != nil {
					if _, skip := cat.IsSkip(err); !skip {
						t.Logf("setup case %s: %v", name, err)
					}
				}
			}
			for _, name := range mu.breaks {
				c, ok := cases[name]
				if !ok {
					t.Fatalf("no case %s in the suite", name)
				}
				err := c.Run(ctx)
				if _, skip := cat.IsSkip(err); skip || err == nil {
					t.Errorf("%s passed (%v) on a connector with %s", name, err, mu.name)
					continue
				}
				t.Logf("%s caught it: %s", name, firstLine(err.Error()))
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 200 {
		return l[:200] + "..."
	}
	return l
}
