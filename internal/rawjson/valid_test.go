package rawjson

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []string{
		``, ` `, `{}`, `[]`, ` {"a" : [1, -2.5e+3, 0, true, false, null, "x"]} `, `{"a":}`, `{"a" 1}`, `{,}`, `[1,]`, `[,1]`,
		`{"a":1,}`, `{"a":1 "b":2}`, `[1 2]`, `{"a":1}}`, `{"a":1}x`, `[`, `]`, `{`, `"`, `"abc`, `"abc"`, `"a\"b"`,
		`"\u00e9\ud83c\udf89"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\\"`, "\"tab\there\"", "\"nl\nhere\"", "\"del\x7f ok\"",
		"\"bad utf8 \xff ok for encoding/json\"", `01`, `-`, `-0`, `-01`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1x`, `tru`, `true`,
		`nul`, `null `, `falsey`, `"12345678\"12345678"`, `"1234567\\"`, `"1234567\\\"`, `{"long":"` + strings.Repeat("ñandú 🎉 ", 50) + `"}`,
		deep(10000), deep(10001), `{"a":` + deep(9999) + `}`, `{"a":` + deep(10000) + `}`, "\t\r\n[1]\n",
	}
	for _, in := range tests {
		if got, want := Valid([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("Valid(%.60q) = %v, encoding/json says %v", in, got, want)
		}
	}
}

// Valid and encoding/json.Valid agree on every input.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"c\n\u00e9"}]}`, `"12345678\"x"`, `[1e5,-0.5,true,null]`, `{"a":`, `"\u12"`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
