package streams

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"time"
)

// daysBeforeNow reads an endpoint that only filters by whole days back from
// now and lists newest first (tickets). Records older than the start are
// dropped here, and the bookmark is written once the walk is complete,
// because newest-first order gives no safe point before the end.
func (r *reader) daysBeforeNow(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC().Truncate(time.Second)
	start := r.start(now)
	// Nothing limits how far back this endpoint reaches, so periods a state
	// may list as pending are simply part of the walk.
	for _, p := range r.state.pending {
		start = minTime(start, p.from)
	}
	r.state.pending = nil
	if start.Before(now) {
		// The window ends at our now: a record Botmaker stamps later (its
		// clock ahead of ours) is written but not bookmarked.
		cp := newWindowCheckpoint(start, now, false)
		estimated := false
		err := s.walk(ctx, r.env.Fetch, r.daysBeforeNowRequest(start, now), func(p page) error {
			if !estimated && p.total > 0 {
				estimated = true
				if err := r.env.Sink.Estimate(s.Name, p.total); err != nil {
					return err
				}
			}
			return r.writeItems(p.items, start, cp, nil)
		})
		if err != nil {
			return err
		}
		r.newest = cp.newest()
	}
	r.state.cursor = r.bookmark(time.Time{})
	r.deepDone()
	return r.save(true)
}

// daysBeforeNowRequest is the first URL of a walk back to start: whole
// days, rounded up, with clockSkew to spare for Botmaker's clock.
func (r *reader) daysBeforeNowRequest(start, now time.Time) *url.URL {
	s := r.s
	days := int(math.Ceil((now.Sub(start) + clockSkew).Hours() / 24))
	q := s.query(r.env.Opts)
	q.Set("daysBeforeNow", strconv.Itoa(days))
	q.Set("offset", "0")
	return r.env.Fetch.URL(s.Path, q)
}
