package cat

import (
	"fmt"
	"slices"
	"sort"
)

// Stream-schema rules stricter than CAT's. CAT passes a schema that breaks
// them, but this connector's schemas keep them because of what happens
// downstream: destinations type columns from the schema, so every node
// needs a plain Draft-7 type and everything inline; objects are open
// because Botmaker adds fields without notice; and a cursor, like a
// primary key, must be a comparable scalar. Each takes discovered streams
// like the discovery rules, and only walks the schema nodes a record
// follows: the root, each property and array items.

// Draft7 is the $schema of a Draft-7 schema.
const Draft7 = "http://json-schema.org/draft-07/schema#"

var draft7Types = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true}

// schemaNodes calls visit for s and every schema under its properties and
// items that is a JSON object, parents first, properties in name order.
func schemaNodes(s map[string]any, path string, visit func(path string, n map[string]any)) {
	visit(path, s)
	props := asMap(s["properties"])
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if child, ok := props[k].(map[string]any); ok {
			schemaNodes(child, path+"/properties/"+k, visit)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		schemaNodes(items, path+"/items", visit)
	}
}

// eachSchemaNode runs check on every record-schema node of every stream
// and joins what it reports, each problem prefixed with the stream.
func eachSchemaNode(streams []Stream, check func(path string, n map[string]any) []string) error {
	var errs []string
	for _, s := range streams {
		schemaNodes(s.JSONSchema, "", func(path string, n map[string]any) {
			if path == "" {
				path = "/"
			}
			for _, p := range check(path, n) {
				errs = append(errs, fmt.Sprintf("stream %s: %s", s.Name, p))
			}
		})
	}
	return joinErrs(errs)
}

// SchemasAreDraft7 wants each schema to declare Draft-7, the draft CAT and
// the platform validate with.
func SchemasAreDraft7(streams []Stream) error {
	var errs []string
	for _, s := range streams {
		if v := s.JSONSchema["$schema"]; v != Draft7 {
			errs = append(errs, fmt.Sprintf("stream %s: $schema is %v, want Draft-7 (%s)", s.Name, v, Draft7))
		}
	}
	return joinErrs(errs)
}

// SchemasAreInline rejects definitions and ids, which only $ref (NoRefs)
// would use.
func SchemasAreInline(streams []Stream) error {
	return eachSchemaNode(streams, func(path string, n map[string]any) []string {
		var bad []string
		for _, k := range []string{"$defs", "definitions", "$id"} {
			if _, ok := n[k]; ok {
				bad = append(bad, fmt.Sprintf("%s: %s is not allowed; schemas are inline", path, k))
			}
		}
		return bad
	})
}

// SchemasAreWellFormed wants an object at the root and, on every node, a
// Draft-7 type or type list, properties that are schema objects, items
// that are one schema object, and required names that are properties.
func SchemasAreWellFormed(streams []Stream) error {
	var errs []string
	for _, s := range streams {
		if s.JSONSchema["type"] != "object" {
			errs = append(errs, fmt.Sprintf("stream %s: root type is %v, want object", s.Name, s.JSONSchema["type"]))
		}
	}
	err := eachSchemaNode(streams, func(path string, n map[string]any) []string {
		var bad []string
		if typeNames(n["type"]) == nil {
			bad = append(bad, fmt.Sprintf("%s: type %v is not a Draft-7 type or type list", path, n["type"]))
		}
		props, hasProps := n["properties"].(map[string]any)
		if _, ok := n["properties"]; ok && !hasProps {
			bad = append(bad, path+": properties is not an object")
		}
		if req, ok := n["required"]; ok {
			list, _ := req.([]any)
			for _, r := range list {
				if _, ok := props[fmt.Sprint(r)]; !ok {
					bad = append(bad, fmt.Sprintf("%s: required names %v, which is not a property", path, r))
				}
			}
		}
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if _, ok := props[k].(map[string]any); !ok {
				bad = append(bad, fmt.Sprintf("%s/properties/%s is not a schema object", path, k))
			}
		}
		if items, ok := n["items"]; ok {
			if _, ok := items.(map[string]any); !ok {
				bad = append(bad, path+"/items is not a single schema object")
			}
		}
		return bad
	})
	if err != nil {
		errs = append(errs, err.Error())
	}
	return joinErrs(errs)
}

// SchemaObjectsAreOpen wants every node that can be an object to say
// additionalProperties: true; AdditionalPropertiesIsTrue only checks the
// keyword where it is set.
func SchemaObjectsAreOpen(streams []Stream) error {
	return eachSchemaNode(streams, func(path string, n map[string]any) []string {
		if slices.Contains(typeNames(n["type"]), "object") && n["additionalProperties"] != true {
			return []string{fmt.Sprintf("%s: object with additionalProperties %v, want true", path, n["additionalProperties"])}
		}
		return nil
	})
}

// CursorsDataType is PrimaryKeysDataType for default_cursor_field: a cursor
// typed object or array cannot be compared. That the field exists is
// DefinedCursorsExistInSchema's rule.
func CursorsDataType(streams []Stream) error {
	var errs []string
	for _, s := range streams {
		if len(s.DefaultCursorField) == 0 {
			continue
		}
		def, ok := fieldPath(s.JSONSchema, s.DefaultCursorField)
		if !ok {
			continue
		}
		types := typeSet(asMap(def)["type"], nil)
		if types["object"] || types["array"] {
			errs = append(errs, fmt.Sprintf("stream %s: cursor %v has type %s; a cursor must be a comparable scalar", s.Name, s.DefaultCursorField, canonical(asMap(def)["type"])))
		}
	}
	return joinErrs(errs)
}

// typeNames returns the type keyword as a list, or nil when it is missing,
// malformed, names a non-Draft-7 type or repeats one.
func typeNames(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		out = []string{t}
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			if slices.Contains(out, s) {
				return nil
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	for _, s := range out {
		if !draft7Types[s] {
			return nil
		}
	}
	return out
}
