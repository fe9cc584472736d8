package packaging

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// mustIgnore are paths that hold synced data, credentials or build output:
// each must be ignored by git and left out of the Docker build context.
// The README's recipes write secrets/ and sync1.jsonl, sync2.jsonl at the
// root; PyAirbyte keeps a DuckDB file of synced rows in .cache/; `go build`
// writes binaries into the working directory.
var mustIgnore = []string{
	"sync1.jsonl",
	"sync2.jsonl",
	"records.jsonl",
	".cache/pyairbyte/default_cache.duckdb",
	"secrets/config.json",
	"secrets/fake-config.json",
	"bin/source-botmaker",
	"source-botmaker",
	"bench",
	"demo",
	"fakebotmaker",
	"connector.test",
}

// mustKeep are tracked files an over-broad pattern could hide from git or
// from the image build.
var mustKeep = map[string][]string{
	".gitignore":    {"integration_tests/expected_records.jsonl", "go.mod", "main.go", "internal/cmd/bench/main.go"},
	".dockerignore": {"go.mod", "go.sum", "main.go", "metadata.yaml", "internal/cmd/bench/main.go", "streams/read.go"},
}

func TestIgnoreFilesKeepPrivateDataAndBinariesOut(t *testing.T) {
	gitRoot(t)
	for _, p := range mustIgnore {
		if !gitIgnores(t, p) {
			t.Errorf(".gitignore does not ignore %s", p)
		}
	}
	for _, p := range mustKeep[".gitignore"] {
		if gitIgnores(t, p) {
			t.Errorf(".gitignore ignores %s, which belongs in the repository", p)
		}
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	di := parseDockerignore(string(raw))
	// .git would bake the history into the build context; a secrets/
	// anywhere stays out of it too.
	for _, p := range append(slices.Clone(mustIgnore), ".git/config", "integration_tests/secrets/config.json") {
		if !di.ignores(p) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}
	for _, p := range mustKeep[".dockerignore"] {
		if di.ignores(p) {
			t.Errorf(".dockerignore leaves out %s, which the image build needs", p)
		}
	}
}

// The matcher itself, so that a pass above means something.
func TestDockerignoreMatcher(t *testing.T) {
	di := parseDockerignore("# comment\nsecrets\n**/.cache\n*.jsonl\n!keep.jsonl\nbin/*.exe\n")
	for p, want := range map[string]bool{
		"secrets":                   true,
		"secrets/a/b.json":          true,
		"x/secrets":                 false, // root-anchored, as Docker's are
		".cache/a":                  true,
		"deep/dir/.cache/file":      true,
		"sync1.jsonl":               true,
		"integration_tests/a.jsonl": false,
		"keep.jsonl":                false,
		"bin/a.exe":                 true,
		"bin/a.txt":                 false,
		"main.go":                   false,
	} {
		if got := di.ignores(p); got != want {
			t.Errorf("ignores(%q) = %v, want %v", p, got, want)
		}
	}
}

// No executable or other binary file is tracked: a built binary in git
// bloats every clone and ships whatever it was built from. Scripts are
// executable text and start with #!.
func TestNoBinaryTracked(t *testing.T) {
	gitRoot(t)
	out, err := exec.Command("git", "-C", repoRoot, "ls-files", "-s", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	n := 0
	for _, entry := range bytes.Split(out, []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		// "<mode> <object> <stage>\t<path>"
		meta, path, ok := strings.Cut(string(entry), "\t")
		if !ok {
			t.Fatalf("unexpected git ls-files line %q", entry)
		}
		n++
		head, err := readHead(filepath.Join(repoRoot, path))
		if os.IsNotExist(err) {
			continue // deleted in the working tree; git status shows it
		}
		if err != nil {
			t.Fatal(err)
		}
		if why := binaryKind(strings.Fields(meta)[0], head); why != "" {
			t.Errorf("%s is tracked but is %s: remove it with git rm and build it instead (it is in .gitignore)", path, why)
		}
	}
	if n < 10 {
		t.Fatalf("git ls-files listed %d files; the check proves nothing", n)
	}
}

func TestBinaryKind(t *testing.T) {
	for _, tt := range []struct {
		mode, head, want string
	}{
		{"100644", "package main\n", ""},
		{"100755", "#!/usr/bin/env bash\n", ""},
		{"100755", "\x7fELF\x02\x01\x01", "an executable (ELF)"},
		{"100644", "\x7fELF\x02\x01\x01", "an executable (ELF)"},
		{"100644", "\xcf\xfa\xed\xfe\x07", "an executable (Mach-O)"},
		{"100644", "MZ\x90\x00", "an executable (PE)"},
		{"100755", "echo hi\n", "marked executable without a #! line"},
		{"100644", "a\x00b", "a binary file (NUL bytes)"},
	} {
		if got := binaryKind(tt.mode, []byte(tt.head)); got != tt.want {
			t.Errorf("binaryKind(%s, %q) = %q, want %q", tt.mode, tt.head, got, tt.want)
		}
	}
}

// binaryKind says why a tracked file with git mode mode and first bytes
// head does not belong in the repository, or "" when it does.
func binaryKind(mode string, head []byte) string {
	for _, m := range []struct {
		magic, kind string
	}{
		{"\x7fELF", "ELF"},
		{"\xfe\xed\xfa\xce", "Mach-O"}, {"\xfe\xed\xfa\xcf", "Mach-O"},
		{"\xce\xfa\xed\xfe", "Mach-O"}, {"\xcf\xfa\xed\xfe", "Mach-O"},
		{"\xca\xfe\xba\xbe", "Mach-O"},
		{"MZ", "PE"},
	} {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return "an executable (" + m.kind + ")"
		}
	}
	if mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
		return "marked executable without a #! line"
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "a binary file (NUL bytes)"
	}
	return ""
}

// readHead reads the first 8000 bytes, as git does to tell binary files.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 8000)
	n, err := io.ReadFull(f, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return buf[:n], err
}

// gitRoot skips the test outside a git checkout (a source tarball); CI
// runs on a clone, where it always runs.
func gitRoot(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "-C", repoRoot, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("not a git checkout")
	}
}

// gitIgnores asks git itself whether .gitignore ignores path, tracked or not.
func gitIgnores(t *testing.T, path string) bool {
	t.Helper()
	err := exec.Command("git", "-C", repoRoot, "check-ignore", "-q", "--no-index", path).Run()
	if err == nil {
		return true
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return false
	}
	t.Fatalf("git check-ignore %s: %v", path, err)
	return false
}

// dockerignore is the subset of Docker's .dockerignore rules this
// repository uses: patterns are relative to the context root, * and ?
// stay within a path element, ** spans any number of them, a pattern that
// matches a directory leaves out everything under it, and a later !pattern
// brings a path back.
type dockerignore []struct {
	re      *regexp.Regexp
	exclude bool
}

func parseDockerignore(text string) dockerignore {
	var d dockerignore
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		neg := strings.HasPrefix(line, "!")
		line = filepath.ToSlash(filepath.Clean(strings.TrimPrefix(line, "!")))
		line = strings.TrimPrefix(line, "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case line[i] == '*':
				re.WriteString("[^/]*")
			case line[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(line[i : i+1]))
			}
		}
		re.WriteString("$")
		d = append(d, struct {
			re      *regexp.Regexp
			exclude bool
		}{regexp.MustCompile(re.String()), !neg})
	}
	return d
}

func (d dockerignore) ignores(path string) bool {
	ignored := false
	for _, p := range d {
		for prefix := path; prefix != "."; prefix = filepath.ToSlash(filepath.Dir(prefix)) {
			if p.re.MatchString(prefix) {
				ignored = p.exclude
				break
			}
		}
	}
	return ignored
}
