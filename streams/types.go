package streams

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/invopop/jsonschema"
)

// The types below are the vocabulary of stream structs. They describe the
// output record (and so the schema); the wire-to-record transform in
// transform.go is derived from them, so a field's type says how Botmaker's
// value is reshaped.

// Timestamp is a Botmaker date-time, written as Botmaker sent it (RFC 3339).
// Botmaker's spec types some of these as plain strings and third-party code
// has seen epoch numbers, so a number on the wire is converted to RFC 3339.
type Timestamp string

// JSONSchema marks the field as a date-time string.
func (Timestamp) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Format: "date-time"}
}

// Time parses the timestamp.
func (t Timestamp) Time() (time.Time, error) { return ParseTime(string(t)) }

// FormatTime is the one way the connector writes times: RFC 3339 UTC, with
// milliseconds only when they are not zero.
func FormatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/int(time.Millisecond) == 0 {
		return t.Truncate(time.Second).Format(time.RFC3339)
	}
	return t.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
}

// epochToRFC3339 converts a JSON number of epoch seconds or milliseconds.
func epochToRFC3339(raw []byte) (string, bool) {
	f, err := strconv.ParseFloat(string(raw), 64)
	// Outside 1970..5138 (seconds) or beyond year 9999 (milliseconds) the
	// number is not an epoch time.
	if err != nil || f < 0 || f > 253402300799999 {
		return "", false
	}
	if f > 1e11 { // milliseconds: 1e11 s is the year 5138
		return FormatTime(time.UnixMilli(int64(f))), true
	}
	return FormatTime(time.Unix(int64(f), 0)), true
}

// JSONText is a Botmaker object or array written as a JSON-encoded string, for
// the fields the connector's documentation lists as "JSON-encoded".
type JSONText string

// JSONSchema says the field is a string.
func (JSONText) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

// Object is a nested Botmaker object passed through unchanged.
type Object json.RawMessage

// JSONSchema says the field is an object.
func (Object) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "object"} }
