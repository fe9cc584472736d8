package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const secret = "tok-Secret/7f3a+9c1e=5b2d"

func reversed(s string) string { return string(reverse([]byte(s))) }

func TestRedactsEverySpelling(t *testing.T) {
	var s Set
	s.Add(secret, "rt-Refresh-0123456789", "", "abc")
	tests := []struct{ name, in, want string }{
		{"exact", "x " + secret + " y", "x " + Mask + " y"},
		{"16-character prefix", `{"error":"bad token ` + secret[:16] + `"}`, `{"error":"bad token ` + Mask + `"}`},
		{"8-character prefix", "t=" + secret[:8] + ".", "t=" + Mask + "."},
		{"7 characters are not a leak", "t=" + secret[:7] + ".", "t=" + secret[:7] + "."},
		{"percent-encoded", "token=" + url.QueryEscape(secret) + "&a=1", "token=" + Mask + "&a=1"},
		{"path-escaped", "/x/" + url.PathEscape(secret) + "/y", "/x/" + Mask + "/y"},
		{"every byte percent-encoded, lower hex", "q=" + strings.ToLower("%74%6F%6B%2D%53%65%63%72%65%74"), "q=" + Mask},
		{"upper-cased", "TOKEN " + strings.ToUpper(secret), "TOKEN " + Mask},
		{"lower-cased in a host", "http://" + strings.ToLower(secret[:12]) + ".example/", "http://" + Mask + ".example/"},
		{"upper-cased and reversed", "x" + strings.ToUpper(reversed(secret)) + "x", "x" + Mask + "x"},
		{"base64", "Basic " + base64.StdEncoding.EncodeToString([]byte(secret)), "Basic " + Mask + "ZA=="},
		{"base64 inside user:token", "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+secret)), ""},
		{"base64url at offset 1", base64.URLEncoding.EncodeToString([]byte("u" + secret)), ""},
		{"JSON-escaped", `"` + strings.ReplaceAll(secret, "+", `\u002b`) + `"`, ""},
		{"second secret", "refresh RT-REFRESH-0123456789 done", "refresh " + Mask + " done"},
		{"ordinary text", "Botmaker answered 500 for /chats", "Botmaker answered 500 for /chats"},
		{"non-ASCII keeps offsets", "İİİ " + strings.ToUpper(secret) + " ü", "İİİ " + Mask + " ü"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.String(tt.in)
			if tt.want != "" {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if leaked(got) {
				t.Errorf("%q leaks the secret", got)
			}
		})
	}
}

// leaked looks for the secret's first MinPrefix characters in any case, and
// for the middle of its base64 forms.
func leaked(s string) bool {
	if strings.Contains(strings.ToLower(s), strings.ToLower(secret[:MinPrefix])) {
		return true
	}
	for _, p := range []string{"user:", "u", ""} {
		b := base64.StdEncoding.EncodeToString([]byte(p + secret))
		if strings.Contains(s, b[len(b)/2-6:len(b)/2+6]) {
			return true
		}
	}
	return false
}

// FuzzRedact: whatever surrounds a secret, in whichever spelling, the
// result holds none of its first MinPrefix characters in any case, and text
// without a secret comes back unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("tok-Secret-7f3a9c1e", "before ", " after", uint8(0))
	f.Add("abcdefgh", "", "", uint8(3))
	f.Add("p@ss word/+=", "x=", "&y", uint8(2))
	f.Fuzz(func(t *testing.T, sec, before, after string, form uint8) {
		if len(sec) < MinPrefix || strings.Contains(sec, "*") {
			return
		}
		var s Set
		s.Add(sec)
		low := func(x string) string { return string(asciiLower([]byte(x))) }
		up := func(x string) string { // ASCII only: strings.ToUpper rewrites invalid UTF-8
			b := []byte(x)
			for i, c := range b {
				if 'a' <= c && c <= 'z' {
					b[i] = c - 'a' + 'A'
				}
			}
			return string(b)
		}
		forms := []string{sec, up(sec), low(sec), url.QueryEscape(sec), reversed(sec), sec[:MinPrefix]}
		in := before + forms[int(form)%len(forms)] + after
		got := s.String(in)
		head := low(sec[:MinPrefix])
		if strings.Contains(low(got), head) && !strings.Contains(low(before+after), head) {
			t.Fatalf("String(%q) = %q still holds %q", in, got, sec[:MinPrefix])
		}
		if int(form)%len(forms) == 4 && strings.Contains(low(got), low(reversed(sec)[:MinPrefix])) {
			t.Fatalf("String(%q) = %q still holds the reversed secret", in, got)
		}
		var none Set
		if none.String(in) != in {
			t.Fatal("an empty set changed the text")
		}
	})
}
