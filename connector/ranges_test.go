package connector

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Each whole-number option is refused just outside the range its tag
// gives spec, with the same words, and accepted at both ends.
func TestOptionRanges(t *testing.T) {
	tests := []struct {
		key    string
		lo, hi int
		unit   string
		def    int
	}{
		{"lookback_window_hours", 1, 720, " hours", 24},
		{"max_concurrent_streams", 1, 16, "", 9},
		{"short_lookback_hours", 0, 720, " hours", 1},
		{"deep_lookback_every_hours", 1, 720, " hours", 24},
		{"billing_refresh_hours", 0, 720, " hours", 24},
	}
	var keys []string
	for _, r := range ranges {
		keys = append(keys, r.key)
	}
	var want []string
	for _, tt := range tests {
		want = append(want, tt.key)
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("options with a range (-want +got):\n%s", diff)
	}
	parse := func(key string, v int) error {
		_, _, err := ParseConfig(fmt.Appendf(nil, `{"access_token":"t","start_date":"2025-01-01T00:00:00Z",%q:%d}`, key, v), testNow)
		return err
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			for _, v := range []int{tt.lo, tt.hi} {
				if err := parse(tt.key, v); err != nil {
					t.Errorf("%d refused: %v", v, err)
				}
			}
			for _, v := range []int{tt.lo - 1, tt.hi + 1} {
				wantMsg := fmt.Sprintf("Invalid config: %s is %d; it must be between %d and %d%s (default %d)", tt.key, v, tt.lo, tt.hi, tt.unit, tt.def)
				if err := parse(tt.key, v); err == nil || err.Error() != wantMsg {
					t.Errorf("%d: got %v, want %s", v, err, wantMsg)
				}
			}
		})
	}
}
