package botmaker

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// maxExp is the latest expiry believed; a later "exp" (year 10000 and on)
// is not a date anyone issued, and time.Unix would format it oddly.
const maxExp = 253402300799 // 9999-12-31T23:59:59Z

// TokenExpiry reads the "exp" claim of a JWT access token. The signature is
// not checked: the connector cannot verify it (Botmaker signs with its own
// key) and only wants to know when Botmaker will stop accepting the token.
// A token that is not a JWT, or has no usable exp, has no known expiry.
func TokenExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[1] == "" {
		return time.Time{}, false
	}
	// JWTs use unpadded base64url; some encoders pad anyway.
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	// A float64, not an integer: NumericDate may carry a fraction of a
	// second (RFC 7519 §2), and a quoted number is not a NumericDate.
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	exp := *claims.Exp
	if exp <= 0 || exp > maxExp {
		return time.Time{}, false
	}
	sec, frac := math.Modf(exp)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
