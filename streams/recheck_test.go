package streams

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The re-check windows: one a second long around each tracked record not
// yet decided before the end, those closer than mergeGap merged, then the
// closest ones down to the most allowed, none longer than MaxWindow.
func TestRecheckWindows(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		name    string
		tracked []time.Duration
		checked []int // indexes already decided by this sync
		end     time.Duration
		most    int // 0: no bound
		want    []period
	}{
		{"none", nil, nil, time.Hour, 0, nil},
		{"apart", []time.Duration{0, time.Hour}, nil, 2 * time.Hour, 0,
			[]period{{at(0), at(time.Second)}, {at(time.Hour), at(time.Hour + time.Second)}}},
		{"close ones merged", []time.Duration{19 * time.Minute, 0, 9 * time.Minute, 40 * time.Minute}, nil, 2 * time.Hour, 0,
			[]period{{at(0), at(19*time.Minute + time.Second)}, {at(40 * time.Minute), at(40*time.Minute + time.Second)}}},
		{"same second", []time.Duration{0, 0}, nil, time.Hour, 0, []period{{at(0), at(time.Second)}}},
		{"at or after end left to the main range", []time.Duration{0, time.Hour}, nil, time.Hour, 0, []period{{at(0), at(time.Second)}}},
		{"decided ones skipped", []time.Duration{0, time.Hour}, []int{0}, 2 * time.Hour, 0, []period{{at(time.Hour), at(time.Hour + time.Second)}}},
		{"the closest merged down to most", []time.Duration{0, time.Hour, 3 * time.Hour, 4 * time.Hour}, nil, 5 * time.Hour, 2,
			[]period{{at(0), at(time.Hour + time.Second)}, {at(3 * time.Hour), at(4*time.Hour + time.Second)}}},
		{"no window past MaxWindow", func() []time.Duration {
			var out []time.Duration
			for d := time.Duration(0); d <= MaxWindow+time.Hour; d += 5 * time.Minute {
				out = append(out, d)
			}
			return out
		}(), nil, MaxWindow + 2*time.Hour, 1,
			[]period{{at(0), at(MaxWindow - 5*time.Minute + time.Second)}, {at(MaxWindow), at(MaxWindow + time.Hour + time.Second)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &openTracker{open: map[string]*openEntry{}, checked: map[string]bool{}}
			for i, d := range tc.tracked {
				id := string(rune('a'+i%26)) + at(d).Format(time.RFC3339)
				tr.open[id] = &openEntry{id: id, t: at(d)}
				for _, c := range tc.checked {
					if c == i {
						tr.checked[id] = true
					}
				}
			}
			most := tc.most
			if most == 0 {
				most = 1000
			}
			got := tr.recheck(at(tc.end), most)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(period{})); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
