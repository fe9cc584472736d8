package streams

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/source-botmaker/source-botmaker/internal/golden"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// update rewrites golden files instead of comparing against them. Other
// golden tests in this package should reuse it: a second "update" flag in
// the same test binary panics.
var update = flag.Bool("update", false, "rewrite golden files from the current code")

// TestSchemaGolden pins every stream's JSON schema: a schema change changes
// what lands in users' destinations, so it must show up in review.
func TestSchemaGolden(t *testing.T) {
	dir := filepath.Join("testdata", "schemas")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, s := range All() {
		want[s.Name+".json"] = true
		t.Run(s.Name, func(t *testing.T) {
			path := filepath.Join(dir, s.Name+".json")
			golden.JSON(t, path, append(bytes.TrimRight(s.Schema(), "\n"), '\n'), *update)
		})
	}
	// A golden file without a stream is a renamed or removed stream whose
	// old schema would otherwise linger unnoticed.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			if *update {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("%s has no stream; run `make golden` to remove it", filepath.Join(dir, e.Name()))
		}
	}
}

// TestSchemaRules checks what Airbyte needs of a record schema: a Draft-7
// schema with everything inline, open objects (CAT validates records with
// additional properties allowed, and Botmaker adds fields without notice),
// and primary key and cursor fields at the top level with scalar types.
func TestSchemaRules(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			for _, p := range schemaProblems(decodeSchema(t, s.Schema()).(map[string]any), s.PrimaryKey, s.Cursor) {
				t.Error(p)
			}
		})
	}
}

// TestSchemaRulesReject proves each rule of schemaProblems can fail.
func TestSchemaRulesReject(t *testing.T) {
	cases := []struct {
		name   string
		schema string
		pk     []string
		cursor string
		want   string // substring of one reported problem
	}{
		{"wrong draft", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"}}}`, []string{"id"}, "", "$schema"},
		{"ref", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"},"a":{"$ref":"#/$defs/a"}}}`, []string{"id"}, "", "$ref"},
		{"defs", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"$defs":{},"properties":{"id":{"type":"string"}}}`, []string{"id"}, "", "$defs"},
		{"closed root", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,"properties":{"id":{"type":"string"}}}`, []string{"id"}, "", "additionalProperties"},
		{"nested object without additionalProperties", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"},"o":{"type":["object","null"]}}}`, []string{"id"}, "", "additionalProperties"},
		{"unknown type", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"text"}}}`, []string{"id"}, "", "type"},
		{"missing pk", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"}}}`, []string{"key"}, "", "primary key"},
		{"object pk", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":["object","null"],"additionalProperties":true}}}`, []string{"id"}, "", "primary key"},
		{"missing cursor", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"}}}`, []string{"id"}, "updated", "cursor"},
		{"array cursor", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"properties":{"id":{"type":"string"},"t":{"type":"array","items":{"type":"string"}}}}`, []string{"id"}, "t", "cursor"},
		{"required names a missing field", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":true,"required":["nope"],"properties":{"id":{"type":"string"}}}`, []string{"id"}, "", "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			problems := schemaProblems(decodeSchema(t, []byte(c.schema)).(map[string]any), c.pk, c.cursor)
			for _, p := range problems {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Errorf("no problem mentioning %q; got %q", c.want, problems)
		})
	}
}

var draft7Types = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true}

func schemaProblems(root map[string]any, pk []string, cursor string) []string {
	var bad []string
	if root["$schema"] != "http://json-schema.org/draft-07/schema#" {
		bad = append(bad, fmt.Sprintf("$schema is %v, want Draft-7", root["$schema"]))
	}
	if root["type"] != "object" {
		bad = append(bad, fmt.Sprintf("root type is %v, want object", root["type"]))
	}
	var node func(path string, n map[string]any)
	node = func(path string, n map[string]any) {
		for _, k := range []string{"$ref", "$defs", "definitions", "$id"} {
			if _, ok := n[k]; ok {
				bad = append(bad, fmt.Sprintf("%s: %s is not allowed; schemas are inline", path, k))
			}
		}
		types := typeNames(n["type"])
		if types == nil {
			bad = append(bad, fmt.Sprintf("%s: type %v is not a Draft-7 type or type list", path, n["type"]))
		}
		if slices.Contains(types, "object") && n["additionalProperties"] != true {
			bad = append(bad, fmt.Sprintf("%s: object with additionalProperties %v, want true", path, n["additionalProperties"]))
		}
		if v, ok := n["additionalProperties"]; ok && v != true {
			bad = append(bad, fmt.Sprintf("%s: additionalProperties is %v, want true", path, v))
		}
		props, hasProps := n["properties"].(map[string]any)
		if _, ok := n["properties"]; ok && !hasProps {
			bad = append(bad, path+": properties is not an object")
		}
		if req, ok := n["required"]; ok {
			list, _ := req.([]any)
			for _, r := range list {
				if _, ok := props[fmt.Sprint(r)]; !ok {
					bad = append(bad, fmt.Sprintf("%s: required names %v, which is not a property", path, r))
				}
			}
		}
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			child, ok := props[k].(map[string]any)
			if !ok {
				bad = append(bad, fmt.Sprintf("%s/properties/%s is not a schema object", path, k))
				continue
			}
			node(path+"/properties/"+k, child)
		}
		if items, ok := n["items"]; ok {
			im, ok := items.(map[string]any)
			if !ok {
				bad = append(bad, path+"/items is not a single schema object")
			} else {
				node(path+"/items", im)
			}
		}
	}
	node("", root)

	props, _ := root["properties"].(map[string]any)
	for _, k := range pk {
		p, ok := props[k].(map[string]any)
		if !ok {
			bad = append(bad, fmt.Sprintf("primary key %q is not a top-level property", k))
			continue
		}
		types := typeNames(p["type"])
		if slices.Contains(types, "object") || slices.Contains(types, "array") {
			bad = append(bad, fmt.Sprintf("primary key %q has type %v; keys must be scalars", k, p["type"]))
		}
	}
	if cursor != "" {
		p, ok := props[cursor].(map[string]any)
		if !ok {
			bad = append(bad, fmt.Sprintf("cursor %q is not a top-level property", cursor))
		} else if types := typeNames(p["type"]); slices.Contains(types, "object") || slices.Contains(types, "array") {
			bad = append(bad, fmt.Sprintf("cursor %q has type %v; a cursor must be a comparable scalar", cursor, p["type"]))
		}
	}
	return bad
}

// typeNames returns the type keyword as a list, or nil when it is missing,
// malformed, names a non-Draft-7 type or repeats one.
func typeNames(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		out = []string{t}
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			if slices.Contains(out, s) {
				return nil
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	for _, s := range out {
		if !draft7Types[s] {
			return nil
		}
	}
	return out
}

func decodeSchema(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return v
}
