package streams_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// rfrCounts give every resumable stream several pages or windows.
var rfrCounts = fakebotmaker.Counts{"contacts": 1000, "agents": 400, "campaigns": 1000, "intents": 800, "roles": 200}

// requestsTo counts the fake's logged requests to an endpoint.
func requestsTo(srv *fakebotmaker.Server, endpoint string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Endpoint == endpoint {
			n++
		}
	}
	return n
}

// lastState is the stream's last STATE as the state file of the next
// attempt; nil when it wrote none.
func lastState(t *testing.T, o *synctest.Output, name string) []byte {
	t.Helper()
	sts := o.States[name]
	if len(sts) == 0 {
		return nil
	}
	b, err := json.Marshal([]airbyte.State{sts[len(sts)-1]})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rfrAttempts runs a full refresh of name the way Airbyte retries a failed
// attempt: the first attempt fails part way (Botmaker down after half the
// requests a clean read takes, past the retries), then between (when set)
// runs, then the next attempt starts from the last STATE the first wrote.
// It checks that the two attempts together hold every record and returns
// them.
func rfrAttempts(t *testing.T, f *fixture, name string, between func()) (first, second *synctest.Output) {
	t.Helper()
	f.srv.ResetRequests()
	clean := f.mustRead(nil, false, nil, name)
	want := f.truth(name)
	if diff := sameSet(ids(clean, name), want); diff != "" {
		t.Fatalf("clean full refresh: %s", diff)
	}
	reqs := requestsTo(f.srv, name)
	if reqs < 2 {
		t.Fatalf("a clean read takes %d request; the test needs more", reqs)
	}
	f.srv.Outage(name, reqs/2)
	first = f.read(nil, false, nil, name)
	f.srv.Outage(name, -1)
	if first.Code == 0 || len(first.Errors) == 0 {
		t.Fatalf("the first attempt did not fail: exit %d", first.Code)
	}
	if between != nil {
		between()
	}
	second = f.mustRead(nil, false, lastState(t, first, name), name)
	if l := lost(want, ids(first, name), ids(second, name)); len(l) > 0 {
		t.Fatalf("%d of %d records lost across the attempts, e.g. %v", len(l), len(want), l[:min(5, len(l))])
	}
	return first, second
}

// readTwice counts the records of b that a already wrote.
func readTwice(a, b []string) int {
	seen := set(a)
	n := 0
	for _, id := range b {
		if seen[id] {
			n++
		}
	}
	return n
}

// Every resumable stream (discover's is_resumable) resumes a full refresh
// that failed part way from the last STATE the failed attempt wrote: the
// two attempts together hold every record, and the second reads fewer than
// a whole full refresh whenever the first got as far as a STATE. The last
// STATE of the second makes the next job's full refresh start from the
// beginning again.
func TestResumableFullRefresh(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: rfrCounts})
	for _, s := range streams.All() {
		if s.Catalog().IsResumable != s.Resumable() {
			t.Errorf("%s: discover's is_resumable %v, Resumable %v", s.Name, s.Catalog().IsResumable, s.Resumable())
		}
		if !s.Resumable() {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			first, second := rfrAttempts(t, f, s.Name, nil)
			a, b := ids(first, s.Name), ids(second, s.Name)
			all := len(f.truth(s.Name))
			t.Logf("%s: %d records; first attempt read %d, the resumed one %d; %d read twice", s.Name, all, len(a), len(b), readTwice(a, b))
			if s.Window == streams.NoWindow && readTwice(a, b) > 0 {
				t.Errorf("a paged catalogue stream read %d records twice; its STATE names the page after the last one written", readTwice(a, b))
			}
			if len(first.States[s.Name]) > 0 && len(b) >= all {
				t.Errorf("the resumed attempt read %d records, a whole full refresh (%d): it did not resume", len(b), all)
			}
			// A new job given the last STATE of this one reads everything.
			next := f.mustRead(nil, false, lastState(t, second, s.Name), s.Name)
			if diff := sameSet(ids(next, s.Name), f.truth(s.Name)); diff != "" {
				t.Errorf("the next job's full refresh, given the last STATE: %s", diff)
			}
		})
	}
}

// When Botmaker refuses the page token the failed attempt saved, the next
// attempt WARNs and reads contacts again from the first page, losing none.
func TestResumedPageTokenRefused(t *testing.T) {
	for _, name := range []string{"contacts", "intents"} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Counts: rfrCounts})
			first, second := rfrAttempts(t, f, name, f.srv.ExpirePageTokens)
			a, b := ids(first, name), ids(second, name)
			t.Logf("%s: first attempt read %d, the restarted one %d; %d read twice", name, len(a), len(b), readTwice(a, b))
			if diff := sameSet(b, f.truth(name)); diff != "" {
				t.Errorf("the restarted attempt: %s", diff)
			}
			warns := second.LogLines(airbyte.LogWarn)
			if !slices.ContainsFunc(warns, func(w string) bool {
				return strings.Contains(w, "refused the page") && strings.Contains(w, name) && synctest.SaysWhatToDo(w)
			}) {
				t.Errorf("no WARN says the page was refused and what to do: %q", warns)
			}
		})
	}
}

// States of earlier releases and of incremental syncs, and the last STATE
// of a full refresh, start a full refresh from the beginning; a state that
// is not one a full refresh wrote is refused, naming the field.
func TestFullRefreshIgnoresOtherStates(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: rfrCounts})
	for _, tc := range []struct {
		stream, state string
		bad           bool
	}{
		{"contacts", `{"__ab_no_cursor_state_message": true}`, false},
		{"contacts", `{"__ab_full_refresh_sync_complete": true}`, false},
		{"contacts", `{}`, false},
		{"contacts", `{"next_page": 7}`, true},
		{"messages", `{"creationTime": "2099-01-01T00:00:00Z"}`, false},
		{"messages", `{"creationTime": "2099-01-01T00:00:00Z", "full_refresh_in_progress": false}`, false},
		{"messages", `{"creationTime": "soon", "full_refresh_in_progress": true}`, true},
	} {
		t.Run(tc.stream+" "+tc.state, func(t *testing.T) {
			o := f.read(nil, false, stateFile(streamState(tc.stream, tc.state)), tc.stream)
			if tc.bad {
				if o.Code == 0 || len(o.Errors) != 1 || o.Errors[0].FailureType != airbyte.ConfigError {
					t.Fatalf("exit %d errors %+v: want one config_error", o.Code, o.Errors)
				}
				return
			}
			if o.Code != 0 || len(o.Errors) > 0 {
				t.Fatalf("exit %d errors %+v", o.Code, o.Errors)
			}
			if diff := sameSet(ids(o, tc.stream), f.truth(tc.stream)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// Where Botmaker hands out contacts' nextPage as the whole next URL (as
// reported of it), the state keeps that URL and the next attempt resumes
// from it.
func TestContactsResumeFromNextURL(t *testing.T) {
	f := newFixture(t, fakebotmaker.Config{Counts: rfrCounts, Quirks: fakebotmaker.Quirks{Reported: fakebotmaker.Reported{ContactsNextURL: true}}})
	first, second := rfrAttempts(t, f, "contacts", nil)
	st := string(first.States["contacts"][len(first.States["contacts"])-1].Stream.StreamState)
	if !strings.Contains(strings.ToLower(st), `"next_page":"http`) {
		t.Errorf("last STATE %s: want the nextPage URL", st)
	}
	if n := readTwice(ids(first, "contacts"), ids(second, "contacts")); n > 0 {
		t.Errorf("%d contacts read twice", n)
	}
}
