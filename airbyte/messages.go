// Package airbyte holds the Airbyte protocol message types this source reads
// and writes. It imports nothing of this module, so every layer can share it
// (layers_test.go).
//
// Field names and optionality follow airbyte_protocol.yaml (protocol 0.18).
// Every optional field is omitted when unset: Airbyte's Python models treat
// null and absent alike, but CAT compares specs for equality, so we never
// write a null that the reference implementation would not.
package airbyte

import "encoding/json"

// Version is the Airbyte protocol version this connector speaks.
const Version = "0.18.0"

// MessageType is AirbyteMessage.type.
type MessageType string

const (
	TypeRecord           MessageType = "RECORD"
	TypeState            MessageType = "STATE"
	TypeLog              MessageType = "LOG"
	TypeSpec             MessageType = "SPEC"
	TypeConnectionStatus MessageType = "CONNECTION_STATUS"
	TypeCatalog          MessageType = "CATALOG"
	TypeTrace            MessageType = "TRACE"
	TypeControl          MessageType = "CONTROL"
)

// Message is the AirbyteMessage envelope. Exactly one payload is set.
type Message struct {
	Type             MessageType       `json:"type"`
	Log              *Log              `json:"log,omitempty"`
	Spec             *Spec             `json:"spec,omitempty"`
	ConnectionStatus *ConnectionStatus `json:"connectionStatus,omitempty"`
	Catalog          *Catalog          `json:"catalog,omitempty"`
	Record           *Record           `json:"record,omitempty"`
	State            *State            `json:"state,omitempty"`
	Trace            *Trace            `json:"trace,omitempty"`
	Control          *Control          `json:"control,omitempty"`
}

// Record is AirbyteRecordMessage. Data is the already-encoded JSON object so
// that streams can hand over bytes without a second encode.
type Record struct {
	Stream    string          `json:"stream"`
	Namespace string          `json:"namespace,omitempty"`
	Data      json.RawMessage `json:"data"`
	EmittedAt int64           `json:"emitted_at"`
	Meta      *RecordMeta     `json:"meta,omitempty"`
}

// RecordMeta is AirbyteRecordMessageMeta.
type RecordMeta struct {
	Changes []Change `json:"changes"`
}

// Change is AirbyteRecordMessageMetaChange.
type Change struct {
	Field  string `json:"field"`
	Change string `json:"change"`
	Reason string `json:"reason"`
}

// The change and reason this source reports: a value that could not be
// converted to its declared type, written as null.
const (
	ChangeNulled              = "NULLED"
	ReasonSourceSerialization = "SOURCE_SERIALIZATION_ERROR"
)

// StateType is AirbyteStateType.
type StateType string

const (
	StateStream StateType = "STREAM"
	StateGlobal StateType = "GLOBAL"
	StateLegacy StateType = "LEGACY"
)

// State is AirbyteStateMessage. This source only ever writes STREAM states.
type State struct {
	Type        StateType       `json:"type,omitempty"`
	Stream      *StreamState    `json:"stream,omitempty"`
	Global      json.RawMessage `json:"global,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	SourceStats *StateStats     `json:"sourceStats,omitempty"`
}

// StreamState is AirbyteStreamState.
type StreamState struct {
	StreamDescriptor StreamDescriptor `json:"stream_descriptor"`
	StreamState      json.RawMessage  `json:"stream_state,omitempty"`
}

// StreamDescriptor names a stream.
type StreamDescriptor struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// StateStats is AirbyteStateStats. RecordCount is a float on the wire: the
// protocol asks for "a decimal point for proper serialization".
type StateStats struct {
	RecordCount Float `json:"recordCount"`
}

// Float always encodes with a decimal point (3 becomes 3.0).
type Float float64

// MarshalJSON writes the number with at least one decimal.
func (f Float) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(float64(f))
	if err != nil {
		return nil, err
	}
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return b, nil
		}
	}
	return append(b, '.', '0'), nil
}

// LogLevel is AirbyteLogMessage.level.
type LogLevel string

const (
	LogFatal LogLevel = "FATAL"
	LogError LogLevel = "ERROR"
	LogWarn  LogLevel = "WARN"
	LogInfo  LogLevel = "INFO"
	LogDebug LogLevel = "DEBUG"
	LogTrace LogLevel = "TRACE"
)

// Log is AirbyteLogMessage.
type Log struct {
	Level      LogLevel `json:"level"`
	Message    string   `json:"message"`
	StackTrace string   `json:"stack_trace,omitempty"`
}

// Spec is ConnectorSpecification.
type Spec struct {
	DocumentationURL        string          `json:"documentationUrl,omitempty"`
	ChangelogURL            string          `json:"changelogUrl,omitempty"`
	ConnectionSpecification json.RawMessage `json:"connectionSpecification"`
	SupportsIncremental     bool            `json:"supportsIncremental,omitempty"`
	ProtocolVersion         string          `json:"protocol_version,omitempty"`
}

// ConnectionStatusValue is AirbyteConnectionStatus.status.
type ConnectionStatusValue string

const (
	StatusSucceeded ConnectionStatusValue = "SUCCEEDED"
	StatusFailed    ConnectionStatusValue = "FAILED"
)

// ConnectionStatus is AirbyteConnectionStatus.
type ConnectionStatus struct {
	Status  ConnectionStatusValue `json:"status"`
	Message string                `json:"message,omitempty"`
}

// SyncMode is full_refresh or incremental.
type SyncMode string

const (
	FullRefresh SyncMode = "full_refresh"
	Incremental SyncMode = "incremental"
)

// Catalog is AirbyteCatalog.
type Catalog struct {
	Streams []Stream `json:"streams"`
}

// Stream is AirbyteStream.
type Stream struct {
	Name                    string          `json:"name"`
	JSONSchema              json.RawMessage `json:"json_schema"`
	SupportedSyncModes      []SyncMode      `json:"supported_sync_modes"`
	SourceDefinedCursor     bool            `json:"source_defined_cursor,omitempty"`
	DefaultCursorField      []string        `json:"default_cursor_field,omitempty"`
	SourceDefinedPrimaryKey [][]string      `json:"source_defined_primary_key,omitempty"`
	Namespace               string          `json:"namespace,omitempty"`
	IsResumable             bool            `json:"is_resumable,omitempty"`
}

// ConfiguredCatalog is ConfiguredAirbyteCatalog.
type ConfiguredCatalog struct {
	Streams []ConfiguredStream `json:"streams"`
}

// ConfiguredStream is ConfiguredAirbyteStream. Optional fields arrive as
// null from CAT (pydantic v1 .json()), which decodes to the zero value.
type ConfiguredStream struct {
	Stream              Stream     `json:"stream"`
	SyncMode            SyncMode   `json:"sync_mode"`
	DestinationSyncMode string     `json:"destination_sync_mode,omitempty"`
	CursorField         []string   `json:"cursor_field,omitempty"`
	PrimaryKey          [][]string `json:"primary_key,omitempty"`
}

// TraceType is AirbyteTraceMessage.type.
type TraceType string

const (
	TraceError        TraceType = "ERROR"
	TraceEstimate     TraceType = "ESTIMATE"
	TraceStreamStatus TraceType = "STREAM_STATUS"
)

// Trace is AirbyteTraceMessage. EmittedAt is a number of milliseconds.
type Trace struct {
	Type         TraceType     `json:"type"`
	EmittedAt    float64       `json:"emitted_at"`
	Error        *ErrorTrace   `json:"error,omitempty"`
	Estimate     *Estimate     `json:"estimate,omitempty"`
	StreamStatus *StreamStatus `json:"stream_status,omitempty"`
}

// FailureType is AirbyteErrorTraceMessage.failure_type.
type FailureType string

const (
	SystemError    FailureType = "system_error"
	ConfigError    FailureType = "config_error"
	TransientError FailureType = "transient_error"
)

// ErrorTrace is AirbyteErrorTraceMessage.
type ErrorTrace struct {
	Message          string            `json:"message"`
	InternalMessage  string            `json:"internal_message,omitempty"`
	StackTrace       string            `json:"stack_trace,omitempty"`
	FailureType      FailureType       `json:"failure_type,omitempty"`
	StreamDescriptor *StreamDescriptor `json:"stream_descriptor,omitempty"`
}

// EstimateType is STREAM or SYNC.
type EstimateType string

const EstimateStream EstimateType = "STREAM"

// Estimate is AirbyteEstimateTraceMessage.
type Estimate struct {
	Name         string       `json:"name"`
	Type         EstimateType `json:"type"`
	Namespace    string       `json:"namespace,omitempty"`
	RowEstimate  int64        `json:"row_estimate,omitempty"`
	ByteEstimate int64        `json:"byte_estimate,omitempty"`
}

// Status is AirbyteStreamStatus.
type Status string

const (
	StatusStarted    Status = "STARTED"
	StatusRunning    Status = "RUNNING"
	StatusComplete   Status = "COMPLETE"
	StatusIncomplete Status = "INCOMPLETE"
)

// StreamStatus is AirbyteStreamStatusTraceMessage.
type StreamStatus struct {
	StreamDescriptor StreamDescriptor     `json:"stream_descriptor"`
	Status           Status               `json:"status"`
	Reasons          []StreamStatusReason `json:"reasons,omitempty"`
}

// ReasonRateLimited is AirbyteStreamStatusReasonType RATE_LIMITED.
const ReasonRateLimited = "RATE_LIMITED"

// StreamStatusReason is AirbyteStreamStatusReason.
type StreamStatusReason struct {
	Type        string             `json:"type"`
	RateLimited *RateLimitedReason `json:"rate_limited,omitempty"`
}

// RateLimitedReason is AirbyteStreamStatusRateLimitedReason. QuotaReset is
// when the wait ends, in epoch milliseconds.
type RateLimitedReason struct {
	QuotaReset int64 `json:"quota_reset,omitempty"`
}

// Control is AirbyteControlMessage. The source emits CONNECTOR_CONFIG only
// when Botmaker hands it rotated credentials.
type Control struct {
	Type            string                  `json:"type"`
	EmittedAt       float64                 `json:"emitted_at"`
	ConnectorConfig *ControlConnectorConfig `json:"connectorConfig,omitempty"`
}

// ControlConnectorConfigType is AirbyteControlMessage.type for a new config.
const ControlConnectorConfigType = "CONNECTOR_CONFIG"

// ControlConnectorConfig carries an updated connector config.
type ControlConnectorConfig struct {
	Config json.RawMessage `json:"config"`
}
