package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

// The gate's rules, step by step: what reaches the log and whether the
// read was stopped.
func TestTokenGate(t *testing.T) {
	errA, errB := errors.New("403 on /a"), errors.New("403 on /b")
	tests := []struct {
		name    string
		steps   func(g *tokenGate, log func(stream string, lvl zerolog.Level, msg string))
		want    []string // "level stream: message"
		refusal error
	}{
		{"held until a request succeeds, then in order", func(g *tokenGate, log func(string, zerolog.Level, string)) {
			log("chats", zerolog.WarnLevel, "skipped")
			log("calls", zerolog.InfoLevel, "starting")
			g.prove()
			log("chats", zerolog.InfoLevel, "later")
		}, []string{"warn chats: skipped", "info calls: starting", "info chats: later"}, nil},
		{"dropped after a refusal", func(g *tokenGate, log func(string, zerolog.Level, string)) {
			log("chats", zerolog.WarnLevel, "skipped")
			g.refuse(errA)
			log("calls", zerolog.WarnLevel, "after")
			g.release("chats")
			g.prove()
		}, nil, errA},
		{"a stream that ends without a refusal lets its own lines out", func(g *tokenGate, log func(string, zerolog.Level, string)) {
			log("chats", zerolog.WarnLevel, "skipped")
			log("calls", zerolog.InfoLevel, "starting")
			g.release("calls")
		}, []string{"info calls: starting"}, nil},
		{"debug lines are never held", func(g *tokenGate, log func(string, zerolog.Level, string)) {
			log("chats", zerolog.DebugLevel, "GET /chats")
			g.refuse(errA)
			log("chats", zerolog.DebugLevel, "stopped")
		}, []string{"debug chats: GET /chats", "debug chats: stopped"}, errA},
		{"403s of two streams before any success stop the read", func(g *tokenGate, _ func(string, zerolog.Level, string)) {
			g.forbid("a", errA)
			g.forbid("a", errA)
			g.forbid("b", errB)
		}, nil, errA},
		{"one stream's 403s do not", func(g *tokenGate, _ func(string, zerolog.Level, string)) {
			g.forbid("a", errA)
			g.forbid("a", errB)
		}, nil, nil},
		{"nor do 403s once the token worked", func(g *tokenGate, _ func(string, zerolog.Level, string)) {
			g.prove()
			g.forbid("a", errA)
			g.forbid("b", errB)
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink bytes.Buffer
			ctx, stop := context.WithCancelCause(context.Background())
			defer stop(nil)
			g := newTokenGate(stop, &sink)
			base := zerolog.New(nil).Level(zerolog.DebugLevel)
			tt.steps(g, func(stream string, lvl zerolog.Level, msg string) {
				l := g.logger(base, stream)
				l.WithLevel(lvl).Msg(msg)
			})
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(sink.String()), "\n") {
				if line == "" {
					continue
				}
				var ev struct{ Level, Stream, Message string }
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, ev.Level+" "+ev.Stream+": "+ev.Message)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("log (-want +got):\n%s", diff)
			}
			if got := g.refused(); got != tt.refusal {
				t.Errorf("refusal %v, want %v", got, tt.refusal)
			}
			if stopped := context.Cause(ctx) == errCredentialsRefused; stopped != (tt.refusal != nil) {
				t.Errorf("streams stopped: %v", stopped)
			}
		})
	}
}
