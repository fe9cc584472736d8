package streams

import (
	"context"
	"slices"
	"time"
)

// backfill reads the pending periods, oldest first. Each period shrinks
// from the front as its windows complete and leaves the state when done.
// Records in a pending period were never read, so none counts as re-read.
func (w *windowWalk) backfill(ctx context.Context) error {
	st := &w.bm.state
	reread := w.out.rereadUpTo
	w.out.rereadUpTo = time.Time{}
	defer func() { w.out.rereadUpTo = reread }()
	for i := 0; i < len(st.pending); {
		p := st.pending[i]
		done := false
		w.out.walking(p.from, p.to, false, pendingKey+" ")
		// A pending period is a stretch of time not yet walked, so it shrinks
		// as windows are walked, not as records are found in them.
		err := w.span(ctx, p.from, p.to, time.Time{}, func(pos, _ time.Time) error {
			if done {
				return nil
			}
			// Open records found are tracked, unless more are open than
			// the state tracks: then the period and the bookmark wait at
			// the hold.
			if hold := w.hold(); !hold.IsZero() {
				pos = minTime(pos, hold)
				st.cursor = minTime(st.cursor, hold)
			}
			if !pos.Before(p.to) {
				st.pending = slices.Delete(st.pending, i, i+1)
				done = true
			} else if pos.After(st.pending[i].from) {
				st.pending[i].from = pos
			}
			return w.bm.save(false)
		})
		if err != nil {
			return err
		}
		if !done {
			i++
		}
	}
	return nil
}
