package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/source-botmaker/source-botmaker/internal/golden"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
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
	if msg.Type != string(protocol.TypeSpec) {
		t.Fatalf("message type = %q, want SPEC", msg.Type)
	}
	if diff := cmp.Diff(specParse(t, marshalSpec(t)), specParse(t, msg.Spec)); diff != "" {
		t.Errorf("spec command payload differs from Spec() (-Spec +printed):\n%s", diff)
	}
}

func TestSpecMetadata(t *testing.T) {
	spec := specParse(t, marshalSpec(t)).(map[string]any)
	want := map[string]any{"documentationUrl": DocumentationURL, "protocol_version": protocol.Version}
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

// TestSpecCATRules re-implements the TestSpec rules of the Connector
// Acceptance Tests that can be decided from the spec JSON alone
// (connector_acceptance_test/tests/test_core.py in airbytehq/airbyte). Each rule
// also gets a small spec that breaks it, so a rule that silently passes
// everything fails here.
func TestSpecCATRules(t *testing.T) {
	rules := []struct {
		name  string
		check func(spec map[string]any) []string
		bad   string // a whole ConnectorSpecification that violates the rule
	}{
		{"secret_is_properly_marked", ruleSecretMarked,
			`{"connectionSpecification":{"type":"object","properties":{"api":{"type":"object","properties":{"token":{"type":"string"}}}}}}`},
		{"secret_marked_but_cannot_store", ruleSecretMarked,
			`{"connectionSpecification":{"type":"object","properties":{"password":{"type":"boolean","airbyte_secret":true}}}}`},
		{"defined_refs_exist_in_json_spec_file", ruleNoRef,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"$ref":"#/definitions/a"}}}}`},
		{"forbidden_complex_types", ruleForbiddenKeywords,
			`{"connectionSpecification":{"type":"object","properties":{"not":{"type":"string"},"a":{"anyOf":[{"type":"string"}]}}}}`},
		{"additional_properties_is_true", ruleAdditionalPropertiesTrue,
			`{"connectionSpecification":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}}}}`},
		{"property_type_is_not_array", ruleTypeList,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":["null","string"]}}}}`},
		{"enum_usage", ruleEnumUnique,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","enum":["x","y","x"]}}}}`},
		{"oneof_usage", ruleOneOf,
			`{"connectionSpecification":{"type":"object","properties":{"auth":{"type":"object","oneOf":[
				{"properties":{"kind":{"const":"a"},"k":{"type":"string"}}},
				{"properties":{"kind":{"const":"b","default":"a"}}}]}}}}`},
		{"oneof_parent_not_object", ruleOneOf,
			`{"connectionSpecification":{"type":"object","properties":{"auth":{"oneOf":[{"properties":{"kind":{"const":"a"}}}]}}}}`},
		{"object_not_empty", ruleObjectNotEmpty,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"object","properties":{}}}}}`},
		{"array_type", ruleArrayItems,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"array","items":{"type":"boolean"}}}}}`},
		{"duplicate_order", ruleDuplicateOrder,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","order":1},"b":{"type":"string","order":1},"c":{"type":"string","order":1,"group":"g"}}}}`},
		{"nested_group", ruleNestedGroup,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string","group":"g"}}}}}}`},
		{"display_type", ruleDisplayType,
			`{"connectionSpecification":{"type":"object","properties":{"a":{"type":"string","display_type":"dropdown"}}}}`},
	}
	spec := specParse(t, marshalSpec(t)).(map[string]any)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range r.check(spec) {
				t.Error(p)
			}
			bad := specParse(t, []byte(r.bad)).(map[string]any)
			if len(r.check(bad)) == 0 {
				t.Errorf("the rule accepted a spec that breaks it: %s", r.bad)
			}
		})
	}
}

func specParse(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return v
}

func specConn(spec map[string]any) map[string]any {
	cs, _ := spec["connectionSpecification"].(map[string]any)
	return cs
}

// walk calls f for every map entry under v, depth first in key order, with
// the path of keys and array indexes leading to it (like dpath's "**").
func specWalk(v any, path []string, f func(path []string, key string, val any)) {
	switch n := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f(path, k, n[k])
			specWalk(n[k], append(slices.Clip(path), k), f)
		}
	case []any:
		for i, c := range n {
			specWalk(c, append(slices.Clip(path), strconv.Itoa(i)), f)
		}
	}
}

func specNode(v any, path []string) any {
	for _, p := range path {
		switch n := v.(type) {
		case map[string]any:
			v = n[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}

func specLast(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return path[len(path)-1]
}

func specPath(path []string, key string) string {
	return "/" + strings.Join(append(slices.Clip(path), key), "/")
}

// secretNames is CAT's secret_property_names fixture (exact, lower-case).
var secretNames = map[string]bool{
	"client_token": true, "access_token": true, "api_token": true, "token": true, "secret": true,
	"client_secret": true, "password": true, "key": true, "service_account_info": true,
	"service_account": true, "tenant_id": true, "certificate": true, "jwt": true, "credentials": true,
	"app_id": true, "appid": true, "refresh_token": true,
}

func ruleSecretMarked(spec map[string]any) []string {
	reserved := map[string]bool{"anyOf": true, "oneOf": true, "allOf": true, "not": true, "properties": true, "items": true, "type": true, "prefixItems": true}
	props := specConn(spec)["properties"]
	var bad []string
	specWalk(props, nil, func(path []string, key string, _ any) {
		if key != "type" {
			return
		}
		name := ""
		for i := len(path) - 1; i >= 0; i-- {
			if _, err := strconv.Atoi(path[i]); err == nil || reserved[path[i]] {
				continue
			}
			name = path[i]
			break
		}
		if !secretNames[strings.ToLower(name)] {
			return
		}
		prop, _ := specNode(props, path).(map[string]any)
		marked := prop["airbyte_secret"] == true
		canStore := false
		switch typ := prop["type"].(type) {
		case string:
			canStore = typ == "string" || typ == "integer" || typ == "number"
		case []any:
			for _, x := range typ {
				canStore = canStore || x == "string" || x == "integer" || x == "number"
			}
		}
		if c, ok := prop["const"]; ok && c != nil && c != false && c != "" && c != 0.0 {
			canStore = false
		}
		switch {
		case marked && !canStore:
			bad = append(bad, fmt.Sprintf("/properties/%s is airbyte_secret but cannot hold a secret", strings.Join(path, "/")))
		case !marked && canStore:
			bad = append(bad, fmt.Sprintf("/properties/%s is named like a secret but lacks airbyte_secret: true", strings.Join(path, "/")))
		}
	})
	return bad
}

func ruleNoRef(spec map[string]any) []string {
	var bad []string
	specWalk(spec, nil, func(path []string, key string, _ any) {
		if key == "$ref" {
			bad = append(bad, specPath(path, key)+": $ref is not allowed; inline the schema")
		}
	})
	return bad
}

func ruleForbiddenKeywords(spec map[string]any) []string {
	forbidden := map[string]bool{"not": true, "anyOf": true, "patternProperties": true, "prefixItems": true, "allOf": true, "if": true, "then": true, "else": true, "dependentSchemas": true, "dependentRequired": true}
	var bad []string
	specWalk(specConn(spec), nil, func(path []string, key string, _ any) {
		if forbidden[key] && specLast(path) != "properties" {
			bad = append(bad, specPath(path, key)+": keyword not allowed in a spec")
		}
	})
	return bad
}

func ruleAdditionalPropertiesTrue(spec map[string]any) []string {
	var bad []string
	specWalk(specConn(spec), nil, func(path []string, key string, val any) {
		if key == "additionalProperties" && val != true {
			bad = append(bad, fmt.Sprintf("%s is %v, want true", specPath(path, key), val))
		}
	})
	return bad
}

func ruleTypeList(spec map[string]any) []string {
	var bad []string
	specWalk(specConn(spec), nil, func(path []string, key string, val any) {
		list, ok := val.([]any)
		if key != "type" || !ok || len(path) < 2 || path[len(path)-2] != "properties" {
			return
		}
		if len(list) < 1 || len(list) > 2 || (len(list) == 2 && list[1] != "null") {
			bad = append(bad, fmt.Sprintf("%s is %v; a type list must be [T] or [T, \"null\"]", specPath(path, key), list))
		}
	})
	return bad
}

func ruleEnumUnique(spec map[string]any) []string {
	var bad []string
	specWalk(specConn(spec), nil, func(path []string, key string, val any) {
		list, ok := val.([]any)
		if key != "enum" || !ok {
			return
		}
		seen := map[string]bool{}
		for _, v := range list {
			b, _ := json.Marshal(v)
			if seen[string(b)] {
				bad = append(bad, fmt.Sprintf("%s repeats %s", specPath(path, key), b))
			}
			seen[string(b)] = true
		}
	})
	return bad
}

func ruleOneOf(spec map[string]any) []string {
	cs := specConn(spec)
	var bad []string
	specWalk(cs, nil, func(path []string, key string, val any) {
		if key != "oneOf" && key != "anyOf" {
			return
		}
		where := specPath(path, key)
		if parent, _ := specNode(cs, path).(map[string]any); parent["type"] != "object" {
			bad = append(bad, where+": the parent of oneOf must have type object")
		}
		variants, _ := val.([]any)
		var common map[string]int
		for _, v := range variants {
			props, ok := specNode(v, []string{"properties"}).(map[string]any)
			if !ok {
				bad = append(bad, where+": every variant needs properties")
				return
			}
			if common == nil {
				common = map[string]int{}
			}
			for k := range props {
				common[k]++
			}
		}
		var withConst []string
		for k, n := range common {
			if n != len(variants) {
				continue
			}
			all := true
			for _, v := range variants {
				p, _ := specNode(v, []string{"properties", k}).(map[string]any)
				if _, ok := p["const"]; !ok {
					all = false
				}
			}
			if all {
				withConst = append(withConst, k)
			}
		}
		if len(withConst) != 1 {
			bad = append(bad, fmt.Sprintf("%s: want exactly one property common to all variants with const, got %v", where, withConst))
			return
		}
		for i, v := range variants {
			p, _ := specNode(v, []string{"properties", withConst[0]}).(map[string]any)
			if d, ok := p["default"]; ok && !cmp.Equal(d, p["const"]) {
				bad = append(bad, fmt.Sprintf("%s/%d/properties/%s: default differs from const", where, i, withConst[0]))
			}
			if e, ok := p["enum"]; ok && !cmp.Equal(e, []any{p["const"]}) {
				bad = append(bad, fmt.Sprintf("%s/%d/properties/%s: enum differs from [const]", where, i, withConst[0]))
			}
		}
	})
	return bad
}

func ruleObjectNotEmpty(spec map[string]any) []string {
	cs := specConn(spec)
	var bad []string
	specWalk(cs, nil, func(path []string, key string, val any) {
		if key != "type" || val != "object" || len(path) == 0 {
			return
		}
		node, _ := specNode(cs, path).(map[string]any)
		if _, ok := node["oneOf"]; ok {
			return
		}
		if props, _ := node["properties"].(map[string]any); len(props) == 0 {
			bad = append(bad, specPath(path, "")+": object without properties")
		}
	})
	return bad
}

func ruleArrayItems(spec map[string]any) []string {
	cs := specConn(spec)
	var bad []string
	specWalk(cs, nil, func(path []string, key string, val any) {
		if key != "type" || val != "array" {
			return
		}
		node, _ := specNode(cs, path).(map[string]any)
		items, ok := node["items"]
		if !ok {
			return
		}
		im, isMap := items.(map[string]any)
		if !isMap {
			bad = append(bad, specPath(path, "items")+": items must be one schema, not a list")
			return
		}
		_, hasEnum := im["enum"]
		switch im["type"] {
		case "object", "string", "number", "integer":
		default:
			if !hasEnum {
				bad = append(bad, fmt.Sprintf("%s: items type %v is not object/string/number/integer", specPath(path, "items"), im["type"]))
			}
		}
	})
	return bad
}

func ruleDuplicateOrder(spec map[string]any) []string {
	cs := specConn(spec)
	var bad []string
	check := func(path []string, node map[string]any) {
		if node["type"] != "object" {
			return
		}
		props, _ := node["properties"].(map[string]any)
		seen := map[string]string{}
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p, _ := props[n].(map[string]any)
			order, ok := p["order"]
			if !ok {
				continue
			}
			group, _ := p["group"].(string)
			k := fmt.Sprintf("%s\x00%v", group, order)
			if other, dup := seen[k]; dup {
				bad = append(bad, fmt.Sprintf("%s: %s and %s share order %v in group %q", specPath(path, "properties"), other, n, order, group))
			}
			seen[k] = n
		}
	}
	check(nil, cs)
	specWalk(cs, nil, func(path []string, key string, val any) {
		if m, ok := val.(map[string]any); ok {
			check(append(slices.Clip(path), key), m)
		}
	})
	return bad
}

func ruleNestedGroup(spec map[string]any) []string {
	var bad []string
	specWalk(specConn(spec), nil, func(path []string, key string, _ any) {
		if key != "group" || specLast(path) == "properties" {
			return
		}
		if len(path) != 2 || path[0] != "properties" {
			bad = append(bad, specPath(path, key)+": group is only allowed on top-level properties")
		}
	})
	return bad
}

func ruleDisplayType(spec map[string]any) []string {
	cs := specConn(spec)
	var bad []string
	specWalk(cs, nil, func(path []string, key string, val any) {
		if key != "display_type" || specLast(path) == "properties" {
			return
		}
		node, _ := specNode(cs, path).(map[string]any)
		if _, ok := node["oneOf"]; !ok {
			bad = append(bad, specPath(path, key)+": display_type needs a oneOf on the same field")
		}
		if val != "dropdown" && val != "radio" {
			bad = append(bad, fmt.Sprintf("%s is %v, want dropdown or radio", specPath(path, key), val))
		}
	})
	return bad
}
