package streams

import (
	"context"
	"slices"
	"time"
)

// backfill reads the pending periods, oldest first. Each period shrinks
// from the front as its windows complete and leaves the state when done.
func (r *reader) backfill(ctx context.Context) error {
	for i := 0; i < len(r.state.pending); {
		p := r.state.pending[i]
		done := false
		r.backfilling = true
		// A pending period is a stretch of time not yet walked, so it shrinks
		// as windows are walked, not as records are found in them.
		err := r.span(ctx, p.from, p.to, time.Time{}, func(pos, _, open time.Time) error {
			if done {
				return nil
			}
			if !open.IsZero() && open.Before(pos) {
				pos = open
			}
			if !pos.Before(p.to) {
				r.state.pending = slices.Delete(r.state.pending, i, i+1)
				done = true
			} else if pos.After(r.state.pending[i].from) {
				r.state.pending[i].from = pos
			}
			return r.save(false)
		})
		r.backfilling = false
		if err != nil {
			return err
		}
		if !done {
			i++
		}
	}
	return nil
}
