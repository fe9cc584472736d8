package connector_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// shape is a read's output without records, states and statuses: one
// "LOG LEVEL: message" or "ERROR failure_type [stream]: message" per line.
func shape(o *synctest.Output) []string {
	var out []string
	for _, m := range o.Messages {
		switch {
		case m.Type == airbyte.TypeLog:
			out = append(out, fmt.Sprintf("LOG %s: %s", m.Log.Level, m.Log.Message))
		case m.Type == airbyte.TypeTrace && m.Trace.Error != nil:
			e := m.Trace.Error
			stream := ""
			if e.StreamDescriptor != nil {
				stream = " " + e.StreamDescriptor.Name
			}
			out = append(out, fmt.Sprintf("ERROR %s%s: %s", e.FailureType, stream, e.Message))
		}
	}
	return out
}

// matchShape compares got with want, a regexp per line, and shows the
// difference line by line.
func matchShape(t *testing.T, want, got []string) {
	t.Helper()
	shown := make([]string, len(got))
	copy(shown, got)
	for i := range min(len(want), len(got)) {
		if regexp.MustCompile("^(?:" + want[i] + ")$").MatchString(got[i]) {
			shown[i] = want[i]
		}
	}
	if diff := cmp.Diff(want, shown); diff != "" {
		t.Errorf("output shape (-want patterns +got lines):\n%s", diff)
	}
}

// Every TRACE error's internal_message is absent or says something its
// message does not.
func noRepeatedInternal(t *testing.T, o *synctest.Output) {
	t.Helper()
	for _, e := range o.Errors {
		if e.InternalMessage != "" && strings.Contains(e.Message, e.InternalMessage) {
			t.Errorf("internal_message repeats the message: %q", e.InternalMessage)
		}
	}
}

// A token Botmaker refuses ends the sync once: the first stream refused
// stops the others, one sync-level TRACE error says what to do, and the
// streams say nothing more (no warning about what long-term search
// skipped, no billed-traffic line of a stream that never got a page).
// A token that works keeps its warnings; a lone 403 fails its stream only
// (plangated_test.go); 403s on two endpoints before any success stop the
// sync as a 401 does.
func TestRefusedTokenEndsTheSyncOnce(t *testing.T) {
	names := func() string {
		var n []string
		for _, s := range streams.All() {
			n = append(n, s.Name)
		}
		return strings.Join(n, ", ")
	}()
	nStreams := len(streams.All())
	header := []string{
		`LOG INFO: source-botmaker \S+, command read`,
		fmt.Sprintf(`LOG INFO: reading %d Botmaker streams, up to 9 at a time`, nStreams),
	}
	tokenRefused := `ERROR config_error: Botmaker rejected the access token \(HTTP 401 on /[a-z/-]+: UNAUTHORIZED: Not authorized \(access-token\)\)\. Check access_token: .* The sync stopped at this first refusal; every stream resumes from its last saved state once the credentials work\.`
	tests := []struct {
		name    string
		token   string // "" is the fake's own
		auth    fakebotmaker.Auth
		quirks  fakebotmaker.Quirks
		catalog []string // nil: every stream
		want    []string // patterns, one per line of shape
		// optional are lines that may or may not appear, depending on how
		// far the streams got: they are left out before the comparison.
		optional []string
		exit     int
		records  bool // some records arrive before the refusal
	}{
		{name: "wrong token", token: "not-the-token-0123456789",
			want: append(header,
				`LOG INFO: read finished in \S+; requests per endpoint: .*`,
				`LOG ERROR: streams that did not complete: `+names,
				tokenRefused),
			exit: 1},
		// A 401 after the token worked may be Botmaker's passing refusal
		// (issue 21): it is waited out, once for all streams, and then
		// ends the sync once, as a transient_error.
		{name: "token expires mid-sync, no refresh credentials", auth: fakebotmaker.Auth{ExpireAfter: 15},
			want: append(header,
				`LOG WARN: Botmaker answered HTTP 401 on /[a-z/-]+ although the access token worked earlier in this sync; .* requests are retried for up to 5m0s\. .*`,
				`LOG INFO: read finished in \S+; requests per endpoint: .*`,
				`LOG ERROR: streams that did not complete: .*`,
				`ERROR transient_error: Botmaker kept answering HTTP 401 on /[a-z/-]+ for 5m0s \(9 attempts\) although the access token had worked earlier in this sync, .* check access_token\. The sync stopped at this first refusal; every stream resumes from its last saved state once the credentials work\.`),
			// What the streams read while the token worked said and cost.
			optional: []string{
				`LOG (INFO|WARN): stream \S+: .*`,
				`LOG INFO: billed traffic of stream \S+: requests [1-9].*`,
			},
			exit: 1, records: true},
		{name: "403 on two endpoints before any success", catalog: []string{"calls", "agents"},
			quirks: fakebotmaker.Quirks{Forbidden: map[string]bool{"calls": true, "agents": true}},
			want: append(header[:1],
				`LOG INFO: reading 2 Botmaker streams, up to 9 at a time`,
				`LOG INFO: read finished in \S+; requests per endpoint: .*`,
				`LOG ERROR: streams that did not complete: agents, calls`,
				`ERROR config_error: Botmaker rejected the access token \(HTTP 403 on /(calls|agents): .* The sync stopped at this first refusal; .*`),
			exit: 1},
		{name: "token works: the streams' warnings stay", catalog: []string{"chats", "agents"},
			want: append(header[:1],
				`LOG INFO: reading 2 Botmaker streams, up to 9 at a time`,
				`LOG WARN: stream chats: without long-term search Botmaker serves only the last 7 days, .*`,
				`LOG INFO: read finished in \S+; requests per endpoint: /agents \d+, /chats \d+`),
			exit: 0, records: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Seed: 22, Counts: small, HistoryDays: 60, Auth: tt.auth, Quirks: tt.quirks})
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			// Without long-term search, as in the issue: streams that
			// start warn about the period it skips.
			extra := map[string]any{"long_term_search": false}
			if tt.token != "" {
				extra["access_token"] = tt.token
			}
			cfg := synctest.File(t, dir, "config.json", synctest.Config(srv, srv.Now().AddDate(0, 0, -30), extra))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, tt.catalog...))
			o := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
			if o.Code != tt.exit {
				t.Errorf("exit %d, want %d", o.Code, tt.exit)
			}
			var got []string
			for _, l := range shape(o) {
				if !slices.ContainsFunc(tt.optional, func(p string) bool { return regexp.MustCompile("^(?:" + p + ")$").MatchString(l) }) {
					got = append(got, l)
				}
			}
			matchShape(t, tt.want, got)
			noRepeatedInternal(t, o)
			if n := len(o.Errors); tt.exit == 1 && n != 1 {
				t.Errorf("%d TRACE errors, want 1", n)
			}
			synced := 0
			for _, r := range o.Records {
				synced += len(r)
			}
			if (synced > 0) != tt.records {
				t.Errorf("%d records synced", synced)
			}
			for name, st := range o.Statuses {
				last := st[len(st)-1]
				if last != airbyte.StatusComplete && last != airbyte.StatusIncomplete {
					t.Errorf("stream %s ended %s", name, last)
				}
			}
		})
	}
}
