package botmaker

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
)

// CredentialsRejected is true exactly for the errors that prove the
// credentials unusable: one of them ends the whole sync.
func TestCredentialsRejected(t *testing.T) {
	c, err := New("https://api.example.com/v2.0", "tok-123456", DefaultSettings, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"errors":[{"type":"UNAUTHORIZED","message":"Not authorized"}]}`)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"401", c.classify("/chats", 401, body), true},
		{"403", c.classify("/chats", 403, nil), true},
		{"403 wrapped by a stream", fmt.Errorf("page 3: %w", c.classify("/chats", 403, nil)), true},
		{"403 on a plan-gated stream", PlanGated(c.classify("/billing/x", 403, nil)), false},
		{"401 on a plan-gated stream", PlanGated(c.classify("/billing/x", 401, nil)), true},
		{"404", c.classify("/chats", 404, nil), false},
		{"500", c.classify("/chats", 500, nil), false},
		{"400", c.classify("/chats", 400, nil), false},
		{"renewed token refused", rejectedNewToken("/chats"), true},
		{"renewal refused", refreshFailed(c.classify(CredentialsEndpoint, 401, nil)), true},
		{"renewal rate-limited", refreshFailed(c.classify(CredentialsEndpoint, 429, nil)), true},
		{"renewal hit a 500", refreshFailed(c.classify(CredentialsEndpoint, 500, nil)), false},
		{"not a Botmaker error", errors.New("boom"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := CredentialsRejected(tt.err); got != tt.want {
			t.Errorf("%s: CredentialsRejected = %v, want %v (%v)", tt.name, got, tt.want, tt.err)
		}
	}
}
