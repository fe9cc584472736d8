package cat

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Message is one parsed AirbyteMessage line. Numbers inside free-form
// objects (record data, schemas, states) are json.Number, so that 1 and 1.0
// stay distinguishable for the strict-integer rule.
type Message struct {
	Type             string                   `json:"type"`
	Record           *RecordMessage           `json:"record,omitempty"`
	State            *StateMessage            `json:"state,omitempty"`
	Trace            *TraceMessage            `json:"trace,omitempty"`
	Log              *LogMessage              `json:"log,omitempty"`
	Spec             map[string]any           `json:"spec,omitempty"`
	Catalog          *Catalog                 `json:"catalog,omitempty"`
	ConnectionStatus *ConnectionStatusMessage `json:"connectionStatus,omitempty"`
	Control          map[string]any           `json:"control,omitempty"`
}

// RecordMessage is AirbyteRecordMessage.
type RecordMessage struct {
	Stream    string         `json:"stream"`
	Namespace *string        `json:"namespace,omitempty"`
	Data      map[string]any `json:"data"`
	EmittedAt json.Number    `json:"emitted_at"`
}

// StreamDescriptor names a stream.
type StreamDescriptor struct {
	Name      string  `json:"name"`
	Namespace *string `json:"namespace,omitempty"`
}

// StreamState is AirbyteStreamState.
type StreamState struct {
	StreamDescriptor StreamDescriptor `json:"stream_descriptor"`
	StreamState      any              `json:"stream_state,omitempty"`
}

// StateStats is AirbyteStateStats.
type StateStats struct {
	RecordCount         *json.Number `json:"recordCount,omitempty"`
	RejectedRecordCount *json.Number `json:"rejectedRecordCount,omitempty"`
}

// StateMessage is AirbyteStateMessage.
type StateMessage struct {
	Type             string         `json:"type,omitempty"`
	Stream           *StreamState   `json:"stream,omitempty"`
	Global           map[string]any `json:"global,omitempty"`
	Data             any            `json:"data,omitempty"`
	SourceStats      *StateStats    `json:"sourceStats,omitempty"`
	DestinationStats *StateStats    `json:"destinationStats,omitempty"`
}

// TraceMessage is AirbyteTraceMessage.
type TraceMessage struct {
	Type         string             `json:"type"`
	EmittedAt    json.Number        `json:"emitted_at"`
	Error        *ErrorTrace        `json:"error,omitempty"`
	StreamStatus *StreamStatusTrace `json:"stream_status,omitempty"`
	Estimate     map[string]any     `json:"estimate,omitempty"`
	Analytics    map[string]any     `json:"analytics,omitempty"`
}

// ErrorTrace is AirbyteErrorTraceMessage.
type ErrorTrace struct {
	Message          string            `json:"message"`
	InternalMessage  string            `json:"internal_message,omitempty"`
	StackTrace       string            `json:"stack_trace,omitempty"`
	FailureType      string            `json:"failure_type,omitempty"`
	StreamDescriptor *StreamDescriptor `json:"stream_descriptor,omitempty"`
}

// StreamStatusTrace is AirbyteStreamStatusTraceMessage.
type StreamStatusTrace struct {
	StreamDescriptor StreamDescriptor `json:"stream_descriptor"`
	Status           string           `json:"status"`
	Reasons          []map[string]any `json:"reasons,omitempty"`
}

// LogMessage is AirbyteLogMessage.
type LogMessage struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// ConnectionStatusMessage is AirbyteConnectionStatus.
type ConnectionStatusMessage struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Catalog is AirbyteCatalog.
type Catalog struct {
	Streams []Stream `json:"streams"`
}

// Stream is AirbyteStream.
type Stream struct {
	Name                    string         `json:"name"`
	JSONSchema              map[string]any `json:"json_schema"`
	SupportedSyncModes      []string       `json:"supported_sync_modes"`
	SourceDefinedCursor     *bool          `json:"source_defined_cursor"`
	DefaultCursorField      []string       `json:"default_cursor_field"`
	SourceDefinedPrimaryKey [][]string     `json:"source_defined_primary_key"`
	Namespace               *string        `json:"namespace"`
	IsResumable             *bool          `json:"is_resumable"`
}

// ConfiguredStream is ConfiguredAirbyteStream, written the way CAT writes
// it: pydantic v1's .json() puts null for every unset optional field.
type ConfiguredStream struct {
	Stream              Stream     `json:"stream"`
	SyncMode            string     `json:"sync_mode"`
	CursorField         []string   `json:"cursor_field"`
	DestinationSyncMode string     `json:"destination_sync_mode"`
	PrimaryKey          [][]string `json:"primary_key"`
}

// ConfiguredCatalog is ConfiguredAirbyteCatalog.
type ConfiguredCatalog struct {
	Streams []ConfiguredStream `json:"streams"`
}

// Output is what one connector command produced.
type Output struct {
	Messages []Message
	// Dropped are lines that are not valid AirbyteMessages; CAT drops them
	// with a warning.
	Dropped  []string
	Stderr   string
	ExitCode int
}

// Filter returns the messages of one type.
func (o *Output) Filter(typ string) []Message {
	var out []Message
	for _, m := range o.Messages {
		if m.Type == typ {
			out = append(out, m)
		}
	}
	return out
}

// Records returns the record payloads.
func (o *Output) Records() []*RecordMessage {
	var out []*RecordMessage
	for _, m := range o.Messages {
		if m.Type == "RECORD" && m.Record != nil {
			out = append(out, m.Record)
		}
	}
	return out
}

//go:embed airbyte_protocol.yaml
var protocolYAML []byte

var (
	protocolOnce   sync.Once
	protocolSchema *jsonschema.Schema
	protocolErr    error
)

// messageSchema is definitions/AirbyteMessage of the protocol.
func messageSchema() (*jsonschema.Schema, error) {
	protocolOnce.Do(func() {
		var doc any
		if err := yaml.Unmarshal(protocolYAML, &doc); err != nil {
			protocolErr = err
			return
		}
		// yaml gives map[string]any already (yaml.v3), but numbers must be
		// JSON-typed for the compiler: round-trip through JSON.
		b, err := json.Marshal(doc)
		if err != nil {
			protocolErr = err
			return
		}
		tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			protocolErr = err
			return
		}
		const id = "https://github.com/airbytehq/airbyte/blob/master/airbyte-protocol/models/src/main/resources/airbyte_protocol/airbyte_protocol.yaml"
		c := jsonschema.NewCompiler()
		if err := c.AddResource(id, tree); err != nil {
			protocolErr = err
			return
		}
		protocolSchema, protocolErr = c.Compile(id + "#/definitions/AirbyteMessage")
	})
	return protocolSchema, protocolErr
}

// stripNulls drops null-valued object keys, because the Python models treat
// an explicit null in an optional field as absent; a null in a required
// field then fails "required", as it fails pydantic.
func stripNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if x != nil {
				out[k] = stripNulls(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = stripNulls(x)
		}
		return out
	}
	return v
}

// ParseLine parses one stdout line as CAT does with AirbyteMessage.parse_raw:
// an error means CAT would drop the line.
func ParseLine(line []byte) (*Message, error) {
	sch, err := messageSchema()
	if err != nil {
		return nil, fmt.Errorf("protocol schema: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value on the line")
	}
	if err := sch.Validate(stripNulls(tree)); err != nil {
		return nil, err
	}
	var m Message
	d = json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// ParseOutput parses a whole stdout stream. It does not use the
// repository's stdout reader (internal/stdoutparse) on purpose: CAT's
// checks stay independent of the code they check, so a bug in that reader
// cannot hide the same bug here.
func ParseOutput(r io.Reader) (msgs []Message, dropped []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		m, perr := ParseLine(line)
		if perr != nil {
			dropped = append(dropped, clip(string(line), 300)+" ("+clip(perr.Error(), 300)+")")
			continue
		}
		msgs = append(msgs, *m)
	}
	return msgs, dropped, sc.Err()
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
