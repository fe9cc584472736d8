package connector_test

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
)

// debugShapes are the DEBUG lines a --debug read must have, each at least
// once: every request with its URL and status, the pacing waits and their
// reason, the windows, the pages and the checkpoints.
var debugShapes = []struct{ name, re string }{
	{"attempt", `^GET http://127\.0\.0\.1:\d+/\S+: HTTP 200, headers after \d+(\.\d+)?(ms|µs|s) attempt=1 endpoint=/\S+$`},
	{"pacing wait", `^GET http://\S+ \(waited \d+ms to keep under Botmaker's rate limit, paced at [\d.]+ requests/s\): HTTP 200, .* endpoint=/messages$`},
	{"page", `^stream \w+: GET http://127\.0\.0\.1:\d+/\S+: \d+ items? in \d+ bytes, (another page follows|the last page) stream=\w+$`},
	{"window", `^stream messages: window \d{4}-\d\d-\d\dT\S+Z to \S+Z, (with long-term search, )?checkpointed at its end stream=messages$`},
	{"probed window", `^stream sessions: window \S+ to \S+, .*probed for unsettled records.* stream=sessions$`},
	{"window end", `^stream messages: window \S+ to \S+ done, \d+ records? stream=messages$`},
	{"month", `^stream whatsapp_billed_conversations: month \d{4}-\d\d stream=whatsapp_billed_conversations$`},
	{"checkpoint", `^stream messages: checkpoint after \d+ records?: \{"\S+":"\S+"\} stream=messages$`},
}

// TestDebugTrace: --debug and LOG_LEVEL=debug turn on a DEBUG trace of the
// read, and without either there is none. The config carries every kind of
// credential; none appears in any line, in any spelling a URL or a log
// could give it.
func TestDebugTrace(t *testing.T) {
	secrets := []string{fakebotmaker.DefaultToken, fakebotmaker.DefaultSecretID, fakebotmaker.DefaultRefreshToken}
	tests := []struct {
		name     string
		flag     bool
		logLevel string
		debug    bool
	}{
		{"--debug", true, "", true},
		{"LOG_LEVEL=debug", false, "DEBUG", true},
		{"neither", false, "", false},
		{"LOG_LEVEL=info", false, "info", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LOG_LEVEL", tt.logLevel)
			srv := fakebotmaker.New(fakebotmaker.Config{Seed: 7, Counts: small, HistoryDays: 40})
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			cfg := synctest.Config(srv, srv.Now().AddDate(0, 0, -41), map[string]any{
				"client_id": fakebotmaker.DefaultClientID, "secret_id": fakebotmaker.DefaultSecretID, "refresh_token": fakebotmaker.DefaultRefreshToken,
			})
			args := []string{"read", "--config", synctest.File(t, dir, "config.json", cfg),
				"--catalog", synctest.File(t, dir, "catalog.json", synctest.Catalog(true, "messages", "sessions", "whatsapp_billed_conversations", "intents"))}
			if tt.flag {
				args = append(args, "--debug")
			}
			rt := synctest.Runtime()
			rt.Rates["/messages"] = 5 // a pace, so the trace shows its waits
			o := synctest.Run(t, context.Background(), rt, args...)
			if o.Code != 0 {
				t.Fatalf("exit %d: %+v", o.Code, o.Errors)
			}
			debug := o.LogLines(airbyte.LogDebug)
			if !tt.debug {
				if len(debug) > 0 {
					t.Fatalf("%d DEBUG lines without --debug, first %q", len(debug), debug[0])
				}
				return
			}
			for _, sh := range debugShapes {
				re := regexp.MustCompile(sh.re)
				found := false
				for _, l := range debug {
					found = found || re.MatchString(l)
				}
				if !found {
					t.Errorf("no %s line matching %s among %d DEBUG lines, e.g.\n%s", sh.name, sh.re, len(debug), strings.Join(debug[:min(12, len(debug))], "\n"))
				}
			}
			for _, line := range bytes.Split(o.Stdout, []byte("\n")) {
				for _, s := range secrets {
					for _, spelling := range []string{s, strings.ToLower(s), url.QueryEscape(s), s[:len(s)/2]} {
						if bytes.Contains(bytes.ToLower(line), []byte(strings.ToLower(spelling))) {
							t.Fatalf("a secret (%d characters) appears in %.200s", len(s), line)
						}
					}
				}
			}
		})
	}
}
