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
	// keyFill are the primary-key parts declared nullable: written as ""
	// when Botmaker sends null or nothing, so that every record's key is
	// complete (a deduplicating destination cannot match a null key part:
	// each sync would add the row again). At most 64.
	keyFill []string
}

type fieldKind uint8

const (
	passThrough fieldKind = iota
	dropField
	typedField // passed through when its JSON kind is the declared one
	flattenField
	jsonTextField
	timestampField
	keyField // a nullable primary-key part (plan.keyFill)
)

type fieldPlan struct {
	kind    fieldKind
	key     int         // keyField: its index in plan.keyFill
	flatten []flatField // flattenField: output fields taken from inside it
	want    valueKind   // passThrough: the JSON kind the schema declares
}

type flatField struct {
	sub, out string
	want     valueKind
}

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
			fp.flatten = append(fp.flatten, flatField{sub: sub, out: name, want: kindOf(ft)})
			continue
		}
		switch ft {
		case jsonTextType:
			set(name, jsonTextField)
		case timestampType:
			set(name, timestampField)
		default:
			if k := kindOf(ft); k != anyKind && p.fields[name] == nil {
				p.fields[name] = &fieldPlan{kind: typedField, want: k}
			}
		}
	}
	// A wire member named like a flattened output (a top-level chat_id next
	// to chat.chatId) would write that key twice. The flattened value is
	// the declared one, so it wins and the top-level member is dropped.
	for _, fp := range p.fields {
		for _, ff := range fp.flatten {
			if q := p.fields[ff.out]; q == nil || q.kind == typedField {
				p.fields[ff.out] = &fieldPlan{kind: dropField}
			}
		}
	}
	for _, k := range d.PrimaryKey {
		if !outs[k] {
			return nil, fmt.Errorf("primary key %q is not a field", k)
		}
		if f, _ := fieldByJSON(t, k); f.Type.Kind() == reflect.Pointer {
			fp := p.fields[k]
			if fp == nil || fp.kind != typedField || fp.want != stringKind {
				return nil, fmt.Errorf("primary key %q is nullable, which only a top-level string may be", k)
			}
			p.fields[k] = &fieldPlan{kind: keyField, key: len(p.keyFill), want: stringKind}
			p.keyFill = append(p.keyFill, k)
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

// record is a record being written.
type record struct {
	dst    []byte
	first  bool
	nulled *[]string
}

// key starts the member name, whose bytes are already JSON string content.
func (r *record) key(name []byte) {
	if !r.first {
		r.dst = append(r.dst, ',')
	}
	r.first = false
	r.dst = append(r.dst, '"')
	r.dst = append(r.dst, name...)
	r.dst = append(r.dst, '"', ':')
}

func (r *record) member(name, v []byte) {
	r.key(name)
	r.dst = append(r.dst, v...)
}

// null writes name as null and lists it as nulled.
func (r *record) null(name string) {
	r.key([]byte(name))
	r.dst = append(r.dst, "null"...)
	if r.nulled != nil {
		*r.nulled = append(*r.nulled, name)
	}
}

// typed writes v under k when it is of the declared kind want, a number
// declared a string as its exact text ("12.50" for 12.50: reported from
// Botmaker's metric values, which the SPEC declares strings), and anything
// else (an object, an array, a boolean) as null, listed as nulled.
func (r *record) typed(k []byte, name string, want valueKind, v []byte) {
	switch {
	case kindMatches(want, v):
		r.member(k, v)
	case want == stringKind && kindMatches(numberKind, v):
		// A JSON number's text needs no escaping inside a string.
		r.key(k)
		r.dst = append(append(append(r.dst, '"'), v...), '"')
	default:
		r.null(name)
	}
}

// transform appends the record for one wire item to dst and returns it with
// the item's cursor value (empty when absent, null or not a date-time). It
// appends to *nulled the output fields whose value could not be converted
// to the declared type: they are written as null, so one bad value never
// costs the record (Airbyte's NULLED change with reason
// SOURCE_SERIALIZATION_ERROR). nulled may be nil. The error is for an item
// that is not an object.
func (p *plan) transform(dst, item []byte, nulled *[]string) ([]byte, string, error) {
	var cursor string
	var keySeen uint64 // bit i: keyFill[i] was written
	r := &record{dst: append(dst, '{'), first: true, nulled: nulled}
	err := rawjson.ObjectEach(item, func(k, v []byte) error {
		name := k
		if bytes.IndexByte(k, '\\') >= 0 {
			// Rules apply to the decoded key: "tok\u0065n" is "token".
			if d, err := unquote(append(append([]byte{'"'}, k...), '"')); err == nil {
				name = []byte(d)
			}
		}
		fp := p.fields[string(name)] // no allocation: the compiler keeps map lookups on []byte
		if fp == nil || (fp.kind == typedField && kindMatches(fp.want, v)) {
			r.member(k, v)
			return nil
		}
		switch fp.kind {
		case dropField:
		case keyField:
			keySeen |= 1 << fp.key
			switch {
			case rawjson.IsNull(v):
				r.member(k, []byte(`""`))
			case kindMatches(stringKind, v), kindMatches(numberKind, v):
				r.typed(k, string(name), stringKind, v)
			default:
				r.member(k, []byte(`""`))
				if r.nulled != nil {
					*r.nulled = append(*r.nulled, string(name))
				}
			}
		case typedField:
			r.typed(k, string(name), fp.want, v)
		case flattenField:
			if !rawjson.IsNull(v) && v[0] != '{' {
				for _, ff := range fp.flatten {
					r.null(ff.out)
				}
				return nil
			}
			if err := r.flatten(fp.flatten, v); err != nil {
				return fmt.Errorf("field %s: %w", name, err)
			}
		case jsonTextField:
			if rawjson.IsNull(v) || v[0] == '"' {
				r.member(k, v)
				return nil
			}
			r.key(k)
			r.dst = appendQuoted(r.dst, v)
		case timestampField:
			switch {
			case rawjson.IsNull(v):
				r.member(k, v)
			case v[0] == '"':
				// Written as Botmaker sent it; only the cursor is read.
				r.member(k, v)
				if string(name) == p.cursor {
					cursor, _ = unquote(v) // valid JSON: cannot fail
				}
			default:
				s, ok := epochToRFC3339(v)
				if !ok {
					r.null(string(name))
					return nil
				}
				r.key(k)
				r.dst = append(r.dst, '"')
				r.dst = append(r.dst, s...)
				r.dst = append(r.dst, '"')
				if string(name) == p.cursor {
					cursor = s
				}
			}
		}
		return nil
	})
	if err != nil {
		return r.dst, "", err
	}
	for i, k := range p.keyFill {
		if keySeen&(1<<i) == 0 {
			r.member([]byte(k), []byte(`""`))
		}
	}
	return append(r.dst, '}'), cursor, nil
}

// flatten appends the fields taken from inside the object v, in the plan's
// order, reading v once. A null v or a missing member writes nothing; a
// member of the wrong kind is written as null.
func (r *record) flatten(ffs []flatField, v []byte) error {
	if rawjson.IsNull(v) {
		return nil
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
		return err
	}
	for i, ff := range ffs {
		switch {
		case vals[i] == nil:
		default:
			r.typed([]byte(ff.out), ff.out, ff.want, vals[i])
		}
	}
	return nil
}

// valueKind is the JSON kind a declared field holds (null is always allowed:
// every field is nullable).
type valueKind uint8

const (
	anyKind valueKind = iota
	stringKind
	boolKind
	numberKind
	objectKind
	arrayKind
)

// fieldByJSON is t's field whose json name is name.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// kindOf is the JSON kind of a record struct field's type.
func kindOf(t reflect.Type) valueKind {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return stringKind
	case reflect.Bool:
		return boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return numberKind
	case reflect.Map, reflect.Struct:
		return objectKind
	case reflect.Slice, reflect.Array:
		switch t {
		case reflect.TypeFor[Object]():
			return objectKind
		case reflect.TypeFor[json.RawMessage]():
			return anyKind
		}
		return arrayKind
	}
	return anyKind
}

// kindMatches looks only at the first byte: the page is valid JSON.
func kindMatches(want valueKind, v []byte) bool {
	if rawjson.IsNull(v) {
		return true
	}
	switch want {
	case stringKind:
		return v[0] == '"'
	case boolKind:
		return v[0] == 't' || v[0] == 'f'
	case numberKind:
		return v[0] == '-' || (v[0] >= '0' && v[0] <= '9')
	case objectKind:
		return v[0] == '{'
	case arrayKind:
		return v[0] == '['
	}
	return true
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

// appendQuoted writes valid JSON text as a compact JSON string: the text is
// written compact, since a raw tab inside the string would make the line
// invalid.
func appendQuoted(dst, v []byte) []byte {
	return append(appendCompact(append(dst, '"'), v, true), '"')
}
