package connector_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// refreshCreds are the fake's starting refresh credentials, as config keys.
var refreshCreds = map[string]any{
	"client_id": fakebotmaker.DefaultClientID, "secret_id": fakebotmaker.DefaultSecretID, "refresh_token": fakebotmaker.DefaultRefreshToken,
}

func withCreds(extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range refreshCreds {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// controls returns the configs of the CONTROL messages in o.
func controls(t *testing.T, o *synctest.Output) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range o.Messages {
		if m.Type != airbyte.TypeControl {
			continue
		}
		if m.Control == nil || m.Control.Type != "CONNECTOR_CONFIG" || m.Control.ConnectorConfig == nil || m.Control.EmittedAt == 0 {
			t.Fatalf("CONTROL message %+v", m.Control)
		}
		var cfg map[string]any
		if err := json.Unmarshal(m.Control.ConnectorConfig.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		out = append(out, cfg)
	}
	return out
}

// onlyInControl fails unless every stdout and stderr line that holds one
// of the secrets is a CONTROL message.
func onlyInControl(t *testing.T, o *synctest.Output, secrets ...string) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(o.Stdout))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, s := range secrets {
			if strings.Contains(line, s) && !strings.HasPrefix(line, `{"type":"CONTROL"`) {
				t.Errorf("a %.40s... line holds a renewed secret", line)
			}
		}
	}
	for _, s := range secrets {
		if bytes.Contains(o.Stderr, []byte(s)) {
			t.Error("stderr holds a renewed secret")
		}
	}
}

// authPosts counts the refresh requests the fake received.
func authPosts(srv *fakebotmaker.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && r.Path == "/v2.0/auth/credentials" {
			n++
		}
	}
	return n
}

// refreshWith sends a refresh request to the fake as another integration
// would, and returns the status.
func refreshWith(t *testing.T, srv *fakebotmaker.Server, access, refresh string) int {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"clientId": fakebotmaker.DefaultClientID, "secretId": fakebotmaker.DefaultSecretID, "refreshToken": refresh})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/auth/credentials", bytes.NewReader(b))
	req.Header.Set("access-token", access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// The token dies in the middle of a sync of every stream: the sync
// renews it once, hands the fake's new credentials to Airbyte in one
// CONTROL message, and loses nothing. The config from that message runs
// the next sync; the old refresh token is refused from then on.
func TestRefreshMidSync(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 21, Counts: small, HistoryDays: 60,
		Auth: fakebotmaker.Auth{ExpireAfter: 12}})
	defer srv.Close()
	dir := t.TempDir()
	start := srv.Now().AddDate(0, 0, -61)
	given := config(srv, "", start, withCreds(map[string]any{"_note": "kept as is"}))
	cfgPath := synctest.File(t, dir, "config.json", given)
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))

	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfgPath, "--catalog", cat)
	allComplete(t, o)
	if diff := cmp.Diff(wantIDs(srv, start), gotIDs(byKey(t, o))); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	for name, k := range byKey(t, o) {
		if k.dups > 0 {
			t.Errorf("%s: %d duplicates", name, k.dups)
		}
	}
	st := srv.Stats()
	t.Logf("%d requests, %d answered 401, %d refresh", st.Requests, st.Unauthorized, srv.Refreshes())
	if st.Unauthorized == 0 {
		t.Fatal("the token never died; the test proves nothing")
	}
	if n, p := srv.Refreshes(), authPosts(srv); n != 1 || p != 1 {
		t.Errorf("%d refreshes in %d requests, want 1 and 1", n, p)
	}
	now := srv.Credentials()
	ctl := controls(t, o)
	if len(ctl) != 1 {
		t.Fatalf("%d CONTROL messages, want 1", len(ctl))
	}
	want := map[string]any{}
	for k, v := range given {
		want[k] = v
	}
	want["access_token"], want["refresh_token"] = now.AccessToken, now.RefreshToken
	roundTrip, _ := json.Marshal(want)
	want = nil
	_ = json.Unmarshal(roundTrip, &want)
	if diff := cmp.Diff(want, ctl[0]); diff != "" {
		t.Errorf("CONTROL config (-want +got):\n%s", diff)
	}
	onlyInControl(t, o, now.AccessToken, now.RefreshToken)
	warned := len(o.LogLines(airbyte.LogWarn, "any other integration that shared them")) > 0
	if !warned {
		t.Error("no WARN that the old credentials stopped working for other integrations")
	}

	if code := refreshWith(t, srv, now.AccessToken, fakebotmaker.DefaultRefreshToken); code != http.StatusUnauthorized {
		t.Errorf("the old refresh token got %d, want 401", code)
	}

	// Airbyte saves the CONTROL config and runs the next sync with it.
	next := synctest.File(t, dir, "next.json", ctl[0])
	srv.ResetRequests()
	o2 := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", next, "--catalog", cat)
	allComplete(t, o2)
	if diff := cmp.Diff(wantIDs(srv, start), gotIDs(byKey(t, o2))); diff != "" {
		t.Errorf("second sync records (-want +got):\n%s", diff)
	}
	if n := len(controls(t, o2)); n != 0 || authPosts(srv) != 0 {
		t.Errorf("second sync: %d CONTROL messages, %d refresh requests", n, authPosts(srv))
	}
	onlyInControl(t, o2, now.AccessToken, now.RefreshToken)
}

// A refresh that fails ends the sync with a config_error that says to
// paste fresh credentials, after one refresh request, keeping what was
// synced: a sync with fresh credentials and the state resumes and, with
// the first, holds every record.
func TestRefreshFailsMidSync(t *testing.T) {
	tests := []struct {
		name  string
		fault fakebotmaker.AuthFault
		prep  func(t *testing.T, srv *fakebotmaker.Server) // before the sync
		hint  string
	}{
		{"refused", fakebotmaker.AuthRefuse, nil, "refused to renew"},
		{"malformed", fakebotmaker.AuthMalformed, nil, "did not hold both"},
		{"rate-limited", "", func(t *testing.T, srv *fakebotmaker.Server) {
			// Other integrations spent this minute's three refreshes.
			for i := 0; i < 3; i++ {
				if code := refreshWith(t, srv, "x", "y"); code != http.StatusUnauthorized {
					t.Fatalf("setup refresh %d: %d", i, code)
				}
			}
		}, "rate-limited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 22, Counts: small, HistoryDays: 60, RetryAfter: true,
				Auth: fakebotmaker.Auth{ExpireAfter: 12, Fault: tt.fault}})
			defer srv.Close()
			if tt.prep != nil {
				tt.prep(t, srv)
			}
			srv.ResetRequests()
			dir := t.TempDir()
			start := srv.Now().AddDate(0, 0, -61)
			cfg := synctest.File(t, dir, "config.json", config(srv, "", start, withCreds(nil)))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
			rt := synctest.Runtime()
			rt.Settings.MaxRetryAfter = time.Second // the fake asks for about 20 s
			o := run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", cat)
			// One error for the sync, not one per stream.
			if o.Code == 0 || len(o.Errors) != 1 {
				t.Fatalf("exit %d, %d errors: %+v", o.Code, len(o.Errors), o.Errors)
			}
			for _, e := range o.Errors {
				if e.FailureType != airbyte.ConfigError || !strings.Contains(e.Message, "Paste fresh credentials") || !strings.Contains(e.Message, tt.hint) {
					t.Errorf("error %s: %s", e.FailureType, e.Message)
				}
			}
			if p := authPosts(srv); p != 1 {
				t.Errorf("%d refresh requests, want 1", p)
			}
			if n := len(controls(t, o)); n != 0 {
				t.Errorf("%d CONTROL messages after a failed refresh", n)
			}
			first := byKey(t, o)
			synced := 0
			for _, k := range first {
				synced += len(k.data)
			}
			if synced == 0 {
				t.Fatal("nothing was synced before the token died; the test proves little")
			}
			now := srv.Credentials()
			onlyInControl(t, o, now.AccessToken, now.RefreshToken)

			// The user pastes fresh credentials; the next sync resumes.
			srv.ExpireToken(-1, time.Time{})
			fresh := synctest.File(t, dir, "fresh.json", config(srv, "", start, map[string]any{"access_token": now.AccessToken}))
			state := synctest.File(t, dir, "state.json", o.FinalState())
			o2 := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", fresh, "--catalog", cat, "--state", state)
			allComplete(t, o2)
			got := map[string][]string{}
			for name, k := range byKey(t, o2) {
				for key, rec := range first[name].data {
					k.data[key] = rec
				}
				got[name] = keys(k.data)
			}
			if diff := cmp.Diff(wantIDs(srv, start), got); diff != "" {
				t.Errorf("records of both syncs (-want +got):\n%s", diff)
			}
			after := 0
			for _, recs := range o2.Records {
				after += len(recs)
			}
			t.Logf("%d records before the failure, %d after", synced, after)
		})
	}
}

// check reads the token's expiry: an expired token fails unless it can be
// renewed, one expiring within 30 days passes with a WARN giving the date,
// and check never renews.
func TestCheckTokenExpiry(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name     string
		exp      time.Duration // from now; 0: not a JWT
		creds    bool
		status   airbyte.ConnectionStatusValue
		hint     string // in the status message or a WARN
		requests int    // to the fake
	}{
		{"expired", -time.Hour, false, airbyte.StatusFailed, "expired on", 0},
		{"expired, renewable", -time.Hour, true, airbyte.StatusSucceeded, "the next sync renews", 0},
		{"expires in 10 days", 10 * 24 * time.Hour, false, airbyte.StatusSucceeded, "expires on", 1},
		{"expires in 10 days, renewable", 10 * 24 * time.Hour, true, airbyte.StatusSucceeded, "within 7 days of that date", 1},
		{"expires in 3 days, renewable", 3 * 24 * time.Hour, true, airbyte.StatusSucceeded, "the next sync renews", 1},
		{"expires in a year", 365 * 24 * time.Hour, false, airbyte.StatusSucceeded, "", 1},
		{"not a JWT", 0, false, airbyte.StatusSucceeded, "", 1},
		{"not a JWT, renewable", 0, true, airbyte.StatusSucceeded, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := secret
			if tt.exp != 0 {
				tok = fakebotmaker.JWT(now.Add(tt.exp), "check")
			}
			srv := fakebotmaker.New(fakebotmaker.Config{Token: tok, Seed: 1, Counts: small})
			defer srv.Close()
			extra := map[string]any{"access_token": tok}
			if tt.creds {
				extra = withCreds(extra)
			}
			cfg := synctest.File(t, t.TempDir(), "config.json", config(srv, "", now.AddDate(0, 0, -10), extra))
			o := run(t, context.Background(), synctest.Runtime(), "check", "--config", cfg)
			var got []airbyte.ConnectionStatus
			for _, m := range o.Messages {
				if m.ConnectionStatus != nil {
					got = append(got, *m.ConnectionStatus)
				}
			}
			if o.Code != 0 || len(got) != 1 || got[0].Status != tt.status {
				t.Fatalf("exit %d, statuses %+v", o.Code, got)
			}
			text := got[0].Message
			warns := o.LogLines(airbyte.LogWarn)
			for _, w := range warns {
				text += "\n" + w
			}
			if tt.hint == "" && (len(warns) > 0 || text != "") {
				t.Errorf("unexpected message or WARN: %q", text)
			}
			if !strings.Contains(text, tt.hint) || tt.exp != 0 && tt.hint != "" && !strings.Contains(text, now.Add(tt.exp).Format("2006-01-02")) {
				t.Errorf("%q lacks %q or the date", text, tt.hint)
			}
			if n := len(srv.Requests()); n != tt.requests || srv.Refreshes() != 0 {
				t.Errorf("%d requests (want %d), %d refreshes (want 0)", n, tt.requests, srv.Refreshes())
			}
			if strings.Contains(string(o.Stdout), tok) {
				t.Error("the token is in the output")
			}
		})
	}
}

// read logs the expiry WARN once, renews at start within 7 days of expiry
// (the CONTROL message before any RECORD), and ends at once with a
// config_error on an expired token it cannot renew.
func TestReadTokenExpiry(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name     string
		exp      time.Duration
		creds    bool
		code     int
		warn     string // the one WARN about the token; "" for none
		refresh  bool
		requests bool // any request reached the fake
		fault    fakebotmaker.AuthFault
	}{
		{"expires in 10 days", 10 * 24 * time.Hour, false, 0, "expires on", false, true, ""},
		{"expires in 10 days, renewable", 10 * 24 * time.Hour, true, 0, "within 7 days of that date", false, true, ""},
		{"expires in 3 days, renewable", 3 * 24 * time.Hour, true, 0, "", true, true, ""},
		{"expired, renewable", -time.Hour, true, 0, "", true, true, ""},
		{"expired", -time.Hour, false, 1, "", false, false, ""},
		{"expired, renewal refused", -time.Hour, true, 1, "", false, true, fakebotmaker.AuthRefuse},
		{"not a JWT, renewable", 0, true, 0, "", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := secret
			if tt.exp != 0 {
				tok = fakebotmaker.JWT(now.Add(tt.exp), "read")
			}
			srv := fakebotmaker.New(fakebotmaker.Config{Token: tok, Seed: 1, Counts: small, HistoryDays: 60, Auth: fakebotmaker.Auth{Fault: tt.fault}})
			defer srv.Close()
			extra := map[string]any{"access_token": tok}
			if tt.creds {
				extra = withCreds(extra)
			}
			dir := t.TempDir()
			cfg := synctest.File(t, dir, "config.json", config(srv, "", now.AddDate(0, 0, -10), extra))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false, "agents", "channels"))
			o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
			if o.Code != tt.code {
				t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
			}
			warns := o.LogLines(airbyte.LogWarn, "The access token")
			if tt.warn == "" && len(warns) > 0 || tt.warn != "" && (len(warns) != 1 || !strings.Contains(warns[0], tt.warn) || !strings.Contains(warns[0], now.Add(tt.exp).Format("2006-01-02"))) {
				t.Errorf("token WARNs %q, want one with %q and the date", warns, tt.warn)
			}
			if tt.code != 0 {
				if len(o.Errors) != 1 || o.Errors[0].FailureType != airbyte.ConfigError || !strings.Contains(o.Errors[0].Message, "Configuration > Integrations > API > Credentials") {
					t.Errorf("errors %+v", o.Errors)
				}
			} else {
				allCompleteOf(t, o, "agents", "channels")
			}
			if got := srv.Refreshes() == 1; got != tt.refresh {
				t.Errorf("%d refreshes", srv.Refreshes())
			}
			if got := len(srv.Requests()) > 0; got != tt.requests {
				t.Errorf("%d requests", len(srv.Requests()))
			}
			ctl := controls(t, o)
			if tt.refresh {
				firstControl, firstRecord := -1, -1
				for i, m := range o.Messages {
					if m.Type == airbyte.TypeControl && firstControl < 0 {
						firstControl = i
					}
					if m.Type == airbyte.TypeRecord && firstRecord < 0 {
						firstRecord = i
					}
				}
				if len(ctl) != 1 || firstControl > firstRecord || ctl[0]["access_token"] != srv.Token() {
					t.Errorf("%d CONTROL messages, first at %d, first RECORD at %d", len(ctl), firstControl, firstRecord)
				}
				c := srv.Credentials()
				onlyInControl(t, o, c.AccessToken, c.RefreshToken)
			} else if len(ctl) != 0 {
				t.Errorf("%d CONTROL messages without a refresh", len(ctl))
			}
			if strings.Contains(string(o.Stdout), tok) {
				t.Error("the token is in the output")
			}
		})
	}
}

func allCompleteOf(t *testing.T, o *synctest.Output, names ...string) {
	t.Helper()
	if o.Code != 0 || len(o.Errors) > 0 {
		t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
	}
	for _, n := range names {
		if _, ok := streams.Lookup(n); !ok {
			t.Fatalf("no stream %s", n)
		}
		if st := o.Statuses[n]; len(st) == 0 || st[len(st)-1] != airbyte.StatusComplete {
			t.Errorf("%s statuses %v", n, st)
		}
	}
}
