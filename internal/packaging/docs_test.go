package packaging

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/streams"
)

// docHeadings returns the text of every Markdown heading outside code
// fences, in order.
func docHeadings(doc string) []string {
	var out []string
	fenced := false
	for _, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(l, "#") {
			out = append(out, strings.TrimSpace(strings.TrimLeft(l, "#")))
		}
	}
	return out
}

// specific stands for the connector's own headings in docsTemplate.
const specific = "<connector-specific>"

// docsTemplate is the heading order of Airbyte's connector documentation
// (connectors_qa CheckDocumentationStructure), and the headings that may
// be left out.
func docsTemplate(name string) (order []string, optional map[string]bool) {
	order = []string{
		name, "Prerequisites", "Setup guide", "Set up " + name,
		"For Airbyte Cloud:", "For Airbyte Open Source:", specific,
		"Set up the " + name + " connector in Airbyte",
		"For Airbyte Cloud:", "For Airbyte Open Source:", specific,
		"Supported sync modes", "Supported Streams", specific,
		"Performance considerations", "Data type map", "Limitations & Troubleshooting", specific,
		"Tutorials", "Changelog",
	}
	optional = map[string]bool{
		"Set up the " + name + " connector in Airbyte": true,
		"For Airbyte Cloud:":                           true, "For Airbyte Open Source:": true, specific: true,
		"Performance considerations": true, "Data type map": true, "Limitations & Troubleshooting": true,
		"Tutorials": true,
	}
	return order, optional
}

// checkHeadingOrder walks the page's headings along the template as
// Airbyte's check does: template headings in order, optional ones may be
// missing, and the connector's own headings only where the template
// allows them.
func checkHeadingOrder(headings []string, name string) error {
	order, optional := docsTemplate(name)
	inTemplate := map[string]bool{}
	for _, h := range order {
		inTemplate[h] = true
	}
	i, j := 0, 0
	for i < len(headings) && j < len(order) {
		got, want := headings[i], order[j]
		switch {
		case want == specific && !inTemplate[got]:
			i++
		case got == want:
			i, j = i+1, j+1
		case optional[want]:
			j++
		default:
			return fmt.Errorf("heading %q comes where the template expects %q (order: %q)", got, want, order)
		}
	}
	for ; j < len(order); j++ {
		if !optional[order[j]] {
			return fmt.Errorf("heading %q is missing (order: %q)", order[j], order)
		}
	}
	if i < len(headings) {
		return fmt.Errorf("heading %q comes after the Changelog", headings[i])
	}
	return nil
}

func TestHeadingOrderCheck(t *testing.T) {
	good := []string{"X", "Prerequisites", "Setup guide", "Set up X", "Own", "Supported sync modes", "Supported Streams", "Billing", "Changelog"}
	if err := checkHeadingOrder(good, "X"); err != nil {
		t.Fatalf("good order refused: %v", err)
	}
	for name, hs := range map[string][]string{
		"missing streams": {"X", "Prerequisites", "Setup guide", "Set up X", "Supported sync modes", "Changelog"},
		"swapped":         {"X", "Setup guide", "Prerequisites", "Set up X", "Supported sync modes", "Supported Streams", "Changelog"},
		"wrong title":     {"Y", "Prerequisites", "Setup guide", "Set up X", "Supported sync modes", "Supported Streams", "Changelog"},
		"after changelog": {"X", "Prerequisites", "Setup guide", "Set up X", "Supported sync modes", "Supported Streams", "Changelog", "More"},
		"own too early":   {"X", "Own", "Prerequisites", "Setup guide", "Set up X", "Supported sync modes", "Supported Streams", "Changelog"},
	} {
		if err := checkHeadingOrder(hs, "X"); err == nil {
			t.Errorf("%s: accepted %q", name, hs)
		}
	}
}

// changelogRow is a row of the Changelog table: version, date, pull
// request, subject.
var changelogRow = regexp.MustCompile(`(?m)^\| (\d+\.\d+\.\d+) +\| (\d{4}-\d{2}-\d{2}) +\| ([^|]*)\| (.+) \|$`)

// TestDocsPage: the connector's page in Airbyte's docs layout, which
// documentationUrl points at, has the headings in Airbyte's order, every
// stream, and a Changelog inside <details> whose newest entry is the
// version being released and whose first is the release date.
func TestDocsPage(t *testing.T) {
	md := loadMetadata(t)
	page := readRepoFile(t, docsPage)
	if err := checkHeadingOrder(docHeadings(page), md.Data.Name); err != nil {
		t.Errorf("%s: %v", docsPage, err)
	}

	at := strings.Index(page, "\n## Supported Streams\n")
	end := strings.Index(page[at+1:], "\n## ")
	if at < 0 || end < 0 {
		t.Fatalf("%s has no Supported Streams section", docsPage)
	}
	section := strings.Join(strings.Fields(page[at:at+1+end]), " ")
	for _, s := range streams.All() {
		want := "`" + s.Name + "`"
		if s.Incremental() {
			want += " (`" + s.Cursor + "`)"
		}
		if !strings.Contains(section, want) {
			t.Errorf("%s: Supported Streams does not say %s", docsPage, want)
		}
	}

	at = strings.Index(page, "\n## Changelog\n")
	if at < 0 {
		t.Fatalf("%s has no Changelog section", docsPage)
	}
	log := page[at:]
	open, closed := strings.Index(log, "<details>"), strings.Index(log, "</details>")
	if open < 0 || closed < open {
		t.Fatalf("%s: the Changelog is not inside <details>…</details>", docsPage)
	}
	entries := changelogRow.FindAllStringSubmatch(log[open:closed], -1)
	if len(entries) == 0 {
		t.Fatal("the Changelog has no | version | date | pull request | subject | rows")
	}
	if entries[0][1] != md.Data.DockerImageTag {
		t.Errorf("the newest Changelog entry is %s, but metadata.yaml's dockerImageTag is %s: bump both", entries[0][1], md.Data.DockerImageTag)
	}
	if first := entries[len(entries)-1][2]; first != md.Data.ReleaseDate {
		t.Errorf("the first release in the Changelog is dated %s, but metadata.yaml's releaseDate is %s", first, md.Data.ReleaseDate)
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
