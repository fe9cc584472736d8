package cat

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Skip is a rule that does not apply (pytest.skip in CAT).
type Skip string

func (s Skip) Error() string { return "skipped: " + string(s) }

// IsSkip reports whether err is a Skip and returns its reason.
func IsSkip(err error) (string, bool) {
	var s Skip
	if errors.As(err, &s) {
		return string(s), true
	}
	return "", false
}

// Discovery rules: TestDiscovery in test_core.py.

// DiscoverOnce is test_discover: exactly one CATALOG message with streams
// and no duplicate stream names.
func DiscoverOnce(out *Output) error {
	cats := out.Filter("CATALOG")
	if len(cats) == 0 {
		return fmt.Errorf("no catalog message (exit %d)%s", out.ExitCode, errorTraces(out))
	}
	count := map[string]int{}
	for _, s := range cats[0].Catalog.Streams {
		count[s.Name]++
	}
	var dups []string
	for n, c := range count {
		if c > 1 {
			dups = append(dups, n)
		}
	}
	sort.Strings(dups)
	if len(cats) != 1 {
		return fmt.Errorf("catalog message should be emitted exactly once, got %d", len(cats))
	}
	if len(cats[0].Catalog.Streams) == 0 {
		return errors.New("catalog should contain streams")
	}
	if len(dups) > 0 {
		return fmt.Errorf("catalog should have uniquely named streams, duplicates are: %s", strings.Join(dups, ", "))
	}
	return nil
}

var draft7Meta *jsonschema.Schema

// StreamsHaveValidJSONSchemas is test_streams_have_valid_json_schemas:
// Draft7Validator.check_schema, i.e. each schema validates against the
// Draft-7 metaschema (with its formats asserted, as check_schema does).
func StreamsHaveValidJSONSchemas(streams []Stream) error {
	if draft7Meta == nil {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		s, err := c.Compile("http://json-schema.org/draft-07/schema")
		if err != nil {
			return err
		}
		draft7Meta = s
	}
	for _, s := range streams {
		if err := draft7Meta.Validate(toTree(s.JSONSchema)); err != nil {
			return fmt.Errorf("stream %s: json_schema is not a valid Draft-7 schema: %v", s.Name, err)
		}
	}
	return nil
}

// fieldPath is dpath.util.search(schema["properties"], "/properties/".join(path)).
func fieldPath(schema map[string]any, path []string) (any, bool) {
	props, ok := schema["properties"]
	if !ok {
		return nil, false
	}
	var p []string
	for i, f := range path {
		if i > 0 {
			p = append(p, "properties")
		}
		p = append(p, f)
	}
	return get(props, p)
}

// DefinedCursorsExistInSchema is test_defined_cursors_exist_in_schema.
func DefinedCursorsExistInSchema(streams []Stream) error {
	for _, s := range streams {
		if len(s.DefaultCursorField) == 0 {
			continue
		}
		if _, ok := s.JSONSchema["properties"]; !ok {
			return fmt.Errorf("top level item should have an 'object' type for %s stream schema", s.Name)
		}
		if _, ok := fieldPath(s.JSONSchema, s.DefaultCursorField); !ok {
			return fmt.Errorf("some of defined cursor fields %v are not specified in discover schema properties for %s stream", s.DefaultCursorField, s.Name)
		}
	}
	return nil
}

// StreamSchemasHaveNoRefs is test_defined_refs_exist_in_schema.
func StreamSchemasHaveNoRefs(streams []Stream) error {
	for _, s := range streams {
		if err := NoRefs(s.JSONSchema); err != nil {
			return fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	return nil
}

// KeywordNotInSchema is test_defined_keyword_exist_in_schema[keyword].
func KeywordNotInSchema(streams []Stream, keyword string) error {
	var bad []string
	for _, s := range streams {
		if findKeyword(s.JSONSchema, keyword) {
			bad = append(bad, s.Name)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("found not allowed %s keyword for selected streams: %s", keyword, strings.Join(bad, ", "))
	}
	return nil
}

// PrimaryKeysExistInSchema is test_primary_keys_exist_in_schema.
func PrimaryKeysExistInSchema(streams []Stream) error {
	for _, s := range streams {
		for _, pk := range s.SourceDefinedPrimaryKey {
			if _, ok := s.JSONSchema["properties"]; !ok {
				return fmt.Errorf("stream %s: schema has no properties (KeyError in CAT)", s.Name)
			}
			if _, ok := fieldPath(s.JSONSchema, pk); !ok {
				return fmt.Errorf("one of the PKs (%v) is not specified in discover schema for %s stream", pk, s.Name)
			}
		}
	}
	return nil
}

// StreamsHaveSyncModes is test_streams_has_sync_modes.
func StreamsHaveSyncModes(streams []Stream) error {
	for _, s := range streams {
		if s.SupportedSyncModes == nil {
			return fmt.Errorf("the stream %s is missing supported_sync_modes field declaration", s.Name)
		}
		if len(s.SupportedSyncModes) == 0 {
			return fmt.Errorf("supported_sync_modes list on stream %s should not be empty", s.Name)
		}
	}
	return nil
}

// StreamSchemasAdditionalPropertiesTrue is test_additional_properties_is_true
// of TestDiscovery.
func StreamSchemasAdditionalPropertiesTrue(streams []Stream) error {
	for _, s := range streams {
		if err := AdditionalPropertiesIsTrue(s.JSONSchema); err != nil {
			return fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	return nil
}

// PrimaryKeysDataType is test_primary_keys_data_type: a primary key field
// must exist and must not be typed object or array. CAT builds
// set(definition["type"]), which for a plain string type is a set of
// characters and so never matches; this check reads a string type as one
// type, so it is stricter than CAT, never laxer.
func PrimaryKeysDataType(streams []Stream) error {
	var errs []string
	for _, s := range streams {
		for _, pk := range s.SourceDefinedPrimaryKey {
			def, ok := fieldPath(s.JSONSchema, pk)
			if !ok {
				errs = append(errs, fmt.Sprintf("stream %s does not have defined primary key %v in schema", s.Name, pk))
				continue
			}
			types := typeSet(asMap(def)["type"], nil)
			if types["object"] || types["array"] {
				errs = append(errs, fmt.Sprintf("stream %s contains primary key %v with forbidden type %s", s.Name, pk, canonical(asMap(def)["type"])))
			}
		}
	}
	return joinErrs(errs)
}
