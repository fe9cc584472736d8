package streams

import (
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
	flatten    map[string][]flatField // wire key -> output fields taken from inside it
	jsonText   map[string]bool
	timestamps map[string]bool
	drop       map[string]bool
	cursor     string
}

type flatField struct{ sub, out string }

var (
	timestampType = reflect.TypeFor[Timestamp]()
	jsonTextType  = reflect.TypeFor[JSONText]()
)

func newPlan(t reflect.Type, d Def) (*plan, error) {
	p := &plan{flatten: map[string][]flatField{}, jsonText: map[string]bool{}, timestamps: map[string]bool{}, drop: map[string]bool{}, cursor: d.Cursor}
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
			p.flatten[parent] = append(p.flatten[parent], flatField{sub: sub, out: name})
			continue
		}
		switch ft {
		case jsonTextType:
			p.jsonText[name] = true
		case timestampType:
			p.timestamps[name] = true
		}
	}
	for _, k := range d.PrimaryKey {
		if !outs[k] {
			return nil, fmt.Errorf("primary key %q is not a field", k)
		}
	}
	if d.Cursor != "" && !p.timestamps[d.Cursor] {
		return nil, fmt.Errorf("cursor %q must be a top-level Timestamp field", d.Cursor)
	}
	for _, k := range d.Drop {
		p.drop[k] = true
	}
	return p, nil
}

// transform appends the record for one wire item to dst and returns it with
// the item's cursor value (empty when absent or null).
func (p *plan) transform(dst, item []byte) ([]byte, string, error) {
	var cursor string
	dst = append(dst, '{')
	first := true
	sep := func() {
		if !first {
			dst = append(dst, ',')
		}
		first = false
	}
	err := rawjson.ObjectEach(item, func(k, v []byte) error {
		key := string(k) // no allocation: the compiler keeps map lookups on []byte
		switch {
		case p.drop[key]:
			return nil
		case p.flatten[key] != nil:
			for _, ff := range p.flatten[key] {
				var sub []byte
				if !rawjson.IsNull(v) {
					var err error
					if sub, err = rawjson.Get(v, ff.sub); err != nil {
						return fmt.Errorf("field %s: %w", key, err)
					}
				}
				if sub == nil {
					continue
				}
				sep()
				dst = appendKey(dst, ff.out)
				dst = append(dst, sub...)
			}
			return nil
		case p.jsonText[key]:
			sep()
			dst = append(dst, '"')
			dst = append(dst, k...)
			dst = append(dst, '"', ':')
			if rawjson.IsNull(v) || v[0] == '"' {
				dst = append(dst, v...)
			} else {
				dst = appendQuoted(dst, v)
			}
			return nil
		case p.timestamps[key]:
			sep()
			dst = append(dst, '"')
			dst = append(dst, k...)
			dst = append(dst, '"', ':')
			ts := v
			switch {
			case v[0] == '"' || rawjson.IsNull(v):
			case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
				s, ok := epochToRFC3339(v)
				if !ok {
					return fmt.Errorf("field %s: %s is not a date-time", key, v)
				}
				ts = []byte(`"` + s + `"`)
			default:
				return fmt.Errorf("field %s: %s is not a date-time", key, clipBytes(v))
			}
			dst = append(dst, ts...)
			if key == p.cursor && ts[0] == '"' {
				if err := json.Unmarshal(ts, &cursor); err != nil {
					return fmt.Errorf("field %s: %w", key, err)
				}
			}
			return nil
		default:
			sep()
			dst = append(dst, '"')
			dst = append(dst, k...)
			dst = append(dst, '"', ':')
			dst = append(dst, v...)
			return nil
		}
	})
	if err != nil {
		return dst, "", err
	}
	return append(dst, '}'), cursor, nil
}

func appendKey(dst []byte, k string) []byte {
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"', ':')
}

// appendQuoted writes compact JSON text as a JSON string. Compact JSON has no
// raw control characters, so only quotes and backslashes need escaping.
func appendQuoted(dst, v []byte) []byte {
	dst = append(dst, '"')
	for _, c := range v {
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
