package cat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Case is one named CAT rule bound to one test entry of the config. Name is
// "<section>/<CAT test name>[/<assertion>]", with the entry index after the
// section when a section has several entries.
type Case struct {
	Name string
	Run  func(ctx context.Context) error
}

// once memoizes a fixture.
type once[T any] struct {
	o   sync.Once
	v   T
	err error
}

func (o *once[T]) get(f func() (T, error)) (T, error) {
	o.o.Do(func() { o.v, o.err = f() })
	return o.v, o.err
}

func sectionName(section string, i, n int) string {
	if n <= 1 {
		return section
	}
	return fmt.Sprintf("%s/%d", section, i)
}

// Suite lists every rule of the config's sections, in CAT's order. A
// section missing under high strictness yields a failing case, as CAT's
// plugin fails it.
func (r *Runner) Suite() []Case {
	var cases []Case
	at := r.Config.AcceptanceTests
	high := r.Config.TestStrictnessLevel == StrictnessHigh
	for _, s := range r.Config.coreSections() {
		s := s
		name := s.Name + "/configured_for_strictness"
		switch {
		case !s.Configured && high:
			cases = append(cases, Case{name, func(context.Context) error {
				return fmt.Errorf("%s was not configured but must be according to the current high test strictness level", s.Name)
			}})
		case !s.Configured:
			cases = append(cases, Case{name, func(context.Context) error { return Skip(s.Name + " is not configured") }})
		case s.Bypassed:
			cases = append(cases, Case{name, func(context.Context) error { return Skip(s.Name + " is bypassed") }})
		}
	}
	if at.Spec != nil {
		for i, t := range at.Spec.Tests {
			cases = append(cases, r.specCases(sectionName("spec", i, len(at.Spec.Tests)), t)...)
		}
	}
	if at.Connection != nil {
		for i, t := range at.Connection.Tests {
			t := t
			name := fmt.Sprintf("connection/test_check/%d_%s", i, t.Status)
			cases = append(cases, Case{name, func(ctx context.Context) error { return r.checkCase(ctx, t) }})
		}
	}
	if at.Discovery != nil {
		for i, t := range at.Discovery.Tests {
			cases = append(cases, r.discoveryCases(sectionName("discovery", i, len(at.Discovery.Tests)), t)...)
		}
	}
	if at.BasicRead != nil {
		for i, t := range at.BasicRead.Tests {
			cases = append(cases, r.basicReadCases(sectionName("basic_read", i, len(at.BasicRead.Tests)), t)...)
		}
	}
	if at.FullRefresh != nil {
		for i, t := range at.FullRefresh.Tests {
			cases = append(cases, r.fullRefreshCases(sectionName("full_refresh", i, len(at.FullRefresh.Tests)), t)...)
		}
	}
	if at.Incremental != nil {
		for i, t := range at.Incremental.Tests {
			cases = append(cases, r.incrementalCases(sectionName("incremental", i, len(at.Incremental.Tests)), t)...)
		}
	}
	notCertified := func(context.Context) error {
		return Skip("runs only for certified connectors (metadata.yaml data.ab_internal.ql >= 400)")
	}
	if at.ConnectorAttributes != nil {
		for _, n := range []string{"test_streams_define_primary_key", "test_certified_connector_has_allowed_hosts", "test_certified_connector_has_suggested_streams"} {
			cases = append(cases, Case{"connector_attributes/" + n, r.certified(notCertified)})
		}
	}
	if at.ConnectorDocumentation != nil {
		cases = append(cases, Case{"connector_documentation/test_documentation", r.certified(notCertified)})
	}
	cases = append(cases, Case{"secrets/test_secret_never_in_the_output", r.secretNeverInOutput})
	return cases
}

// certified runs f only when the connector is not certified; for certified
// connectors these rules need Airbyte's docs tree, which the runner lacks.
func (r *Runner) certified(f func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		raw, err := os.ReadFile(filepath.Join(r.Dir, "metadata.yaml"))
		if err == nil && strings.Contains(string(raw), "ab_internal") {
			return errors.New("the connector declares data.ab_internal; certified-connector rules are not implemented by this runner")
		}
		return f(ctx)
	}
}

func (r *Runner) configMap(rel string) (map[string]any, error) {
	raw, err := r.ReadFile(rel)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := decodeJSON(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func (r *Runner) specCases(sec string, t SpecTest) []Case {
	cfgPath := orDefault(t.ConfigPath, DefaultConfigPath)
	specPath := orDefault(t.SpecPath, DefaultSpecPath)
	var fix once[map[string]any]
	spec := func(ctx context.Context) (map[string]any, error) {
		return fix.get(func() (map[string]any, error) {
			out, err := r.Spec(ctx)
			if err != nil {
				return nil, err
			}
			return OneSpec(out)
		})
	}
	onCS := func(f func(map[string]any) error) func(context.Context) error {
		return func(ctx context.Context) error {
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			return f(ConnectionSpecification(s))
		}
	}
	onSpec := func(f func(map[string]any) error) func(context.Context) error {
		return func(ctx context.Context) error {
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			return f(s)
		}
	}
	empty := func(context.Context) error {
		return Skip("the test body is empty in CAT (it always passes there)")
	}
	image := func(ctx context.Context) (*Image, error) {
		raw, err := os.ReadFile(filepath.Join(r.Dir, "Dockerfile"))
		if err != nil {
			return nil, fmt.Errorf("the image cannot be inspected without Docker and there is no Dockerfile to read instead: %w", err)
		}
		return ParseImage(string(raw))
	}
	return []Case{
		{sec + "/test_config_match_spec", func(ctx context.Context) error {
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			cfg, err := r.configMap(cfgPath)
			if err != nil {
				return fmt.Errorf("connector config: %w", err)
			}
			return ConfigMatchesSpec(s, cfg)
		}},
		{sec + "/test_match_expected", func(ctx context.Context) error {
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			raw, err := r.ReadFile(specPath)
			if errors.Is(err, os.ErrNotExist) {
				return Skip("the spec.yaml or spec.json does not exist")
			}
			if err != nil {
				return err
			}
			want, err := LoadSpecFile(specPath, raw)
			if err != nil {
				return fmt.Errorf("%s: %w", specPath, err)
			}
			return SpecMatchesExpected(s, want)
		}},
		{sec + "/test_enum_usage", onCS(EnumUsage)},
		{sec + "/test_oneof_usage", onCS(OneOfUsage)},
		{sec + "/test_required", empty},
		{sec + "/test_optional", empty},
		{sec + "/test_has_secret", empty},
		{sec + "/test_secret_is_properly_marked", onSpec(SecretIsProperlyMarked)},
		{sec + "/test_property_type_is_not_array", onCS(PropertyTypeIsNotArray)},
		{sec + "/test_object_not_empty", onCS(ObjectNotEmpty)},
		{sec + "/test_array_type", onCS(ArrayType)},
		{sec + "/test_forbidden_complex_types", onCS(ForbiddenComplexTypes)},
		{sec + "/test_date_pattern_and_format", func(ctx context.Context) error {
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			for _, w := range DatePatternWarnings(ConnectionSpecification(s)) {
				r.logf("warning (CAT only warns): %s", w)
			}
			return nil
		}},
		{sec + "/test_duplicate_order", onCS(DuplicateOrder)},
		{sec + "/test_nested_group", onCS(NestedGroup)},
		{sec + "/test_display_type", onCS(DisplayType)},
		{sec + "/test_defined_refs_exist_in_json_spec_file", onSpec(func(s map[string]any) error { return NoRefs(s) })},
		{sec + "/test_oauth_flow_parameters", onSpec(OAuthFlowParameters)},
		{sec + "/test_oauth_is_default_method", func(ctx context.Context) error {
			if a := t.AuthDefaultMethod; a != nil && a.OAuth != nil && !*a.OAuth {
				return Skip("skipping OAuth is default method test: " + a.BypassReason)
			}
			s, err := spec(ctx)
			if err != nil {
				return err
			}
			return OAuthIsDefaultMethod(s)
		}},
		{sec + "/test_backward_compatibility", func(context.Context) error {
			return Skip("needs the previous published image (" + previousImage(r.Config.ConnectorImage, t.BackwardCompatibilityTestConfig) + "); CAT skips it too when that image cannot be retrieved")
		}},
		{sec + "/test_additional_properties_is_true", onCS(func(cs map[string]any) error { return AdditionalPropertiesIsTrue(cs) })},
		{sec + "/test_image_labels", func(ctx context.Context) error {
			img, err := image(ctx)
			if err != nil {
				return err
			}
			md, err := os.ReadFile(filepath.Join(r.Dir, "metadata.yaml"))
			if err != nil {
				return err
			}
			return ImageLabels(img, md)
		}},
		{sec + "/test_image_environment_variables", func(ctx context.Context) error {
			img, err := image(ctx)
			if err != nil {
				return err
			}
			return ImageEnvironmentVariables(img)
		}},
	}
}

func previousImage(image string, b *BackwardCompatibility) string {
	v := "latest"
	if b != nil && b.PreviousConnectorVersion != "" {
		v = b.PreviousConnectorVersion
	}
	repo, _, _ := strings.Cut(image, ":")
	return repo + ":" + v
}

func (r *Runner) checkCase(ctx context.Context, t ConnectionTest) error {
	out, err := r.Check(ctx, orDefault(t.ConfigPath, DefaultConfigPath))
	if err != nil {
		return err
	}
	return CheckResult(out, t.Status)
}

// CheckResult is test_check's assertion for a status.
func CheckResult(out *Output, status ConnectionStatus) error {
	switch status {
	case StatusException:
		traces := out.Filter("TRACE")
		if len(traces) != 1 {
			return fmt.Errorf("a trace message should be emitted in case of unexpected errors: want exactly 1 TRACE, got %d", len(traces))
		}
		if traces[0].Trace.Error == nil {
			return errors.New("the trace message has no error")
		}
		return nil
	default:
		cs := out.Filter("CONNECTION_STATUS")
		if len(cs) != 1 {
			return fmt.Errorf("connection status message should be emitted exactly once, got %d (exit %d)%s", len(cs), out.ExitCode, errorTraces(out))
		}
		want := "SUCCEEDED"
		if status == StatusFailed {
			want = "FAILED"
		}
		if got := cs[0].ConnectionStatus.Status; got != want {
			return fmt.Errorf("connection status is %s, want %s (message: %s)", got, want, cs[0].ConnectionStatus.Message)
		}
		return nil
	}
}

func (r *Runner) discoveryCases(sec string, t DiscoveryTest) []Case {
	cfgPath := orDefault(t.ConfigPath, DefaultConfigPath)
	streams := func(ctx context.Context) ([]Stream, error) { return r.DiscoveredCatalog(ctx, cfgPath) }
	on := func(f func([]Stream) error) func(context.Context) error {
		return func(ctx context.Context) error {
			s, err := streams(ctx)
			if err != nil {
				return err
			}
			return f(s)
		}
	}
	return []Case{
		{sec + "/test_discover", func(ctx context.Context) error {
			out, err := r.Discover(ctx, cfgPath)
			if err != nil {
				return err
			}
			return DiscoverOnce(out)
		}},
		{sec + "/test_streams_have_valid_json_schemas", on(StreamsHaveValidJSONSchemas)},
		{sec + "/test_defined_cursors_exist_in_schema", on(DefinedCursorsExistInSchema)},
		{sec + "/test_defined_refs_exist_in_schema", on(StreamSchemasHaveNoRefs)},
		{sec + "/test_defined_keyword_exist_in_schema[allOf]", on(func(s []Stream) error { return KeywordNotInSchema(s, "allOf") })},
		{sec + "/test_defined_keyword_exist_in_schema[not]", on(func(s []Stream) error { return KeywordNotInSchema(s, "not") })},
		{sec + "/test_primary_keys_exist_in_schema", on(PrimaryKeysExistInSchema)},
		{sec + "/test_streams_has_sync_modes", on(StreamsHaveSyncModes)},
		{sec + "/test_additional_properties_is_true", on(StreamSchemasAdditionalPropertiesTrue)},
		{sec + "/test_backward_compatibility", func(context.Context) error {
			return Skip("needs the previous published image (" + previousImage(r.Config.ConnectorImage, t.BackwardCompatibilityTestConfig) + "); CAT skips it too when that image cannot be retrieved")
		}},
		{sec + "/test_catalog_has_supported_data_types", on(SupportedDataTypes)},
		{sec + "/test_primary_keys_data_type", func(ctx context.Context) error {
			if !boolOr(t.ValidatePrimaryKeysDataType, true) {
				return Skip("primary keys data type validation is disabled in config")
			}
			s, err := streams(ctx)
			if err != nil {
				return err
			}
			return PrimaryKeysDataType(s)
		}},
	}
}

// SupportedDataTypes is test_catalog_has_supported_data_types, which CAT
// marks skip ("leads to too much failures"); this runner enforces it.
func SupportedDataTypes(streams []Stream) error {
	validTypes := map[string]bool{"null": true, "string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true}
	validFormats := map[string]bool{"date-time": true, "date": true}
	validAirbyte := map[string]bool{"timestamp_with_timezone": true, "timestamp_without_timezone": true, "integer": true}
	key := func(types map[string]bool) string {
		if types["null"] && len(types) == 2 {
			for t := range types {
				if t != "null" {
					return t + "|null"
				}
			}
		}
		if len(types) == 1 {
			for t := range types {
				return t
			}
		}
		return "?"
	}
	formatCombos := map[string]bool{"string/date": true, "string/date-time": true, "string|null/date": true, "string|null/date-time": true}
	airbyteCombos := map[string]bool{"string/timestamp_with_timezone": true, "string/timestamp_without_timezone": true, "string|null/timestamp_with_timezone": true, "integer/integer": true, "integer|null/integer": true, "number/integer": true, "number|null/integer": true}
	for _, s := range streams {
		for _, n := range search(s.JSONSchema, "**/type") {
			switch n.val.(type) {
			case string, []any:
			default:
				continue
			}
			parent, _ := get(s.JSONSchema, n.path[:len(n.path)-1])
			p := asMap(parent)
			types := typeSet(n.val, nil)
			for t := range types {
				if !validTypes[t] {
					return fmt.Errorf("found unsupported type %s in %s stream on property %s", t, s.Name, pathString(n.path[:len(n.path)-1]))
				}
			}
			if f, ok := p["format"].(string); ok && f != "" {
				if !validFormats[f] {
					return fmt.Errorf("found unsupported format %s in %s stream on property %s", f, s.Name, pathString(n.path[:len(n.path)-1]))
				}
				if !formatCombos[key(types)+"/"+f] {
					return fmt.Errorf("found unsupported type/format combination %s/%s in %s stream on property %s", key(types), f, s.Name, pathString(n.path[:len(n.path)-1]))
				}
			}
			if a, ok := p["airbyte_type"].(string); ok && a != "" {
				if !validAirbyte[a] || !airbyteCombos[key(types)+"/"+a] {
					return fmt.Errorf("found unsupported airbyte_type %s on %s in %s stream", a, pathString(n.path[:len(n.path)-1]), s.Name)
				}
			}
		}
	}
	return nil
}

func (r *Runner) basicReadCases(sec string, t BasicReadTest) []Case {
	cfgPath := orDefault(t.ConfigPath, DefaultConfigPath)
	high := r.Config.TestStrictnessLevel == StrictnessHigh
	var catFix once[*ConfiguredCatalog]
	catalog := func(ctx context.Context) (*ConfiguredCatalog, error) {
		return catFix.get(func() (*ConfiguredCatalog, error) {
			streams, err := r.DiscoveredCatalog(ctx, cfgPath)
			if err != nil {
				return nil, err
			}
			if high || t.ConfiguredCatalogPath == "" {
				if t.ConfiguredCatalogPath != "" {
					return nil, errors.New("high strictness level error: you can't set a custom configured catalog on the basic read test when strictness level is high")
				}
				return CatalogFromDiscovered(streams, t.EmptyStreams), nil
			}
			raw, err := r.ReadFile(t.ConfiguredCatalogPath)
			if err != nil {
				return nil, err
			}
			return CatalogFromFile(raw, streams)
		})
	}
	var readFix once[*Output]
	read := func(ctx context.Context) (*Output, *ConfiguredCatalog, error) {
		c, err := catalog(ctx)
		if err != nil {
			return nil, nil, err
		}
		out, err := readFix.get(func() (*Output, error) { return r.Read(ctx, cfgPath, c, nil, true) })
		return out, c, err
	}
	on := func(f func(*Output, *ConfiguredCatalog) error) func(context.Context) error {
		return func(ctx context.Context) error {
			out, c, err := read(ctx)
			if err != nil {
				return err
			}
			return f(out, c)
		}
	}
	return []Case{
		{sec + "/test_read/configured_catalog", func(ctx context.Context) error {
			_, err := catalog(ctx)
			return err
		}},
		{sec + "/test_read/records_present", on(func(o *Output, _ *ConfiguredCatalog) error { return RecordsPresent(o) })},
		{sec + "/test_read/validate_schema/structure", on(func(o *Output, c *ConfiguredCatalog) error {
			if err := validateSchemaEnabled(t, high); err != nil {
				return err
			}
			return RecordsStructure(o.Records(), c)
		})},
		{sec + "/test_read/validate_schema/records", on(func(o *Output, c *ConfiguredCatalog) error {
			if err := validateSchemaEnabled(t, high); err != nil {
				return err
			}
			return VerifyRecordsSchema(o.Records(), c)
		})},
		{sec + "/test_read/fail_on_extra_columns", on(func(o *Output, c *ConfiguredCatalog) error {
			if !boolOr(t.FailOnExtraColumns, true) {
				return Skip("fail_on_extra_columns is false")
			}
			if err := NoExtraColumns(o.Records(), c); err != nil {
				// CAT 3.9 disabled this validator (asserts.py); earlier
				// versions failed on it. Report it without failing.
				return Skip("not enforced by CAT 3.9, which disabled this check; earlier CAT versions would fail: " + err.Error())
			}
			return nil
		})},
		{sec + "/test_read/empty_streams", on(func(o *Output, c *ConfiguredCatalog) error {
			if high {
				if err := HighStrictnessBypassReasons("empty streams", t.EmptyStreams); err != nil {
					return err
				}
			}
			return EmptyStreams(o.Records(), c, t.EmptyStreams)
		})},
		{sec + "/test_read/primary_keys_data_type", on(func(o *Output, c *ConfiguredCatalog) error {
			if !boolOr(t.ValidatePrimaryKeysDataType, true) {
				return Skip("validate_primary_keys_data_type is false")
			}
			return PrimaryKeyValues(o.Records(), c)
		})},
		{sec + "/test_read/data_points", on(func(o *Output, c *ConfiguredCatalog) error {
			if !t.ValidateDataPoints {
				return Skip("validate_data_points is false (the CAT default)")
			}
			return DataPoints(o.Records(), c)
		})},
		{sec + "/test_read/expected_records", on(func(o *Output, c *ConfiguredCatalog) error {
			return r.expectedRecords(o, c, t, high)
		})},
		{sec + "/test_read/stream_statuses", on(func(o *Output, c *ConfiguredCatalog) error {
			if !boolOr(t.ValidateStreamStatuses, false) {
				return Skip("validate_stream_statuses is not set (CAT turns it on only for certified connectors)")
			}
			return StreamStatuses(o.Messages, c)
		})},
		{sec + "/test_read/state_messages", on(func(o *Output, c *ConfiguredCatalog) error {
			if !boolOr(t.ValidateStateMessages, true) {
				return Skip("validate_state_messages is false")
			}
			return StateMessages(o.Messages, c)
		})},
		{sec + "/test_airbyte_trace_message_on_failure", func(ctx context.Context) error {
			if !boolOr(t.ExpectTraceMessageOnFailure, true) {
				return Skip("expect_trace_message_on_failure is false")
			}
			var c ConfiguredCatalog
			if err := json.Unmarshal(InvalidCatalog, &c); err != nil {
				return err
			}
			cfg, err := r.connectorConfig(cfgPath)
			if err != nil {
				return err
			}
			out, err := r.run(ctx, Invocation{Command: "read", Config: cfg, Catalog: InvalidCatalog}, false)
			if err != nil {
				return err
			}
			return TraceOnFailure(out)
		}},
		{sec + "/test_all_supported_file_types_present", func(context.Context) error {
			return Skip("only applicable for certified file-based connectors")
		}},
	}
}

func validateSchemaEnabled(t BasicReadTest, high bool) error {
	on := boolOr(t.ValidateSchema, true)
	if !on && high {
		return errors.New("high strictness level error: validate_schema must be set to true in the basic read test configuration")
	}
	if !on {
		return Skip("validate_schema is false")
	}
	return nil
}

func (r *Runner) expectedRecords(o *Output, c *ConfiguredCatalog, t BasicReadTest, high bool) error {
	e := t.ExpectRecords
	var expected map[string][]map[string]any
	if e != nil && e.Path != "" {
		raw, err := r.ReadFile(e.Path)
		if err != nil {
			return err
		}
		if expected, err = LoadExpectedRecords(raw); err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	if high {
		switch {
		case e == nil:
			return errors.New("high strictness level error: expect_records must be configured for the basic_read test")
		case e.Path != "":
			if miss := NotSeededStreams(c, t.EmptyStreams, expected); len(miss) > 0 {
				return fmt.Errorf("high strictness level error: %s streams are declared in the catalog but do not have expected records; add expected records to %s or declare these streams in empty_streams", strings.Join(miss, ", "), e.Path)
			}
		case e.BypassReason == "":
			return errors.New("high strictness level error: a bypass reason must be filled if no path to expected records is provided")
		}
	}
	if len(expected) == 0 {
		return Skip("no expected records configured")
	}
	return ExpectedRecords(o.Records(), expected, e.ExactOrder, c)
}

// sectionCatalog is conftest's configured_catalog fixture: the file, or the
// whole discovered catalog.
func (r *Runner) sectionCatalog(ctx context.Context, cfgPath, catalogPath string) (*ConfiguredCatalog, error) {
	streams, err := r.DiscoveredCatalog(ctx, cfgPath)
	if err != nil {
		return nil, err
	}
	if catalogPath == "" {
		return CatalogFromDiscovered(streams, nil), nil
	}
	raw, err := r.ReadFile(catalogPath)
	if err != nil {
		return nil, err
	}
	return CatalogFromFile(raw, streams)
}

func (r *Runner) fullRefreshCases(sec string, t FullRefreshTest) []Case {
	cfgPath := orDefault(t.ConfigPath, DefaultConfigPath)
	high := r.Config.TestStrictnessLevel == StrictnessHigh
	type reads struct {
		first, second []*RecordMessage
		cat           *ConfiguredCatalog
	}
	var fix once[reads]
	twoReads := func(ctx context.Context) (reads, error) {
		return fix.get(func() (reads, error) {
			if high {
				var all []NamedBypass
				for _, l := range t.IgnoredFields {
					all = append(all, l...)
				}
				if err := HighStrictnessBypassReasons("ignored fields", all); err != nil {
					return reads{}, err
				}
			}
			c, err := r.sectionCatalog(ctx, cfgPath, t.ConfiguredCatalogPath)
			if err != nil {
				return reads{}, err
			}
			c = FullRefreshOnly(c)
			o1, err := r.Read(ctx, cfgPath, c, nil, false)
			if err != nil {
				return reads{}, err
			}
			time.Sleep(100 * time.Millisecond)
			o2, err := r.Read(ctx, cfgPath, c, nil, false)
			if err != nil {
				return reads{}, err
			}
			return reads{o1.Records(), o2.Records(), c}, nil
		})
	}
	return []Case{
		{sec + "/test_sequential_reads/emitted_at_increases", func(ctx context.Context) error {
			rd, err := twoReads(ctx)
			if err != nil {
				return err
			}
			return EmittedAtIncreases(rd.first, rd.second)
		}},
		{sec + "/test_sequential_reads/first_read_subset_of_second", func(ctx context.Context) error {
			rd, err := twoReads(ctx)
			if err != nil {
				return err
			}
			return SequentialReadsSubset(rd.first, rd.second, rd.cat, t.IgnoredFields)
		}},
	}
}

func (r *Runner) incrementalCases(sec string, t IncrementalTest) []Case {
	cfgPath := orDefault(t.ConfigPath, DefaultConfigPath)
	high := r.Config.TestStrictnessLevel == StrictnessHigh
	incCatalog := func(ctx context.Context) (*ConfiguredCatalog, error) {
		c, err := r.sectionCatalog(ctx, cfgPath, t.ConfiguredCatalogPath)
		if err != nil {
			return nil, err
		}
		return IncrementalCatalog(c)
	}
	cases := []Case{
		{sec + "/test_two_sequential_reads", func(ctx context.Context) error {
			c, err := incCatalog(ctx)
			if err != nil {
				return err
			}
			o1, err := r.Read(ctx, cfgPath, c, nil, false)
			if err != nil {
				return err
			}
			if len(o1.Filter("STATE")) == 0 {
				return fmt.Errorf("first read should produce at least one state (exit %d)%s", o1.ExitCode, errorTraces(o1))
			}
			if len(o1.Records()) == 0 {
				return errors.New("first read should produce at least one record")
			}
			state := LatestStateInput(o1.Messages)
			o2, err := r.Read(ctx, cfgPath, c, state, false)
			if err != nil {
				return err
			}
			if !RecordsDiffer(o1.Records(), o2.Records()) {
				return fmt.Errorf("records should change between reads but did not (state %s)", clip(canonical(toTree(state)), 500))
			}
			return nil
		}},
	}
	// One case per incremental stream: test_read_sequential_slices loops
	// over streams, and a per-stream name says which stream broke it.
	streamCase := func(name string) Case {
		return Case{sec + "/test_read_sequential_slices/" + name, func(ctx context.Context) error {
			if t.SkipComprehensiveIncrementalTests {
				return Skip("skip_comprehensive_incremental_tests is true")
			}
			c, err := incCatalog(ctx)
			if err != nil {
				return err
			}
			var one *ConfiguredCatalog
			for _, s := range c.Streams {
				if s.Stream.Name == name {
					one = &ConfiguredCatalog{Streams: []ConfiguredStream{s}}
				}
			}
			if one == nil {
				return Skip("stream " + name + " is not incremental in this catalog")
			}
			return r.SequentialSlices(ctx, cfgPath, one)
		}}
	}
	if streams, err := r.incrementalStreamNames(cfgPath, t.ConfiguredCatalogPath); err == nil {
		for _, n := range streams {
			cases = append(cases, streamCase(n))
		}
	} else {
		cases = append(cases, Case{sec + "/test_read_sequential_slices", func(context.Context) error { return err }})
	}
	cases = append(cases, Case{sec + "/test_state_with_abnormally_large_values", func(ctx context.Context) error {
		fs := t.FutureState
		switch {
		case fs != nil && fs.BypassReason != "":
			return Skip("future_state has a bypass reason")
		case fs != nil && fs.FutureStatePath != "":
		case high:
			return errors.New("high test strictness level error: a future state configuration must be provided in high test strictness level or a bypass reason should be filled")
		default:
			return Skip("future_state not specified")
		}
		raw, err := r.ReadFile(fs.FutureStatePath)
		if err != nil {
			return err
		}
		var states any
		if err := decodeJSON(raw, &states); err != nil {
			return fmt.Errorf("%s: %w", fs.FutureStatePath, err)
		}
		c, err := r.sectionCatalog(ctx, cfgPath, t.ConfiguredCatalogPath)
		if err != nil {
			return err
		}
		if high {
			if err := FutureStateCoversStreams(states, c, fs.MissingStreams); err != nil {
				return err
			}
		}
		out, err := r.Read(ctx, cfgPath, IncrementalOnly(c), states, false)
		if err != nil {
			return err
		}
		return FutureStateResult(out)
	}})
	return cases
}

// incrementalStreamNames lists the incremental streams without running the
// connector when the catalog comes from a file; otherwise it is known only
// after discover, so the suite asks for it up front.
func (r *Runner) incrementalStreamNames(cfgPath, catalogPath string) ([]string, error) {
	c, err := r.sectionCatalog(context.Background(), cfgPath, catalogPath)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range IncrementalOnly(c).Streams {
		names = append(names, s.Stream.Name)
	}
	return names, nil
}

// SequentialSlices is test_read_sequential_slices for a one-stream catalog.
func (r *Runner) SequentialSlices(ctx context.Context, cfgPath string, c *ConfiguredCatalog) error {
	o1, err := r.Read(ctx, cfgPath, c, nil, false)
	if err != nil {
		return err
	}
	records1 := o1.Records()
	if len(records1) == 0 {
		return Skip("the first read returned no records, so no checkpoint can be tested (CAT continues)")
	}
	var states []*StateMessage
	for _, m := range o1.Filter("STATE") {
		states = append(states, m.State)
	}
	if len(states) == 0 {
		return Skip("the first read returned no states (CAT continues)")
	}
	cps, err := SliceCheckpoints(states)
	if err != nil {
		return err
	}
	if len(cps) == 0 {
		return errors.New("unable to test because there is no suitable state checkpoint, likely due to a zero record count in the states")
	}
	acc := map[string]any{}
	var order []string
	for i, cp := range cps {
		in := AccumulateState(cp.State, acc, &order)
		oN, err := r.Read(ctx, cfgPath, c, in, false)
		if err != nil {
			return err
		}
		recordsN := oN.Records()
		r.logf("checkpoint %d/%d %s: %d records, at least %.0f expected", i+1, len(cps), clip(canonical(toTree(in)), 200), len(recordsN), cp.Expected)
		if float64(len(recordsN)) < cp.Expected {
			return fmt.Errorf("read %d of %d should produce at least %.0f records, got %d (state %s)", i+1, len(cps), cp.Expected, len(recordsN), clip(canonical(toTree(in)), 500))
		}
		if !RecordsDiffer(records1, recordsN) {
			return fmt.Errorf("records for subsequent reads with new state should be different (read %d of %d, state %s)", i+1, len(cps), clip(canonical(toTree(in)), 500))
		}
	}
	return nil
}

// secretNeverInOutput checks every output the runner saw for the values of
// the config fields the spec marks airbyte_secret. CAT's test of this name
// is empty; the rule is what its docstring asks for.
func (r *Runner) secretNeverInOutput(ctx context.Context) error {
	out, err := r.Spec(ctx)
	if err != nil {
		return err
	}
	spec, err := OneSpec(out)
	if err != nil {
		return err
	}
	var secretKeys []string
	for k, v := range asMap(ConnectionSpecification(spec)["properties"]) {
		if asMap(v)["airbyte_secret"] == true {
			secretKeys = append(secretKeys, k)
		}
	}
	paths := map[string]bool{}
	for _, p := range r.configPaths() {
		paths[p] = true
	}
	var secrets []string
	for p := range paths {
		cfg, err := r.configMap(p)
		if err != nil {
			continue
		}
		for _, k := range secretKeys {
			if s, ok := cfg[k].(string); ok && len(s) >= 4 {
				secrets = append(secrets, s)
			}
		}
	}
	if len(secrets) == 0 {
		return Skip("no secret values in the configs")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) == 0 && len(r.seen) == 0 {
		return Skip("no connector output was recorded")
	}
	for _, o := range r.seen {
		for _, m := range o.Messages {
			b, _ := json.Marshal(m)
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					return fmt.Errorf("a secret config value appears in a %s message", m.Type)
				}
			}
		}
		for _, s := range secrets {
			if strings.Contains(o.Stderr, s) || strings.Contains(strings.Join(o.Dropped, "\n"), s) {
				return errors.New("a secret config value appears on stderr or in a non-protocol stdout line")
			}
		}
	}
	return nil
}

func (r *Runner) configPaths() []string {
	at := r.Config.AcceptanceTests
	var out []string
	add := func(p string) { out = append(out, orDefault(p, DefaultConfigPath)) }
	if at.Spec != nil {
		for _, t := range at.Spec.Tests {
			add(t.ConfigPath)
		}
	}
	if at.Connection != nil {
		for _, t := range at.Connection.Tests {
			add(t.ConfigPath)
		}
	}
	if at.Discovery != nil {
		for _, t := range at.Discovery.Tests {
			add(t.ConfigPath)
		}
	}
	if at.BasicRead != nil {
		for _, t := range at.BasicRead.Tests {
			add(t.ConfigPath)
		}
	}
	if at.FullRefresh != nil {
		for _, t := range at.FullRefresh.Tests {
			add(t.ConfigPath)
		}
	}
	if at.Incremental != nil {
		for _, t := range at.Incremental.Tests {
			add(t.ConfigPath)
		}
	}
	return out
}
