package botmaker

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// jwt builds an unsigned-looking JWT around payload; the signature part is
// noise, since TokenExpiry never checks it.
func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS512","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestTokenExpiry(t *testing.T) {
	type result struct {
		Exp time.Time
		OK  bool
	}
	at := func(s string) result {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return result{v, true}
	}
	tests := []struct {
		name, token string
		want        result
	}{
		{"botmaker claims", jwt(`{"businessId":"acme","name":"api","api":true,"id":"x1","exp":1924992000,"jti":"j"}`), at("2031-01-01T00:00:00Z")},
		{"fractional exp", jwt(`{"exp":1924992000.5}`), at("2031-01-01T00:00:00.5Z")},
		{"exponent form", jwt(`{"exp":1.924992e9}`), at("2031-01-01T00:00:00Z")},
		{"padded payload", strings.Replace(jwt(`{"exp":1924992000}`), ".c2ln", "==.c2ln", 1), at("2031-01-01T00:00:00Z")},
		{"expired long ago", jwt(`{"exp":1}`), at("1970-01-01T00:00:01Z")},
		{"not a jwt", "fake-botmaker-token-0123456789abcdef", result{}},
		{"two parts", "a.b", result{}},
		{"four parts", jwt(`{"exp":1}`) + ".x", result{}},
		{"payload not base64url", "a.!!!.c", result{}},
		{"payload not json", "a." + base64.RawURLEncoding.EncodeToString([]byte("exp=1")) + ".c", result{}},
		{"no exp", jwt(`{"sub":"x"}`), result{}},
		{"exp a string", jwt(`{"exp":"1924992000"}`), result{}},
		{"exp null", jwt(`{"exp":null}`), result{}},
		{"exp zero", jwt(`{"exp":0}`), result{}},
		{"exp negative", jwt(`{"exp":-5}`), result{}},
		{"exp past year 9999", jwt(`{"exp":1e300}`), result{}},
		{"empty", "", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, ok := TokenExpiry(tt.token)
			if diff := cmp.Diff(tt.want, result{exp, ok}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzTokenExpiry reads any token: never a panic, and an expiry only when
// it is a real date between 1970 and 9999. Tokens built around a fuzzed
// exp number read back as that number.
func FuzzTokenExpiry(f *testing.F) {
	f.Add("a.eyJleHAiOjE5MjQ5OTIwMDB9.c", int64(1924992000))
	f.Add("not-a-jwt", int64(0))
	f.Add("..", int64(-1))
	f.Add("a.e30=.c", int64(maxExp))
	f.Fuzz(func(t *testing.T, token string, exp int64) {
		if got, ok := TokenExpiry(token); ok {
			if got.Unix() <= 0 && got.Nanosecond() == 0 || got.Unix() > maxExp {
				t.Fatalf("%q reads as %s", token, got)
			}
		}
		got, ok := TokenExpiry(jwt(`{"exp":` + strconv.FormatInt(exp, 10) + `}`))
		want := exp > 0 && exp <= maxExp
		if ok != want || ok && got.Unix() != exp {
			t.Fatalf("exp %d reads as %s, %v", exp, got, ok)
		}
	})
}
