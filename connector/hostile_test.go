package connector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// hostileCalls is one /calls page with every value the issue found
// blocking a stream; no item of it may fail the sync.
const hostileCalls = `{"items":[
 {"id":"K1","creationDatetime":"2025-06-01T00:00:00Z"},
 null,
 "not an object",
 {"id":"K2","creationDatetime":"2025-06-02T00:00:00Z","endDatetime":-1,"startDatetime":true},
 {"id":"K3","creationDatetime":"2025-06-10t00:00:00z"},
 {"id":"K4","creationDatetime":"2025-06-20T10:00:00"},
 {"id":"K5","creationDatetime":"2025-06-05T23:59:60Z","chat":"C1","recording":{"url":"a` + "\xff\xfe" + `b","id":"c` + "\xc3(" + `"}},
 {"id":"K6","creationDatetime":"2025-06-06T00:00:00Z","chat":{"chatId":"C6"},"chat_id":"TOP"}
],"nextPage":null}`

// One bad value never blocks a stream: bad values are nulled and listed in
// meta.changes, an unreadable cursor is written without moving the
// bookmark, non-object items are skipped, bytes that are not UTF-8 become
// U+FFFD, a flattened key never appears twice, and each kind is one WARN
// with a count.
func TestHostileValuesNeverBlockAStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(hostileCalls))
	}))
	defer srv.Close()
	dir := t.TempDir()
	now := time.Date(2025, 6, 25, 0, 0, 0, 0, time.UTC)
	rt := synctest.Runtime()
	rt.Now = func() time.Time { return now }
	cfg := synctest.File(t, dir, "config.json", map[string]any{
		"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": srv.URL + "/v2.0",
	})
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, "calls"))
	o := run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", cat)
	if o.Code != 0 || len(o.Errors) > 0 {
		t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
	}
	if !utf8.Valid(o.Stdout) {
		t.Error("stdout is not UTF-8")
	}
	var got []string
	for _, r := range o.Records["calls"] {
		got = append(got, string(r))
	}
	want := []string{
		`{"id":"K1","creationDatetime":"2025-06-01T00:00:00Z"}`,
		`{"id":"K2","creationDatetime":"2025-06-02T00:00:00Z","endDatetime":null,"startDatetime":null}`,
		`{"id":"K3","creationDatetime":"2025-06-10t00:00:00z"}`,
		`{"id":"K4","creationDatetime":"2025-06-20T10:00:00"}`,
		`{"id":"K5","creationDatetime":"2025-06-05T23:59:60Z","chat_id":null,"channel_id":null,"contact_id":null,"recording":{"url":"a` + "\uFFFD" + `b","id":"c` + "\uFFFD" + `("}}`,
		`{"id":"K6","creationDatetime":"2025-06-06T00:00:00Z","chat_id":"C6"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	var changes map[string][]airbyte.Change
	for _, m := range o.Messages {
		if m.Type == airbyte.TypeRecord && m.Record.Meta != nil {
			var id struct{ ID string }
			_ = json.Unmarshal(m.Record.Data, &id)
			if changes == nil {
				changes = map[string][]airbyte.Change{}
			}
			changes[id.ID] = m.Record.Meta.Changes
		}
	}
	nulled := func(fs ...string) []airbyte.Change {
		var out []airbyte.Change
		for _, f := range fs {
			out = append(out, airbyte.Change{Field: f, Change: "NULLED", Reason: "SOURCE_SERIALIZATION_ERROR"})
		}
		return out
	}
	if diff := cmp.Diff(map[string][]airbyte.Change{"K2": nulled("endDatetime", "startDatetime"), "K5": nulled("chat_id", "channel_id", "contact_id")}, changes); diff != "" {
		t.Errorf("meta.changes (-want +got):\n%s", diff)
	}
	// K4's cursor cannot be read, so the bookmark is K3's (lowercase but
	// RFC 3339), not K4's.
	states := o.States["calls"]
	if len(states) == 0 {
		t.Fatal("no STATE")
	}
	if got := string(states[len(states)-1].Stream.StreamState); !strings.Contains(got, `"creationDatetime":"2025-06-10T00:00:00Z"`) {
		t.Errorf("final state %s, want the bookmark at K3", got)
	}
	warns := o.LogLines(airbyte.LogWarn)
	for _, w := range []string{
		"stream calls: 2 records had a value that could not be converted",
		"stream calls: 1 record had a creationDatetime that is not a date-time; they were written but do not move the bookmark; first: id \"K4\"",
		"stream calls: skipped 2 items of Botmaker's listing that were not objects (first: null)",
		"stream calls: 1 record held bytes that are not UTF-8",
	} {
		n := 0
		for _, g := range warns {
			if strings.Contains(g, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings with %q, want 1; warnings: %q", n, w, warns)
		}
	}
}

// An item over streams.MaxItem is skipped with one WARN instead of being
// copied into a record; the items around it are written.
func TestOversizedItemIsSkipped(t *testing.T) {
	big := `{"id":"A1","name":"` + strings.Repeat("a", streams.MaxItem) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[` + big + `,{"id":"A2"}],"nextPage":null}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", map[string]any{
		"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": srv.URL + "/v2.0",
	})
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false, "agents"))
	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code != 0 {
		t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
	}
	if diff := cmp.Diff([]string{"A2"}, o.IDs("agents", "id")); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	n := len(o.LogLines(airbyte.LogWarn, "stream agents: skipped 1 item larger than 16 MiB"))
	if n != 1 {
		t.Errorf("%d warnings about the large item, want 1: %+v", n, o.Logs)
	}
}

// check accepts only the documented /channels envelope: any other JSON 200
// (a proxy's {"status":"ok"}, a bare list) fails it.
func TestCheckVerifiesTheEnvelope(t *testing.T) {
	tests := []struct {
		name, body string
		status     airbyte.ConnectionStatusValue
	}{
		{"documented", `{"items":[{"id":"c1","platform":"webchat"}]}`, airbyte.StatusSucceeded},
		{"status ok", `{"status":"ok"}`, airbyte.StatusFailed},
		{"bare list", `[{"id":"c1"}]`, airbyte.StatusFailed},
		{"items not a list", `{"items":{"id":"c1"}}`, airbyte.StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := synctest.File(t, t.TempDir(), "config.json", map[string]any{
				"access_token": secret, "start_date": "2025-06-01T00:00:00Z", "base_url": srv.URL + "/v2.0",
			})
			o := run(t, context.Background(), synctest.Runtime(), "check", "--config", cfg)
			var got []airbyte.ConnectionStatus
			for _, m := range o.Messages {
				if m.Type == airbyte.TypeConnectionStatus {
					got = append(got, *m.ConnectionStatus)
				}
			}
			if len(got) != 1 || got[0].Status != tt.status {
				t.Fatalf("statuses %+v, want one %s", got, tt.status)
			}
			if tt.status == airbyte.StatusFailed && !strings.Contains(got[0].Message, "not Botmaker's documented response") {
				t.Errorf("message %q", got[0].Message)
			}
		})
	}
}
