package packaging

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/internal/botmaker"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestDocsNumbers: numbers the docs quote that the code or the build
// decides stay in step with it.
func TestDocsNumbers(t *testing.T) {
	makefile := readRepoFile(t, "Makefile")
	ci := readRepoFile(t, ".ci/run")
	fuzzDefault := regexp.MustCompile(`(?m)^FUZZTIME \?= (\S+)$`).FindStringSubmatch(makefile)
	ciFuzz := regexp.MustCompile(`FUZZTIME=(\S+) make fuzz`).FindStringSubmatch(ci)
	if fuzzDefault == nil || ciFuzz == nil {
		t.Fatalf("cannot find FUZZTIME in the Makefile (%v) or .ci/run (%v)", fuzzDefault, ciFuzz)
	}
	s := botmaker.DefaultSettings
	want := map[string][]string{
		"docs/reliability.md": {
			fmt.Sprintf("`FUZZTIME` (default `%s`)", fuzzDefault[1]),
			fmt.Sprintf("`FUZZTIME=%s` per target", ciFuzz[1]),
			fmt.Sprintf("One request is at most %d attempts", s.MaxAttempts),
			fmt.Sprintf("each attempt at most %d seconds", int(s.Timeout.Seconds())),
			fmt.Sprintf("at most %d minutes.", int(s.MaxElapsed.Minutes())),
			fmt.Sprintf("A response larger than %d MiB", s.MaxBody>>20),
			fmt.Sprintf("up to %d minutes. A longer wait fails", int(s.MaxRetryAfter.Minutes())),
			fmt.Sprintf("up to %d s, each with", int(s.RetryWaitMax.Seconds())),
		},
		docsPage: {
			fmt.Sprintf("`Retry-After` up to %d minutes", int(s.MaxRetryAfter.Minutes())),
		},
		"README.md": {
			fmt.Sprintf("`FUZZTIME=%s make fuzz`", ciFuzz[1]),
		},
	}
	for file, sentences := range want {
		// Line breaks in Markdown are not meaningful.
		flat := strings.Join(strings.Fields(readRepoFile(t, file)), " ")
		for _, w := range sentences {
			if !strings.Contains(flat, w) {
				t.Errorf("%s does not say %q", file, w)
			}
		}
	}
}
