package packaging

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readsMetadata is a shell command reading metadata.yaml, as the build
// did to stamp the version.
var readsMetadata = regexp.MustCompile(`\b(sed|grep|awk|yq|cut)\b[^\n]*metadata\.yaml`)

// TestVersionHasOneSource: metadata.yaml's dockerImageTag is the version.
// A plain `go build` (what `go install` and `make build` do too) reports it
// for --version, because main embeds metadata.yaml; the Makefile and the
// Dockerfile stamp nothing by hand; the image label repeats it
// (TestDockerfile).
func TestVersionHasOneSource(t *testing.T) {
	tag := loadMetadata(t).Data.DockerImageTag
	for _, name := range []string{"Makefile", "Dockerfile"} {
		text := readRepoFile(t, name)
		for _, stamp := range []string{"-X ", versionVar} {
			if strings.Contains(text, stamp) {
				t.Errorf("%s mentions %q: the version comes from the metadata.yaml main.go embeds, nothing stamps it", name, stamp)
			}
		}
		if m := readsMetadata.FindString(text); m != "" {
			t.Errorf("%s reads metadata.yaml (%q): the binary embeds it, nothing needs to read the version out", name, m)
		}
	}

	bin := filepath.Join(t.TempDir(), "source-botmaker")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "source-botmaker " + tag + " "; !strings.HasPrefix(string(out), want) {
		t.Errorf("--version printed %q, want it to start with %q", out, want)
	}
}
