package streams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// plan is how one stream turns a Botmaker item into a record: which wire
// members are flattened, JSON-encoded, normalised or dropped. Every other
// member passes through byte-for-byte, including fields Botmaker adds later.
type plan struct {
	// fields says what to do with a wire member; absent means pass through.
	// One lookup per member keeps the per-record cost low.
	fields map[string]*fieldPlan
	cursor string
}

type fieldKind uint8

const (
	passThrough fieldKind = iota
	dropField
	flattenField
	jsonTextField
	timestampField
)

type fieldPlan struct {
	kind    fieldKind
	flatten []flatField // flattenField: output fields taken from inside it
}

type flatField struct{ sub, out string }

var (
	timestampType = reflect.TypeFor[Timestamp]()
	jsonTextType  = reflect.TypeFor[JSONText]()
)

func newPlan(t reflect.Type, d Def) (*plan, error) {
	p := &plan{fields: map[string]*fieldPlan{}, cursor: d.Cursor}
	set := func(name string, k fieldKind) {
		if p.fields[name] == nil {
			p.fields[name] = &fieldPlan{kind: k}
		}
	}
	outs := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return nil, fmt.Errorf("field %s needs a json name", f.Name)
		}
		outs[name] = true
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if w := f.Tag.Get("wire"); w != "" {
			parent, sub, ok := strings.Cut(w, ".")
			if !ok {
				return nil, fmt.Errorf("field %s: wire tag %q must be parent.child", f.Name, w)
			}
			fp := p.fields[parent]
			if fp == nil || fp.kind != flattenField {
				fp = &fieldPlan{kind: flattenField}
				p.fields[parent] = fp
			}
			fp.flatten = append(fp.flatten, flatField{sub: sub, out: name})
			continue
		}
		switch ft {
		case jsonTextType:
			set(name, jsonTextField)
		case timestampType:
			set(name, timestampField)
		}
	}
	for _, k := range d.PrimaryKey {
		if !outs[k] {
			return nil, fmt.Errorf("primary key %q is not a field", k)
		}
	}
	if fp := p.fields[d.Cursor]; d.Cursor != "" && (fp == nil || fp.kind != timestampField) {
		return nil, fmt.Errorf("cursor %q must be a top-level Timestamp field", d.Cursor)
	}
	for _, k := range d.Drop {
		p.fields[k] = &fieldPlan{kind: dropField}
	}
	return p, nil
}

// transform appends the record for one wire item to dst and returns it with
// the item's cursor value (empty when absent or null).
func (p *plan) transform(dst, item []byte) ([]byte, string, error) {
	var cursor string
	dst = append(dst, '{')
	first := true
	err := rawjson.ObjectEach(item, func(k, v []byte) error {
		fp := p.fields[string(k)] // no allocation: the compiler keeps map lookups on []byte
		if fp == nil {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, '"')
			dst = append(dst, k...)
			dst = append(dst, '"', ':')
			dst = append(dst, v...)
			return nil
		}
		switch fp.kind {
		case dropField:
			return nil
		case flattenField:
			var err error
			dst, first, err = flatten(dst, first, fp.flatten, v)
			if err != nil {
				return fmt.Errorf("field %s: %w", k, err)
			}
			return nil
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
		if fp.kind == jsonTextField {
			if rawjson.IsNull(v) || v[0] == '"' {
				dst = append(dst, v...)
			} else {
				dst = appendQuoted(dst, v)
			}
			return nil
		}
		// timestampField
		switch {
		case v[0] == '"':
			dst = append(dst, v...)
			if string(k) == p.cursor {
				var err error
				if cursor, err = unquote(v); err != nil {
					return fmt.Errorf("field %s: %w", k, err)
				}
			}
		case rawjson.IsNull(v):
			dst = append(dst, v...)
		case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
			s, ok := epochToRFC3339(v)
			if !ok {
				return fmt.Errorf("field %s: %s is not a date-time", k, v)
			}
			dst = append(dst, '"')
			dst = append(dst, s...)
			dst = append(dst, '"')
			if string(k) == p.cursor {
				cursor = s
			}
		default:
			return fmt.Errorf("field %s: %s is not a date-time", k, clipBytes(v))
		}
		return nil
	})
	if err != nil {
		return dst, "", err
	}
	return append(dst, '}'), cursor, nil
}

// flatten appends the fields taken from inside the object v, in the plan's
// order, reading v once. A null v or a missing member writes nothing.
func flatten(dst []byte, first bool, ffs []flatField, v []byte) ([]byte, bool, error) {
	if rawjson.IsNull(v) {
		return dst, first, nil
	}
	var found [4][]byte // streams flatten at most three members of one object
	vals := found[:0]
	if len(ffs) > len(found) {
		vals = make([][]byte, 0, len(ffs))
	}
	vals = vals[:len(ffs)]
	err := rawjson.ObjectEach(v, func(k, sv []byte) error {
		for i, ff := range ffs {
			if vals[i] == nil && string(k) == ff.sub {
				vals[i] = sv
			}
		}
		return nil
	})
	if err != nil {
		return dst, first, err
	}
	for i, ff := range ffs {
		if vals[i] == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendKey(dst, ff.out)
		dst = append(dst, vals[i]...)
	}
	return dst, first, nil
}

// unquote returns the contents of a JSON string, decoding escapes only when
// there are any (timestamps have none).
func unquote(v []byte) (string, error) {
	if len(v) >= 2 && v[len(v)-1] == '"' && bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

func appendKey(dst []byte, k string) []byte {
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"', ':')
}

// appendQuoted writes valid JSON text as a compact JSON string. Valid JSON has
// no raw control characters inside strings, so once the whitespace between
// tokens is gone only quotes and backslashes need escaping.
func appendQuoted(dst, v []byte) []byte {
	dst = append(dst, '"')
	inString, escaped := false, false
	for _, c := range v {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			// Whitespace between tokens: the JSON text is written compact,
			// and a raw tab inside the string would make the line invalid.
			continue
		}
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

func clipBytes(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
