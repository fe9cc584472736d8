package streams_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
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
				got := o.LogLines(airbyte.LogWarn, "stream "+name+":")
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

// TestPendingWarnsOnce: without long-term search, the sync that cuts a
// period from a limited stream WARNs about it; the next sync, which finds
// the period already pending in its input state and cuts nothing new, says
// so at INFO. Every message prints each date range once and ends with what
// the user can do.
func TestPendingWarnsOnce(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{})
	limited := append(append([]string{}, recentOnly...), capped...)
	noLTS := map[string]any{"long_term_search": false}
	first := f.mustRead(noLTS, true, nil, limited...)
	second := f.mustRead(noLTS, true, first.FinalState(), limited...)
	for _, l := range second.Logs {
		if l.Level == airbyte.LogWarn {
			t.Errorf("the second sync, with nothing new cut, WARNs: %s", l.Message)
		}
		if testing.Verbose() {
			t.Logf("second sync: %s %s", l.Level, l.Message)
		}
	}
	stamp := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	for _, sync := range []struct {
		name string
		o    *synctest.Output
		want airbyte.LogLevel
	}{{"first", first, airbyte.LogWarn}, {"second", second, airbyte.LogInfo}} {
		for _, name := range limited {
			var got []airbyte.Log
			for _, l := range sync.o.Logs {
				if strings.Contains(l.Message, "stream "+name+":") && strings.Contains(l.Message, pendingWord) {
					got = append(got, l)
				}
			}
			if len(got) != 1 {
				t.Errorf("%s sync, %s: %d messages about the pending period, want 1: %+v", sync.name, name, len(got), got)
				continue
			}
			if got[0].Level != sync.want {
				t.Errorf("%s sync, %s: %s, want %s: %s", sync.name, name, got[0].Level, sync.want, got[0].Message)
			}
			seen := map[string]int{}
			for _, s := range stamp.FindAllString(got[0].Message, -1) {
				if seen[s]++; seen[s] == 2 {
					t.Errorf("%s sync, %s: %s printed twice: %s", sync.name, name, s, got[0].Message)
				}
			}
			if !synctest.SaysWhatToDo(got[0].Message) {
				t.Errorf("%s sync, %s: the message does not end with what to do: %s", sync.name, name, got[0].Message)
			}
		}
	}
}

// pendingWord is in every message about a pending period.
const pendingWord = "pending_backfill"

// TestDocumentedOrderIsNoSurprise: a stream documented newest first
// (notifications) is read without an INFO about its order, on a first
// sync and on the next; the order INFO stays for a stream whose order
// Botmaker does not document, when the order check fails.
func TestDocumentedOrderIsNoSurprise(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"notifications": 3000}})
	var newestFirst []string
	for _, s := range streams.All() {
		if s.NewestFirst {
			newestFirst = append(newestFirst, s.Name)
		}
	}
	if len(newestFirst) == 0 {
		t.Fatal("no stream is declared NewestFirst")
	}
	o := f.mustRead(nil, true, nil, newestFirst...)
	o2 := f.mustRead(nil, true, o.FinalState(), newestFirst...)
	for _, out := range []*synctest.Output{o, o2} {
		for _, l := range out.Logs {
			if strings.Contains(l.Message, "older than the one before it") {
				t.Errorf("%s: %s", l.Level, l.Message)
			}
		}
	}
	if len(o.Records["notifications"]) < 2 {
		t.Fatalf("%d notifications: too few to have an order", len(o.Records["notifications"]))
	}
}
