package cat

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// The helpers here port the tree walks CAT does with dpath and its own
// utils (json_schema_helper.py, common.py) over decoded JSON:
// map[string]any, []any, json.Number, string, bool, nil.

// node is one value found by walk, with its path of keys (list indexes as
// decimal strings, as dpath spells them).
type node struct {
	path []string
	val  any
}

// walk lists every value under v, parents before children, map keys in
// sorted order so error messages are stable.
func walk(v any) []node {
	var out []node
	var rec func(v any, path []string)
	rec = func(v any, path []string) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := append(append([]string(nil), path...), k)
				out = append(out, node{p, t[k]})
				rec(t[k], p)
			}
		case []any:
			for i, x := range t {
				p := append(append([]string(nil), path...), strconv.Itoa(i))
				out = append(out, node{p, x})
				rec(x, p)
			}
		}
	}
	rec(v, nil)
	return out
}

// glob matches a dpath glob ("**" any number of segments, "*" one segment)
// against a path.
func glob(pattern, path []string) bool {
	if len(pattern) == 0 {
		return len(path) == 0
	}
	if pattern[0] == "**" {
		for i := 0; i <= len(path); i++ {
			if glob(pattern[1:], path[i:]) {
				return true
			}
		}
		return false
	}
	if len(path) == 0 {
		return false
	}
	if pattern[0] != "*" && pattern[0] != path[0] {
		return false
	}
	return glob(pattern[1:], path[1:])
}

// search is dpath.util.search(obj, pattern, yielded=True).
func search(v any, pattern string) []node {
	pat := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	var out []node
	for _, n := range walk(v) {
		if glob(pat, n.path) {
			out = append(out, n)
		}
	}
	return out
}

// get follows a path of keys; ok is false when a key is missing.
func get(v any, path []string) (any, bool) {
	for _, k := range path {
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[k]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func pathString(p []string) string { return "/" + strings.Join(p, "/") }

// findAllValues is find_all_values_for_key_in_schema.
func findAllValues(v any, key string) []any {
	var out []any
	for _, n := range walk(v) {
		if n.path[len(n.path)-1] == key {
			if _, inMap := parentIsMap(v, n.path); inMap {
				out = append(out, n.val)
			}
		}
	}
	return out
}

func parentIsMap(root any, path []string) (any, bool) {
	p, ok := get(root, path[:len(path)-1])
	if !ok {
		return nil, false
	}
	_, isMap := p.(map[string]any)
	return p, isMap
}

// findKeyword is find_keyword_schema: the key anywhere except as a property
// name directly inside "properties" of a node whose type is "object".
func findKeyword(v any, key string) bool {
	var rec func(v any, skip bool) bool
	rec = func(v any, skip bool) bool {
		switch t := v.(type) {
		case []any:
			for _, x := range t {
				if rec(x, false) {
					return true
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == key && !skip {
					return true
				}
				recSkip := k == "properties" && t["type"] == "object"
				if rec(t[k], recSkip) {
					return true
				}
			}
		}
		return false
	}
	return rec(v, false)
}

// expectedSchemaStructure is get_expected_schema_structure: the leaf paths a
// record of the schema is expected to have ("/a/b", arrays as "/[]").
// annotateOneOf adds "(n)" after a path for the n-th oneOf/anyOf branch.
func expectedSchemaStructure(schema map[string]any, annotateOneOf bool) []string {
	var paths []string
	var scan func(s map[string]any, path string)
	scan = func(s map[string]any, path string) {
		variants, _ := s["oneOf"].([]any)
		if len(variants) == 0 {
			variants, _ = s["anyOf"].([]any)
		}
		_, hasOneOf := s["oneOf"]
		_, hasAnyOf := s["anyOf"]
		if hasOneOf || hasAnyOf {
			for i, x := range variants {
				sub := map[string]any{"type": "object"}
				for k, v := range asMap(x) {
					sub[k] = v
				}
				p := path
				if annotateOneOf {
					p = fmt.Sprintf("%s(%d)", path, i)
				}
				scan(sub, p)
			}
			return
		}
		types := typeSet(s["type"], []string{"object", "null"})
		switch {
		case types["object"]:
			props := asMap(s["properties"])
			if len(props) == 0 {
				if path != "" {
					paths = append(paths, path)
				}
				return
			}
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				scan(asMap(props[k]), path+"/"+k)
			}
		case types["array"]:
			items := asMap(s["items"])
			if items == nil {
				items = map[string]any{}
			}
			scan(items, path+"/[]")
		default:
			paths = append(paths, path)
		}
	}
	scan(schema, "")
	return paths
}

// typeSet reads a "type" keyword (string or list); def when absent.
func typeSet(v any, def []string) map[string]bool {
	out := map[string]bool{}
	switch t := v.(type) {
	case string:
		out[t] = true
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				out[s] = true
			}
		}
	case nil:
		for _, s := range def {
			out[s] = true
		}
	}
	return out
}

// objectStructure is get_object_structure: every key path of a record,
// arrays represented by their first element.
func objectStructure(v any) []string {
	var paths []string
	var rec func(v any, path string)
	rec = func(v any, path string) {
		if path != "" {
			paths = append(paths, path)
		}
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				rec(x, path+"/"+k)
			}
		case []any:
			if len(t) > 0 {
				rec(t[0], path+"/[]")
			}
		}
	}
	rec(v, "")
	return paths
}

// jsonEqual compares decoded JSON the way Python compares dicts: numbers by
// value (1 == 1.0), everything else structurally.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		return numCmp(x, y) == 0
	default:
		return a == b
	}
}

func numCmp(a, b json.Number) int {
	x, _, err1 := big.ParseFloat(string(a), 10, 256, big.ToNearestEven)
	y, _, err2 := big.ParseFloat(string(b), 10, 256, big.ToNearestEven)
	if err1 != nil || err2 != nil {
		return strings.Compare(string(a), string(b))
	}
	return x.Cmp(y)
}

// canonical is a hashable form of a JSON value (Python's make_hashable):
// sorted keys, numbers normalised by value.
func canonical(v any) string {
	var b strings.Builder
	var rec func(v any)
	rec = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				q, _ := json.Marshal(k)
				b.Write(q)
				b.WriteByte(':')
				rec(t[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, x := range t {
				if i > 0 {
					b.WriteByte(',')
				}
				rec(x)
			}
			b.WriteByte(']')
		case json.Number:
			f, _, err := big.ParseFloat(string(t), 10, 256, big.ToNearestEven)
			if err != nil {
				b.WriteString(string(t))
				return
			}
			b.WriteString(f.Text('g', -1))
		default:
			q, _ := json.Marshal(t)
			b.Write(q)
		}
	}
	rec(v)
	return b.String()
}

// toTree turns any Go value into decoded JSON (via a JSON round trip).
func toTree(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := decodeJSON(b, &out); err != nil {
		return nil
	}
	return out
}
