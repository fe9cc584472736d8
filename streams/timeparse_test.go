package streams

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseTimeForms(t *testing.T) {
	utc := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return tt.UTC()
	}
	tests := []struct {
		in   string
		want time.Time // zero: an error
	}{
		{"2025-01-01T00:00:00Z", utc("2025-01-01T00:00:00Z")},
		{"2025-01-01T00:00:00.123456789+02:00", utc("2024-12-31T22:00:00.123456789Z")},
		{"2025-01-01t10:00:00Z", utc("2025-01-01T10:00:00Z")},
		{"2025-01-01T10:00:00z", utc("2025-01-01T10:00:00Z")},
		{"2025-01-01t10:00:00.5z", utc("2025-01-01T10:00:00.5Z")},
		{"2016-12-31T23:59:60Z", utc("2017-01-01T00:00:00Z")},
		{"2016-12-31T23:59:60.999Z", utc("2017-01-01T00:00:00Z")},
		{"2016-12-31t18:59:60-05:00", utc("2017-01-01T00:00:00Z")},
		{"2025-01-01T10:00:00", time.Time{}},  // no offset
		{"2025-01-01 10:00:00Z", time.Time{}}, // space
		{"2025-01-01T10:00:61Z", time.Time{}}, // not a leap second
		{"2025-01-01T10:60:00Z", time.Time{}}, // minute 60
		{"2025-13-01T10:00:00Z", time.Time{}}, // month 13
		{"", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if tt.want.IsZero() {
				if err == nil {
					t.Fatalf("ParseTime(%q) = %s, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}
