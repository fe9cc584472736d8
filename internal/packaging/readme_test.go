package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
	return tableRows(t, "README.md", header)
}

// tableRows is readmeRows for any Markdown file of the repository.
func tableRows(t *testing.T, file, header string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, file))
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
		t.Fatalf("%s has no table under a header starting %q", file, header)
	}
	return rows
}

// TestReadmeStreams keeps the README's stream table in step with the code.
func TestReadmeStreams(t *testing.T) {
	rows := readmeRows(t, "| Stream | Endpoint | Primary key | Cursor | Sync modes | Billed |")
	want := map[string][]string{}
	for _, s := range streams.All() {
		cursor, modes := "—", "full_refresh"
		if s.Incremental() {
			cursor, modes = "`"+s.Cursor+"`", "full_refresh, incremental"
		}
		billed := map[streams.Billing]string{
			streams.NotBilled:      "no",
			streams.Billed:         "**yes, BI**",
			streams.BilledLongTerm: "with `long_term_search`",
		}[s.Billing]
		want[s.Name] = []string{"`GET " + s.Path + "`", "`" + strings.Join(s.PrimaryKey, "`, `") + "`", cursor, modes, billed}
	}
	got := map[string][]string{}
	for name, cells := range rows {
		if len(cells) != 5 {
			t.Errorf("README row %s has %d cells, want 6", name, len(cells)+1)
			continue
		}
		got[name] = cells
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README stream table differs from the code (-code +README):\n%s", diff)
	}
}

// TestPaginationTable keeps the pagination table of docs/incremental.md
// to the streams of the registry, one row each.
func TestPaginationTable(t *testing.T) {
	rows := tableRows(t, "docs/incremental.md", "| Stream | Pagination |")
	var want, got []string
	for _, s := range streams.All() {
		want = append(want, s.Name)
	}
	for name, cells := range rows {
		if len(cells) != 1 || cells[0] == "" {
			t.Errorf("docs/incremental.md pagination row %s: want one description, got %q", name, cells)
		}
		got = append(got, name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/incremental.md pagination table differs from the registry (-registry +doc):\n%s", diff)
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
