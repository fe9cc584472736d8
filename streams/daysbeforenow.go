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
		cp := newWindowCheckpoint(start, now, false)
		w.out.walking(start, now, true, "")
		estimated := false
		err := s.walk(ctx, w.env, w.request(start, now), func(p page) error {
			if err := w.out.writeItems(p.items, start, cp, nil); err != nil {
				return err
			}
			// After the first page is written, so that its records give
			// the byte estimate a basis.
			if !estimated && p.total > 0 {
				estimated = true
				w.out.prog.total = p.total
				if err := w.out.sendEstimate(p.total); err != nil {
					return err
				}
			}
			return w.out.pageDone(cp.last(), p)
		})
		if err != nil {
			return err
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
