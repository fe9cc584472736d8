package streams

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/golden"
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
// The rules are internal/cat's: CAT's own and its stricter schema rules.
func TestSchemaRules(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			for _, p := range schemaProblems(t, s.Name, s.Schema(), s.PrimaryKey, s.Cursor) {
				t.Error(p)
			}
		})
	}
}

// TestSchemaRulesReject proves each rule schemaProblems runs can fail.
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
			problems := schemaProblems(t, "s", []byte(c.schema), c.pk, c.cursor)
			for _, p := range problems {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Errorf("no problem mentioning %q; got %q", c.want, problems)
		})
	}
}

// schemaRules are the internal/cat rules a stream's schema must pass.
var schemaRules = []func([]cat.Stream) error{
	cat.SchemasAreDraft7,
	cat.SchemasAreWellFormed,
	cat.StreamSchemasHaveNoRefs,
	cat.SchemasAreInline,
	cat.SchemaObjectsAreOpen,
	cat.StreamSchemasAdditionalPropertiesTrue,
	cat.PrimaryKeysDataType,
	cat.DefinedCursorsExistInSchema,
	cat.CursorsDataType,
}

// schemaProblems runs schemaRules on one stream as discover describes it:
// the schema, each primary key field as a one-field path, the cursor.
func schemaProblems(t *testing.T, name string, schema []byte, pk []string, cursor string) []string {
	t.Helper()
	s := cat.Stream{Name: name}
	d := json.NewDecoder(bytes.NewReader(schema))
	d.UseNumber() // as internal/cat decodes what the connector prints
	if err := d.Decode(&s.JSONSchema); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, schema)
	}
	for _, k := range pk {
		s.SourceDefinedPrimaryKey = append(s.SourceDefinedPrimaryKey, []string{k})
	}
	if cursor != "" {
		s.DefaultCursorField = []string{cursor}
	}
	var bad []string
	for _, rule := range schemaRules {
		if err := rule([]cat.Stream{s}); err != nil {
			bad = append(bad, err.Error())
		}
	}
	return bad
}
