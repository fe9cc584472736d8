package integrationtests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPickPython: make e2e finds a Python PyAirbyte supports when python3
// is another version, skips shims of versions that are not installed, and
// otherwise says what it tried. The interpreters are stub scripts.
func TestPickPython(t *testing.T) {
	script, err := filepath.Abs(filepath.Join("e2e", "pick_python.sh"))
	if err != nil {
		t.Fatal(err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	// stub answers the version check as a Python of that version would;
	// "" is a pyenv shim for a version that is not installed.
	stub := func(version string) string {
		if version == "" {
			return "#!/bin/sh\necho \"pyenv: $(basename \"$0\"): command not found\" >&2\nexit 127\n"
		}
		ok := "1"
		if version >= "3.10" && version < "3.13" && len(version) == 4 {
			ok = "0"
		}
		return "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"Python " + version + ".1\"; exit 0; fi\nexit " + ok + "\n"
	}
	tests := []struct {
		name    string
		path    map[string]string // interpreter name -> version
		python  string            // $PYTHON
		want    string            // chosen; "" = none
		message []string          // in stderr when none
	}{
		{"python3 is 3.13, 3.12 installed", map[string]string{"python3": "3.13", "python3.12": "3.12"}, "", "python3.12", nil},
		{"newest supported first", map[string]string{"python3": "3.11", "python3.10": "3.10", "python3.11": "3.11"}, "", "python3.11", nil},
		{"shim of a missing version skipped", map[string]string{"python3": "3.13", "python3.12": "", "python3.10": "3.10"}, "", "python3.10", nil},
		{"python3 itself supported", map[string]string{"python3": "3.12"}, "", "python3", nil},
		{"$PYTHON wins", map[string]string{"python3.12": "3.12", "mypy3": "3.11"}, "mypy3", "mypy3", nil},
		{"$PYTHON unsupported", map[string]string{"python3.12": "3.12", "old": "3.9"}, "old", "", []string{"old: Python 3.9.1", "set PYTHON="}},
		{"none supported", map[string]string{"python3": "3.13", "python3.12": ""}, "", "", []string{"python3: Python 3.13.1", "python3.12: pyenv", "python3.11: not found", "3.10, 3.11 or 3.12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, v := range tt.path {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(stub(v)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// sed and sh come from the system; no system python is visible.
			for _, tool := range []string{"sed", "sh", "basename"} {
				p, err := exec.LookPath(tool)
				if err != nil {
					t.Skipf("no %s", tool)
				}
				if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bash, script)
			cmd.Env = []string{"PATH=" + dir}
			if tt.python != "" {
				cmd.Env = append(cmd.Env, "PYTHON="+tt.python)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			got := strings.TrimSpace(string(out))
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("picked %q (%v), want %q; stderr %s", got, err, tt.want, stderr.String())
				}
				return
			}
			if err == nil || got != "" {
				t.Fatalf("picked %q (%v), want none", got, err)
			}
			for _, m := range tt.message {
				if !strings.Contains(stderr.String(), m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr.String())
				}
			}
		})
	}
}
