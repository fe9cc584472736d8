package botmaker

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// TestFailureWording checks what a user reads when a request fails for
// reasons other than an HTTP status: counts in words, and a certificate
// that is not trusted named as such rather than as network trouble.
func TestFailureWording(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, good) }))
	t.Cleanup(tlsSrv.Close)
	// A listener closed at once: every connection is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	oneByte := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		raw(w, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
	})

	one := quick
	one.MaxAttempts = 1
	tests := []struct {
		name     string
		base     string
		settings Settings
		ft       airbyte.FailureType
		want     []string
		notWant  []string
	}{
		{"untrusted certificate", tlsSrv.URL, quick, airbyte.ConfigError,
			[]string{"certificate problem, not a network one", "certificate signed by unknown authority"},
			[]string{"Check base_url and the network", "attempts"}},
		{"refused once", refused, one, airbyte.TransientError,
			[]string{"after 1 attempt:", "Check base_url and the network"}, []string{"1 attempts", "certificate"}},
		{"refused three times", refused, quick, airbyte.TransientError,
			[]string{"after 3 attempts:"}, nil},
		{"one broken byte", oneByte.URL, one, airbyte.TransientError,
			[]string{"(response of 1 byte is not JSON) after 1 attempt;"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, tt.base, tt.settings)
			_, err := get(t, c, "/channels")
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if be.FailureType != tt.ft {
				t.Errorf("failure type %s, want %s (%s)", be.FailureType, tt.ft, be.Message)
			}
			for _, w := range tt.want {
				if !strings.Contains(be.Message, w) {
					t.Errorf("message lacks %q: %s", w, be.Message)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(be.Message, w) {
					t.Errorf("message has %q: %s", w, be.Message)
				}
			}
		})
	}
}
