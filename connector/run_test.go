package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

var small = fakebotmaker.Counts{"chats": 300, "messages": 2600, "sessions": 700, "calls": 260, "contacts": 230, "agents": 120, "channels": 5, "intents": 410, "tickets": 620}

func newFake(t *testing.T) *fakebotmaker.Server {
	t.Helper()
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 7, Counts: small, HistoryDays: 60})
	t.Cleanup(srv.Close)
	return srv
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"check"}, {"read", "--config", "c.json"}, {"spec", "extra"}, {"discover", "--bogus"}} {
		var out, errb bytes.Buffer
		code := synctest.Runtime().Run(context.Background(), args, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "usage: source-botmaker") {
			t.Errorf("%v: code %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
}

// TestHelpAndVersion: help and the version are asked for, so they go to
// stdout with exit 0; a command's help lists only the flags it takes.
func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"--help"}, []string{"usage: source-botmaker", "spec ", "check ", "discover ", "read ", "--catalog", "--version"}, nil},
		{[]string{"-h"}, []string{"usage: source-botmaker", "read "}, nil},
		{[]string{"help"}, []string{"usage: source-botmaker", "discover "}, nil},
		{[]string{"help", "read"}, []string{"source-botmaker read --config", "--catalog", "--state", "--debug"}, []string{"commands:"}},
		{[]string{"spec", "--help"}, []string{"source-botmaker spec", "--debug"}, []string{"--config", "--catalog", "--state"}},
		{[]string{"check", "-h"}, []string{"source-botmaker check --config", "--debug"}, []string{"--catalog", "--state"}},
		{[]string{"read", "--help"}, []string{"--config", "--catalog", "--state"}, nil},
		{[]string{"--version"}, []string{"source-botmaker " + connector.Version, airbyte.Version}, nil},
		{[]string{"version"}, []string{"source-botmaker " + connector.Version}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := synctest.Runtime().Run(context.Background(), tt.args, &out, &errb)
			if code != 0 || errb.Len() > 0 {
				t.Fatalf("code %d, stderr %q", code, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("stdout has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestVersionLoggedOnce: every command's output says which build made it,
// once, before anything else.
func TestVersionLoggedOnce(t *testing.T) {
	o := synctest.Run(t, context.Background(), synctest.Runtime(), "spec")
	banners := len(o.LogLines("", "source-botmaker "+connector.Version))
	if banners != 1 || o.Messages[0].Type != airbyte.TypeLog {
		t.Errorf("version banners %d, first message %s; want 1, LOG", banners, o.Messages[0].Type)
	}
}

func TestSpecCommand(t *testing.T) {
	o := synctest.Run(t, context.Background(), synctest.Runtime(), "spec")
	if m := o.Protocol(); o.Code != 0 || len(m) != 1 || m[0].Type != airbyte.TypeSpec {
		t.Fatalf("code %d messages %+v", o.Code, o.Messages)
	}
}

func TestCheck(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	start := time.Now().AddDate(0, 0, -30)
	tests := []struct {
		name   string
		config any
		status airbyte.ConnectionStatusValue
		hint   string
	}{
		{"valid", synctest.Config(srv, start, nil), airbyte.StatusSucceeded, ""},
		{"rejected token", synctest.Config(srv, start, map[string]any{"access_token": "not-the-right-token"}), airbyte.StatusFailed, "Botmaker rejected the access token"},
		{"malformed config", `{"access_token":`, airbyte.StatusFailed, "not a JSON object"},
		{"missing start_date", map[string]any{"access_token": "x", "base_url": srv.URL()}, airbyte.StatusFailed, "start_date is missing"},
		{"wrong base path", synctest.Config(srv, start, map[string]any{"base_url": strings.TrimSuffix(srv.URL(), "/v2.0") + "/v9"}), airbyte.StatusFailed, "Check base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := synctest.File(t, dir, "config.json", tt.config)
			o := synctest.Run(t, context.Background(), synctest.Runtime(), "check", "--config", cfg)
			if o.Code != 0 || len(o.Messages) == 0 {
				t.Fatalf("code %d, %d messages", o.Code, len(o.Messages))
			}
			var statuses []airbyte.ConnectionStatus
			for _, m := range o.Messages {
				if m.Type == airbyte.TypeConnectionStatus {
					statuses = append(statuses, *m.ConnectionStatus)
				}
			}
			if len(statuses) != 1 || statuses[0].Status != tt.status || !strings.Contains(statuses[0].Message, tt.hint) {
				t.Fatalf("statuses %+v, want one %s containing %q", statuses, tt.status, tt.hint)
			}
			if strings.Contains(string(o.Stdout), "not-the-right-token") || strings.Contains(string(o.Stdout), fakebotmaker.DefaultToken) {
				t.Error("token in output")
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	srv := newFake(t)
	cfg := synctest.File(t, t.TempDir(), "config.json", synctest.Config(srv, time.Now().AddDate(0, -1, 0), nil))
	o := synctest.Run(t, context.Background(), synctest.Runtime(), "discover", "--config", cfg)
	if o.Code != 0 || len(o.Protocol()) != 1 || o.Protocol()[0].Catalog == nil {
		t.Fatalf("code %d messages %d", o.Code, len(o.Messages))
	}
	var names []string
	for _, s := range o.Protocol()[0].Catalog.Streams {
		names = append(names, s.Name)
		if !json.Valid(s.JSONSchema) {
			t.Errorf("%s: schema is not JSON", s.Name)
		}
	}
	var want []string
	for _, s := range streams.All() {
		want = append(want, s.Name)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Error(diff)
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("discover made %d API requests; it needs none", len(srv.Requests()))
	}
}

// A full read of every stream: every record the fake holds arrives once,
// every stream goes STARTED, RUNNING, COMPLETE, and ends with a STATE.
func TestReadAllStreams(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	start := srv.Now().AddDate(0, 0, -61)
	cfg := synctest.File(t, dir, "config.json", synctest.Config(srv, start, nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
	o := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code != 0 || len(o.Errors) > 0 {
		t.Fatalf("code %d errors %+v", o.Code, o.Errors)
	}
	for _, s := range streams.All() {
		t.Run(s.Name, func(t *testing.T) {
			pk := s.PrimaryKey
			got := o.IDs(s.Name, pk...)
			want := srv.IDs(s.Name, start, srv.Now())
			if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
				t.Errorf("records by %s (-want +got):\n%s", pk, diff)
			}
			if diff := cmp.Diff([]airbyte.Status{airbyte.StatusStarted, airbyte.StatusRunning, airbyte.StatusComplete}, o.Statuses[s.Name]); diff != "" {
				t.Error(diff)
			}
			st := o.States[s.Name]
			if len(st) == 0 {
				t.Fatal("no STATE")
			}
			var total float64
			for _, m := range st {
				if m.Type != airbyte.StateStream || m.SourceStats == nil {
					t.Fatalf("state %+v", m)
				}
				total += float64(m.SourceStats.RecordCount)
			}
			if int(total) != len(got) {
				t.Errorf("recordCount sums to %v, records %d", total, len(got))
			}
		})
	}
	if strings.Contains(string(o.Stdout), fakebotmaker.DefaultToken) {
		t.Error("token in output")
	}
}

// The bad inputs of a read end before any request with one config_error
// TRACE naming the problem, and a non-zero exit.
func TestReadBadInput(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	good := synctest.File(t, dir, "config.json", synctest.Config(srv, time.Now().AddDate(0, 0, -3), nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, "messages"))
	tests := []struct {
		name            string
		config, catalog string
		state           any
		hint            string
	}{
		{"missing config file", dir + "/nope.json", cat, nil, "cannot read the config file"},
		{"config not JSON", synctest.File(t, dir, "bad.json", "{"), cat, nil, "not a JSON object"},
		{"catalog not JSON", good, synctest.File(t, dir, "badcat.json", "[{"), nil, "not a ConfiguredAirbyteCatalog"},
		{"CAT's invalid catalog", good, synctest.File(t, dir, "cat2.json", `{"streams":[{"stream":{"name":"__AIRBYTE__stream_that_does_not_exist","json_schema":{"type":"object","properties":{"f1":{"type":"string"}}},"supported_sync_modes":["full_refresh"]},"sync_mode":"INVALID","destination_sync_mode":"INVALID"}]}`), nil, "not a Botmaker stream"},
		{"state not JSON", good, cat, "[{", "Invalid state"},
		{"state cursor not a timestamp", good, cat, `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"messages"},"stream_state":{"creationTime":"yesterday"}}}]`, `stream "messages"`},
		{"state cursor wrong type", good, cat, `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"messages"},"stream_state":{"creationTime":12}}}]`, "must be an RFC 3339 timestamp string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			args := []string{"read", "--config", tt.config, "--catalog", tt.catalog}
			if tt.state != nil {
				args = append(args, "--state", synctest.File(t, dir, "state.json", tt.state))
			}
			o := synctest.Run(t, context.Background(), synctest.Runtime(), args...)
			if o.Code == 0 {
				t.Fatal("exit 0")
			}
			if len(o.Errors) != 1 || o.Errors[0].FailureType != airbyte.ConfigError || !strings.Contains(o.Errors[0].Message, tt.hint) {
				t.Fatalf("errors %+v, want one config_error containing %q", o.Errors, tt.hint)
			}
			if len(o.Records["messages"]) != 0 {
				t.Error("records were read")
			}
		})
	}
}

// One failing stream does not stop the others; the failure is reported on
// that stream, the exit code is non-zero.
func TestReadOneStreamFails(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	// Without long-term search and a start far back, nothing fails; a state
	// that is malformed for one stream fails just that stream.
	cfg := synctest.File(t, dir, "config.json", synctest.Config(srv, time.Now().AddDate(0, 0, -5), nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, "calls", "channels"))
	state := synctest.File(t, dir, "state.json", `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"calls"},"stream_state":["x"]}},{"type":"STREAM","stream":{"stream_descriptor":{"name":"ghost"},"stream_state":{}}}]`)
	o := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat, "--state", state)
	if o.Code == 0 {
		t.Fatal("exit 0")
	}
	if diff := cmp.Diff([]airbyte.Status{airbyte.StatusStarted, airbyte.StatusIncomplete}, o.Statuses["calls"]); diff != "" {
		t.Error(diff)
	}
	if got := o.Statuses["channels"]; len(got) == 0 || got[len(got)-1] != airbyte.StatusComplete {
		t.Errorf("channels statuses %v", got)
	}
	if len(o.Errors) != 1 || o.Errors[0].StreamDescriptor == nil || o.Errors[0].StreamDescriptor.Name != "calls" || o.Errors[0].FailureType != airbyte.ConfigError {
		t.Errorf("errors %+v", o.Errors)
	}
	warned := len(o.LogLines(airbyte.LogWarn, `"ghost"`)) > 0
	if !warned {
		t.Error("no WARN for the state of an unknown stream")
	}
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
