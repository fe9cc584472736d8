package connector

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// ParseState reads the --state file into each stream's stream_state. It
// takes what Airbyte sends (a JSON array of STREAM state messages), a single
// message, a GLOBAL message's stream_states, an empty file, and the legacy
// form: an object of stream name to state, bare or under a LEGACY "data".
func ParseState(raw []byte) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	out := map[string]json.RawMessage{}
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" || string(raw) == "{}" {
		return out, nil
	}
	bad := func(format string, args ...any) error {
		return &InputError{"Invalid state: " + fmt.Sprintf(format, args...) + ". Pass the state the previous sync emitted (a JSON array of STATE messages), or no --state to sync from start_date."}
	}
	var msgs []json.RawMessage
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &msgs); err != nil {
			return nil, bad("the file is not a JSON array of state messages (%s)", jsonErr(err))
		}
	case '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, bad("the file is not valid JSON (%s)", jsonErr(err))
		}
		_, hasType := probe["type"]
		_, hasStream := probe["stream"]
		_, hasGlobal := probe["global"]
		if !hasType && !hasStream && !hasGlobal {
			return legacy(probe, bad)
		}
		msgs = []json.RawMessage{raw}
	default:
		return nil, bad("the file is neither a JSON array nor an object")
	}
	for i, m := range msgs {
		var st airbyte.State
		if err := json.Unmarshal(m, &st); err != nil {
			return nil, bad("entry %d is not a state message (%s)", i, jsonErr(err))
		}
		switch {
		case st.Stream != nil:
			name := st.Stream.StreamDescriptor.Name
			if name == "" {
				return nil, bad("entry %d has no stream_descriptor.name", i)
			}
			out[name] = st.Stream.StreamState
		case len(st.Global) > 0:
			var g struct {
				StreamStates []airbyte.StreamState `json:"stream_states"`
			}
			if err := json.Unmarshal(st.Global, &g); err != nil {
				return nil, bad("entry %d: global.stream_states is malformed (%s)", i, jsonErr(err))
			}
			for _, ss := range g.StreamStates {
				out[ss.StreamDescriptor.Name] = ss.StreamState
			}
		case len(st.Data) > 0:
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(st.Data, &probe); err != nil {
				return nil, bad("entry %d: data is not an object", i)
			}
			m, err := legacy(probe, bad)
			if err != nil {
				return nil, err
			}
			for k, v := range m {
				out[k] = v
			}
		default:
			return nil, bad("entry %d has none of stream, global or data", i)
		}
	}
	return out, nil
}

func legacy(m map[string]json.RawMessage, bad func(string, ...any) error) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	for k, v := range m {
		if len(v) == 0 || (v[0] != '{' && string(v) != "null") {
			return nil, bad("legacy state for %q must be an object", k)
		}
		out[k] = v
	}
	return out, nil
}
