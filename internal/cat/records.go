package cat

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/message"
)

// Record validation as CAT's utils/asserts.py verify_records_schema does it:
// a Draft-7 validator whose "integer" accepts only integers as written (1.0
// is not one), and whose date-time format is CAT's timestamp regex plus a
// successful parse.

// timestampRe is asserts.py timestamp_regex.
// The fraction is [.,]\d+ rather than CAT's ".\d+" (any character): with
// "any character" a "+05" zone would be taken for a fraction, and pendulum
// needs a real separator to parse a fraction anyway.
var timestampRe = regexp.MustCompile(`^(\d{4})-(\d?\d)-(\d?\d)(?:\s|T)(\d?\d):(\d?\d):(\d?\d)([.,]\d+)?(.*)$`)

// tzRe is the zone suffixes pendulum parses after a time.
var tzRe = regexp.MustCompile(`^(?:|Z|z|[+-]\d{2}(?::?\d{2})?)$`)

// CheckDateTime is CustomFormatChecker.check_datetime: the regex, and a
// date and time that exist. pendulum.parse(strict=False) is lenient about
// the zone; this accepts Z, ±hh, ±hhmm and ±hh:mm and nothing else, so it is
// at least as strict.
func CheckDateTime(s string) error {
	m := timestampRe.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("%q has invalid datetime format", s)
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	if !tzRe.MatchString(strings.TrimSpace(m[8])) {
		return fmt.Errorf("%q has an unparsable time zone", s)
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] || t.Hour() != n[3] || t.Minute() != n[4] || t.Second() != n[5] {
		return fmt.Errorf("%q is not a real date-time", s)
	}
	return nil
}

var catDateTime = &jsonschema.Format{
	Name: "date-time",
	Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		return CheckDateTime(s)
	},
}

// strictInteger rejects an "integer" written with a fraction or exponent;
// the jsonschema library, like the JSON Schema spec, would accept 1.0.
type strictInteger struct{}

func (strictInteger) Validate(ctx *jsonschema.ValidatorContext, v any) {
	n, ok := v.(json.Number)
	if !ok || !strings.ContainsAny(string(n), ".eE") {
		return
	}
	ctx.AddError(&notStrictInteger{string(n)})
}

type notStrictInteger struct{ n string }

func (*notStrictInteger) KeywordPath() []string { return []string{"type"} }

func (e *notStrictInteger) LocalizedString(*message.Printer) string {
	return fmt.Sprintf("%s is not an integer (CAT's strict integer check)", e.n)
}

// strictIntegerVocab attaches strictInteger to every schema whose type
// allows integer but not number.
var strictIntegerVocab = &jsonschema.Vocabulary{
	URL:    "urn:cat:strict-integer",
	Schema: nil,
	Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
		types := typeSet(obj["type"], nil)
		if types["integer"] && !types["number"] {
			return strictInteger{}, nil
		}
		return nil, nil
	},
}

// RecordValidator validates records of one stream.
type RecordValidator struct{ schema *jsonschema.Schema }

// NewRecordValidator compiles a stream schema the way CAT's
// Draft7ValidatorWithStrictInteger with CustomFormatChecker would run it.
func NewRecordValidator(schema map[string]any) (*RecordValidator, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.RegisterFormat(catDateTime)
	c.RegisterVocabulary(strictIntegerVocab)
	c.AssertVocabs()
	if err := c.AddResource("stream.json", toTree(schema)); err != nil {
		return nil, err
	}
	s, err := c.Compile("stream.json")
	if err != nil {
		return nil, err
	}
	return &RecordValidator{s}, nil
}

// Validate checks one record's data.
func (v *RecordValidator) Validate(data map[string]any) error {
	return v.schema.Validate(anyMap(data))
}

func anyMap(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// VerifyRecordsSchema is verify_records_schema: the first errors per stream.
func VerifyRecordsSchema(records []*RecordMessage, cat *ConfiguredCatalog) error {
	validators := map[string]*RecordValidator{}
	for _, s := range cat.Streams {
		v, err := NewRecordValidator(s.Stream.JSONSchema)
		if err != nil {
			return fmt.Errorf("stream %s: schema does not compile: %v", s.Stream.Name, err)
		}
		validators[s.Stream.Name] = v
	}
	errs := map[string]string{}
	for _, r := range records {
		v := validators[r.Stream]
		if v == nil {
			continue
		}
		if _, seen := errs[r.Stream]; seen {
			continue
		}
		if err := v.Validate(r.Data); err != nil {
			errs[r.Stream] = fmt.Sprintf("stream %s: record %s: %v", r.Stream, clip(canonical(r.Data), 400), err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	var list []string
	for _, e := range errs {
		list = append(list, e)
	}
	sort.Strings(list)
	return fmt.Errorf("please check your json_schema in selected streams:\n%s", strings.Join(list, "\n"))
}

// RecordsStructure is _validate_records_structure: every record shares at
// least one key path with its stream's schema.
func RecordsStructure(records []*RecordMessage, cat *ConfiguredCatalog) error {
	schemas := map[string]map[string]bool{}
	for _, s := range cat.Streams {
		set := map[string]bool{}
		for _, p := range expectedSchemaStructure(s.Stream.JSONSchema, false) {
			set[p] = true
		}
		schemas[s.Stream.Name] = set
	}
	for _, r := range records {
		paths := schemas[r.Stream]
		if len(paths) == 0 {
			continue
		}
		common := false
		for _, p := range objectStructure(anyMap(r.Data)) {
			if paths[p] {
				common = true
				break
			}
		}
		if !common {
			return fmt.Errorf("record %s from %s stream should have some fields mentioned by json schema", clip(canonical(r.Data), 300), r.Stream)
		}
	}
	return nil
}

// NoExtraColumns is fail_on_extra_columns from the CAT versions that
// enforced it (asserts.py sets additionalProperties false on the top-level
// properties): every top-level record field is declared in the schema. The
// newest CAT leaves this check disabled, so it is stricter than CAT.
func NoExtraColumns(records []*RecordMessage, cat *ConfiguredCatalog) error {
	declared := map[string]map[string]any{}
	for _, s := range cat.Streams {
		declared[s.Stream.Name] = asMap(s.Stream.JSONSchema["properties"])
	}
	for _, r := range records {
		props, ok := declared[r.Stream]
		if !ok {
			continue
		}
		var extra []string
		for k := range r.Data {
			if _, ok := props[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return fmt.Errorf("stream %s: record has columns not in the schema: %s", r.Stream, strings.Join(extra, ", "))
		}
	}
	return nil
}
