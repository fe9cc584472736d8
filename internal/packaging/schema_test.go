package packaging

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// metadataSchema compiles Airbyte's ConnectorMetadataDefinitionV0 from
// testdata/airbyte-metadata (see the README there for its origin), with
// formats asserted as Airbyte's pydantic models check them (uuid, uri, date).
func metadataSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "airbyte-metadata", "ConnectorMetadataDefinitionV0.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The generated file types three properties of its registry-only
	// "generated.metrics" block as "ConnectorMetric", a type JSON Schema
	// does not have, which a compiler rightly refuses. Connectors never
	// write that block (CI fills it in), so it is read as "object".
	raw = bytes.ReplaceAll(raw, []byte(`"type": "ConnectorMetric"`), []byte(`"type": "object"`))
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	// Each inlined file kept its own $id, but the bundler wrote every $ref
	// relative to the root document: under draft-07 a nested $id would
	// re-base them, so only the root's is kept.
	root := tree.(map[string]any)
	for k, v := range root {
		if k != "$id" && k != "$schema" {
			dropIDs(v)
		}
	}
	const id = "https://github.com/airbytehq/airbyte/airbyte-ci/connectors_ci/metadata_service/lib/models/src/ConnectorMetadataDefinitionV0.yml"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, tree); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dropIDs removes $id and $schema from every subschema of v.
func dropIDs(v any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "$id")
		delete(t, "$schema")
		for _, x := range t {
			dropIDs(x)
		}
	case []any:
		for _, x := range t {
			dropIDs(x)
		}
	}
}

// yamlTree decodes YAML into the JSON value tree the validator takes.
func yamlTree(t *testing.T, text string) any {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	// Round-trip through JSON so numbers are JSON numbers and dates stay
	// strings, as Airbyte's tooling reads the file.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestMetadataMatchesAirbyteSchema validates metadata.yaml against Airbyte's
// own metadata schema, the one its registry tooling applies.
func TestMetadataMatchesAirbyteSchema(t *testing.T) {
	if err := metadataSchema(t).Validate(yamlTree(t, readRepoFile(t, "metadata.yaml"))); err != nil {
		t.Errorf("metadata.yaml does not match Airbyte's ConnectorMetadataDefinitionV0:\n%v", err)
	}
}

// TestMetadataSchemaRejects shows the schema check failing on the mistakes
// it is there to catch.
func TestMetadataSchemaRejects(t *testing.T) {
	good := readRepoFile(t, "metadata.yaml")
	sch := metadataSchema(t)
	cases := []struct{ name, old, new string }{
		{"old registries key", "  registryOverrides:", "  registries:"},
		{"unknown key", "  supportLevel: community", "  supportLevel: community\n  supportTier: community"},
		{"support level", "supportLevel: community", "supportLevel: gold"},
		{"release date", `releaseDate: "2026-11-22"`, `releaseDate: "22/11/2026"`},
		{"definition id", "definitionId: f5240edf-", "definitionId: not-a-uuid-"},
		{"seconds between messages", "maxSecondsBetweenMessages: 1200", "maxSecondsBetweenMessages: 20m"},
		{"test suite", "- suite: unitTests", "- suite: unit"},
		{"release stage", "releaseStage: alpha", "releaseStage: experimental"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(good, c.old) {
				t.Fatalf("test bug: %q is not in metadata.yaml", c.old)
			}
			if err := sch.Validate(yamlTree(t, strings.Replace(good, c.old, c.new, 1))); err == nil {
				t.Errorf("the schema accepted metadata.yaml with %q instead of %q", c.new, c.old)
			}
		})
	}
}
