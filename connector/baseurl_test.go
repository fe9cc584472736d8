package connector

import (
	"errors"
	"strings"
	"testing"
)

// TestBaseURLCleartext: the token may travel over plain http only to this
// machine (the fake API in tests and the demo); anywhere else it is a
// config_error naming base_url, before any request.
func TestBaseURLCleartext(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"https://api.botmaker.com/v2.0", true},
		{"https://10.0.0.5:8443/v2.0", true},
		{"http://localhost:8123/v2.0", true},
		{"http://LOCALHOST/v2.0", true},
		{"http://127.0.0.1:8123/v2.0", true},
		{"http://127.45.6.7/v2.0", true},
		{"http://[::1]:8123/v2.0", true},
		{"http://api.botmaker.com/v2.0", false},
		{"http://10.0.0.5:8123/v2.0", false},
		{"http://192.168.1.20/v2.0", false},
		{"http://[2001:db8::1]/v2.0", false},
		{"http://localhost.example.com/v2.0", false},
		{"http://128.0.0.1/v2.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			raw := `{"access_token":"tok-12345678","start_date":"2025-01-01T00:00:00Z","base_url":"` + tt.base + `"}`
			_, _, err := ParseConfig([]byte(raw), testNow)
			if tt.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "base_url" {
				t.Fatalf("err = %v, want a base_url ConfigError", err)
			}
			for _, want := range []string{"cleartext", "https://"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "12345678") {
				t.Errorf("message echoes the token: %q", err)
			}
		})
	}
}
