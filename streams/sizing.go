package streams

// How long a window the walk requests. A window's end is its only
// checkpoint (checkpoint.go), so a sync killed inside a window reads all of
// it again; windows are kept to about windowMinute of the endpoint's
// requests, sized from what their first page shows.

import (
	"math"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// windowMinute is the time a window's pages should take at the endpoint's
// documented rate: what a kill inside a window re-reads.
var windowMinute = time.Minute

// windowSize is a window walk's current window length, shortened when a
// first page shows the window holds far more than a minute of pages and
// lengthened again when windows come back small.
type windowSize struct {
	s      *Stream
	length time.Duration // the next window's length, at most MaxWindow
}

func newWindowSize(s *Stream) *windowSize { return &windowSize{s: s, length: MaxWindow} }

// target is how many pages a window should hold.
func (z *windowSize) target() int {
	return max(1, int(math.Ceil(windowMinute.Seconds()*z.s.RatePerSecond)))
}

// end is where the window starting at a ends, before to. The request
// starts a second early, so the window is a second short.
func (z *windowSize) end(a, to time.Time) time.Time {
	b := a.Add(z.length - time.Second)
	if b.After(to) {
		b = to
	}
	return b
}

// shorter looks at the first page of the window [a, b), which has a
// nextPage, before any of it is written: when its items show the window
// holds more than twice the target, it returns a shorter end, and the
// window is requested again with it (one page read twice). The estimate
// takes the page's in-window items to be a contiguous stretch of time, as
// in any listing sorted by time, either way; a listing in no order spreads
// a page over the whole window and leaves the window as it is. Only where
// the filter is the cursor do the items' times say where they lie.
func (z *windowSize) shorter(a, b time.Time, items [][]byte) (time.Time, bool) {
	s := z.s
	if !s.CursorIsFilter || len(items) < 2 {
		return b, false
	}
	var lo, hi time.Time
	for _, it := range items {
		raw, err := rawjson.Get(it, s.Cursor)
		if err != nil {
			continue
		}
		t, err := wireTime(raw)
		if err != nil || t.Before(a.Add(-time.Second)) || !t.Before(b) {
			continue
		}
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		hi = maxTime(hi, t)
	}
	spread := hi.Sub(lo)
	if spread <= 0 {
		return b, false
	}
	pages := float64(b.Sub(a)) / float64(spread)
	if pages <= 2*float64(z.target()) {
		return b, false
	}
	z.length = max(time.Duration(float64(spread)*float64(z.target())).Truncate(time.Second), 2*time.Second)
	if nb := z.end(a, b); nb.Before(b) {
		return nb, true
	}
	return b, false
}

// done tells the size how many pages the window just read took: a window
// of less than half the target lets the next one be twice as long.
func (z *windowSize) done(pages int) {
	if 2*pages < z.target() {
		z.length = min(2*z.length, MaxWindow)
	}
}
