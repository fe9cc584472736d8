package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

func TestClosestKey(t *testing.T) {
	known := []string{"access_token", "start_date", "long_term_search", "lookback_window_hours", "client_id", "secret_id", "base_url"}
	for key, want := range map[string]string{
		"acces_token":      "access_token",
		"acess_token":      "access_token",
		"access-token":     "access_token",
		"Access_Token":     "access_token",
		"accesstoken":      "access_token",
		"start_data":       "start_date",
		"startdate":        "start_date",
		"long_term_serch":  "long_term_search",
		"clientid":         "client_id",
		"secret_di":        "secret_id",
		"lookback_window":  "", // too far: six letters short
		"surprise":         "",
		"token":            "",
		"base":             "",
		"url":              "",
		"access_token_old": "",
	} {
		if got := closestKey(key, known); got != want {
			t.Errorf("closestKey(%q) = %q, want %q", key, got, want)
		}
	}
}

// An unknown key gets a WARN naming the option it most likely misspells,
// and a missing required option says which key was probably meant as it
// (never its value: it may be the token).
func TestConfigTypos(t *testing.T) {
	const start = `"start_date":"2025-01-01T00:00:00Z"`
	tests := []struct {
		name, in  string
		warnings  []string
		field     string // of the error, "" for none
		errSuffix string
	}{
		{"typo in an option", `{"access_token":"tok-1234",` + start + `,"long_term_serch":true}`,
			[]string{`config key "long_term_serch" is not a Botmaker connector option and is ignored; did you mean long_term_search? Rename it in the config.`}, "", ""},
		{"unknown key, nothing close", `{"access_token":"tok-1234",` + start + `,"surprise":1}`,
			[]string{`config key "surprise" is not a Botmaker connector option and is ignored. Remove it from the config, or check its spelling against the spec.`}, "", ""},
		{"token key misspelled", `{"acces_token":"tok-1234",` + start + `}`, nil,
			"access_token", `is missing or empty; copy the token from Botmaker under Configuration > Integrations > API > Credentials. The config has "acces_token", which is not an option: rename it to access_token`},
		{"start key misspelled", `{"access_token":"tok-1234","start-date":"2025-01-01T00:00:00Z"}`, nil,
			"start_date", `The config has "start-date", which is not an option: rename it to start_date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, warnings, err := ParseConfig([]byte(tt.in), testNow)
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field || !strings.HasSuffix(err.Error(), tt.errSuffix) {
				t.Fatalf("err = %v, want one of %s ending %q", err, tt.field, tt.errSuffix)
			}
			if strings.Contains(err.Error(), "tok-1234") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// The hint reaches the user as one LOG WARN.
func TestConfigTypoIsLogged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(`{"access_token":"tok-1234","start_date":"2025-01-01T00:00:00Z","base_ur1":"https://x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := (Runtime{}).Run(context.Background(), []string{"discover", "--config", path}, &out, &errw); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errw.String())
	}
	var warns []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m airbyte.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == airbyte.TypeLog && m.Log.Level == airbyte.LogWarn {
			warns = append(warns, m.Log.Message)
		}
	}
	want := []string{`config key "base_ur1" is not a Botmaker connector option and is ignored; did you mean base_url? Rename it in the config.`}
	if diff := cmp.Diff(want, warns); diff != "" {
		t.Errorf("WARN lines (-want +got):\n%s", diff)
	}
}
