package streams

// The daysBeforeNow offset walk: an endpoint that only filters by whole
// days back from now, pages by offset and lists newest first (tickets).

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"time"
)

type offsetWalk struct {
	s   *Stream
	env Env
	bm  *bookmarks
	out *recordWriter
}

// read walks back to the start. Records older than it are dropped here,
// and the bookmark is written once the walk is complete, because
// newest-first order gives no safe point before the end.
func (w *offsetWalk) read(ctx context.Context) error {
	s, bm := w.s, w.bm
	now := w.env.Now().UTC().Truncate(time.Second)
	start := bm.start(now)
	// Nothing limits how far back this endpoint reaches, so periods a state
	// may list as pending are simply part of the walk.
	for _, p := range bm.state.pending {
		start = minTime(start, p.from)
	}
	bm.state.pending = nil
	if start.Before(now) {
		// The window ends at our now: a record Botmaker stamps later (its
		// clock ahead of ours) is written but not bookmarked.
		cp := newWindowCheckpoint(start, now)
		w.out.walking(start, now, true, "")
		estimated := false
		var listed, total int64 // items listed; the last page's total, -1 without one
		err := s.walk(ctx, w.env, w.request(start, now), func(p page) error {
			if err := w.out.writeItems(p.items, start, cp, nil); err != nil {
				return err
			}
			listed += int64(len(p.items))
			total = -1
			if p.hasTotal {
				total = p.total
			}
			// After the first page is written, so that its records give
			// the byte estimate a basis; and again on each page past a
			// capped total, so that the estimate is never below what is
			// written.
			first := !estimated && p.total > 0
			if first {
				estimated = true
				w.out.prog.total = p.total
			}
			if first || (estimated && listed > w.out.prog.total) {
				if err := w.out.sendEstimate(w.out.estimate(cp.last(), p)); err != nil {
					return err
				}
			}
			return w.out.pageDone(cp.last(), p)
		})
		if err != nil {
			return err
		}
		if total >= 0 && listed != total {
			// The walk read every full page, so nothing was lost; the
			// count only says Botmaker's total is not one to trust.
			w.env.Log.Warn().Msgf("stream %s: Botmaker's %s said total %d but listed %d items; every page was read, so none is missing, but Botmaker's total (and the progress estimate made from it) is not an exact count. Nothing to do: no record is missing.", s.Name, s.Path, total, listed)
		}
		bm.newest = cp.newest()
	}
	bm.state.cursor = bm.bookmark(time.Time{})
	bm.deepDone()
	return bm.finish()
}

// request is the first URL of a walk back to start: whole days, rounded
// up, with clockSkew to spare for Botmaker's clock.
func (w *offsetWalk) request(start, now time.Time) *url.URL {
	days := int(math.Ceil((now.Sub(start) + clockSkew).Hours() / 24))
	q := w.s.query(w.env.Opts)
	q.Set("daysBeforeNow", strconv.Itoa(days))
	q.Set("offset", "0")
	return w.env.Fetch.URL(w.s.Path, q)
}
