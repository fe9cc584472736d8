package cat

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Spec rules: TestSpec in test_core.py. Each takes the SPEC payload (the
// whole ConnectorSpecification as decoded JSON) or its
// connectionSpecification.

// SecretPropertyNames is CAT's secret_property_names fixture.
var SecretPropertyNames = []string{
	"client_token", "access_token", "api_token", "token", "secret", "client_secret", "password", "key",
	"service_account_info", "service_account", "tenant_id", "certificate", "jwt", "credentials", "app_id",
	"appid", "refresh_token",
}

// Date patterns CAT suggests for date and date-time spec fields.
const (
	DatePattern     = "^[0-9]{2}-[0-9]{2}-[0-9]{4}$"
	DateTimePattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$"
)

// OneSpec is the actual_connector_spec fixture: exactly one SPEC message.
func OneSpec(out *Output) (map[string]any, error) {
	specs := out.Filter("SPEC")
	if len(specs) != 1 {
		return nil, fmt.Errorf("spec message should be emitted exactly once, got %d (exit %d)%s", len(specs), out.ExitCode, errorTraces(out))
	}
	return specs[0].Spec, nil
}

// ConnectionSpecification returns spec.connectionSpecification.
func ConnectionSpecification(spec map[string]any) map[string]any {
	return asMap(spec["connectionSpecification"])
}

func compileSchema(schema map[string]any, assertFormat bool) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	doc := toTree(schema)
	if assertFormat {
		c.AssertFormat()
	} else {
		// The library asserts formats for Draft 7 by default; Python's
		// jsonschema.validate does not, so the keywords are taken out.
		doc = withoutFormats(doc)
	}
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("schema.json")
}

// withoutFormats drops string-valued "format" keywords (a property named
// format is an object, so it stays).
func withoutFormats(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if _, isString := x.(string); k == "format" && isString {
				continue
			}
			out[k] = withoutFormats(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = withoutFormats(x)
		}
		return out
	}
	return v
}

// ConfigMatchesSpec is test_config_match_spec: the config minus keys that
// start with "_" validates against connectionSpecification (jsonschema.validate:
// the schema is checked first, formats are not asserted).
func ConfigMatchesSpec(spec map[string]any, config map[string]any) error {
	sch, err := compileSchema(ConnectionSpecification(spec), false)
	if err != nil {
		return fmt.Errorf("spec is invalid: %v", err)
	}
	c := map[string]any{}
	for k, v := range config {
		if !strings.HasPrefix(k, "_") {
			c[k] = v
		}
	}
	if err := sch.Validate(toTree(c)); err != nil {
		return fmt.Errorf("config invalid: %v", err)
	}
	return nil
}

// normalizeSpec makes two ConnectorSpecifications comparable the way
// pydantic compares parsed models: an absent optional field equals null, and
// supportsNormalization/supportsDBT default to false.
func normalizeSpec(spec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range spec {
		if v != nil {
			out[k] = v
		}
	}
	for _, k := range []string{"supportsNormalization", "supportsDBT"} {
		if _, ok := out[k]; !ok {
			out[k] = false
		}
	}
	return out
}

// LoadSpecFile is the connector_spec fixture: a .json or .yaml file.
func LoadSpecFile(path string, raw []byte) (map[string]any, error) {
	var v any
	switch filepath.Ext(path) {
	case ".json":
		if err := decodeJSON(raw, &v); err != nil {
			return nil, err
		}
	case ".yaml":
		if err := yaml.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		v = toTree(v)
	default:
		return nil, errors.New("path must be a '.yaml' or '.json' file")
	}
	m := asMap(v)
	if m == nil {
		return nil, errors.New("the spec file is not an object")
	}
	if _, ok := m["connectionSpecification"]; !ok {
		return nil, errors.New("the spec file has no connectionSpecification")
	}
	return m, nil
}

// SpecMatchesExpected is test_match_expected.
func SpecMatchesExpected(actual, expected map[string]any) error {
	a, e := normalizeSpec(actual), normalizeSpec(expected)
	if jsonEqual(a, e) {
		return nil
	}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range e {
		keys[k] = true
	}
	var diff []string
	for k := range keys {
		if !jsonEqual(a[k], e[k]) {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	return fmt.Errorf("spec should be equal to the one in the spec file; fields that differ: %s", strings.Join(diff, ", "))
}

// findNodes is JsonSchemaHelper.find_nodes: paths whose last key is one of keys.
func findNodes(v any, keys ...string) []node {
	var out []node
	for _, n := range walk(v) {
		for _, k := range keys {
			if n.path[len(n.path)-1] == k {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// EnumUsage is test_enum_usage: enum lists have distinct values.
func EnumUsage(cs map[string]any) error {
	for _, n := range findNodes(cs, "enum") {
		list, ok := n.val.([]any)
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, x := range list {
			c := canonical(x)
			if seen[c] {
				return fmt.Errorf("enum lists should not contain duplicate values; misconfigured enum array at %s: %s", pathString(n.path), canonical(list))
			}
			seen[c] = true
		}
	}
	return nil
}

// OneOfUsage is test_oneof_usage (oneOf and anyOf).
func OneOfUsage(cs map[string]any) error {
	for _, n := range findNodes(cs, "oneOf", "anyOf") {
		where := strings.Join(n.path, ".")
		parent, _ := get(cs, n.path[:len(n.path)-1])
		if asMap(parent)["type"] != "object" {
			return fmt.Errorf("the top-level definition in a oneOf block should have type: object, at %s", where)
		}
		variants, _ := n.val.([]any)
		var common map[string]bool
		for i, v := range variants {
			props, ok := asMap(v)["properties"]
			if !ok {
				return fmt.Errorf("each item in the oneOf array should be a property with type object, %s[%d] has no properties", where, i)
			}
			names := map[string]bool{}
			for k := range asMap(props) {
				names[k] = true
			}
			if common == nil {
				common = names
				continue
			}
			for k := range common {
				if !names[k] {
					delete(common, k)
				}
			}
		}
		if len(common) == 0 {
			return fmt.Errorf("there should be at least one common property for %s subobjects", where)
		}
		var consts []string
		for k := range common {
			all := true
			for _, v := range variants {
				if _, ok := asMap(asMap(asMap(v)["properties"])[k])["const"]; !ok {
					all = false
				}
			}
			if all {
				consts = append(consts, k)
			}
		}
		if len(consts) != 1 {
			sort.Strings(consts)
			return fmt.Errorf("there should be exactly one common property with 'const' keyword for %s subobjects, found %v", where, consts)
		}
		for i, v := range variants {
			p := asMap(asMap(asMap(v)["properties"])[consts[0]])
			if d, ok := p["default"]; ok && !jsonEqual(d, p["const"]) {
				return fmt.Errorf("'default' needs to be identical to const in common property %s[%d].%s", where, i, consts[0])
			}
			if e, ok := p["enum"]; ok {
				list, _ := e.([]any)
				if len(list) != 1 || !jsonEqual(list[0], p["const"]) {
					return fmt.Errorf("'enum' needs to be an array with a single item identical to const in common property %s[%d].%s", where, i, consts[0])
				}
			}
		}
	}
	return nil
}

// SecretIsProperlyMarked is test_secret_is_properly_marked.
func SecretIsProperlyMarked(spec map[string]any) error {
	props := ConnectionSpecification(spec)["properties"]
	secretNames := map[string]bool{}
	for _, s := range SecretPropertyNames {
		secretNames[s] = true
	}
	reserved := map[string]bool{"anyOf": true, "oneOf": true, "allOf": true, "not": true, "properties": true, "items": true, "type": true, "prefixItems": true}
	var exposed, hidden []string
	for _, n := range search(props, "**/type") {
		name := ""
		for i := len(n.path) - 2; i >= 0; i-- {
			p := n.path[i]
			if _, err := strconv.Atoi(p); err == nil || reserved[p] {
				continue
			}
			name = p
			break
		}
		if name == "" || !secretNames[strings.ToLower(name)] {
			continue
		}
		defPath := n.path[:len(n.path)-1]
		def, _ := get(props, defPath)
		d := asMap(def)
		marked := truthy(d["airbyte_secret"])
		canStore := false
		for t := range typeSet(d["type"], nil) {
			if t == "string" || t == "integer" || t == "number" {
				canStore = true
			}
		}
		if canStore && truthy(d["const"]) {
			canStore = false
		}
		if marked && !canStore {
			hidden = append(hidden, pathString(defPath))
		}
		if !marked && canStore {
			exposed = append(exposed, pathString(defPath))
		}
	}
	if len(hidden) > 0 {
		return fmt.Errorf("some properties are marked with airbyte_secret although they probably should not be: %s", strings.Join(hidden, ", "))
	}
	if len(exposed) > 0 {
		return fmt.Errorf("the following properties should be marked with airbyte_secret: %s", strings.Join(exposed, ", "))
	}
	return nil
}

// truthy is Python's bool() of a JSON value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case json.Number:
		f, err := t.Float64()
		return err != nil || f != 0
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// PropertyTypeIsNotArray is test_property_type_is_not_array.
func PropertyTypeIsNotArray(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "**/properties/*/type") {
		list, ok := n.val.([]any)
		if !ok {
			continue
		}
		if len(list) != 1 && len(list) != 2 {
			errs = append(errs, fmt.Sprintf("%s is not either a simple type or an array of a simple type plus null: %s", pathString(n.path), canonical(list)))
		}
		if len(list) == 2 && list[1] != "null" {
			errs = append(errs, fmt.Sprintf("second type of %s is not null: %s", pathString(n.path), canonical(list)))
		}
	}
	return joinErrs(errs)
}

// ObjectNotEmpty is test_object_not_empty.
func ObjectNotEmpty(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "**/type") {
		if len(n.path) == 1 || n.val != "object" {
			continue
		}
		parent, _ := get(cs, n.path[:len(n.path)-1])
		p := asMap(parent)
		if _, ok := p["oneOf"]; ok {
			continue
		}
		if len(asMap(p["properties"])) == 0 {
			errs = append(errs, fmt.Sprintf("%s is an empty object which will not be represented correctly in the UI; either remove it or add specific properties", pathString(n.path)))
		}
	}
	return joinErrs(errs)
}

// ArrayType is test_array_type.
func ArrayType(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "**/type") {
		if n.val != "array" {
			continue
		}
		parent, _ := get(cs, n.path[:len(n.path)-1])
		items, ok := asMap(parent)["items"]
		if !ok || items == nil {
			continue
		}
		if _, isList := items.([]any); isList {
			errs = append(errs, fmt.Sprintf("%s is not just a single item type", pathString(n.path)))
			continue
		}
		it := asMap(items)
		_, hasEnum := it["enum"]
		switch it["type"] {
		case "object", "string", "number", "integer":
		default:
			if !hasEnum {
				errs = append(errs, fmt.Sprintf("items of %s has to be either object or string or define an enum", pathString(n.path)))
			}
		}
	}
	return joinErrs(errs)
}

// ForbiddenComplexTypes is test_forbidden_complex_types.
func ForbiddenComplexTypes(cs map[string]any) error {
	forbidden := []string{"not", "anyOf", "patternProperties", "prefixItems", "allOf", "if", "then", "else", "dependentSchemas", "dependentRequired"}
	found := map[string]bool{}
	for _, k := range forbidden {
		for _, n := range search(cs, "**/"+k) {
			found[pathString(n.path)] = true
		}
	}
	for _, k := range forbidden {
		for _, n := range search(cs, "**/properties/"+k) {
			delete(found, pathString(n.path))
		}
	}
	if len(found) == 0 {
		return nil
	}
	var list []string
	for p := range found {
		list = append(list, p)
	}
	sort.Strings(list)
	return fmt.Errorf("found the following disallowed JSON schema features: %s", strings.Join(list, ", "))
}

// DatePatternWarnings is test_date_pattern and test_date_format: CAT only
// logs these, so they are returned as warnings, never as failures.
func DatePatternWarnings(cs map[string]any) []string {
	var w []string
	for _, n := range search(cs, "**/format") {
		f, ok := n.val.(string)
		if !ok {
			continue
		}
		parent, _ := get(cs, n.path[:len(n.path)-1])
		pattern := asMap(parent)["pattern"]
		if f == "date" && pattern != DatePattern {
			w = append(w, fmt.Sprintf("%s defines a date format without the pattern %s", pathString(n.path), DatePattern))
		}
		if f == "date-time" && pattern != DateTimePattern {
			w = append(w, fmt.Sprintf("%s defines a date-time format without the pattern %s", pathString(n.path), DateTimePattern))
		}
	}
	for _, n := range search(cs, "**/pattern") {
		p, ok := n.val.(string)
		if !ok || (p != DatePattern && p != DateTimePattern) {
			continue
		}
		parent, _ := get(cs, n.path[:len(n.path)-1])
		f := asMap(parent)["format"]
		if p == DatePattern && f != "date" {
			w = append(w, fmt.Sprintf("%s looks like a date pattern without format date", pathString(n.path)))
		}
		if p == DateTimePattern && f != "date-time" {
			w = append(w, fmt.Sprintf("%s looks like a date-time pattern without format date-time", pathString(n.path)))
		}
	}
	return w
}

// DuplicateOrder is test_duplicate_order.
func DuplicateOrder(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "**/properties") {
		parent, _ := get(cs, n.path[:len(n.path)-1])
		if asMap(parent)["type"] != "object" {
			continue
		}
		props := asMap(n.val)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		used := map[string]map[string]bool{}
		for _, k := range keys {
			p := asMap(props[k])
			order, ok := p["order"]
			if !ok {
				continue
			}
			group := ""
			if g, ok := p["group"]; ok {
				group = canonical(g)
			}
			if used[group] == nil {
				used[group] = map[string]bool{}
			}
			o := canonical(order)
			if used[group][o] {
				errs = append(errs, fmt.Sprintf("%s has duplicate order: %s", pathString(n.path), o))
			}
			used[group][o] = true
		}
	}
	return joinErrs(errs)
}

// NestedGroup is test_nested_group: group only on top-level properties.
func NestedGroup(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "/properties/**/group") {
		parent := n.path[:len(n.path)-1]
		namedGroup := parent[len(parent)-1] == "properties"
		grand := parent[:len(parent)-1]
		if pathString(grand) != "/properties" && !namedGroup {
			errs = append(errs, "groups can only be defined on top level, is defined at "+pathString(n.path))
		}
	}
	return joinErrs(errs)
}

// DisplayType is test_display_type.
func DisplayType(cs map[string]any) error {
	var errs []string
	for _, n := range search(cs, "/properties/**/display_type") {
		parentPath := n.path[:len(n.path)-1]
		if parentPath[len(parentPath)-1] == "properties" {
			continue
		}
		parent, _ := get(cs, parentPath)
		p := asMap(parent)
		if _, ok := p["oneOf"]; !ok {
			errs = append(errs, "display_type is only allowed on fields which have a oneOf property, but is set on "+pathString(parentPath))
		}
		if v := p["display_type"]; v != "dropdown" && v != "radio" {
			errs = append(errs, fmt.Sprintf("display_type must be either 'dropdown' or 'radio', but is set to %s at %s", canonical(v), pathString(n.path)))
		}
	}
	return joinErrs(errs)
}

// NoRefs is test_defined_refs_exist_in_json_spec_file (whole spec) and
// test_defined_refs_exist_in_schema (stream schemas).
func NoRefs(v any) error {
	if vals := findAllValues(v, "$ref"); len(vals) > 0 {
		return fmt.Errorf("found unresolved $ref values: %s", canonical(vals))
	}
	return nil
}

// OAuthFlowParameters is test_oauth_flow_parameters.
func OAuthFlowParameters(spec map[string]any) error {
	aa := asMap(spec["advanced_auth"])
	if len(aa) == 0 {
		return nil
	}
	want := map[string]bool{}
	if pk, ok := aa["predicate_key"].([]any); ok && len(pk) > 0 {
		var parts []string
		for _, p := range pk {
			parts = append(parts, fmt.Sprint(p))
		}
		want["/"+strings.Join(parts, "/")] = true
	}
	ocs := asMap(aa["oauth_config_specification"])
	for _, k := range []string{"oauth_user_input_from_connector_config_specification", "complete_oauth_output_specification", "complete_oauth_server_output_specification"} {
		for _, v := range asMap(asMap(ocs[k])["properties"]) {
			var parts []string
			for _, p := range asSlice(asMap(v)["path_in_connector_config"]) {
				parts = append(parts, fmt.Sprint(p))
			}
			want["/"+strings.Join(parts, "/")] = true
		}
	}
	have := map[string]bool{}
	for _, p := range expectedSchemaStructure(ConnectionSpecification(spec), false) {
		have[p] = true
	}
	var missing []string
	for p := range want {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("specified oauth fields are missed from spec schema: %s", strings.Join(missing, ", "))
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// OAuthIsDefaultMethod is test_oauth_is_default_method; it returns a Skip
// when the spec has no OAuth choice.
func OAuthIsDefaultMethod(spec map[string]any) error {
	aa := asMap(spec["advanced_auth"])
	if len(aa) == 0 {
		return Skip("source does not have OAuth method")
	}
	pk := asSlice(aa["predicate_key"])
	if len(pk) == 0 {
		return Skip("advanced auth object does not have predicate_key, only one option to authenticate")
	}
	cs := ConnectionSpecification(spec)
	var first any
	found := false
	for _, n := range search(cs, "**/"+fmt.Sprint(pk[0])+"/oneOf/0") {
		first, found = n.val, true
		break
	}
	if !found {
		return Skip("credentials object does not have oneOf option")
	}
	var rest []string
	for _, p := range pk[1:] {
		rest = append(rest, fmt.Sprint(p))
	}
	for _, n := range search(first, "**/"+strings.Join(rest, "/")+"/const") {
		if !jsonEqual(n.val, aa["predicate_value"]) {
			return fmt.Errorf("OAuth method should be the default option; the current default method is %s", canonical(n.val))
		}
		return nil
	}
	return fmt.Errorf("the default oneOf option has no const at %s", strings.Join(rest, "/"))
}

// AdditionalPropertiesIsTrue is test_additional_properties_is_true (spec
// and stream schemas alike).
func AdditionalPropertiesIsTrue(v any) error {
	for _, x := range findAllValues(v, "additionalProperties") {
		if x != true {
			return fmt.Errorf("when set, additionalProperties field value must be true for backward compatibility, found %s", canonical(x))
		}
	}
	return nil
}

func joinErrs(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "\n"))
}

// ---- image rules, checked on the Dockerfile and metadata.yaml ----------

// ImageLabels is test_image_labels on the Dockerfile: io.airbyte.name and
// io.airbyte.version equal metadata.yaml's dockerRepository and
// dockerImageTag.
func ImageLabels(img *Image, metadataYAML []byte) error {
	var md struct {
		Data struct {
			DockerRepository string `yaml:"dockerRepository"`
			DockerImageTag   string `yaml:"dockerImageTag"`
		} `yaml:"data"`
	}
	if err := yaml.Unmarshal(metadataYAML, &md); err != nil {
		return fmt.Errorf("metadata.yaml: %w", err)
	}
	if got, want := img.Labels["io.airbyte.name"], md.Data.DockerRepository; got != want || want == "" {
		return fmt.Errorf("io.airbyte.name must be equal to dockerRepository in metadata.yaml: label %q, metadata %q", got, want)
	}
	if got, want := img.Labels["io.airbyte.version"], md.Data.DockerImageTag; got != want || want == "" {
		return fmt.Errorf("io.airbyte.version must be equal to dockerImageTag in metadata.yaml: label %q, metadata %q", got, want)
	}
	return nil
}

// ImageEnvironmentVariables is test_image_environment_variables.
func ImageEnvironmentVariables(img *Image) error {
	v := img.Env["AIRBYTE_ENTRYPOINT"]
	if v == "" {
		return errors.New("AIRBYTE_ENTRYPOINT must be set in dockerfile")
	}
	if want := strings.Join(img.Entrypoint, " "); v != want {
		return fmt.Errorf("AIRBYTE_ENTRYPOINT %q must equal the space-joined ENTRYPOINT %q", v, want)
	}
	return nil
}
