package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/streams"
)

// readmeRows returns the cells of README.md table rows whose first cell is
// a code span, keyed by that name, for the table whose header starts with
// header.
func readmeRows(t *testing.T, header string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, header) {
			in = true
			continue
		}
		if !in {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if name, ok := strings.CutPrefix(cells[0], "`"); ok {
			rows[strings.TrimSuffix(name, "`")] = cells[1:]
		}
	}
	if len(rows) == 0 {
		t.Fatalf("README.md has no table under a header starting %q", header)
	}
	return rows
}

// TestReadmeStreams keeps the README's stream table in step with the code.
func TestReadmeStreams(t *testing.T) {
	rows := readmeRows(t, "| Stream | Endpoint | Primary key | Cursor | Sync modes |")
	want := map[string][]string{}
	for _, s := range streams.All() {
		cursor, modes := "—", "full_refresh"
		if s.Incremental() {
			cursor, modes = "`"+s.Cursor+"`", "full_refresh, incremental"
		}
		want[s.Name] = []string{"`GET " + s.Path + "`", "`" + strings.Join(s.PrimaryKey, "`, `") + "`", cursor, modes}
	}
	got := map[string][]string{}
	for name, cells := range rows {
		if len(cells) < 4 {
			t.Errorf("README row %s has %d cells", name, len(cells)+1)
			continue
		}
		got[name] = cells[:4]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README stream table differs from the code (-code +README):\n%s", diff)
	}
}

// TestReadmeOptions keeps the README's configuration table in step with the
// spec: every option documented once, required ones marked, defaults right.
func TestReadmeOptions(t *testing.T) {
	rows := readmeRows(t, "| Option | Required | Default |")
	var cs struct {
		Required   []string `json:"required"`
		Properties map[string]struct {
			Default any `json:"default"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(connector.Spec().ConnectionSpecification, &cs); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for name, p := range cs.Properties {
		req, def := "no", ""
		for _, r := range cs.Required {
			if r == name {
				req = "yes"
			}
		}
		if p.Default != nil {
			b, _ := json.Marshal(p.Default)
			def = "`" + strings.Trim(string(b), `"`) + "`"
		}
		want[name] = []string{req, def}
	}
	got := map[string][]string{}
	for name, cells := range rows {
		if len(cells) < 2 {
			t.Errorf("README row %s has %d cells", name, len(cells)+1)
			continue
		}
		got[name] = cells[:2]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README configuration table differs from the spec (-spec +README):\n%s", diff)
	}
}
