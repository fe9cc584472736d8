package streams

// Window tiling: a from/to stream is read as consecutive windows of at most
// MaxWindow, each request built here, with progress reported as windows
// (or, where windowCheckpoint allows, pages) complete.

import (
	"context"
	"net/url"
	"time"
)

// request is the first URL of the window [a, b), with extra overriding the
// stream's parameters.
func (r *reader) request(a, b time.Time, extra url.Values) *url.URL {
	s := r.s
	q := s.query(r.env.Opts)
	for k, v := range extra {
		q[k] = v
	}
	// Botmaker documents from as exclusive ("greater than"); asking from one
	// second earlier keeps a record stamped exactly at a, and the overlap is
	// dropped when the filter is the cursor itself.
	from := a.Add(-time.Second)
	q.Set("from", FormatTime(from))
	q.Set("to", FormatTime(b))
	if r.useLTS(from) {
		q.Set("long-term-search", "true")
	}
	return r.env.Fetch.URL(s.Path, q)
}

// windows reads a from/to stream: first the pending backfill, when it can,
// then [start, now) with the bookmark moving forward as windows complete.
func (r *reader) windows(ctx context.Context) error {
	now := r.env.Now().UTC().Truncate(time.Second)
	if r.reachesBack() {
		if err := r.backfill(ctx); err != nil {
			return err
		}
	}
	start := r.start(now)
	if !r.reachesBack() {
		start = r.clampToRecent(start, now)
	}
	probeFrom := time.Time{}
	if r.saved.IsZero() && r.unsettled != nil {
		probeFrom = now.Add(-r.unsettled.Horizon)
	}
	err := r.span(ctx, start, now, probeFrom, func(_, newest, open time.Time) error {
		r.newest = maxTime(r.newest, newest)
		r.state.cursor = r.bookmark(open)
		r.coverEdge()
		return r.save(false)
	})
	if err != nil {
		return err
	}
	if r.state.cursor.IsZero() {
		r.state.cursor = r.bookmark(time.Time{}) // nothing to read: start_date is now
	}
	r.deepDone()
	// Every stream ends with a STATE covering its last records, even when
	// the bookmark could not move (an open session holds it).
	return r.save(r.sent == nil || r.unsaved > 0)
}

// span reads [from, to) in windows whose requests span at most MaxWindow,
// calling progress(pos, newest, open) whenever every record before pos has
// been written, except possibly unsettled ones from open on (zero: none
// seen). newest is the newest cursor written up to pos (zero: none). At a
// window's end pos is the window's end; inside a window, where
// windowCheckpoint allows a checkpoint, pos and newest are that position.
// Windows ending after probeFrom are probed when the stream is unsettled.
func (r *reader) span(ctx context.Context, from, to, probeFrom time.Time, progress func(pos, newest, open time.Time) error) error {
	var open time.Time
	var written int64 // records written in this span, for the estimate
	for a := from; a.Before(to); {
		// The request starts a second early, so the window is a second short.
		b := a.Add(MaxWindow - time.Second)
		if b.After(to) {
			b = to
		}
		count, err := r.window(ctx, a, b, probeFrom, &open, progress)
		if err != nil {
			return err
		}
		written += count
		if b.Before(to) && b.After(from) {
			// More windows to go: extrapolate this span's records so far
			// over its whole length, so Airbyte can show progress.
			est := int64(float64(written) * float64(to.Sub(from)) / float64(b.Sub(from)))
			if err := r.env.Sink.Estimate(r.s.Name, est); err != nil {
				return err
			}
		}
		a = b
	}
	return nil
}

// window reads the window [a, b) of span and returns the records it wrote.
// open is the span's earliest unsettled record, which this window's probe
// may set.
func (r *reader) window(ctx context.Context, a, b, probeFrom time.Time, open *time.Time, progress func(pos, newest, open time.Time) error) (int64, error) {
	s := r.s
	var pw *probedWindow
	if r.unsettled != nil && b.After(probeFrom) {
		var err error
		if pw, err = r.probeWindow(ctx, maxTime(a, probeFrom), b); err != nil {
			return 0, err
		}
	}
	// When the filter is the cursor itself, records before a are the
	// overlap with the previous window, already written.
	var since time.Time
	if s.CursorIsFilter {
		since = a
	}
	cp := newWindowCheckpoint(a.Add(-time.Second), b, s.CursorIsFilter)
	count := int64(0)
	err := s.walk(ctx, r.env.Fetch, r.request(a, b, nil), func(p page) error {
		if err := r.writeItems(p.items, since, cp, func(it []byte) {
			count++
			pw.listed(it)
		}); err != nil {
			return err
		}
		if cp.becameUnordered() && !r.orderLogged {
			r.orderLogged = true
			r.env.Log.Info().Msgf("stream %s: Botmaker listed a record older than the one before it, so this window (%s to %s) is checkpointed once, at its end, rather than after each page", s.Name, FormatTime(a), FormatTime(b))
		}
		if pos, ok := cp.pageDone(); ok {
			pw.settle(pos, open)
			return progress(pos, pos, *open)
		}
		return nil
	})
	if err != nil {
		return count, err
	}
	pw.settle(b, open)
	return count, progress(b, cp.newest(), *open)
}
