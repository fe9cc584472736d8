package packaging

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestReadmeChangelog: the Changelog's newest entry is the version being
// released (metadata.yaml), and entries go newest first with real dates.
func TestReadmeChangelog(t *testing.T) {
	md := loadMetadata(t)
	readme := readRepoFile(t, "README.md")
	at := strings.Index(readme, "\n## Changelog\n")
	if at < 0 {
		t.Fatal("README.md has no Changelog section")
	}
	row := regexp.MustCompile(`(?m)^\| (\d+\.\d+\.\d+) \| (\d{4}-\d{2}-\d{2}) \| (.+) \|$`)
	entries := row.FindAllStringSubmatch(readme[at:], -1)
	if len(entries) == 0 {
		t.Fatal("the Changelog has no | version | date | subject | rows")
	}
	if entries[0][1] != md.Data.DockerImageTag {
		t.Errorf("the newest Changelog entry is %s, but metadata.yaml's dockerImageTag is %s: bump both", entries[0][1], md.Data.DockerImageTag)
	}
	var prev time.Time
	for i, e := range entries {
		d, err := time.Parse(time.DateOnly, e[2])
		if err != nil {
			t.Errorf("Changelog %s: date %s: %v", e[1], e[2], err)
			continue
		}
		if i > 0 && d.After(prev) {
			t.Errorf("Changelog %s (%s) is listed after an older entry; newest first", e[1], e[2])
		}
		prev = d
	}
}

// TestReadmeNumbers: numbers the README quotes that the code or the build
// decides stay in step with it.
func TestReadmeNumbers(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	makefile := readRepoFile(t, "Makefile")
	ci := readRepoFile(t, ".ci/run")

	fuzzDefault := regexp.MustCompile(`(?m)^FUZZTIME \?= (\S+)$`).FindStringSubmatch(makefile)
	ciFuzz := regexp.MustCompile(`FUZZTIME=(\S+) make fuzz`).FindStringSubmatch(ci)
	if fuzzDefault == nil || ciFuzz == nil {
		t.Fatalf("cannot find FUZZTIME in the Makefile (%v) or .ci/run (%v)", fuzzDefault, ciFuzz)
	}
	s := botmaker.DefaultSettings
	want := []string{
		fmt.Sprintf("`FUZZTIME` (default `%s`)", fuzzDefault[1]),
		fmt.Sprintf("`FUZZTIME=%s` per target", ciFuzz[1]),
		fmt.Sprintf("One request is at most %d attempts", s.MaxAttempts),
		fmt.Sprintf("each attempt at most %d seconds", int(s.Timeout.Seconds())),
		fmt.Sprintf("at most %d minutes.", int(s.MaxElapsed.Minutes())),
		fmt.Sprintf("A response larger than %d MiB", s.MaxBody>>20),
		fmt.Sprintf("up to %d minutes. A longer wait fails", int(s.MaxRetryAfter.Minutes())),
		fmt.Sprintf("up to %d s, each with", int(s.RetryWaitMax.Seconds())),
	}
	// Line breaks in the README are not meaningful.
	flat := strings.Join(strings.Fields(readme), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("README.md does not say %q", w)
		}
	}
}
