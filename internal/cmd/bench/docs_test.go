package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// performanceDoc is the file `make bench` writes its results into.
var performanceDoc = filepath.Join("..", "..", "..", "docs", "performance.md")

// TestPerformanceDocHasMarkers: the docs file `make bench -docs` rewrites
// has its markers, so a real run can put its results there.
func TestPerformanceDocHasMarkers(t *testing.T) {
	doc, err := os.ReadFile(performanceDoc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spliceResults(doc, "x\n"); err != nil {
		t.Fatalf("%s: %v", performanceDoc, err)
	}
	makefile, err := os.ReadFile(filepath.Join("..", "..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(makefile), "-docs docs/performance.md") {
		t.Error("make bench does not write its results into docs/performance.md (-docs docs/performance.md)")
	}
}

func TestSpliceResults(t *testing.T) {
	day := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	section := resultsSection([]byte("1. CPU-bound\n"), "1.2.3", day)
	doc := "# Perf\n\nbefore\n" + docsBegin + "\nold figures\n" + docsEnd + "\nafter\n"
	got, err := spliceResults([]byte(doc), section)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Perf\n\nbefore\n" + docsBegin + "\n`make bench` on 2026-12-05, release 1.2.3, as printed:\n\n```\n1. CPU-bound\n```\n" + docsEnd + "\nafter\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A second run replaces the first, leaving the rest alone.
	again, err := spliceResults(got, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if w := "# Perf\n\nbefore\n" + docsBegin + "\nnew\n" + docsEnd + "\nafter\n"; string(again) != w {
		t.Errorf("second run: got\n%s\nwant\n%s", again, w)
	}

	for name, bad := range map[string]string{
		"no markers":   "# Perf\n",
		"no end":       "x\n" + docsBegin + "\nold\n",
		"end first":    "x\n" + docsEnd + "\nold\n" + docsBegin + "\n",
		"begin twice":  "x\n" + docsBegin + "\n" + docsBegin + "\n" + docsEnd + "\n",
		"inline begin": "x " + docsBegin + "\nold\n" + docsEnd + "\n",
	} {
		if _, err := spliceResults([]byte(bad), "new\n"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
