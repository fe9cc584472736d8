package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// versionFrom is how the Makefile and the Dockerfile read the version out
// of metadata.yaml.
var versionFrom = regexp.MustCompile(`sed -n '([^']+)' metadata\.yaml`)

// TestVersionHasOneSource: metadata.yaml's dockerImageTag is the version.
// The Makefile and the Dockerfile read it with the same sed, the image label
// repeats it (TestDockerfile), and a binary stamped the way both stamp it
// prints it for --version.
func TestVersionHasOneSource(t *testing.T) {
	md := loadMetadata(t)
	tag := md.Data.DockerImageTag
	for _, name := range []string{"Makefile", "Dockerfile"} {
		raw, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		m := versionFrom.FindStringSubmatch(string(raw))
		if m == nil {
			t.Errorf("%s does not read the version with sed -n '...' metadata.yaml", name)
			continue
		}
		cmd := exec.Command("sed", "-n", m[1], "metadata.yaml")
		cmd.Dir = repoRoot
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: sed: %v", name, err)
		}
		if got := strings.TrimSpace(string(out)); got != tag {
			t.Errorf("%s reads version %q from metadata.yaml, whose dockerImageTag is %q", name, got, tag)
		}
		if !strings.Contains(string(raw), "-X "+versionVar+"=") {
			t.Errorf("%s does not stamp %s", name, versionVar)
		}
	}

	bin := filepath.Join(t.TempDir(), "source-botmaker")
	build := exec.Command("go", "build", "-ldflags", "-X "+versionVar+"="+tag, "-o", bin, ".")
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
