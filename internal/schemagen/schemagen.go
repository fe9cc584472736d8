// Package schemagen reflects Go structs into the JSON schemas Airbyte wants:
// Draft-7, everything inline (no $ref, no $defs), objects open
// (additionalProperties: true), nullability as a type list ["T","null"]
// rather than oneOf, and "order" as an integer.
//
// invopop/jsonschema does the reflection; this package fixes the parts where
// its output differs from what Airbyte's UI and CAT accept.
package schemagen

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// Draft7 is the $schema every generated schema declares.
const Draft7 = "http://json-schema.org/draft-07/schema#"

// Options says how optional Go fields are rendered.
type Options struct {
	// Nullable makes pointer, slice, map and interface fields ["T","null"]:
	// right for record schemas, where Botmaker may omit or null any field.
	// Spec schemas leave it off: an optional option is simply not required.
	Nullable bool
	// Title is the root schema's title.
	Title string
	// Description is the root schema's description, left out when empty.
	Description string
}

// Generate returns the schema of v (a struct or pointer to one) as JSON.
func Generate(v any, opts Options) json.RawMessage {
	r := jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		Anonymous:                  true,
		AllowAdditionalProperties:  true,
		RequiredFromJSONSchemaTags: true,
	}
	s := r.Reflect(v)
	s.Version = Draft7
	s.Title = opts.Title
	s.Description = opts.Description
	s.Definitions = nil
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	fix(s, t, opts)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		// Only a programming error in a schema struct can get here, and every
		// stream's schema is exercised by a golden test.
		panic("schemagen: " + err.Error())
	}
	return b
}

// fix walks schema s alongside Go type t.
func fix(s *jsonschema.Schema, t reflect.Type, opts Options) {
	if s == nil {
		return
	}
	fixExtras(s)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case s.Items != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		fix(s.Items, t.Elem(), opts)
	case s.Properties != nil && t.Kind() == reflect.Struct:
		s.AdditionalProperties = jsonschema.TrueSchema
		for _, f := range fields(t) {
			p, ok := s.Properties.Get(f.name)
			if !ok {
				continue
			}
			fix(p, f.typ, opts)
			if opts.Nullable && nullable(f.typ) {
				makeNullable(p)
			}
		}
	case s.Type == "object":
		s.AdditionalProperties = jsonschema.TrueSchema
	}
}

type field struct {
	name string
	typ  reflect.Type
}

// fields lists t's JSON fields, with embedded structs' fields promoted as
// encoding/json does.
func fields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, fields(et)...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{name, f.Type})
	}
	return out
}

func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// makeNullable turns {"type":"T"} into {"type":["T","null"]}; the type list
// goes through Extras because invopop's Type is a single string.
func makeNullable(s *jsonschema.Schema) {
	if s.Type != "" {
		s.Extras = withExtra(s.Extras, "type", []string{s.Type, "null"})
		s.Type = ""
	}
}

func withExtra(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

// fixExtras turns jsonschema_extras strings that Airbyte needs typed into
// their types: "order" is an integer.
func fixExtras(s *jsonschema.Schema) {
	if v, ok := s.Extras["order"].(string); ok {
		if n, err := strconv.Atoi(v); err == nil {
			s.Extras["order"] = n
		}
	}
}
