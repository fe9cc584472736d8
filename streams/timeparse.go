package streams

import (
	"fmt"
	"time"
)

// ParseTime reads an RFC 3339 date-time, with or without fractional
// seconds, including the forms RFC 3339 allows and Go's time.Parse refuses:
// a lowercase "t" or "z" (section 5.6's NOTE) and a leap second (":60",
// section 5.7). Go cannot represent a leap second, so 23:59:60 reads as
// the instant after 23:59:59, which keeps records in order for the
// bookmark. Every other string is an error.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, ok := parseLenient(s); ok {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date-time (for example 2025-01-01T00:00:00Z)", clip([]byte(s)))
}

// parseLenient handles the two RFC 3339 variants time.Parse refuses. The
// shortest date-time is "2006-01-02T15:04:05Z" (20 bytes).
func parseLenient(s string) (time.Time, bool) {
	if len(s) < 20 || len(s) > 64 {
		return time.Time{}, false
	}
	b := []byte(s)
	if b[10] == 't' {
		b[10] = 'T'
	}
	if b[len(b)-1] == 'z' {
		b[len(b)-1] = 'Z'
	}
	leap := b[17] == '6' && b[18] == '0'
	if leap {
		b[18] = '9'
		b[17] = '5'
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	if leap {
		// Only the last second of a minute may be a leap second; what
		// follows :59.x is the next minute's first instant.
		t = t.Truncate(time.Second).Add(time.Second)
		if t.UTC().Year() > 9999 { // RFC 3339 has four-digit years
			return time.Time{}, false
		}
	}
	return t, true
}
