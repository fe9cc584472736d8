package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// The results of `make bench` live in docs/performance.md between these
// markers; -docs rewrites what lies between them, so the figures there are
// always a whole run as printed, never pasted or edited.
const (
	docsBegin = "<!-- bench:begin: written by `make bench`, do not edit by hand -->"
	docsEnd   = "<!-- bench:end -->"
)

// spliceResults returns doc with the lines between the markers replaced by
// results. Each marker must be a line of its own, once, begin before end.
func spliceResults(doc []byte, results string) ([]byte, error) {
	lines := strings.SplitAfter(string(doc), "\n")
	begin, end := -1, -1
	for i, l := range lines {
		switch strings.TrimRight(l, "\n") {
		case docsBegin:
			if begin >= 0 {
				return nil, fmt.Errorf("the begin marker %q is there twice", docsBegin)
			}
			begin = i
		case docsEnd:
			if end >= 0 {
				return nil, fmt.Errorf("the end marker %q is there twice", docsEnd)
			}
			end = i
		}
	}
	switch {
	case begin < 0 || end < 0:
		return nil, fmt.Errorf("want the markers %q and %q, each on a line of its own", docsBegin, docsEnd)
	case end < begin:
		return nil, fmt.Errorf("the end marker comes before the begin marker")
	}
	var out strings.Builder
	out.WriteString(strings.Join(lines[:begin+1], ""))
	out.WriteString(results)
	out.WriteString(strings.Join(lines[end:], ""))
	return []byte(out.String()), nil
}

// resultsSection is what goes between the markers: when and what was
// measured, then the output exactly as printed.
func resultsSection(printed []byte, release string, day time.Time) string {
	return fmt.Sprintf("`make bench` on %s, release %s, as printed:\n\n```\n%s```\n",
		day.Format(time.DateOnly), release, bytes.TrimLeft(printed, "\n"))
}

// writeDocs puts a run's printed output into the docs file at path.
func writeDocs(path string, printed []byte, release string, day time.Time) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := spliceResults(doc, resultsSection(printed, release, day))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}
