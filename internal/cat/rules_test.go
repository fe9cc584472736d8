package cat

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Each rule gets a valid input, which must pass, and deliberately broken
// ones, which must fail with the CAT message, so that a green acceptance
// run cannot come from a rule that never fails.

func tree(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := decodeJSON([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// goodSpec is a spec that every spec rule accepts, with a oneOf, an enum,
// an array and groups, so each rule has something to look at.
const goodSpec = `{
  "documentationUrl": "https://example.com",
  "connectionSpecification": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": true,
    "required": ["access_token", "start_date"],
    "properties": {
      "access_token": {"type": "string", "airbyte_secret": true, "order": 0},
      "start_date": {"type": "string", "format": "date-time", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$", "order": 1},
      "region": {"type": "string", "enum": ["eu", "us"], "order": 2, "group": "advanced"},
      "tags": {"type": "array", "items": {"type": "string"}, "order": 3},
      "mode": {"type": "object", "order": 4, "display_type": "radio", "oneOf": [
        {"type": "object", "properties": {"kind": {"type": "string", "const": "a"}, "password": {"type": "string", "airbyte_secret": true}}},
        {"type": "object", "properties": {"kind": {"type": "string", "const": "b", "default": "b"}}}
      ]},
      "limit": {"type": ["integer", "null"], "order": 5},
      "properties": {"type": "object", "properties": {"not": {"type": "string"}}, "order": 6}
    }
  }
}`

func TestSpecRules(t *testing.T) {
	rules := map[string]func(spec map[string]any) error{
		"test_enum_usage":                           func(s map[string]any) error { return EnumUsage(ConnectionSpecification(s)) },
		"test_oneof_usage":                          func(s map[string]any) error { return OneOfUsage(ConnectionSpecification(s)) },
		"test_secret_is_properly_marked":            SecretIsProperlyMarked,
		"test_property_type_is_not_array":           func(s map[string]any) error { return PropertyTypeIsNotArray(ConnectionSpecification(s)) },
		"test_object_not_empty":                     func(s map[string]any) error { return ObjectNotEmpty(ConnectionSpecification(s)) },
		"test_array_type":                           func(s map[string]any) error { return ArrayType(ConnectionSpecification(s)) },
		"test_forbidden_complex_types":              func(s map[string]any) error { return ForbiddenComplexTypes(ConnectionSpecification(s)) },
		"test_duplicate_order":                      func(s map[string]any) error { return DuplicateOrder(ConnectionSpecification(s)) },
		"test_nested_group":                         func(s map[string]any) error { return NestedGroup(ConnectionSpecification(s)) },
		"test_display_type":                         func(s map[string]any) error { return DisplayType(ConnectionSpecification(s)) },
		"test_defined_refs_exist_in_json_spec_file": func(s map[string]any) error { return NoRefs(s) },
		"test_additional_properties_is_true":        func(s map[string]any) error { return AdditionalPropertiesIsTrue(ConnectionSpecification(s)) },
		"test_oauth_flow_parameters":                OAuthFlowParameters,
		"test_config_match_spec": func(s map[string]any) error {
			return ConfigMatchesSpec(s, map[string]any{"access_token": "x", "start_date": "2025-01-01T00:00:00", "_technical": 1})
		},
	}
	for name, rule := range rules {
		if err := rule(tree(t, goodSpec)); err != nil {
			t.Errorf("%s rejects the good spec: %v", name, err)
		}
	}

	// set replaces the value at a /-separated path of the spec; del
	// removes the key.
	del := struct{}{}
	set := func(path string, v any) func(map[string]any) {
		return func(s map[string]any) {
			parts := strings.Split(path, "/")
			parent, _ := get(s, parts[:len(parts)-1])
			if v == del {
				delete(asMap(parent), parts[len(parts)-1])
				return
			}
			asMap(parent)[parts[len(parts)-1]] = v
		}
	}
	cs := "connectionSpecification/properties/"
	tests := []struct {
		rule   string
		break_ func(map[string]any)
		want   string
	}{
		{"test_enum_usage", set(cs+"region/enum", []any{"eu", "eu"}), "duplicate values"},
		{"test_oneof_usage", set(cs+"mode/type", "string"), "should have type: object"},
		{"test_oneof_usage", set(cs+"mode/oneOf/1/properties/kind/const", del), "should be exactly one common property with 'const'"},
		{"test_oneof_usage", set(cs+"mode/oneOf/1/properties", map[string]any{"other": map[string]any{"type": "string"}}), "at least one common property"},
		{"test_oneof_usage", set(cs+"mode/oneOf/1/properties/kind/default", "a"), "'default' needs to be identical to const"},
		{"test_oneof_usage", set(cs+"mode/oneOf/0/properties/kind/enum", []any{"a", "b"}), "'enum' needs to be an array with a single item"},
		{"test_secret_is_properly_marked", set(cs+"access_token/airbyte_secret", false), "should be marked with airbyte_secret: /access_token"},
		{"test_secret_is_properly_marked", set(cs+"mode/oneOf/0/properties/password/airbyte_secret", false), "/mode/oneOf/0/properties/password"},
		{"test_secret_is_properly_marked", set(cs+"access_token/type", "boolean"), "marked with airbyte_secret although they probably should not be"},
		{"test_secret_is_properly_marked", set(cs+"access_token/const", "fixed"), "marked with airbyte_secret although they probably should not be"},
		{"test_property_type_is_not_array", set(cs+"limit/type", []any{"null", "integer"}), "second type"},
		{"test_property_type_is_not_array", set(cs+"limit/type", []any{"integer", "string", "null"}), "not either a simple type"},
		{"test_object_not_empty", set(cs+"properties/properties", map[string]any{}), "empty object"},
		{"test_array_type", set(cs+"tags/items", []any{map[string]any{"type": "string"}}), "not just a single item type"},
		{"test_array_type", set(cs+"tags/items", map[string]any{"type": "boolean"}), "has to be either object or string"},
		{"test_forbidden_complex_types", set(cs+"limit/anyOf", []any{map[string]any{"type": "integer"}}), "disallowed JSON schema features: /properties/limit/anyOf"},
		{"test_forbidden_complex_types", set("connectionSpecification/if", map[string]any{}), "/if"},
		{"test_duplicate_order", set(cs+"tags/order", json.Number("1")), "duplicate order: 1"},
		{"test_nested_group", set(cs+"mode/oneOf/0/properties/password/group", "x"), "groups can only be defined on top level"},
		{"test_display_type", set(cs+"tags/display_type", "dropdown"), "only allowed on fields which have a oneOf"},
		{"test_display_type", set(cs+"mode/display_type", "list"), "must be either 'dropdown' or 'radio'"},
		{"test_defined_refs_exist_in_json_spec_file", set(cs+"tags/items", map[string]any{"$ref": "#/definitions/x"}), "unresolved $ref"},
		{"test_additional_properties_is_true", set(cs+"mode/oneOf/0/additionalProperties", false), "must be true"},
		{"test_oauth_flow_parameters", set("advanced_auth", map[string]any{"predicate_key": []any{"credentials", "auth_type"}}), "missed from spec schema: /credentials/auth_type"},
		{"test_config_match_spec", set("connectionSpecification/properties/start_date/type", "integer"), "config invalid"},
		{"test_config_match_spec", set("connectionSpecification/type", 5), "spec is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.want, func(t *testing.T) {
			s := tree(t, goodSpec)
			tc.break_(s)
			err := rules[tc.rule](s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s = %v, want an error containing %q", tc.rule, err, tc.want)
			}
		})
	}
}

func TestOAuthIsDefaultMethod(t *testing.T) {
	spec := tree(t, `{"connectionSpecification": {"type": "object", "properties": {"credentials": {"type": "object", "oneOf": [
	  {"type": "object", "properties": {"auth_type": {"type": "string", "const": "api_key"}}},
	  {"type": "object", "properties": {"auth_type": {"type": "string", "const": "oauth2.0"}}}]}}},
	  "advanced_auth": {"predicate_key": ["credentials", "auth_type"], "predicate_value": "oauth2.0"}}`)
	if err := OAuthIsDefaultMethod(spec); err == nil || !strings.Contains(err.Error(), "OAuth method should be the default") {
		t.Fatalf("api_key first: got %v, want a failure", err)
	}
	spec = tree(t, strings.Replace(strings.Replace(`{"connectionSpecification": {"type": "object", "properties": {"credentials": {"type": "object", "oneOf": [
	  {"type": "object", "properties": {"auth_type": {"type": "string", "const": "A"}}},
	  {"type": "object", "properties": {"auth_type": {"type": "string", "const": "B"}}}]}}},
	  "advanced_auth": {"predicate_key": ["credentials", "auth_type"], "predicate_value": "oauth2.0"}}`, `"A"`, `"oauth2.0"`, 1), `"B"`, `"api_key"`, 1))
	if err := OAuthIsDefaultMethod(spec); err != nil {
		t.Fatalf("oauth first: %v", err)
	}
	if _, skip := IsSkip(OAuthIsDefaultMethod(tree(t, goodSpec))); !skip {
		t.Fatal("a spec without advanced_auth must skip")
	}
}

func TestSpecMatchesExpected(t *testing.T) {
	a := tree(t, goodSpec)
	b := tree(t, goodSpec)
	b["supportsDBT"] = false // the model's default: equal to absent
	b["changelogUrl"] = nil  // null: equal to absent
	if err := SpecMatchesExpected(a, b); err != nil {
		t.Fatalf("equal specs: %v", err)
	}
	asMap(asMap(ConnectionSpecification(b)["properties"])["access_token"])["title"] = "Token"
	if err := SpecMatchesExpected(a, b); err == nil || !strings.Contains(err.Error(), "connectionSpecification") {
		t.Fatalf("changed spec: got %v", err)
	}
	if _, err := LoadSpecFile("spec.txt", []byte("{}")); err == nil || !strings.Contains(err.Error(), "'.yaml' or '.json'") {
		t.Fatalf("spec.txt: got %v", err)
	}
}

func TestDatePatternWarnings(t *testing.T) {
	s := tree(t, `{"properties": {"a": {"type": "string", "format": "date-time"}, "b": {"type": "string", "pattern": "^[0-9]{2}-[0-9]{2}-[0-9]{4}$"}}}`)
	if got := len(DatePatternWarnings(s)); got != 2 {
		t.Fatalf("got %d warnings, want 2: %v", got, DatePatternWarnings(s))
	}
	if w := DatePatternWarnings(ConnectionSpecification(tree(t, goodSpec))); len(w) != 0 {
		t.Fatalf("good spec warnings: %v", w)
	}
}

// goodStream is a discovered stream every discovery rule accepts.
const goodStream = `{"name": "s", "supported_sync_modes": ["full_refresh", "incremental"], "source_defined_cursor": true,
  "default_cursor_field": ["updated"], "source_defined_primary_key": [["id"]],
  "json_schema": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": true,
    "properties": {"id": {"type": "string"}, "updated": {"type": ["string", "null"], "format": "date-time"},
      "n": {"type": ["integer", "null"]}, "nested": {"type": "object", "properties": {"not": {"type": "string"}}}}}}`

func stream(t *testing.T, mutate func(s map[string]any)) Stream {
	t.Helper()
	m := tree(t, goodStream)
	if mutate != nil {
		mutate(m)
	}
	var s Stream
	b, _ := json.Marshal(m)
	if err := decodeJSON(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDiscoveryRules(t *testing.T) {
	rules := map[string]func([]Stream) error{
		"test_streams_have_valid_json_schemas":        StreamsHaveValidJSONSchemas,
		"test_defined_cursors_exist_in_schema":        DefinedCursorsExistInSchema,
		"test_defined_refs_exist_in_schema":           StreamSchemasHaveNoRefs,
		"test_defined_keyword_exist_in_schema[allOf]": func(s []Stream) error { return KeywordNotInSchema(s, "allOf") },
		"test_defined_keyword_exist_in_schema[not]":   func(s []Stream) error { return KeywordNotInSchema(s, "not") },
		"test_primary_keys_exist_in_schema":           PrimaryKeysExistInSchema,
		"test_streams_has_sync_modes":                 StreamsHaveSyncModes,
		"test_additional_properties_is_true":          StreamSchemasAdditionalPropertiesTrue,
		"test_catalog_has_supported_data_types":       SupportedDataTypes,
		"test_primary_keys_data_type":                 PrimaryKeysDataType,
	}
	for name, rule := range rules {
		if err := rule([]Stream{stream(t, nil)}); err != nil {
			t.Errorf("%s rejects the good stream: %v", name, err)
		}
	}
	props := func(s map[string]any) map[string]any { return asMap(asMap(s["json_schema"])["properties"]) }
	tests := []struct {
		rule   string
		mutate func(map[string]any)
		want   string
	}{
		{"test_streams_have_valid_json_schemas", func(s map[string]any) { props(s)["id"] = map[string]any{"type": "text"} }, "not a valid Draft-7 schema"},
		{"test_streams_have_valid_json_schemas", func(s map[string]any) { props(s)["id"] = map[string]any{"type": "string", "pattern": "("} }, "not a valid Draft-7 schema"},
		{"test_defined_cursors_exist_in_schema", func(s map[string]any) { s["default_cursor_field"] = []any{"missing"} }, "not specified in discover schema"},
		{"test_defined_cursors_exist_in_schema", func(s map[string]any) { delete(asMap(s["json_schema"]), "properties") }, "top level item should have an 'object' type"},
		{"test_defined_refs_exist_in_schema", func(s map[string]any) { props(s)["id"] = map[string]any{"$ref": "#/x"} }, "unresolved $ref"},
		{"test_defined_keyword_exist_in_schema[allOf]", func(s map[string]any) { props(s)["id"] = map[string]any{"allOf": []any{}} }, "allOf keyword"},
		{"test_defined_keyword_exist_in_schema[not]", func(s map[string]any) { props(s)["n"] = map[string]any{"not": map[string]any{}} }, "not keyword"},
		{"test_primary_keys_exist_in_schema", func(s map[string]any) { s["source_defined_primary_key"] = []any{[]any{"nope"}} }, "PKs ([nope]) is not specified"},
		{"test_streams_has_sync_modes", func(s map[string]any) { s["supported_sync_modes"] = []any{} }, "should not be empty"},
		{"test_streams_has_sync_modes", func(s map[string]any) { delete(s, "supported_sync_modes") }, "missing supported_sync_modes"},
		{"test_additional_properties_is_true", func(s map[string]any) { asMap(s["json_schema"])["additionalProperties"] = false }, "must be true"},
		{"test_catalog_has_supported_data_types", func(s map[string]any) { props(s)["id"] = map[string]any{"type": "string", "format": "email"} }, "unsupported format email"},
		{"test_primary_keys_data_type", func(s map[string]any) { props(s)["id"] = map[string]any{"type": []any{"object", "null"}} }, "forbidden type"},
		{"test_primary_keys_data_type", func(s map[string]any) { props(s)["id"] = map[string]any{"type": "array"} }, "forbidden type"},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.want, func(t *testing.T) {
			err := rules[tc.rule]([]Stream{stream(t, tc.mutate)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s = %v, want an error containing %q", tc.rule, err, tc.want)
			}
		})
	}
}

func TestDiscoverOnce(t *testing.T) {
	msg := func(names ...string) Message {
		c := &Catalog{}
		for _, n := range names {
			c.Streams = append(c.Streams, Stream{Name: n})
		}
		return Message{Type: "CATALOG", Catalog: c}
	}
	tests := []struct {
		msgs []Message
		want string
	}{
		{[]Message{msg("a", "b")}, ""},
		{nil, "no catalog message"},
		{[]Message{msg("a"), msg("a")}, "exactly once"},
		{[]Message{msg()}, "should contain streams"},
		{[]Message{msg("a", "a")}, "duplicates are: a"},
	}
	for _, tc := range tests {
		err := DiscoverOnce(&Output{Messages: tc.msgs})
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("DiscoverOnce(%d messages) = %v, want %q", len(tc.msgs), err, tc.want)
		}
	}
}

func TestCheckResult(t *testing.T) {
	status := func(s string) Message {
		return Message{Type: "CONNECTION_STATUS", ConnectionStatus: &ConnectionStatusMessage{Status: s}}
	}
	trace := Message{Type: "TRACE", Trace: &TraceMessage{Type: "ERROR", Error: &ErrorTrace{Message: "boom"}}}
	tests := []struct {
		status ConnectionStatus
		msgs   []Message
		want   string
	}{
		{StatusSucceed, []Message{status("SUCCEEDED")}, ""},
		{StatusSucceed, []Message{status("FAILED")}, "want SUCCEEDED"},
		{StatusSucceed, []Message{status("SUCCEEDED"), status("SUCCEEDED")}, "exactly once"},
		{StatusFailed, []Message{status("FAILED")}, ""},
		{StatusFailed, []Message{status("SUCCEEDED")}, "want FAILED"},
		{StatusFailed, nil, "exactly once"},
		{StatusException, []Message{trace}, ""},
		{StatusException, []Message{trace, trace}, "exactly 1 TRACE"},
		{StatusException, []Message{{Type: "TRACE", Trace: &TraceMessage{Type: "ESTIMATE"}}}, "no error"},
	}
	for _, tc := range tests {
		err := CheckResult(&Output{Messages: tc.msgs}, tc.status)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckResult(%s, %d messages) = %v, want %q", tc.status, len(tc.msgs), err, tc.want)
		}
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
	}{
		{`{"type":"RECORD","record":{"stream":"s","data":{"a":1},"emitted_at":1}}`, true},
		{`{"type":"RECORD","record":{"stream":"s","data":{"a":1},"emitted_at":1,"namespace":null}}`, true},
		{`{"type":"RECORD","record":{"stream":"s","data":{"a":1}}}`, false},
		{`{"type":"RECORD","record":{"stream":"s","data":null,"emitted_at":1}}`, false},
		{`{"type":"STATE","state":{"type":"GLOBAL_ISH"}}`, false},
		{`{"type":"BOGUS"}`, false},
		{`{"type":"LOG","log":{"level":"INFO","message":"x"}} {"type":"LOG"}`, false},
		{`not json`, false},
	}
	for _, tc := range tests {
		_, err := ParseLine([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("ParseLine(%s) error = %v, want ok=%v", tc.line, err, tc.ok)
		}
	}
}

func catalogOf(t *testing.T, mutate func(map[string]any)) *ConfiguredCatalog {
	t.Helper()
	return &ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: stream(t, mutate), SyncMode: "incremental", PrimaryKey: [][]string{{"id"}}}}}
}

func rec(t *testing.T, data string) *RecordMessage {
	t.Helper()
	return &RecordMessage{Stream: "s", Data: tree(t, data), EmittedAt: "1"}
}

func TestRecordRules(t *testing.T) {
	c := catalogOf(t, nil)
	good := []*RecordMessage{rec(t, `{"id": "1", "updated": "2025-01-02T03:04:05Z", "n": 3, "nested": {"not": "x"}}`)}
	rules := map[string]func([]*RecordMessage) error{
		"validate_schema/structure": func(r []*RecordMessage) error { return RecordsStructure(r, c) },
		"validate_schema/records":   func(r []*RecordMessage) error { return VerifyRecordsSchema(r, c) },
		"fail_on_extra_columns":     func(r []*RecordMessage) error { return NoExtraColumns(r, c) },
		"empty_streams":             func(r []*RecordMessage) error { return EmptyStreams(r, c, nil) },
		"primary_keys_data_type":    func(r []*RecordMessage) error { return PrimaryKeyValues(r, c) },
		"data_points":               func(r []*RecordMessage) error { return DataPoints(r, c) },
	}
	for name, rule := range rules {
		if err := rule(good); err != nil {
			t.Errorf("%s rejects the good records: %v", name, err)
		}
	}
	tests := []struct {
		rule string
		data string
		want string
	}{
		{"validate_schema/structure", `{"other": 1}`, "should have some fields mentioned by json schema"},
		{"validate_schema/records", `{"id": "1", "n": 1.0}`, "not an integer"},
		{"validate_schema/records", `{"id": "1", "n": 1e2}`, "not an integer"},
		{"validate_schema/records", `{"id": "1", "n": "3"}`, "please check your json_schema"},
		{"validate_schema/records", `{"id": "1", "updated": "2025-13-01T00:00:00Z"}`, "not a real date-time"},
		{"validate_schema/records", `{"id": "1", "updated": "2025-01-01"}`, "invalid datetime format"},
		{"validate_schema/records", `{"id": "1", "updated": "2025-01-01T00:00:00 zone"}`, "unparsable time zone"},
		{"fail_on_extra_columns", `{"id": "1", "surprise": 1}`, "columns not in the schema: surprise"},
		{"primary_keys_data_type", `{"id": {"a": 1}}`, "forbidden type of 'object'"},
		{"primary_keys_data_type", `{"id": [1]}`, "forbidden type of 'array'"},
		{"primary_keys_data_type", `{"id": null}`, "null values in all its parts"},
		{"data_points", `{"id": "1"}`, "empty fields"},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.want, func(t *testing.T) {
			err := rules[tc.rule]([]*RecordMessage{rec(t, tc.data)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s = %v, want an error containing %q", tc.rule, err, tc.want)
			}
		})
	}
	if err := EmptyStreams(nil, c, nil); err == nil || !strings.Contains(err.Error(), "streams without records: s") {
		t.Errorf("EmptyStreams(no records) = %v", err)
	}
	if err := EmptyStreams(nil, c, []NamedBypass{{Name: "s", BypassReason: "sandbox"}}); err != nil {
		t.Errorf("EmptyStreams(declared empty) = %v", err)
	}
	if err := HighStrictnessBypassReasons("empty streams", []NamedBypass{{Name: "s"}}); err == nil {
		t.Error("an empty stream without bypass_reason must fail in high strictness")
	}
}

func TestCheckDateTime(t *testing.T) {
	for s, ok := range map[string]bool{
		"2025-01-02T03:04:05Z":          true,
		"2025-01-02T03:04:05.123Z":      true,
		"2025-01-02 03:04:05":           true,
		"2025-01-02T03:04:05+05:30":     true,
		"2025-01-02T03:04:05.5-0300":    true,
		"2025-1-2T3:4:5Z":               true,
		"2025-02-30T00:00:00Z":          false,
		"2025-01-02T24:00:00Z":          false,
		"2025-01-02":                    false,
		"1735786800":                    false,
		"2025-01-02T03:04:05 nonsense":  false,
		"2025-01-02T03:04:05.123+05:00": true,
	} {
		if err := CheckDateTime(s); (err == nil) != ok {
			t.Errorf("CheckDateTime(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

func TestExpectedRecords(t *testing.T) {
	c := catalogOf(t, nil)
	actual := []*RecordMessage{rec(t, `{"id": "1"}`), rec(t, `{"id": "2"}`), rec(t, `{"id": "3"}`)}
	exp := func(ids ...string) map[string][]map[string]any {
		var l []map[string]any
		for _, id := range ids {
			l = append(l, map[string]any{"id": id, "ignored": "content differs"})
		}
		return map[string][]map[string]any{"s": l}
	}
	tests := []struct {
		expected map[string][]map[string]any
		exact    bool
		want     string
	}{
		{exp("3", "1"), false, ""},
		{exp("1", "2"), true, ""},
		{exp("4"), false, "were not found"},
		{exp("2", "1"), true, "in order"},
		{map[string][]map[string]any{"unknown": {{"id": "1"}}}, false, "got 0"},
	}
	for _, tc := range tests {
		err := ExpectedRecords(actual, tc.expected, tc.exact, c)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ExpectedRecords(%v, exact=%v) = %v, want %q", tc.expected, tc.exact, err, tc.want)
		}
	}
	noPK := &ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: stream(t, func(s map[string]any) { delete(s, "source_defined_primary_key") })}}}
	if err := ExpectedRecords(actual[:1], exp("1", "2"), false, noPK); err == nil || !strings.Contains(err.Error(), "at least as many records") {
		t.Errorf("no-PK stream with fewer records: %v", err)
	}
	if miss := NotSeededStreams(c, nil, map[string][]map[string]any{}); !cmp.Equal(miss, []string{"s"}) {
		t.Errorf("NotSeededStreams = %v", miss)
	}
	for _, bad := range []string{`{"stream":"s","data":{}}`, `{"stream":"s","data":{},"emitted_at":1.5}`, "\n"} {
		if _, err := LoadExpectedRecords([]byte(bad)); err == nil {
			t.Errorf("LoadExpectedRecords(%q) accepted a bad line", bad)
		}
	}
}

func statusMsg(name, s string) Message {
	return Message{Type: "TRACE", Trace: &TraceMessage{Type: "STREAM_STATUS", StreamStatus: &StreamStatusTrace{StreamDescriptor: StreamDescriptor{Name: name}, Status: s}}}
}

func stateMsg(name, typ string, state string, count string) Message {
	st := &StateMessage{Type: typ}
	if name != "" {
		var v any
		_ = decodeJSON([]byte(state), &v)
		st.Stream = &StreamState{StreamDescriptor: StreamDescriptor{Name: name}, StreamState: v}
	}
	if count != "" {
		n := json.Number(count)
		st.SourceStats = &StateStats{RecordCount: &n}
	}
	return Message{Type: "STATE", State: st}
}

func TestStreamStatusesAndStates(t *testing.T) {
	c := &ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: Stream{Name: "s"}}}}
	ok := []Message{statusMsg("s", "STARTED"), statusMsg("s", "RUNNING"), statusMsg("s", "RUNNING"), statusMsg("s", "COMPLETE")}
	if err := StreamStatuses(ok, c); err != nil {
		t.Fatalf("good statuses: %v", err)
	}
	for name, msgs := range map[string][]Message{
		"no RUNNING":        {statusMsg("s", "STARTED"), statusMsg("s", "COMPLETE")},
		"INCOMPLETE at end": {statusMsg("s", "STARTED"), statusMsg("s", "RUNNING"), statusMsg("s", "INCOMPLETE")},
		"RUNNING first":     {statusMsg("s", "RUNNING"), statusMsg("s", "RUNNING"), statusMsg("s", "COMPLETE")},
		"STARTED in middle": {statusMsg("s", "STARTED"), statusMsg("s", "STARTED"), statusMsg("s", "COMPLETE")},
		"missing stream":    nil,
		"extra stream":      append(append([]Message(nil), ok...), statusMsg("x", "STARTED")),
	} {
		if err := StreamStatuses(msgs, c); err == nil {
			t.Errorf("StreamStatuses(%s) passed", name)
		}
	}
	if err := StateMessages([]Message{stateMsg("s", "STREAM", `{"c":1}`, "1.0")}, c); err != nil {
		t.Fatalf("good state: %v", err)
	}
	for name, msgs := range map[string][]Message{
		"no state":       nil,
		"LEGACY":         {stateMsg("s", "LEGACY", `{}`, "1.0")},
		"no sourceStats": {stateMsg("s", "STREAM", `{}`, "")},
		"GLOBAL":         {stateMsg("", "GLOBAL", ``, "1.0")},
	} {
		if err := StateMessages(msgs, c); err == nil {
			t.Errorf("StateMessages(%s) passed", name)
		}
	}
	if err := TraceOnFailure(&Output{Messages: []Message{statusMsg("s", "INCOMPLETE")}}); err == nil {
		t.Error("TraceOnFailure passed without an ERROR trace")
	}
}

func TestFullRefreshRules(t *testing.T) {
	at := func(ms string, id string) *RecordMessage {
		r := rec(t, `{"id": "`+id+`", "v": "`+ms+`"}`)
		r.EmittedAt = json.Number(ms)
		return r
	}
	first := []*RecordMessage{at("100", "1"), at("105", "2")}
	if err := EmittedAtIncreases(first, []*RecordMessage{at("106", "1")}); err != nil {
		t.Fatalf("increasing: %v", err)
	}
	if err := EmittedAtIncreases(first, []*RecordMessage{at("105", "1")}); err == nil {
		t.Error("equal emitted_at passed")
	}
	if err := EmittedAtIncreases(nil, first); err == nil {
		t.Error("empty first read passed")
	}
	byPK := &ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: Stream{Name: "s"}, PrimaryKey: [][]string{{"id"}}}}}
	noPK := &ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: Stream{Name: "s"}}}}
	second := []*RecordMessage{at("200", "1"), at("201", "2"), at("202", "3")}
	if err := SequentialReadsSubset(first, second, byPK, nil); err != nil {
		t.Fatalf("subset by PK: %v", err)
	}
	if err := SequentialReadsSubset(second, first, byPK, nil); err == nil || !strings.Contains(err.Error(), "s (1 records)") {
		t.Errorf("superset by PK: %v", err)
	}
	if err := SequentialReadsSubset(first, second, noPK, nil); err == nil {
		t.Error("whole-record compare with a changing field passed")
	}
	if err := SequentialReadsSubset(first, second, noPK, map[string][]NamedBypass{"s": {{Name: "v", BypassReason: "changes"}}}); err != nil {
		t.Errorf("ignored field: %v", err)
	}
}

func TestIncrementalRules(t *testing.T) {
	msgs := []Message{
		stateMsg("a", "STREAM", `{"c": "1"}`, "2.0"),
		stateMsg("b", "STREAM", `{"c": "x", "stream_namespace": "ns"}`, "1.0"),
		stateMsg("a", "STREAM", `{"c": "2"}`, "3.0"),
	}
	want := StateInput{
		streamStateEntry("a", nil, map[string]any{"c": "2"}),
		streamStateEntry("b", "ns", map[string]any{"c": "x", "stream_namespace": "ns"}),
	}
	if diff := cmp.Diff(canonical(toTree(want)), canonical(toTree(LatestStateInput(msgs)))); diff != "" {
		t.Errorf("LatestStateInput (-want +got):\n%s", diff)
	}
	if RecordsDiffer([]*RecordMessage{rec(t, `{"id":"1"}`), rec(t, `{"id":"1"}`)}, []*RecordMessage{rec(t, `{"id":"1"}`)}) {
		t.Error("repetitions alone must not count as a difference (DeepDiff ignore_order)")
	}
	if !RecordsDiffer([]*RecordMessage{rec(t, `{"id":"1"}`)}, nil) {
		t.Error("different record sets must differ")
	}
	if _, err := IncrementalCatalog(&ConfiguredCatalog{Streams: []ConfiguredStream{{Stream: Stream{Name: "s", SupportedSyncModes: []string{"incremental"}}}}}); err == nil {
		t.Error("an incremental stream without any cursor passed")
	}
}

func TestSliceCheckpoints(t *testing.T) {
	st := func(cursor, count string) *StateMessage {
		return stateMsg("s", "STREAM", `{"c": "`+cursor+`"}`, count).State
	}
	type got struct {
		Cursors  []string
		Expected []float64
	}
	run := func(states ...*StateMessage) (got, error) {
		cps, err := SliceCheckpoints(states)
		var g got
		for _, cp := range cps {
			g.Cursors = append(g.Cursors, asMap(cp.State.Stream.StreamState)["c"].(string))
			g.Expected = append(g.Expected, cp.Expected)
		}
		return g, err
	}
	// Six distinct checkpoints with 10 records each: the sample skips the
	// first and the last, and each expects the records after it.
	g, err := run(st("1", "10"), st("2", "10"), st("3", "10"), st("4", "10"), st("5", "10"), st("6", "10"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got{[]string{"2", "3", "4", "5"}, []float64{40, 30, 20, 10}}, g); diff != "" {
		t.Errorf("six checkpoints (-want +got):\n%s", diff)
	}
	// Repeated states collapse and zero counts drop out; fewer than three
	// remain, so only the last is tested, expecting nothing after it.
	g, err = run(st("1", "5"), st("1", "5"), st("2", "0"), st("3", "4"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got{[]string{"3"}, []float64{0}}, g); diff != "" {
		t.Errorf("collapsed checkpoints (-want +got):\n%s", diff)
	}
	if g, _ := run(st("1", "0"), st("2", "0")); len(g.Cursors) != 0 {
		t.Errorf("zero counts must leave no checkpoint, got %v", g)
	}
	if _, err := run(st("1", "1"), stateMsg("s", "STREAM", `{"c":"2"}`, "").State); err == nil {
		t.Error("a state without sourceStats must fail")
	}
	acc := map[string]any{}
	var order []string
	AccumulateState(st("1", "1"), acc, &order)
	in := AccumulateState(stateMsg("t", "STREAM", `{"c": "9"}`, "1").State, acc, &order)
	if len(in) != 2 {
		t.Errorf("AccumulateState keeps every stream seen: %v", in)
	}
}

func TestFutureState(t *testing.T) {
	c := &ConfiguredCatalog{Streams: []ConfiguredStream{
		{Stream: Stream{Name: "a", SupportedSyncModes: []string{"full_refresh", "incremental"}}},
		{Stream: Stream{Name: "b", SupportedSyncModes: []string{"full_refresh"}}},
	}}
	var states any
	_ = decodeJSON([]byte(`[{"type":"STREAM","stream":{"stream_descriptor":{"name":"a"},"stream_state":{"c":"2999-01-01"}}}]`), &states)
	if err := FutureStateCoversStreams(states, c, nil); err != nil {
		t.Fatalf("covered: %v", err)
	}
	if err := FutureStateCoversStreams([]any{}, c, nil); err == nil || !strings.Contains(err.Error(), "a streams are missing") {
		t.Errorf("uncovered: %v", err)
	}
	if err := FutureStateCoversStreams([]any{}, c, []NamedBypass{{Name: "a"}}); err == nil {
		t.Error("a missing stream without bypass_reason passed")
	}
	if err := FutureStateResult(&Output{Messages: []Message{{Type: "RECORD", Record: rec(t, `{"id":"1"}`)}, stateMsg("a", "STREAM", `{}`, "1.0")}}); err == nil {
		t.Error("records after a future state passed")
	}
	if err := FutureStateResult(&Output{}); err == nil {
		t.Error("no STATE after a future state passed")
	}
}

func TestImageRules(t *testing.T) {
	md := []byte("data:\n  dockerRepository: airbyte/source-x\n  dockerImageTag: 1.2.3\n")
	good := "FROM golang AS build\nRUN go build\nFROM alpine\nARG V=1.2.3\nENV AIRBYTE_ENTRYPOINT=\"/app/run --x\"\nENTRYPOINT [\"/app/run\", \"--x\"]\nLABEL io.airbyte.name=airbyte/source-x \\\n  io.airbyte.version=$V\n"
	img, err := ParseImage(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := ImageLabels(img, md); err != nil {
		t.Errorf("labels: %v", err)
	}
	if err := ImageEnvironmentVariables(img); err != nil {
		t.Errorf("env: %v", err)
	}
	for name, df := range map[string]string{
		"wrong version":      strings.Replace(good, "ARG V=1.2.3", "ARG V=1.2.4", 1),
		"labels in build":    "FROM golang AS build\nLABEL io.airbyte.name=airbyte/source-x io.airbyte.version=1.2.3\nFROM alpine\n",
		"no name label":      strings.Replace(good, "io.airbyte.name=airbyte/source-x", "", 1),
		"entrypoint differs": strings.Replace(good, `"/app/run --x"`, `"/app/run"`, 1),
		"no env":             strings.Replace(good, "ENV AIRBYTE_ENTRYPOINT=\"/app/run --x\"\n", "", 1),
	} {
		img, err := ParseImage(df)
		if err != nil {
			continue // a Dockerfile the parser refuses fails the rule too
		}
		if ImageLabels(img, md) == nil && ImageEnvironmentVariables(img) == nil {
			t.Errorf("%s: both image rules passed", name)
		}
	}
	img, err = ParseImage("FROM alpine AS base\nENV AIRBYTE_ENTRYPOINT /bin/app\nENTRYPOINT /bin/app\nFROM base\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := ImageEnvironmentVariables(img); err == nil || !strings.Contains(err.Error(), `"/bin/sh -c /bin/app"`) {
		t.Errorf("shell-form ENTRYPOINT inherited from a stage: %v", err)
	}
}
