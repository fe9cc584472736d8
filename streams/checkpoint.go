package streams

import "time"

// windowCheckpoint is the one place that decides how far the reading of one
// requested window [from, to) may move the bookmark. A checkpoint promises
// that every record of the window before it has been written, so it rests
// only on what was actually written, never on the clock or on an order
// Botmaker's SPEC does not promise.
//
// The assumptions it guards, none of which the SPEC states:
//   - Item order. /messages, /sessions and /calls state no order (and
//     /tickets is documented newest first). No page order, however long it
//     has held, proves that the next page lists nothing older: a listing
//     seen in cursor order for pages on end may still list an older record
//     after them, and a STATE written inside the window before it would
//     claim that record. So the window's end, once its last page has been
//     read, is its only checkpoint; windowSize (sizing.go) keeps windows
//     small enough that a sync killed inside one re-reads about a minute of
//     requests.
//   - Items outside the window. Botmaker may return a record whose cursor
//     lies outside the window asked for (one dated 2099, or one from before
//     the window). It is written, but it never moves the bookmark.
//   - Completeness up to the clock. Botmaker may serve a record long after
//     its timestamp, and its clock may differ from ours, so a window's end
//     is never a bookmark: newest() is the newest cursor written.
type windowCheckpoint struct {
	from, to time.Time // the requested window, from inclusive, to exclusive
	written  time.Time // the newest in-window cursor written
	prev     time.Time // the last in-window cursor seen (progress lines only)
}

func newWindowCheckpoint(from, to time.Time) *windowCheckpoint {
	return &windowCheckpoint{from: from, to: to}
}

// inWindow says a record's cursor lies in the window requested.
func (c *windowCheckpoint) inWindow(t time.Time) bool {
	return !t.IsZero() && !t.Before(c.from) && t.Before(c.to)
}

// item records one item of the window: its cursor (zero when it has none)
// and whether it was written (an item of the overlap with the previous
// window is not).
func (c *windowCheckpoint) item(t time.Time, written bool) {
	if !c.inWindow(t) {
		return
	}
	c.prev = t
	if written && t.After(c.written) {
		c.written = t
	}
}

// newest is the newest in-window cursor written (zero when none): with the
// window complete, the bookmark may move to it.
func (c *windowCheckpoint) newest() time.Time { return c.written }

// last is the last in-window cursor seen (zero when none): in a listing
// that goes newest first, how far back it has come. It only places a
// progress line, never a checkpoint.
func (c *windowCheckpoint) last() time.Time { return c.prev }
