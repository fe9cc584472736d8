package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	catparse "github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/stdoutparse"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// secret is the access token of every scenario in this file and in
// crash_test.go: distinctive, so a leak anywhere is found by grep.
const secret = "bm-SECRET-9d1c7e3f5a2b4c6d8e0f1a2b"

// noSecret fails the test if any output holds the token, raw or
// JSON-escaped.
func noSecret(t testing.TB, outputs ...[]byte) {
	t.Helper()
	for _, b := range outputs {
		if bytes.Contains(b, []byte(secret)) {
			i := bytes.Index(b, []byte(secret))
			t.Errorf("the access token is in an output: ...%s...", b[max(0, i-200):i])
		}
	}
}

// run runs the connector in-process and greps its output for the token.
func run(t testing.TB, ctx context.Context, rt connector.Runtime, args ...string) *synctest.Output {
	t.Helper()
	o := synctest.Run(t, ctx, rt, args...)
	noSecret(t, o.Stdout, o.Stderr)
	return o
}

func config(srv *fakebotmaker.Server, base string, start time.Time, extra map[string]any) map[string]any {
	c := synctest.Config(srv, start, map[string]any{"access_token": secret})
	if base != "" {
		c["base_url"] = base
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// keyed is a stream's records by primary key; dups counts keys seen twice.
type keyed struct {
	data map[string]string
	dups int
}

func byKey(t testing.TB, o *synctest.Output) map[string]*keyed {
	t.Helper()
	out := map[string]*keyed{}
	for _, s := range streams.All() {
		k := &keyed{data: map[string]string{}}
		for _, r := range o.Records[s.Name] {
			key := primaryKey(t, s, r)
			if _, dup := k.data[key]; dup {
				k.dups++
			}
			k.data[key] = string(r)
		}
		out[s.Name] = k
	}
	return out
}

func primaryKey(t testing.TB, s *streams.Stream, rec []byte) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatalf("%s record is not an object: %s", s.Name, rec)
	}
	var parts []string
	for _, f := range s.PrimaryKey {
		parts = append(parts, string(m[f]))
	}
	return strings.Join(parts, "|")
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wantIDs is what the fake holds for every stream between start and now.
func wantIDs(srv *fakebotmaker.Server, start time.Time) map[string][]string {
	out := map[string][]string{}
	for _, s := range streams.All() {
		var ids []string
		// A composite id's parts, each as JSON, as primaryKey joins them.
		for _, id := range srv.IDs(s.Name, start, srv.Now()) {
			var parts []string
			for _, p := range strings.Split(id, fakebotmaker.KeySep) {
				b, _ := json.Marshal(p)
				parts = append(parts, string(b))
			}
			ids = append(ids, strings.Join(parts, "|"))
		}
		sort.Strings(ids)
		out[s.Name] = ids
	}
	return out
}

func gotIDs(k map[string]*keyed) map[string][]string {
	out := map[string][]string{}
	for name, kd := range k {
		out[name] = keys(kd.data)
	}
	return out
}

func allComplete(t testing.TB, o *synctest.Output) {
	t.Helper()
	if o.Code != 0 || len(o.Errors) > 0 {
		t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
	}
	for _, s := range streams.All() {
		if st := o.Statuses[s.Name]; len(st) == 0 || st[len(st)-1] != airbyte.StatusComplete {
			t.Errorf("%s statuses %v", s.Name, st)
		}
	}
}

// A full demo-size sync against a fake that enforces Botmaker's documented
// limits, with the connector's default pacing, gets no 429 at all.
func TestPacedSyncGetsNo429(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about as long as pacing makes a demo-size sync")
	}
	srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 1, RateLimits: true, RetryAfter: true})
	defer srv.Close()
	dir := t.TempDir()
	start := srv.Now().AddDate(0, 0, -91)
	cfg := synctest.File(t, dir, "config.json", config(srv, "", start, map[string]any{"long_term_search": true}))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
	rt := synctest.Runtime()
	rt.Rates = nil // the connector's own pacing
	began := time.Now()
	o := run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", cat)
	allComplete(t, o)
	st := srv.Stats()
	t.Logf("paced full sync: %d records, %d requests in %s, %d HTTP 429", len(o.Messages), st.Requests, time.Since(began).Round(time.Millisecond), st.Status429)
	if st.Status429 != 0 {
		t.Errorf("%d responses were 429 (statuses %v)", st.Status429, st.Statuses)
	}
	if diff := cmp.Diff(wantIDs(srv, start), gotIDs(byKey(t, o))); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// faultCounts make a sync of a few hundred requests, so that a 5% fault
// rate injects dozens of faults; without pacing it takes a few seconds.
var faultCounts = fakebotmaker.Counts{"chats": 12000, "messages": 60000, "sessions": 12000, "calls": 6000, "contacts": 6000, "agents": 500, "channels": 8, "intents": 4000, "tickets": 8000}

// A full sync of every stream while 5% of requests fail (500, 502,
// 503, truncated 200, slow, 429) delivers every record exactly as a clean
// sync of the same data does, each once.
func TestFaultsLoseNothing(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	base := fakebotmaker.Config{Token: secret, Seed: 3, Now: now, HistoryDays: 60, Counts: faultCounts}
	clean := fakebotmaker.New(base)
	defer clean.Close()
	dir := t.TempDir()
	start := now.AddDate(0, 0, -61)
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
	read := func(t *testing.T, srv *fakebotmaker.Server) map[string]*keyed {
		cfg := synctest.File(t, t.TempDir(), "config.json", config(srv, "", start, map[string]any{"long_term_search": true}))
		o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
		allComplete(t, o)
		// Records carry links to the server (chats' listMessagesURL),
		// which differ between the two fakes only by port.
		for name, recs := range o.Records {
			for i, r := range recs {
				recs[i] = bytes.ReplaceAll(r, []byte(srv.URL()), []byte("BASE"))
			}
			o.Records[name] = recs
		}
		return byKey(t, o)
	}
	want := read(t, clean)
	if diff := cmp.Diff(wantIDs(clean, start), gotIDs(want)); diff != "" {
		t.Fatalf("the clean sync itself is wrong (-want +got):\n%s", diff)
	}
	var injected, lost int
	for _, tt := range []struct {
		name       string
		seed       int64
		retryAfter bool
	}{
		{"Retry-After on 429s", 11, true},
		{"no Retry-After", 12, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.RetryAfter = tt.retryAfter
			cfg.Faults = fakebotmaker.Faults{Rate: 0.05, Seed: tt.seed, SlowDelay: 200 * time.Millisecond}
			srv := fakebotmaker.New(cfg)
			defer srv.Close()
			got := read(t, srv)
			st := srv.Stats()
			n := 0
			for _, v := range st.FaultsInjected {
				n += v
			}
			injected += n
			t.Logf("%d requests, faults injected %v", st.Requests, st.FaultsInjected)
			if n < 10 {
				t.Errorf("only %d faults injected; the test proves little", n)
			}
			for _, s := range streams.All() {
				w, g := want[s.Name], got[s.Name]
				if g.dups > 0 {
					t.Errorf("%s: %d duplicate records", s.Name, g.dups)
				}
				for k, rec := range w.data {
					if g.data[k] != rec {
						lost++
						t.Errorf("%s %s: got %q, want %q", s.Name, k, g.data[k], rec)
						break
					}
				}
				if len(g.data) != len(w.data) {
					t.Errorf("%s: %d records, clean sync %d", s.Name, len(g.data), len(w.data))
				}
			}
		})
	}
	t.Logf("faults injected and survived: %d; records lost: %d", injected, lost)
}

// With the fake's limits on, injected 429 bursts on top, and the default
// pacing, the sync finishes with every record, and the pacing keeps the
// retries themselves from tripping the real limiter.
func TestRecoversFromInjected429s(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("Retry-After %v", retryAfter), func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 5, Counts: small, HistoryDays: 60, RateLimits: true, RetryAfter: retryAfter,
				Faults: fakebotmaker.Faults{Rate: 0.25, Seed: 9, Kinds: []fakebotmaker.FaultKind{fakebotmaker.Fault429}}})
			defer srv.Close()
			dir := t.TempDir()
			start := srv.Now().AddDate(0, 0, -61)
			cfg := synctest.File(t, dir, "config.json", config(srv, "", start, map[string]any{"long_term_search": true}))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
			rt := synctest.Runtime()
			rt.Rates = nil
			o := run(t, context.Background(), rt, "read", "--config", cfg, "--catalog", cat)
			allComplete(t, o)
			st := srv.Stats()
			t.Logf("%d requests, %d injected 429s, %d from the limiter", st.Requests, st.FaultsInjected[fakebotmaker.Fault429], st.RateLimited)
			if st.FaultsInjected[fakebotmaker.Fault429] == 0 {
				t.Error("no 429 was injected")
			}
			if st.RateLimited != 0 {
				t.Errorf("%d requests tripped the fake's rate limiter", st.RateLimited)
			}
			if diff := cmp.Diff(wantIDs(srv, start), gotIDs(byKey(t, o))); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			slowed := len(o.LogLines("", "slowing this endpoint down")) > 0
			if !slowed {
				t.Error("no WARN about slowing an endpoint down")
			}
		})
	}
}

// proxy serves the fake's API, except where override answers first.
func proxy(t *testing.T, cfg fakebotmaker.Config, override func(w http.ResponseWriter, r *http.Request) bool) (*fakebotmaker.Server, string) {
	t.Helper()
	fake := fakebotmaker.NewHandler(cfg)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !override(w, r) {
			fake.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return fake, ts.URL + "/v2.0"
}

func botmakerError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"type":%q,"source":"api","message":%q}]}`, typ, msg)
}

// Every failure is classified by the one policy table: each failing stream
// ends INCOMPLETE with one TRACE ERROR of the right failure_type and a
// message that says what to do; the other streams complete; exit non-zero.
func TestHTTPFailuresFailOnlyTheirStream(t *testing.T) {
	fake, base := proxy(t, fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60}, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/v2.0/calls":
			botmakerError(w, 500, "INTERNAL_ERROR", "Internal server error")
		case "/v2.0/intents":
			botmakerError(w, 400, "INVALID_PARAMETER", "intent listing is disabled for this account")
		case "/v2.0/agents":
			botmakerError(w, 404, "NOT_FOUND", "Unknown path")
		case "/v2.0/channels":
			w.Header().Set("Retry-After", "3600")
			botmakerError(w, 429, "TOO_MANY_REQUESTS", "Only one request per second allowed.")
		case "/v2.0/contacts":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[{"id":"1"`)
		default:
			return false
		}
		return true
	})
	dir := t.TempDir()
	start := fake.Now().AddDate(0, 0, -61)
	cfg := synctest.File(t, dir, "config.json", config(fake, base, start, map[string]any{"long_term_search": true}))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
	began := time.Now()
	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code == 0 {
		t.Error("exit 0")
	}
	if took := time.Since(began); took > 30*time.Second {
		t.Errorf("took %s; a Retry-After of an hour must fail at once", took)
	}
	want := map[string]struct {
		ft   airbyte.FailureType
		hint string
	}{
		"calls":    {airbyte.TransientError, "Botmaker kept failing on /calls (HTTP 500: INTERNAL_ERROR: Internal server error (api)) after every retry"},
		"intents":  {airbyte.SystemError, "intent listing is disabled for this account"},
		"agents":   {airbyte.SystemError, "Check base_url"},
		"channels": {airbyte.TransientError, "asked to wait 1h0m0s"},
		"contacts": {airbyte.TransientError, "kept arriving broken"},
	}
	errs := map[string]airbyte.ErrorTrace{}
	for _, e := range o.Errors {
		if e.StreamDescriptor == nil {
			t.Errorf("sync-level error %+v", e)
			continue
		}
		errs[e.StreamDescriptor.Name] = e
	}
	for _, s := range streams.All() {
		st := o.Statuses[s.Name]
		last := airbyte.Status("")
		if len(st) > 0 {
			last = st[len(st)-1]
		}
		w, failing := want[s.Name]
		if !failing {
			if last != airbyte.StatusComplete {
				t.Errorf("%s: %v, want COMPLETE", s.Name, st)
			}
			continue
		}
		if last != airbyte.StatusIncomplete {
			t.Errorf("%s: %v, want INCOMPLETE", s.Name, st)
		}
		e, ok := errs[s.Name]
		if !ok || e.FailureType != w.ft || !strings.Contains(e.Message, w.hint) {
			t.Errorf("%s: error %+v, want %s containing %q", s.Name, e, w.ft, w.hint)
		}
	}
	if len(o.Errors) != len(want) {
		t.Errorf("%d TRACE ERRORs, want %d", len(o.Errors), len(want))
	}
}

// A rejected token ends the sync with one config_error that gives the fix
// (tokengate_test.go has the rest of its output).
func TestRejectedTokenIsConfigError(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Token: "the-real-token-1234", Seed: 7, Counts: small})
	defer srv.Close()
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", config(srv, "", srv.Now().AddDate(0, 0, -2), nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true, "calls", "agents"))
	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code == 0 || len(o.Errors) != 1 {
		t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
	}
	for _, e := range o.Errors {
		if e.FailureType != airbyte.ConfigError || !strings.Contains(e.Message, "Botmaker rejected the access token (HTTP 401") || !strings.Contains(e.Message, "Check access_token") {
			t.Errorf("%+v", e)
		}
	}
	// The other stream's request may or may not have left before the
	// first 401 stopped it.
	if n := srv.Stats().Requests; n < 1 || n > 2 {
		t.Errorf("%d requests; a 401 is not retried", n)
	}
}

// A server that tries to get the token elsewhere (nextPage and redirects to
// another host, the token echoed in reason phrases and error bodies) never
// gets it sent anywhere else, and it appears in no output.
func TestHostileServerNeverGetsTheTokenOut(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(200)
	}))
	defer other.Close()
	fake, base := proxy(t, fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60}, func(w http.ResponseWriter, r *http.Request) bool {
		tok := r.Header.Get("access-token")
		switch r.URL.Path {
		case "/v2.0/chats":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[],"nextPage":%q}`, other.URL+"/v2.0/chats?token="+tok)
		case "/v2.0/agents":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[],"nextPage":%q}`, "https://"+r.Host+"/v2.0/agents?page=2")
		case "/v2.0/calls":
			http.Redirect(w, r, other.URL+"/v2.0/calls?token="+tok, http.StatusTemporaryRedirect)
		case "/v2.0/messages":
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "HTTP/1.1 500 invalid token %s\r\nContent-Length: 0\r\n\r\n", tok)
			_ = buf.Flush()
			_ = conn.Close()
		case "/v2.0/intents":
			// 403, not 401: a 401 would stop the sync before the other
			// streams showed what they do with the token.
			botmakerError(w, 403, "FORBIDDEN", "token "+tok+" is not valid")
		case "/v2.0/tickets":
			botmakerError(w, 400, "BAD_REQUEST", "bad header access-token: "+tok)
		default:
			return false
		}
		return true
	})
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", config(fake, base, fake.Now().AddDate(0, 0, -61), map[string]any{"long_term_search": true}))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat, "--debug")
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if o.Code == 0 {
		t.Error("exit 0")
	}
	for stream, hint := range map[string]string{
		"chats":    "points to http://" + strings.TrimPrefix(other.URL, "http://"),
		"agents":   "points to https://",
		"calls":    "the redirect was not followed",
		"messages": "HTTP 500",
		"intents":  "HTTP 403 on /intents",
		"tickets":  "HTTP 400",
	} {
		found := false
		for _, e := range o.Errors {
			found = found || (e.StreamDescriptor != nil && e.StreamDescriptor.Name == stream && strings.Contains(e.Message, hint))
		}
		if !found {
			t.Errorf("%s: no error containing %q in %+v", stream, hint, o.Errors)
		}
	}
	// The check command talks to the same server.
	o = run(t, context.Background(), synctest.Runtime(), "check", "--config", cfg)
	if o.Code != 0 {
		t.Errorf("check exit %d", o.Code)
	}
}

// The bad-input matrix of the issue, end to end through the command line:
// every case ends with a clear error naming the field and the fix (or, for
// the ones to tolerate, a WARN), never a panic, and never a request.
func TestBadInputMatrix(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60})
	defer srv.Close()
	dir := t.TempDir()
	start := srv.Now().AddDate(0, 0, -3)
	goodCfg := config(srv, "", start, nil)
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range goodCfg {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	stream := func(name, mode string, cursor []string) map[string]any {
		s, ok := streams.Lookup(name)
		cat := airbyte.Stream{Name: name, JSONSchema: json.RawMessage(`{}`), SupportedSyncModes: []airbyte.SyncMode{airbyte.FullRefresh}}
		if ok {
			cat = s.Catalog()
		}
		return map[string]any{"streams": []map[string]any{{"stream": cat, "sync_mode": mode, "destination_sync_mode": "append", "cursor_field": cursor}}}
	}
	goodCat := stream("calls", "incremental", nil)
	stateOf := func(name string, st string) string {
		return `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"` + name + `"},"stream_state":` + st + `}}]`
	}
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	type result int
	const (
		configError result = iota // exit 1, one config_error TRACE naming the problem, no request
		streamError               // exit 1, the stream INCOMPLETE with a config_error
		warned                    // exit 0, a WARN naming the problem
	)
	tests := []struct {
		name    string
		config  any
		catalog any
		state   any
		want    result
		hint    string
	}{
		{"access_token missing", with("access_token", nil), goodCat, nil, configError, "access_token is missing or empty"},
		{"access_token empty", with("access_token", ""), goodCat, nil, configError, "access_token is missing or empty"},
		{"access_token a number", with("access_token", 12345), goodCat, nil, configError, "access_token must be a string"},
		{"access_token an object", with("access_token", map[string]any{"value": "x"}), goodCat, nil, configError, "access_token must be a string"},
		{"access_token with Bearer", with("access_token", "Bearer "+secret), goodCat, nil, configError, "without a prefix"},
		{"start_date missing", with("start_date", nil), goodCat, nil, configError, "start_date is missing"},
		{"start_date malformed", with("start_date", "01/02/2025"), goodCat, nil, configError, "start_date is \"01/02/2025\"; it must be an RFC 3339"},
		{"start_date impossible", with("start_date", "2025-13-45T00:00:00Z"), goodCat, nil, configError, "not a real date-time"},
		{"start_date in the future", with("start_date", time.Now().AddDate(1, 0, 0).UTC().Format("2006-01-02T15:04:05Z")), goodCat, nil, configError, "in the future"},
		{"start_date wrong type", with("start_date", true), goodCat, nil, configError, "start_date must be a string"},
		{"lookback zero", with("lookback_window_hours", 0), goodCat, nil, configError, "lookback_window_hours is 0; it must be between 1 and 720"},
		{"lookback negative", with("lookback_window_hours", -5), goodCat, nil, configError, "lookback_window_hours is -5"},
		{"lookback huge", with("lookback_window_hours", 1e12), goodCat, nil, configError, "lookback_window_hours"},
		{"lookback a string", with("lookback_window_hours", "24"), goodCat, nil, configError, "lookback_window_hours must be a whole number"},
		{"concurrency zero", with("max_concurrent_streams", 0), goodCat, nil, configError, "max_concurrent_streams is 0; it must be between 1 and 16"},
		{"concurrency negative", with("max_concurrent_streams", -1), goodCat, nil, configError, "max_concurrent_streams is -1"},
		{"base_url not http", with("base_url", "file:///etc/passwd"), goodCat, nil, configError, "base_url"},
		{"config empty", "", goodCat, nil, configError, "the config file is empty"},
		{"config malformed", `{"access_token": "x", `, goodCat, nil, configError, "not a JSON object"},
		{"config an array", `[1,2]`, goodCat, nil, configError, "not a JSON object"},
		{"config deeply nested", deep, goodCat, nil, configError, "not a JSON object"},
		{"config binary", "\x00\xff\xfe{", goodCat, nil, configError, "not a JSON object"},
		{"unknown config key", with("acess_token_typo", "x"), goodCat, nil, warned, `config key "acess_token_typo" is not a Botmaker connector option and is ignored`},
		{"catalog malformed", goodCfg, `{"streams":[{"stream":`, nil, configError, "Invalid catalog"},
		{"catalog deeply nested", goodCfg, deep, nil, configError, "Invalid catalog"},
		{"catalog empty", goodCfg, `{"streams":[]}`, nil, configError, "selects no streams"},
		{"unknown stream", goodCfg, stream("conversations", "full_refresh", nil), nil, configError, `"conversations", which is not a Botmaker stream; use one of: ` + streams.NameList()},
		{"unsupported sync mode", goodCfg, stream("calls", "cdc", nil), nil, configError, `sync_mode "cdc"; use full_refresh or incremental`},
		{"incremental on a full-refresh stream", goodCfg, stream("agents", "incremental", nil), nil, warned, `stream "agents" supports only full_refresh; it is read in full although the catalog asks for incremental`},
		{"cursor_field not the cursor", goodCfg, stream("calls", "incremental", []string{"id"}), nil, configError, `its cursor is defined by the source as ["creationDatetime"]`},
		{"state malformed", goodCfg, goodCat, `[{"type":"STREAM",`, configError, "Invalid state"},
		{"state deeply nested", goodCfg, goodCat, deep, configError, "Invalid state"},
		{"state a number", goodCfg, goodCat, `42`, configError, "Invalid state"},
		{"state for an unknown stream", goodCfg, goodCat, stateOf("conversations", `{"x":1}`), warned, `the state has an entry for "conversations", which is not a Botmaker stream; it is ignored`},
		{"state value not a timestamp", goodCfg, goodCat, stateOf("calls", `{"creationDatetime":"last tuesday"}`), streamError, `the saved state for stream "calls" is unusable`},
		{"state value a number", goodCfg, goodCat, stateOf("calls", `{"creationDatetime":1700000000}`), streamError, "must be an RFC 3339 timestamp string"},
		{"state not an object", goodCfg, goodCat, stateOf("calls", `"2025-01-01T00:00:00Z"`), streamError, "stream_state must be an object"},
		{"legacy state object", goodCfg, goodCat, `{"calls":{"creationDatetime":"` + start.Format(time.RFC3339) + `"}}`, warned, ""},
	}
	panics := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			args := []string{"read", "--config", synctest.File(t, dir, "config.json", tt.config), "--catalog", synctest.File(t, dir, "catalog.json", tt.catalog)}
			if tt.state != nil {
				args = append(args, "--state", synctest.File(t, dir, "state.json", tt.state))
			}
			o := run(t, context.Background(), synctest.Runtime(), args...)
			if bytes.Contains(o.Stdout, []byte("panic")) || bytes.Contains(o.Stdout, []byte("internal error")) {
				panics++
				t.Fatalf("panic: %s", o.Stdout)
			}
			warnings := o.LogLines(airbyte.LogWarn)
			switch tt.want {
			case configError:
				if o.Code == 0 || len(o.Errors) != 1 || o.Errors[0].FailureType != airbyte.ConfigError || !strings.Contains(o.Errors[0].Message, tt.hint) {
					t.Fatalf("exit %d, errors %+v; want one config_error containing %q", o.Code, o.Errors, tt.hint)
				}
				if n := len(srv.Requests()); n != 0 {
					t.Errorf("%d requests were made", n)
				}
			case streamError:
				if o.Code == 0 || len(o.Errors) != 1 || o.Errors[0].FailureType != airbyte.ConfigError || !strings.Contains(o.Errors[0].Message, tt.hint) {
					t.Fatalf("exit %d, errors %+v; want one config_error containing %q", o.Code, o.Errors, tt.hint)
				}
				if o.Errors[0].StreamDescriptor == nil || o.Errors[0].StreamDescriptor.Name != "calls" {
					t.Errorf("error not on the stream: %+v", o.Errors[0])
				}
			case warned:
				if o.Code != 0 || len(o.Errors) != 0 {
					t.Fatalf("exit %d, errors %+v", o.Code, o.Errors)
				}
				found := tt.hint == ""
				for _, w := range warnings {
					found = found || strings.Contains(w, tt.hint)
				}
				if !found {
					t.Errorf("no WARN containing %q in %q", tt.hint, warnings)
				}
				if len(o.Records) == 0 {
					t.Error("no records")
				}
			}
			if tt.want == configError && fmt.Sprint(tt.config) != fmt.Sprint(goodCfg) {
				// Config problems are also what check reports.
				c := run(t, context.Background(), synctest.Runtime(), "check", "--config", args[2])
				if c.Code != 0 || len(c.Protocol()) != 1 || c.Protocol()[0].ConnectionStatus == nil || c.Protocol()[0].ConnectionStatus.Status != airbyte.StatusFailed {
					t.Errorf("check: exit %d, %+v", c.Code, c.Messages)
				}
			}
		})
	}
	t.Logf("bad inputs tried: %d; panics: %d", len(tests), panics)
}

// A stream that waits on a 429 says so the way Airbyte shows "rate limited,
// resumes at ...": RUNNING with a RATE_LIMITED reason whose quota_reset is
// when the Retry-After ends, then a plain RUNNING once the request gets
// through. The lines are valid protocol messages for CAT.
func TestRateLimitedStreamStatus(t *testing.T) {
	var refused atomic.Bool
	fake, base := proxy(t, fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, HistoryDays: 60}, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2.0/channels" || refused.Swap(true) {
			return false
		}
		w.Header().Set("Retry-After", "1")
		botmakerError(w, 429, "TOO_MANY_REQUESTS", "Only one request per second allowed.")
		return true
	})
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", config(fake, base, fake.Now().AddDate(0, 0, -61), nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false, "channels"))
	began := time.Now()
	o := run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code != 0 {
		t.Fatalf("exit %d: %s", o.Code, o.Stdout)
	}
	type status struct {
		Status  airbyte.Status
		Reasons []airbyte.StreamStatusReason
	}
	var got []status
	var reset int64
	for _, line := range bytes.Split(bytes.TrimSpace(o.Stdout), []byte("\n")) {
		if _, err := catparse.ParseLine(line); err != nil {
			t.Errorf("CAT drops %s: %v", line, err)
		}
		m, err := stdoutparse.Message(line)
		if err != nil {
			t.Fatal(err)
		}
		if m.Trace == nil || m.Trace.StreamStatus == nil {
			continue
		}
		st := status{m.Trace.StreamStatus.Status, m.Trace.StreamStatus.Reasons}
		if len(st.Reasons) == 1 && st.Reasons[0].RateLimited != nil {
			reset = st.Reasons[0].RateLimited.QuotaReset
			st.Reasons[0].RateLimited.QuotaReset = 0
			t.Logf("%s", line)
		}
		got = append(got, st)
	}
	limited := []airbyte.StreamStatusReason{{Type: airbyte.ReasonRateLimited, RateLimited: &airbyte.RateLimitedReason{}}}
	want := []status{{Status: airbyte.StatusStarted}, {airbyte.StatusRunning, limited}, {Status: airbyte.StatusRunning}, {Status: airbyte.StatusComplete}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("channels statuses (-want +got):\n%s", diff)
	}
	if lo, hi := began.Add(time.Second).UnixMilli(), time.Now().Add(time.Second).UnixMilli(); reset < lo || reset > hi {
		t.Errorf("quota_reset %d, want the end of the 1s Retry-After, in [%d, %d]", reset, lo, hi)
	}
}
