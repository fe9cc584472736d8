package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/golden"
)

// update rewrites golden files instead of comparing against them. Tests in
// this package that keep golden files should reuse it rather than define
// their own (a second "update" flag in the same test binary panics).
var update = flag.Bool("update", false, "rewrite golden files from the current code")

// specGolden is the repository's top-level spec.json: what `spec` prints,
// kept in the repo so that a change to the user-facing options shows up in
// review and so CAT's test_match_expected can compare against it.
var specGolden = filepath.Join("..", "spec.json")

func marshalSpec(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Spec()); err != nil {
		t.Fatalf("encoding the spec: %v", err)
	}
	// The schema arrives as raw JSON with encoding/json's HTML escapes; the
	// literal characters are the same JSON and read better in review.
	return []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(buf.String()))
}

func TestSpecGolden(t *testing.T) {
	golden.JSON(t, specGolden, marshalSpec(t), *update)
}

// TestSpecCommand checks what the binary prints, not only Spec(): CAT fails
// unless `spec` emits exactly one SPEC message.
func TestSpecCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Runtime{}.Run(context.Background(), []string{"spec"}, &stdout, &stderr)
	if code != 0 || stderr.Len() > 0 {
		t.Fatalf("spec exited %d, stderr %q", code, stderr.String())
	}
	// LOG lines (the version banner) are allowed around the SPEC.
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, `{"type":"LOG"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("spec printed %d lines that are not LOG, want exactly one SPEC message:\n%s", len(lines), stdout.String())
	}
	var msg struct {
		Type string          `json:"type"`
		Spec json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &msg); err != nil {
		t.Fatalf("spec output is not JSON: %v", err)
	}
	if msg.Type != string(airbyte.TypeSpec) {
		t.Fatalf("message type = %q, want SPEC", msg.Type)
	}
	if diff := cmp.Diff(specParse(t, marshalSpec(t)), specParse(t, msg.Spec)); diff != "" {
		t.Errorf("spec command payload differs from Spec() (-Spec +printed):\n%s", diff)
	}
}

func TestSpecMetadata(t *testing.T) {
	spec := specParse(t, marshalSpec(t)).(map[string]any)
	want := map[string]any{"documentationUrl": DocumentationURL, "protocol_version": airbyte.Version}
	got := map[string]any{"documentationUrl": spec["documentationUrl"], "protocol_version": spec["protocol_version"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spec metadata (-want +got):\n%s", diff)
	}
	cs, _ := spec["connectionSpecification"].(map[string]any)
	if cs["type"] != "object" {
		t.Errorf("connectionSpecification.type = %v, want object", cs["type"])
	}
	req, _ := cs["required"].([]any)
	if diff := cmp.Diff([]any{"access_token", "start_date"}, req); diff != "" {
		t.Errorf("required options (-want +got):\n%s", diff)
	}
}

// TestSpecCATRules runs internal/cat's TestSpec rules that can be decided
// from the spec JSON alone on Spec(), without building the binary (the
// acceptance run in integration_tests runs them all on `spec`'s output).
// Each rule also gets a small spec that breaks it, so a rule that silently
// passes everything fails here.
func TestSpecCATRules(t *testing.T) {
	onCS := func(rule func(cs map[string]any) error) func(spec map[string]any) error {
		return func(spec map[string]any) error { return rule(cat.ConnectionSpecification(spec)) }
	}
	rules := []struct {
		name  string
		check func(spec map[string]any) error
		bad   string // a whole ConnectorSpecification that violates the rule
	}{
		{"secret_is_properly_marked", cat.SecretIsProperlyMarked,
			`{"connectionSpecification":{"type":"object","properties":{"api":{"type":"object","properties":{"token":{"type":"string"}}}}}}`},
		{"secret_marked_but_cannot_store", cat.SecretIsProperlyMarked,
			`{"connectionSpecification":{"type":"object","properties":{"password":{"type":"boolean","airbyte_secret":true}}}}`},
		{"defined_refs_exist_in_json_spec_file", func(spec map[string]any) error { return cat.NoRefs(spec) },
			`{"connectionSpecification":{"type":"object","properties":{"a":{"$ref":"#/definitions/a"}}}}`},
		{"forbidden_complex_types", onCS(cat.ForbiddenComplexTypes),
			`{"connectionSpecification":{"type":"object","properties":{"not":{"type":"string"},"a":{"anyOf":[{"type":"string"}]}}}}`},
		{"additional_properties_is_true", onCS(func(cs map[string]any) error { return cat.AdditionalPropertiesIsTrue(cs) }),
			`{"connectionSpecification":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}}}}`},
		{"property_type_is_not_array", onCS(cat.PropertyTypeIsNotArray),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":["null","string"]}}}}`},
		{"enum_usage", onCS(cat.EnumUsage),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","enum":["x","y","x"]}}}}`},
		{"oneof_usage", onCS(cat.OneOfUsage),
			`{"connectionSpecification":{"type":"object","properties":{"auth":{"type":"object","oneOf":[
				{"properties":{"kind":{"const":"a"},"k":{"type":"string"}}},
				{"properties":{"kind":{"const":"b","default":"a"}}}]}}}}`},
		{"oneof_parent_not_object", onCS(cat.OneOfUsage),
			`{"connectionSpecification":{"type":"object","properties":{"auth":{"oneOf":[{"properties":{"kind":{"const":"a"}}}]}}}}`},
		{"object_not_empty", onCS(cat.ObjectNotEmpty),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"object","properties":{}}}}}`},
		{"array_type", onCS(cat.ArrayType),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"array","items":{"type":"boolean"}}}}}`},
		{"duplicate_order", onCS(cat.DuplicateOrder),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","order":1},"b":{"type":"string","order":1},"c":{"type":"string","order":1,"group":"g"}}}}`},
		{"nested_group", onCS(cat.NestedGroup),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string","group":"g"}}}}}}`},
		{"display_type", onCS(cat.DisplayType),
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","display_type":"dropdown"}}}}`},
	}
	spec := specLoad(t, marshalSpec(t))
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			if err := r.check(spec); err != nil {
				t.Error(err)
			}
			if r.check(specLoad(t, []byte(r.bad))) == nil {
				t.Errorf("the rule accepted a spec that breaks it: %s", r.bad)
			}
		})
	}
}

// specLoad decodes a spec as internal/cat's rules expect it (numbers as
// json.Number).
func specLoad(t *testing.T, b []byte) map[string]any {
	t.Helper()
	spec, err := cat.LoadSpecFile("spec.json", b)
	if err != nil {
		t.Fatalf("invalid spec: %v\n%s", err, b)
	}
	return spec
}

func specParse(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return v
}
