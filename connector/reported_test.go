package connector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// What Botmaker's users report of the live API (issue 21), served by the
// fake on demand (Quirks.Reported): a sync through each completes, every
// record the fake holds arrives once, intact and valid against the
// discovered schema.
func TestReportedBotmaker(t *testing.T) {
	tests := []struct {
		name    string
		rep     fakebotmaker.Reported
		empty   map[string]bool
		streams []string
		check   func(t *testing.T, srv *fakebotmaker.Server, o *synctest.Output)
	}{
		{name: "401 for 20 seconds after the token worked", rep: fakebotmaker.Reported{UnauthorizedAfter: 5, UnauthorizedFor: 20 * time.Second},
			streams: []string{"messages", "calls", "contacts"},
			check: func(t *testing.T, srv *fakebotmaker.Server, o *synctest.Output) {
				if n := srv.Stats().Statuses[401]; n == 0 {
					t.Error("the fake answered no 401")
				}
				if len(o.LogLines(airbyte.LogWarn, "although the access token worked earlier in this sync")) == 0 {
					t.Error("no WARN about the 401 waited out")
				}
			}},
		{name: "204 for an empty result", rep: fakebotmaker.Reported{EmptyAs: "204"}, empty: map[string]bool{"typifications": true, "roles": true},
			streams: []string{"messages", "calls", "typifications", "roles", "agent_metrics"},
			check: func(t *testing.T, srv *fakebotmaker.Server, _ *synctest.Output) {
				if n := srv.Stats().Statuses[204]; n == 0 {
					t.Error("the fake answered no 204")
				}
			}},
		{name: "200 without a body for an empty result", rep: fakebotmaker.Reported{EmptyAs: "empty"}, empty: map[string]bool{"typifications": true, "roles": true},
			streams: []string{"messages", "calls", "typifications", "roles"}},
		{name: "fractional seconds mixed in", rep: fakebotmaker.Reported{FractionalTimes: true},
			streams: []string{"messages", "calls", "sessions", "chats"},
			check: func(t *testing.T, _ *fakebotmaker.Server, o *synctest.Output) {
				if !strings.Contains(string(o.Stdout), `.250Z"`) || !strings.Contains(string(o.Stdout), `:00Z"`) {
					t.Error("records do not mix fractional and whole seconds")
				}
			}},
		{name: "contacts nextPage as a URL", rep: fakebotmaker.Reported{ContactsNextURL: true}, streams: []string{"contacts"},
			check: func(t *testing.T, srv *fakebotmaker.Server, _ *synctest.Output) {
				if n := srv.Stats().Endpoints["contacts"]; n < 2 {
					t.Errorf("%d contacts requests, want more than one page", n)
				}
			}},
		{name: "agent metrics without an agent, numbers for strings", rep: fakebotmaker.Reported{AgentlessMetrics: true, NumericMetrics: true},
			streams: []string{"agent_metrics"},
			check: func(t *testing.T, _ *fakebotmaker.Server, o *synctest.Output) {
				agentless, numbers := 0, 0
				for _, r := range o.Records["agent_metrics"] {
					var m map[string]any
					_ = json.Unmarshal(r, &m)
					if m["agentId"] == "" {
						agentless++
					}
					if v, _ := m["avgResponseTime"].(string); strings.Contains(v, ".") {
						numbers++
					}
				}
				if agentless == 0 || numbers == 0 {
					t.Errorf("%d rows without an agent, %d numbers kept as text; want some of each", agentless, numbers)
				}
				for _, m := range o.Messages {
					if m.Type == airbyte.TypeRecord && m.Record.Meta != nil {
						t.Errorf("record with changes: %s", m.Record.Meta.Changes)
					}
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60,
				Quirks: fakebotmaker.Quirks{Reported: tt.rep, Empty: tt.empty, PageSize: map[string]int{"agent_metrics": 50}}})
			defer srv.Close()
			start := srv.Now().AddDate(0, 0, -91)
			rt := synctest.Runtime()
			rt.Now = srv.Now
			rt.Settings.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
			dir := t.TempDir()
			cfg := synctest.File(t, dir, "config.json", config(srv, "", start, nil))
			catalog := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, tt.streams...))
			o := run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", catalog)
			if o.Code != 0 || len(o.Errors) > 0 {
				t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
			}
			for _, name := range tt.streams {
				s, _ := streams.Lookup(name)
				got := o.IDs(name, s.PrimaryKey...)
				want := srv.IDs(name, start, time.Time{})
				sort.Strings(got)
				sort.Strings(want)
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s: records' keys (-fake +read):\n%s", name, diff)
				}
				validAgainstSchema(t, s, o.Records[name])
			}
			if tt.check != nil {
				tt.check(t, srv, o)
			}
		})
	}
}

// A 401 that outlasts the wait fails the stream as a transient_error that
// says what happened; the other streams finish.
func TestUnauthorizedOutlastingTheWait(t *testing.T) {
	srv, o := readThroughHourOf401(t, "calls")
	if o.Code == 0 || len(o.Errors) != 1 {
		t.Fatalf("exit %d, errors %+v; want one", o.Code, o.Errors)
	}
	if e := o.Errors[0]; e.FailureType != airbyte.TransientError || !strings.Contains(e.Message, "kept answering HTTP 401 on /calls for 5m0s") {
		t.Errorf("error %+v, want the transient_error of a 401 waited out", e)
	}
	if n := srv.Stats().Statuses[http.StatusUnauthorized]; n != 9 {
		t.Errorf("%d 401s, want 9 (the first and 8 after waits)", n)
	}
}

// A 401 that outlasts the wait on every stream ends the sync once, as a
// bad token does before any success (the token gate), but as the
// transient_error of the wait.
func TestUnauthorizedOutlastingTheWaitEndsTheSyncOnce(t *testing.T) {
	_, o := readThroughHourOf401(t, "calls", "messages", "contacts", "agents")
	if o.Code == 0 || len(o.Errors) != 1 {
		t.Fatalf("exit %d, errors %+v; want one", o.Code, o.Errors)
	}
	if e := o.Errors[0]; e.FailureType != airbyte.TransientError || !strings.Contains(e.Message, "kept answering HTTP 401 on /") || !strings.Contains(e.Message, "The sync stopped") {
		t.Errorf("error %+v, want the transient_error of a 401 waited out, stopping the sync", e)
	}
	n := len(o.LogLines(airbyte.LogWarn, "although the access token worked earlier"))
	if n != 1 {
		t.Errorf("%d WARNs about the 401, want 1", n)
	}
}

// readThroughHourOf401 syncs streams from a fake that answers 401 for an
// hour after its third request, the client's waits moving its clock.
func readThroughHourOf401(t *testing.T, names ...string) (*fakebotmaker.Server, *synctest.Output) {
	srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60,
		Quirks: fakebotmaker.Quirks{Reported: fakebotmaker.Reported{UnauthorizedAfter: 3, UnauthorizedFor: time.Hour}}})
	t.Cleanup(srv.Close)
	rt := synctest.Runtime()
	rt.Now = srv.Now
	rt.Settings.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", config(srv, "", srv.Now().AddDate(0, 0, -91), nil))
	catalog := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, names...))
	return srv, run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", catalog)
}

// validAgainstSchema checks records against the stream's discovered schema
// as CAT does.
func validAgainstSchema(t *testing.T, s *streams.Stream, records []json.RawMessage) {
	t.Helper()
	var schema map[string]any
	if err := json.Unmarshal(s.Catalog().JSONSchema, &schema); err != nil {
		t.Fatal(err)
	}
	v, err := cat.NewRecordValidator(schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		var data map[string]any
		_ = json.Unmarshal(r, &data)
		if err := v.Validate(data); err != nil {
			t.Errorf("%s: %s: %v", s.Name, r, err)
			return
		}
	}
}
