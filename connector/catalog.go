package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/streams"
)

// Discover is the catalog of every stream.
func Discover() airbyte.Catalog {
	var c airbyte.Catalog
	for _, s := range streams.All() {
		c.Streams = append(c.Streams, s.Catalog())
	}
	return c
}

// Selected is one configured stream, checked against what it supports.
type Selected struct {
	Stream      *streams.Stream
	Incremental bool
	// FullRefreshFallback says the catalog asked for incremental on a stream
	// that has no cursor. The Python CDK reads such a stream in full, and
	// PyAirbyte asks for incremental on every stream, so this is a warning,
	// not an error.
	FullRefreshFallback bool
}

// incrementalNames lists the streams with a cursor as prose, "a, b and c".
func incrementalNames() string {
	var names []string
	for _, s := range streams.All() {
		if s.Incremental() {
			names = append(names, s.Name)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// InputError is a catalog or state the connector cannot run with.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// ParseCatalog reads a ConfiguredAirbyteCatalog and checks every stream.
func ParseCatalog(raw []byte) ([]Selected, error) {
	raw = bytes.TrimSpace(raw)
	if streamsOf, ok := discoverOutput(raw); ok {
		return nil, &InputError{fmt.Sprintf("Invalid catalog: this is discover's output (the list of streams the source offers), not a configured catalog, which names each stream to read with its sync mode: {\"streams\": [{\"stream\": <a stream of discover's output>, \"sync_mode\": \"incremental\", \"destination_sync_mode\": \"append\"}]}. Make one from this file with jq: jq -s -c '%s | {streams: [.[] | {stream: ., sync_mode: (if (.supported_sync_modes | index(\"incremental\")) then \"incremental\" else \"full_refresh\" end), destination_sync_mode: \"append\"}]}' (then remove the streams you do not want)", streamsOf)}
	}
	var cat airbyte.ConfiguredCatalog
	if err := json.Unmarshal(raw, &cat); err != nil {
		return nil, &InputError{fmt.Sprintf("Invalid catalog: the catalog file is not a ConfiguredAirbyteCatalog JSON object (%s); run discover and select streams from its output", jsonErr(err))}
	}
	if len(cat.Streams) == 0 {
		return nil, &InputError{"Invalid catalog: it selects no streams; add at least one of: " + streams.NameList()}
	}
	seen := map[string]bool{}
	var out []Selected
	for i, cs := range cat.Streams {
		name := cs.Stream.Name
		s, ok := streams.Lookup(name)
		if !ok {
			return nil, &InputError{fmt.Sprintf("Invalid catalog: streams[%d] is %q, which is not a Botmaker stream; use one of: %s", i, name, streams.NameList())}
		}
		if seen[name] {
			return nil, &InputError{fmt.Sprintf("Invalid catalog: stream %q is configured twice; keep one entry", name)}
		}
		seen[name] = true
		sel := Selected{Stream: s}
		switch cs.SyncMode {
		case airbyte.FullRefresh, "":
		case airbyte.Incremental:
			if !s.Incremental() {
				sel.FullRefreshFallback = true
				break
			}
			sel.Incremental = true
			if len(cs.CursorField) > 0 && (len(cs.CursorField) != 1 || cs.CursorField[0] != s.Cursor) {
				return nil, &InputError{fmt.Sprintf("Invalid catalog: stream %q has cursor_field %v, but its cursor is defined by the source as [%q]; remove cursor_field or set it to [%q]", name, strings.Join(cs.CursorField, "."), s.Cursor, s.Cursor)}
			}
		default:
			return nil, &InputError{fmt.Sprintf("Invalid catalog: stream %q has sync_mode %q; use full_refresh or incremental", name, cs.SyncMode)}
		}
		out = append(out, sel)
	}
	return out, nil
}

// discoverOutput reports whether raw is what discover prints rather than a
// configured catalog: its stdout (JSON lines, one a CATALOG message), the
// CATALOG message alone, or the AirbyteCatalog inside it (streams without
// the "stream" wrapper). streamsOf is the jq filter (of the slurped file)
// that lists its streams.
func discoverOutput(raw []byte) (streamsOf string, ok bool) {
	for _, line := range bytes.Split(raw, []byte("\n")) {
		var m struct {
			Type    string          `json:"type"`
			Catalog json.RawMessage `json:"catalog"`
		}
		if json.Unmarshal(line, &m) == nil && m.Type == string(airbyte.TypeCatalog) && m.Catalog != nil {
			return `[.[] | select(.type == "CATALOG") | .catalog.streams[]]`, true
		}
	}
	var cat struct {
		Streams []map[string]json.RawMessage `json:"streams"`
	}
	if json.Unmarshal(raw, &cat) != nil || len(cat.Streams) == 0 {
		return "", false
	}
	for _, s := range cat.Streams {
		_, wrapped := s["stream"]
		_, named := s["name"]
		_, schema := s["json_schema"]
		if wrapped || !named || !schema {
			return "", false
		}
	}
	return ".[0].streams", true
}
