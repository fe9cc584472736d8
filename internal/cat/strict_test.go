package cat

import (
	"encoding/json"
	"strings"
	"testing"
)

// strictStream is a discovered stream every stricter schema rule accepts:
// typed nodes, open objects (nested and in array items), required names
// that exist, a scalar cursor.
const strictStream = `{"name": "s", "supported_sync_modes": ["full_refresh", "incremental"],
  "default_cursor_field": ["updated"], "source_defined_primary_key": [["id"]],
  "json_schema": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": true,
    "required": ["id"],
    "properties": {"id": {"type": "string"}, "updated": {"type": ["string", "null"], "format": "date-time"},
      "nested": {"type": ["object", "null"], "additionalProperties": true, "properties": {"a": {"type": "integer"}}},
      "list": {"type": "array", "items": {"type": "object", "additionalProperties": true}}}}}`

func TestStricterSchemaRules(t *testing.T) {
	rules := map[string]func([]Stream) error{
		"draft7":     SchemasAreDraft7,
		"inline":     SchemasAreInline,
		"wellFormed": SchemasAreWellFormed,
		"open":       SchemaObjectsAreOpen,
		"cursorType": CursorsDataType,
	}
	good := func(t *testing.T, mutate func(map[string]any)) []Stream {
		t.Helper()
		var s Stream
		m := tree(t, strictStream)
		if mutate != nil {
			mutate(m)
		}
		b, _ := json.Marshal(m)
		if err := decodeJSON(b, &s); err != nil {
			t.Fatal(err)
		}
		return []Stream{s}
	}
	for name, rule := range rules {
		if err := rule(good(t, nil)); err != nil {
			t.Errorf("%s rejects the good stream: %v", name, err)
		}
	}
	schema := func(s map[string]any) map[string]any { return asMap(s["json_schema"]) }
	prop := func(s map[string]any, name string) map[string]any { return asMap(asMap(schema(s)["properties"])[name]) }
	tests := []struct {
		rule   string
		mutate func(map[string]any)
		want   string
	}{
		{"draft7", func(s map[string]any) { schema(s)["$schema"] = "https://json-schema.org/draft/2020-12/schema" }, "stream s: $schema is https://json-schema.org/draft/2020-12/schema, want Draft-7"},
		{"draft7", func(s map[string]any) { delete(schema(s), "$schema") }, "$schema is <nil>"},
		{"inline", func(s map[string]any) { schema(s)["$defs"] = map[string]any{} }, "stream s: /: $defs is not allowed"},
		{"inline", func(s map[string]any) { prop(s, "nested")["definitions"] = map[string]any{} }, "/properties/nested: definitions is not allowed"},
		{"inline", func(s map[string]any) { asMap(prop(s, "list")["items"])["$id"] = "x" }, "/properties/list/items: $id is not allowed"},
		{"wellFormed", func(s map[string]any) { schema(s)["type"] = []any{"object", "null"} }, "root type is [object null], want object"},
		{"wellFormed", func(s map[string]any) { prop(s, "id")["type"] = "text" }, "/properties/id: type text is not a Draft-7 type"},
		{"wellFormed", func(s map[string]any) { delete(prop(s, "id"), "type") }, "/properties/id: type <nil>"},
		{"wellFormed", func(s map[string]any) { prop(s, "id")["type"] = []any{"string", "string"} }, "/properties/id: type [string string]"},
		{"wellFormed", func(s map[string]any) { prop(s, "nested")["properties"] = []any{} }, "/properties/nested: properties is not an object"},
		{"wellFormed", func(s map[string]any) { asMap(schema(s)["properties"])["id"] = true }, "/properties/id is not a schema object"},
		{"wellFormed", func(s map[string]any) { prop(s, "list")["items"] = []any{map[string]any{"type": "string"}} }, "/properties/list/items is not a single schema object"},
		{"wellFormed", func(s map[string]any) { schema(s)["required"] = []any{"id", "nope"} }, "required names nope, which is not a property"},
		{"open", func(s map[string]any) { delete(prop(s, "nested"), "additionalProperties") }, "/properties/nested: object with additionalProperties <nil>, want true"},
		{"open", func(s map[string]any) { delete(asMap(prop(s, "list")["items"]), "additionalProperties") }, "/properties/list/items: object with additionalProperties"},
		{"open", func(s map[string]any) { schema(s)["additionalProperties"] = false }, "stream s: /: object with additionalProperties false"},
		{"cursorType", func(s map[string]any) { prop(s, "updated")["type"] = "array" }, `cursor [updated] has type "array"`},
		{"cursorType", func(s map[string]any) { prop(s, "updated")["type"] = []any{"object", "null"} }, "a cursor must be a comparable scalar"},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.want, func(t *testing.T) {
			err := rules[tc.rule](good(t, tc.mutate))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s = %v, want an error containing %q", tc.rule, err, tc.want)
			}
		})
	}
}
