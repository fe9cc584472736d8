package connector

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/internal/cat"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// The refresh credentials are all three or none; all-blank counts as none.
func TestParseConfigRefreshCredentials(t *testing.T) {
	tests := []struct {
		name, extra string
		want        [3]string
	}{
		{"none", ``, [3]string{}},
		{"all three", `,"client_id":"c","secret_id":"s","refresh_token":"r"`, [3]string{"c", "s", "r"}},
		{"all blank", `,"client_id":"","secret_id":" ","refresh_token":null`, [3]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := ParseConfig([]byte(`{"access_token":"tok","start_date":"2025-01-01T00:00:00Z"`+tt.extra+`}`), testNow)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, [3]string{cfg.ClientID, cfg.SecretID, cfg.RefreshToken}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if cfg.CanRefresh() != (tt.want[0] != "") {
				t.Errorf("CanRefresh = %v", cfg.CanRefresh())
			}
		})
	}
}

func TestParseConfigValid(t *testing.T) {
	cfg, warnings, err := ParseConfig([]byte(`{"access_token":"tok","start_date":"2025-01-01T00:00:00Z","long_term_search":true,"base_url":"http://127.0.0.1:9/v2.0/","surprise":1,"_comment":"x"}`), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{AccessToken: "tok", StartDate: "2025-01-01T00:00:00Z", LongTermSearch: true, LookbackWindowHours: 24, MaxConcurrentStreams: 9, BaseURL: "http://127.0.0.1:9/v2.0",
		ShortLookbackHours: 1, DeepLookbackEvery: 24, BillingRefreshHours: 24}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{`config key "surprise" is not a Botmaker connector option and is ignored. Remove it from the config, or check its spelling against the spec.`}, warnings); diff != "" {
		t.Error(diff)
	}
	opts := cfg.StreamOptions()
	if opts.Lookback != 24*time.Hour || opts.ShortLookback != time.Hour || opts.DeepEvery != 24*time.Hour || !opts.StartDate.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("options %+v", opts)
	}
}

// Every bad config names the field and says how to fix it, and never echoes
// the token.
func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, in, field, hint string
	}{
		{"empty file", ``, "", "access_token and start_date"},
		{"not json", `{"access_token":`, "", "not a JSON object"},
		{"array", `[]`, "", "not a JSON object"},
		{"missing token", `{"start_date":"2025-01-01T00:00:00Z"}`, "access_token", "Credentials"},
		{"empty token", `{"access_token":"  ","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "missing or empty"},
		{"token wrong type", `{"access_token":12345678,"start_date":"2025-01-01T00:00:00Z"}`, "access_token", "must be a string"},
		{"bearer prefix", `{"access_token":"Bearer abcdefgh","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "without a prefix"},
		{"token trailing newline", `{"access_token":"tok12345\n","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "line break"},
		{"token trailing CRLF", `{"access_token":"tok12345\r\n","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "carriage return"},
		{"token NUL", `{"access_token":"tok12345\u0000","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "NUL"},
		{"token inner space", `{"access_token":"tok 12345","start_date":"2025-01-01T00:00:00Z"}`, "access_token", "a space"},
		{"start year typo", `{"access_token":"t","start_date":"0025-01-01T00:00:00Z"}`, "start_date", "before 2010-01-01"},
		{"start 2009", `{"access_token":"t","start_date":"2009-12-31T23:59:59Z"}`, "start_date", "typo in the year"},
		{"missing start", `{"access_token":"t"}`, "start_date", "2025-01-01T00:00:00Z"},
		{"start not RFC 3339", `{"access_token":"t","start_date":"2025-01-01"}`, "start_date", "RFC 3339"},
		{"start impossible", `{"access_token":"t","start_date":"2025-02-30T00:00:00Z"}`, "start_date", "not a real date-time"},
		{"start in future", `{"access_token":"t","start_date":"2027-01-01T00:00:00Z"}`, "start_date", "future"},
		{"start wrong type", `{"access_token":"t","start_date":20250101}`, "start_date", "must be a string"},
		{"lts wrong type", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","long_term_search":"yes"}`, "long_term_search", "true or false"},
		{"lookback zero", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","lookback_window_hours":0}`, "lookback_window_hours", "between 1 and 720"},
		{"lookback negative", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","lookback_window_hours":-3}`, "lookback_window_hours", "between 1 and 720"},
		{"lookback fraction", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","lookback_window_hours":1.5}`, "lookback_window_hours", "whole number"},
		{"short lookback negative", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","short_lookback_hours":-1}`, "short_lookback_hours", "between 0 and 720"},
		{"short lookback too long", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","short_lookback_hours":721}`, "short_lookback_hours", "between 0 and 720"},
		{"deep every zero", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","deep_lookback_every_hours":0}`, "deep_lookback_every_hours", "between 1 and 720"},
		{"deep every text", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","deep_lookback_every_hours":"24"}`, "deep_lookback_every_hours", "whole number"},
		{"concurrency zero", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","max_concurrent_streams":0}`, "max_concurrent_streams", "between 1 and 16"},
		{"base url not http", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","base_url":"ftp://x"}`, "base_url", "https://api.botmaker.com/v2.0"},
		{"base url with credentials", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","base_url":"https://u:p@x"}`, "base_url", "http(s) URL"},
		{"client id alone", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","client_id":"c"}`, "secret_id and refresh_token", "are missing; client_id, secret_id and refresh_token go together"},
		{"no refresh token", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","client_id":"c","secret_id":"abcdefgh"}`, "refresh_token", "is missing"},
		{"blank client id", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","client_id":" ","secret_id":"abcdefgh","refresh_token":"12345678"}`, "client_id", "Credentials"},
		{"secret id wrong type", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","secret_id":12345678}`, "secret_id", "must be a string, got a number"},
		{"refresh token wrong type", `{"access_token":"t","start_date":"2025-01-01T00:00:00Z","refresh_token":["abcdefgh"]}`, "refresh_token", "must be a string, got a array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseConfig([]byte(tt.in), testNow)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if ce.Field != tt.field {
				t.Errorf("field = %q, want %q", ce.Field, tt.field)
			}
			if !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("message %q lacks %q", err, tt.hint)
			}
			for _, secret := range []string{"12345678", "abcdefgh"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("message echoes the token: %q", err)
				}
			}
		})
	}
}

// start_date takes every RFC 3339 form of a UTC date-time, and the spec
// that Airbyte's UI and CAT validate with agrees with ParseConfig on each:
// the pattern has one home, the jsonschema tag.
func TestStartDateForms(t *testing.T) {
	var spec map[string]any
	if err := json.Unmarshal(mustJSON(t, Spec()), &spec); err != nil {
		t.Fatal(err)
	}
	nov5 := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time // zero: refused
		hint string
	}{
		{"2026-11-05T00:00:00Z", nov5, ""},
		{"2026-11-05T00:00:00.000Z", nov5, ""},
		{"2026-11-05T00:00:00.999999Z", nov5, ""}, // whole seconds, rounded down
		{"2026-11-05T00:00:00+00:00", nov5, ""},
		{"2026-11-05T00:00:00.5+00:00", nov5, ""},
		{"2026-11-05T00:00:00-00:00", nov5, ""},
		{"2026-11-05t00:00:00z", nov5, ""},
		{"2026-11-05T00:00:00+02:00", time.Time{}, "in UTC (ending in Z or +00:00)"},
		{"2026-11-05", time.Time{}, "RFC 3339"},
		{"2026-11-05 00:00:00Z", time.Time{}, "RFC 3339"},
		{"2026-11-05T00:00Z", time.Time{}, "RFC 3339"},
		{"2026-11-05T00:00:00.Z", time.Time{}, "RFC 3339"},
		{"2026-11-31T00:00:00Z", time.Time{}, "not a real date-time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			raw := `{"access_token":"tok","start_date":"` + tt.in + `"}`
			cfg, _, err := ParseConfig([]byte(raw), testNow)
			if tt.want.IsZero() {
				if err == nil || !strings.Contains(err.Error(), tt.hint) {
					t.Errorf("err = %v, want one saying %q", err, tt.hint)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if got := cfg.StreamOptions().StartDate; !got.Equal(tt.want) {
				t.Errorf("start %s, want %s", got, tt.want)
			}
			// The spec's pattern accepts what ParseConfig's pattern does
			// (a real calendar date is ParseConfig's own check).
			var config map[string]any
			_ = json.Unmarshal([]byte(raw), &config)
			specOK := cat.ConfigMatchesSpec(spec, config) == nil
			if wantOK := startDatePattern.MatchString(tt.in); specOK != wantOK || (wantOK != !tt.want.IsZero() && tt.hint != "not a real date-time") {
				t.Errorf("spec accepts: %v, ParseConfig's pattern accepts: %v, ParseConfig: %v", specOK, wantOK, err)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
