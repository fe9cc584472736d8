package integrationtests

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/cat"
)

// concurrentCases is how many rules run at once. The reads spend their
// time in the connector's per-endpoint pacing, not on the CPU, so running
// the sections side by side (as separate CAT runs could) keeps the suite
// short; each rule's own reads stay sequential.
const concurrentCases = 8

// TestAcceptance runs every CAT rule of acceptance-test-config.yml against
// the connector binary, one subtest per rule, named after the CAT test
// (and the assertion inside it), so a failure names the rule it broke.
func TestAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the fake API for about half a minute")
	}
	r, _ := newRunner(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cases := r.Suite()
	if len(cases) < 50 {
		t.Fatalf("the suite has %d rules; the config should enable all six core sections", len(cases))
	}
	type result struct {
		err  error
		took time.Duration
	}
	results := make([]result, len(cases))
	r.Logf = t.Logf

	// The secret rule looks at everything the others printed: it runs last.
	last := len(cases) - 1
	if cases[last].Name != "secrets/test_secret_never_in_the_output" {
		t.Fatalf("the suite should end with the secret rule, ends with %s", cases[last].Name)
	}
	sem := make(chan struct{}, concurrentCases)
	var wg sync.WaitGroup
	for i := range cases[:last] {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			err := cases[i].Run(ctx)
			results[i] = result{err, time.Since(start)}
		}(i)
	}
	wg.Wait()
	start := time.Now()
	results[last].err = cases[last].Run(ctx)
	results[last].took = time.Since(start)

	for i, c := range cases {
		res := results[i]
		t.Run(c.Name, func(t *testing.T) {
			if res.took > time.Second {
				t.Logf("took %s", res.took.Round(time.Millisecond))
			}
			if reason, ok := cat.IsSkip(res.err); ok {
				t.Skip(reason)
			}
			if res.err != nil {
				t.Fatal(res.err)
			}
		})
	}
}
