package streams

import "time"

// windowCheckpoint is the one place that decides how far the reading of one
// requested window [from, to) may be checkpointed. A checkpoint promises
// that every record of the window before it has been written, so it may
// rest only on what was actually written and on an order that was seen,
// never on the clock or on an order Botmaker's SPEC does not promise.
//
// The assumptions it guards, none of which the SPEC states:
//   - Item order. /messages, /sessions and /calls state no order (and
//     /tickets is documented newest first). A checkpoint inside the window
//     is allowed only while every in-window item seen so far is in
//     non-decreasing cursor order, and it trails by one page, so that a page
//     can disprove the order before the previous one is checkpointed. The
//     first item older than its predecessor leaves the window with one
//     checkpoint, at its end.
//   - Items outside the window. Botmaker may return a record whose cursor
//     lies outside the window asked for (one dated 2099, or one from before
//     the window). It is written, but it neither moves a checkpoint nor
//     counts for the order check.
//   - Completeness up to the clock. Botmaker may serve a record long after
//     its timestamp, and its clock may differ from ours, so a window's end
//     is never a bookmark: newest() is the newest cursor written.
type windowCheckpoint struct {
	from, to  time.Time // the requested window, from inclusive, to exclusive
	midWindow bool      // the cursor is the window's filter, so order can make a checkpoint inside it
	ordered   bool      // every in-window item so far is in non-decreasing order
	disorder  bool      // set once, when the order check first fails
	prev      time.Time // the last in-window cursor seen
	written   time.Time // the newest in-window cursor written
	pageEnd   time.Time // written, as it was at the end of the previous page
}

func newWindowCheckpoint(from, to time.Time, midWindow bool) *windowCheckpoint {
	return &windowCheckpoint{from: from, to: to, midWindow: midWindow, ordered: true}
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
	if t.Before(c.prev) && c.ordered {
		c.ordered, c.disorder = false, true
	}
	c.prev = t
	if written && t.After(c.written) {
		c.written = t
	}
}

// pageDone is called after each page; it returns the position a checkpoint
// inside the window may take (every record before it written), or false
// when none is allowed. The position is the newest record written up to
// the previous page: records sharing its time may continue later, so the
// checkpoint is never past it.
func (c *windowCheckpoint) pageDone() (time.Time, bool) {
	safe := c.pageEnd
	c.pageEnd = c.written
	if !c.midWindow || !c.ordered || safe.IsZero() {
		return time.Time{}, false
	}
	return safe, true
}

// becameUnordered reports, once, that the window turned out not to be in
// cursor order.
func (c *windowCheckpoint) becameUnordered() bool {
	d := c.disorder
	c.disorder = false
	return d
}

// newest is the newest in-window cursor written (zero when none): with the
// window complete, the bookmark may move to it.
func (c *windowCheckpoint) newest() time.Time { return c.written }

// last is the last in-window cursor seen (zero when none): in a listing
// that goes newest first, how far back it has come.
func (c *windowCheckpoint) last() time.Time { return c.prev }
