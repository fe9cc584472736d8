package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/streams"
)

func TestParseCatalog(t *testing.T) {
	raw := `{"streams":[
	  {"stream":{"name":"chats","json_schema":{},"supported_sync_modes":["full_refresh","incremental"],"namespace":null},"sync_mode":"incremental","destination_sync_mode":"append","cursor_field":["lastUserMessageDatetime"],"primary_key":null},
	  {"stream":{"name":"agents","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh","destination_sync_mode":"overwrite","cursor_field":null}]}`
	got, err := ParseCatalog([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var inc []bool
	for _, s := range got {
		names = append(names, s.Stream.Name)
		inc = append(inc, s.Incremental)
	}
	if diff := cmp.Diff([]string{"chats", "agents"}, names); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]bool{true, false}, inc); diff != "" {
		t.Error(diff)
	}
}

// PyAirbyte asks for incremental on every stream; a stream without a cursor
// is then read in full, as the Python CDK does.
func TestParseCatalogIncrementalFallsBackToFullRefresh(t *testing.T) {
	got, err := ParseCatalog([]byte(`{"streams":[{"stream":{"name":"agents","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"incremental","destination_sync_mode":"append"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Incremental || !got[0].FullRefreshFallback {
		t.Errorf("got %+v", got)
	}
}

// The fallback's warning names every stream that has a cursor, and only
// those.
func TestIncrementalNames(t *testing.T) {
	got := incrementalNames()
	named := map[string]bool{}
	for _, n := range strings.Split(strings.Replace(got, " and ", ", ", 1), ", ") {
		named[n] = true
	}
	for _, s := range streams.All() {
		if named[s.Name] != s.Incremental() {
			t.Errorf("%q names %s: %v; incremental: %v", got, s.Name, named[s.Name], s.Incremental())
		}
	}
}

func TestParseCatalogErrors(t *testing.T) {
	stream := func(name, mode, cursor string) string {
		c := "null"
		if cursor != "" {
			c = `["` + cursor + `"]`
		}
		return `{"stream":{"name":"` + name + `","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"` + mode + `","destination_sync_mode":"append","cursor_field":` + c + `}`
	}
	tests := []struct{ name, in, hint string }{
		{"malformed", `{"streams":[`, "not a ConfiguredAirbyteCatalog"},
		{"no streams", `{"streams":[]}`, "selects no streams"},
		{"unknown stream", `{"streams":[` + stream("__AIRBYTE__stream_that_does_not_exist", "INVALID", "") + `]}`, `"__AIRBYTE__stream_that_does_not_exist", which is not a Botmaker stream`},
		{"invalid mode", `{"streams":[` + stream("chats", "INVALID", "") + `]}`, `sync_mode "INVALID"; use full_refresh or incremental`},
		{"wrong cursor", `{"streams":[` + stream("messages", "incremental", "id") + `]}`, `its cursor is defined by the source as ["creationTime"]`},
		{"duplicate", `{"streams":[` + stream("chats", "full_refresh", "") + `,` + stream("chats", "full_refresh", "") + `]}`, "configured twice"},
		// discover's output where a configured catalog belongs: the error
		// says so and gives the jq that makes one from that very file.
		{"discover's stdout", `{"type":"LOG","log":{"level":"INFO","message":"source-botmaker dev, command discover"}}` + "\n" + discovered(t, true),
			`this is discover's output (the list of streams the source offers), not a configured catalog` + `, which names each stream to read with its sync mode: {"streams": [{"stream": <a stream of discover's output>, "sync_mode": "incremental", "destination_sync_mode": "append"}]}. Make one from this file with jq: jq -s -c '[.[] | select(.type == "CATALOG") | .catalog.streams[]] | {streams: [.[] | {stream: .`},
		{"discover's CATALOG message", discovered(t, true), `this is discover's output`},
		{"the catalog inside it", discovered(t, false), `Make one from this file with jq: jq -s -c '.[0].streams | {streams: [.[] | {stream: .`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tt.in))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("%q lacks %q", err, tt.hint)
			}
		})
	}
}

func TestParseState(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"empty file", "", map[string]string{}},
		{"empty array", "[]", map[string]string{}},
		{"stream states", `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"chats"},"stream_state":{"lastUserMessageDatetime":"2025-01-01T00:00:00Z"}},"sourceStats":{"recordCount":3.0}},
		  {"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets","namespace":null},"stream_state":{"creationTime":"2025-01-02T00:00:00Z"}}}]`,
			map[string]string{"chats": `{"lastUserMessageDatetime":"2025-01-01T00:00:00Z"}`, "tickets": `{"creationTime":"2025-01-02T00:00:00Z"}`}},
		{"single message object", `{"type":"STREAM","stream":{"stream_descriptor":{"name":"calls"},"stream_state":{"creationDatetime":"2025-01-01T00:00:00Z"}}}`,
			map[string]string{"calls": `{"creationDatetime":"2025-01-01T00:00:00Z"}`}},
		{"global", `[{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"calls"},"stream_state":{"x":1}}]}}]`,
			map[string]string{"calls": `{"x":1}`}},
		{"legacy object", `{"messages":{"creationTime":"2025-01-01T00:00:00Z"}}`, map[string]string{"messages": `{"creationTime":"2025-01-01T00:00:00Z"}`}},
		{"legacy message", `[{"type":"LEGACY","data":{"messages":{"creationTime":"2025-01-01T00:00:00Z"}}}]`, map[string]string{"messages": `{"creationTime":"2025-01-01T00:00:00Z"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseState([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			gotS := map[string]string{}
			for k, v := range got {
				var c any
				_ = json.Unmarshal(v, &c)
				b, _ := json.Marshal(c)
				gotS[k] = string(b)
			}
			if diff := cmp.Diff(tt.want, gotS); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestParseStateErrors(t *testing.T) {
	for name, in := range map[string]string{
		"malformed":            `[{"type":"STREAM"`,
		"scalar":               `42`,
		"entry without stream": `[{"type":"STREAM"}]`,
		"nameless descriptor":  `[{"type":"STREAM","stream":{"stream_descriptor":{},"stream_state":{}}}]`,
		"legacy non-object":    `{"messages":"2025"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseState([]byte(in))
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "Invalid state") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// discovered is discover's catalog, as its CATALOG message or bare.
func discovered(t *testing.T, message bool) string {
	t.Helper()
	var v any = Discover()
	if message {
		c := Discover()
		v = airbyte.Message{Type: airbyte.TypeCatalog, Catalog: &c}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Airbyte's refreshes (protocol 0.18) add generation_id,
// minimum_generation_id and sync_id to every configured stream: such a
// catalog reads like any other.
func TestParseCatalogWithRefreshFields(t *testing.T) {
	raw := `{"streams":[
	  {"stream":{"name":"chats","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"append_dedup","cursor_field":["lastUserMessageDatetime"],"primary_key":[["chatId"]],"generation_id":3,"minimum_generation_id":0,"sync_id":9007199254740993},
	  {"stream":{"name":"agents","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh","destination_sync_mode":"overwrite","generation_id":7,"minimum_generation_id":7,"sync_id":42}]}`
	got, err := ParseCatalog([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var sel []string
	for _, s := range got {
		sel = append(sel, fmt.Sprintf("%s incremental=%v", s.Stream.Name, s.Incremental))
	}
	if diff := cmp.Diff([]string{"chats incremental=true", "agents incremental=false"}, sel); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
}
