package integrationtests

import (
	"context"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/cat"
)

// TestAcceptance runs every CAT rule of acceptance-test-config.yml against
// the connector binary, one subtest per rule, named after the CAT test
// (and the assertion inside it), so a failure names the rule it broke.
func TestAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the fake API for about a minute")
	}
	r, _ := newRunner(t, nil)
	r.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cases := r.Suite()
	if len(cases) < 50 {
		t.Fatalf("the suite has %d rules; the config should enable all six core sections", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			start := time.Now()
			err := c.Run(ctx)
			if d := time.Since(start); d > time.Second {
				t.Logf("took %s", d.Round(time.Millisecond))
			}
			if reason, ok := cat.IsSkip(err); ok {
				t.Skip(reason)
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
