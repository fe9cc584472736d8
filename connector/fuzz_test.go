package connector

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The config, catalog and state files come from users and platforms: no
// input may crash their parsers, every refusal is the typed error that the
// CLI turns into a config_error, and what is accepted holds the invariants
// the rest of the connector relies on. Seed corpora: testdata/fuzz.

var fuzzNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"access_token":"tok-abcdefgh","start_date":"2025-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"access_token":"tok-abcdefgh","start_date":"2025-01-01T00:00:00Z","long_term_search":true,"lookback_window_hours":48,"max_concurrent_streams":3,"base_url":"http://127.0.0.1:8080/v2.0/","x":1}`))
	f.Add([]byte(`{"access_token":12345678,"start_date":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, warnings, err := ParseConfig(raw, fuzzNow)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *ConfigError", err, err)
			}
		} else {
			checkConfig(t, cfg)
		}
		// Whatever else is wrong, a secret never comes back in a message:
		// the same input with a distinctive secret must not show it.
		for field := range secretFields {
			tok := tokenIn(raw, field)
			if tok == "" {
				continue
			}
			const marker = "Qx7-fuzz-secret-Zk9"
			_, warnings, err = ParseConfig([]byte(strings.Replace(string(raw), tok, marker, 1)), fuzzNow)
			if err != nil && strings.Contains(err.Error(), marker) {
				t.Fatalf("the error echoes the token: %q", err)
			}
			for _, w := range warnings {
				if strings.Contains(w, marker) {
					t.Fatalf("a warning echoes the token: %q", w)
				}
			}
		}
	})
}

func checkConfig(t *testing.T, cfg *Config) {
	t.Helper()
	if strings.TrimSpace(cfg.AccessToken) == "" {
		t.Fatal("accepted an empty token")
	}
	// RFC 3339 allows a lowercase t and z, and start_date's pattern
	// takes them: the config's own parser is the one to check against.
	start, err := parseStartDate(cfg.StartDate)
	if err != nil || start.After(fuzzNow) {
		t.Fatalf("accepted start_date %q", cfg.StartDate)
	}
	if cfg.LookbackWindowHours < 1 || cfg.LookbackWindowHours > 720 || cfg.MaxConcurrentStreams < 1 || cfg.MaxConcurrentStreams > 16 {
		t.Fatalf("accepted options out of range: %+v", cfg)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		t.Fatalf("accepted base_url %q", cfg.BaseURL)
	}
	if o := cfg.StreamOptions(); !o.StartDate.Equal(start) {
		t.Fatalf("options start %s, config %s", o.StartDate, start)
	}
	if set := cfg.ClientID != "" && cfg.SecretID != "" && cfg.RefreshToken != ""; set != cfg.CanRefresh() ||
		!set && cfg.ClientID+cfg.SecretID+cfg.RefreshToken != "" {
		t.Fatalf("accepted a partial set of refresh credentials: %q %q %q", cfg.ClientID, cfg.SecretID, cfg.RefreshToken)
	}
}

// tokenIn returns the string value of a config's secret field when it
// appears verbatim, once, in the input.
func tokenIn(raw []byte, field string) string {
	var m map[string]json.RawMessage
	var tok string
	if json.Unmarshal(raw, &m) != nil || json.Unmarshal(m[field], &tok) != nil {
		return ""
	}
	if tok == "" || strings.Count(string(raw), tok) != 1 {
		return ""
	}
	return tok
}

func FuzzParseCatalog(f *testing.F) {
	f.Add([]byte(`{"streams":[{"stream":{"name":"chats","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"append","cursor_field":["lastUserMessageDatetime"]}]}`))
	f.Add([]byte(`{"streams":[{"stream":{"name":"agents"},"sync_mode":"full_refresh"},{"stream":{"name":"calls"},"sync_mode":"incremental","cursor_field":["id"]}]}`))
	f.Add([]byte(`{"streams":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sel, err := ParseCatalog(raw)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), "Invalid catalog") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		if len(sel) == 0 {
			t.Fatal("accepted a catalog without streams")
		}
		seen := map[string]bool{}
		for _, s := range sel {
			if s.Stream == nil || seen[s.Stream.Name] {
				t.Fatalf("selection %+v", sel)
			}
			seen[s.Stream.Name] = true
			if s.Incremental && !s.Stream.Incremental() {
				t.Fatalf("%s selected incremental", s.Stream.Name)
			}
		}
	})
}

func FuzzParseState(f *testing.F) {
	f.Add([]byte(`[{"type":"STREAM","stream":{"stream_descriptor":{"name":"chats"},"stream_state":{"lastUserMessageDatetime":"2025-01-01T00:00:00Z"}},"sourceStats":{"recordCount":3.0}}]`))
	f.Add([]byte(`{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"calls"},"stream_state":{"x":1}}]}}`))
	f.Add([]byte(`{"messages":{"creationTime":"2025-01-01T00:00:00Z"}}`))
	f.Add([]byte(`[{"type":"LEGACY","data":{"messages":{"creationTime":"2025-01-01T00:00:00Z"}}}]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		states, err := ParseState(raw)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), "Invalid state") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		for name, st := range states {
			if len(st) > 0 && !json.Valid(st) {
				t.Fatalf("state of %q is not JSON: %q", name, st)
			}
		}
	})
}
