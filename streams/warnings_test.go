package streams_test

import (
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// TestSkippedPeriodWarningByMode: without long-term search each limited
// stream warns about the period it skipped. Only an incremental sync keeps
// state, so only its warning may promise that a later sync reads the period.
func TestSkippedPeriodWarningByMode(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	tests := []struct {
		name          string
		limited       []string
		incremental   bool
		want, notWant []string
	}{
		{"incremental", recentOnly, true, []string{"was skipped", "kept in the state as pending_backfill", "the next sync then reads it"}, []string{"keeps no state"}},
		{"full refresh", recentOnly, false, []string{"was skipped", "A full refresh keeps no state", "Set long_term_search to true"}, []string{"next sync", "pending_backfill"}},
		// No long-term search reaches further back for these: the warning
		// offers none.
		{"capped incremental", capped, true, []string{"was skipped", "No sync can read it", "keeps it as pending_backfill"}, []string{"long_term_search"}},
		{"capped full refresh", capped, false, []string{"was skipped", "No sync can read it"}, []string{"long_term_search", "pending_backfill"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limited := tt.limited
			o := f.mustRead(map[string]any{"long_term_search": false}, tt.incremental, nil, limited...)
			for _, name := range limited {
				var got []string
				for _, l := range o.Logs {
					if l.Level == airbyte.LogWarn && strings.Contains(l.Message, "stream "+name+":") {
						got = append(got, l.Message)
					}
				}
				if len(got) != 1 {
					t.Fatalf("%s: %d warnings %q, want 1", name, len(got), got)
				}
				for _, w := range tt.want {
					if !strings.Contains(got[0], w) {
						t.Errorf("%s: warning lacks %q: %s", name, w, got[0])
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(got[0], w) {
						t.Errorf("%s: warning has %q: %s", name, w, got[0])
					}
				}
			}
		})
	}
}
