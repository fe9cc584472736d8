package rawjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObjectEach(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    [][2]string
		wantErr bool
	}{
		{"empty", `{}`, nil, false},
		{"spaces", ` { "a" : 1 , "b":"x" } `, [][2]string{{"a", "1"}, {"b", `"x"`}}, false},
		{"nested and escapes", `{"a":{"b":[1,{"c":"}]"}]},"q":"say \"hi\" \\","n":null}`,
			[][2]string{{"a", `{"b":[1,{"c":"}]"}]}`}, {"q", `"say \"hi\" \\"`}, {"n", "null"}}, false},
		{"escaped key kept raw", `{"a\"b":true}`, [][2]string{{`a\"b`, "true"}}, false},
		{"not an object", `[1]`, nil, true},
		{"truncated", `{"a":{"b":1}`, nil, true},
		{"missing colon", `{"a" 1}`, nil, true},
		{"unterminated string", `{"a":"x}`, nil, true},
		{"trailing comma", `{"a":1,}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]string
			err := ObjectEach([]byte(tt.in), func(k, v []byte) error {
				got = append(got, [2]string{string(k), string(v)})
				return nil
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrSyntax) {
					t.Errorf("error %v is not ErrSyntax", err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestArrayEach(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{`[]`, nil, false},
		{`[1, "a", {"b":[2]}, [3], null, true, -1.5e3]`, []string{"1", `"a"`, `{"b":[2]}`, "[3]", "null", "true", "-1.5e3"}, false},
		{`[1,2`, nil, true},
		{`{"a":1}`, nil, true},
		{`[1 2]`, nil, true},
	}
	for _, tt := range tests {
		var got []string
		err := ArrayEach([]byte(tt.in), func(e []byte) error { got = append(got, string(e)); return nil })
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err = %v", tt.in, err)
		}
		if err == nil {
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: %s", tt.in, diff)
			}
		}
	}
}

// Whatever bytes arrive, the walkers return an error or values that are
// slices of valid JSON input; they never panic or read out of bounds.
func FuzzObjectEach(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"c"}]}`, `{"a":"\"}"}`, `{"items":[{"id":"1"}],"nextPage":null}`, `{"a":`, `[`, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		valid := json.Valid(b)
		err := ObjectEach(b, func(k, v []byte) error {
			if valid && !json.Valid(v) {
				t.Fatalf("value %q of valid input %q is not valid JSON", v, b)
			}
			if rawValid := json.Valid(v); rawValid && v[0] == '[' {
				_ = ArrayEach(v, func([]byte) error { return nil })
			}
			return nil
		})
		if valid && len(b) > 0 && err != nil {
			var probe any
			if json.Unmarshal(b, &probe) == nil {
				if _, isObj := probe.(map[string]any); isObj {
					t.Fatalf("valid object %q rejected: %v", b, err)
				}
			}
		}
	})
}

func TestObjectEachArray(t *testing.T) {
	tests := []struct {
		in      string
		items   []string
		others  [][2]string
		found   bool
		wantErr bool
	}{
		{`{"items":[{"id":"a"},[1],"s"],"nextPage":"x"}`, []string{`{"id":"a"}`, "[1]", `"s"`}, [][2]string{{"nextPage", `"x"`}}, true, false},
		{`{"total":3 , "items" : [ ] }`, nil, [][2]string{{"total", "3"}}, true, false},
		{`{"items":null}`, nil, [][2]string{{"items", "null"}}, false, false},
		{`{"other":[1]}`, nil, [][2]string{{"other", "[1]"}}, false, false},
		{`{"items":[1,2}`, nil, nil, true, true},
		{`{"items":[1] "x":1}`, nil, nil, true, true},
	}
	for _, tt := range tests {
		var items []string
		var others [][2]string
		found, err := ObjectEachArray([]byte(tt.in), "items",
			func(e []byte) error { items = append(items, string(e)); return nil },
			func(k, v []byte) error { others = append(others, [2]string{string(k), string(v)}); return nil })
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err = %v", tt.in, err)
		}
		if err != nil {
			continue
		}
		if found != tt.found {
			t.Errorf("%s: found = %v", tt.in, found)
		}
		if diff := cmp.Diff(tt.items, items); diff != "" {
			t.Errorf("%s: items: %s", tt.in, diff)
		}
		if diff := cmp.Diff(tt.others, others); diff != "" {
			t.Errorf("%s: other members: %s", tt.in, diff)
		}
	}
}

// On valid JSON, ObjectEachArray sees exactly what ObjectEach and then
// ArrayEach see; on anything else it must only not panic.
func FuzzObjectEachArray(f *testing.F) {
	for _, s := range []string{`{"items":[{"id":"1"},2],"nextPage":null}`, `{"items":[]}`, `{"items":"x"}`, `{"a":{"items":[1]}}`, `{"items":[1,`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []string
		wantErr := ObjectEach(b, func(k, v []byte) error {
			if string(k) == "items" && v[0] == '[' {
				return ArrayEach(v, func(e []byte) error { want = append(want, "item "+string(e)); return nil })
			}
			want = append(want, string(k)+" "+string(v))
			return nil
		})
		var got []string
		_, err := ObjectEachArray(b, "items",
			func(e []byte) error { got = append(got, "item "+string(e)); return nil },
			func(k, v []byte) error { got = append(got, string(k)+" "+string(v)); return nil })
		if !json.Valid(b) {
			return
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: ObjectEachArray error %v, ObjectEach and ArrayEach %v", b, err, wantErr)
		}
		if err == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%q: %s", b, diff)
			}
		}
	})
}

// stringEnd's word-at-a-time and vectorised search agree with a plain
// byte-by-byte scan on any input, escapes and truncation included.
func FuzzStringEnd(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"\\"`, `"\\\"x"`, `"` + strings.Repeat(`ab\\c\"d`, 20) + `"`, `"unterminated\`, `"12345678\"12345678"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		b = append([]byte{'"'}, b...)
		want := -1
		for j := 1; j < len(b); j++ {
			if b[j] == '\\' {
				j++
			} else if b[j] == '"' {
				want = j + 1
				break
			}
		}
		got, err := stringEnd(b, 0)
		if err != nil {
			got = -1
		}
		if got != want {
			t.Fatalf("stringEnd(%q) = %d, want %d", b, got, want)
		}
	})
}
