package streams

// Small helpers every part of the package uses. They call nothing else in
// the package, so any file may use them without a reference running back
// up into the read engine.

import (
	"strconv"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/plural"
)

// clip shortens a value quoted in an error or a warning.
func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// monthOf is the first instant of t's calendar month, in UTC.
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// days words a duration of whole days ("7 days", "1 day"), any other as
// Go does.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return plural.Count(int(d/(24*time.Hour)), "day")
	}
	if n := int(d / (24 * time.Hour)); n > 1 {
		return strconv.Itoa(n) + " days"
	}
	return d.String()
}

func records(n int) string { return plural.Count(n, "record") }
