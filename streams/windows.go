package streams

// Time windows: a from/to stream is read as consecutive windows of at most
// MaxWindow, first any pending backfill (backfill.go), then [start, now),
// with the bookmark moving forward as windows complete (checkpoint.go), and
// windows sized to about a minute of requests (sizing.go). Botmaker's
// recent window limits where a walk may start and how long a window near
// its moving edge may take (recent.go), and an unsettled probe may hold the
// bookmark back (unsettled.go).

import (
	"context"
	"errors"
	"net/url"
	"time"
)

type windowWalk struct {
	s      *Stream
	env    Env
	bm     *bookmarks
	out    *recordWriter
	recent *recentEdge
	probe  *unsettledProbe // nil when nothing needs probing
	size   *windowSize
}

func newWindowWalk(s *Stream, env Env, bm *bookmarks, out *recordWriter) *windowWalk {
	w := &windowWalk{s: s, env: env, bm: bm, out: out, recent: newRecentEdge(s, env, bm), size: newWindowSize(s)}
	if bm.incremental && s.Unsettled != nil {
		w.probe = &unsettledProbe{u: s.Unsettled, cursor: s.Cursor, list: w.list}
	}
	return w
}

// read walks the pending backfill, when it can, then the main range.
func (w *windowWalk) read(ctx context.Context) error {
	bm := w.bm
	now := w.env.Now().UTC().Truncate(time.Second)
	if w.recent.reachesBack() {
		if err := w.backfill(ctx); err != nil {
			return err
		}
	}
	start := bm.start(now)
	if !w.recent.reachesBack() {
		start = w.recent.clamp(start, now)
	}
	probeFrom := time.Time{}
	if bm.saved.IsZero() && w.probe != nil {
		probeFrom = now.Add(-w.probe.u.Horizon)
	}
	w.out.walking(start, now, false, "")
	err := w.span(ctx, start, now, probeFrom, func(_, newest, open time.Time) error {
		bm.newest = maxTime(bm.newest, newest)
		bm.state.cursor = bm.bookmark(open)
		return bm.save(false)
	})
	if err != nil {
		return err
	}
	if bm.state.cursor.IsZero() {
		bm.state.cursor = bm.bookmark(time.Time{}) // nothing to read: start_date is now
	}
	bm.deepDone()
	return bm.finish()
}

// list walks every page of the window [a, b), with extra overriding the
// stream's parameters.
func (w *windowWalk) list(ctx context.Context, a, b time.Time, extra url.Values, fn func(page) error) error {
	return w.s.walk(ctx, w.env, w.request(a, b, extra), fn)
}

// request is the first URL of the window [a, b), with extra overriding the
// stream's parameters.
func (w *windowWalk) request(a, b time.Time, extra url.Values) *url.URL {
	s := w.s
	q := s.query(w.env.Opts)
	for k, v := range extra {
		q[k] = v
	}
	// Botmaker documents from as exclusive ("greater than"); asking from one
	// second earlier keeps a record stamped exactly at a, and the overlap is
	// dropped when the filter is the cursor itself.
	from := a.Add(-time.Second)
	q.Set("from", FormatTime(from))
	q.Set("to", FormatTime(b))
	if w.recent.useLTS(from) {
		q.Set("long-term-search", "true")
	}
	return w.env.Fetch.URL(s.Path, q)
}

// span reads [from, to) in windows whose requests span at most MaxWindow
// (windowSize may shorten them, recentEdge too near its edge), calling
// progress(pos, newest, open) at each window's end pos, once every record
// before it has been written, except possibly unsettled ones from open on
// (zero: none seen). newest is the newest cursor written up to pos (zero:
// none). Windows ending after probeFrom are probed when the stream is
// unsettled.
func (w *windowWalk) span(ctx context.Context, from, to, probeFrom time.Time, progress func(pos, newest, open time.Time) error) error {
	var open time.Time
	var written int64 // records written in this span, for the estimate
	for a := from; a.Before(to); {
		b := w.recent.limit(a, w.size.end(a, to))
		count, err := w.window(ctx, a, b, probeFrom, &open, progress)
		written += count
		var short errShorter
		switch {
		case errors.As(err, &short):
			continue // the same start, a shorter window
		case errors.Is(err, errEdgePassed):
			a = w.recent.skip(a)
			continue
		case err != nil:
			return err
		}
		if b.Before(to) && b.After(from) {
			// More windows to go: extrapolate this span's records so far
			// over its whole length, so Airbyte can show progress.
			est := int64(float64(written) * float64(to.Sub(from)) / float64(b.Sub(from)))
			if err := w.env.Sink.Estimate(w.s.Name, est); err != nil {
				return err
			}
		}
		a = b
	}
	return nil
}

// errShorter ends the listing of a window whose first page showed it too
// long for one checkpoint (windowSize.shorter); nothing of it was written.
type errShorter struct{}

func (errShorter) Error() string { return "window too long for one checkpoint" }

// window reads the window [a, b) of span and returns the records it wrote.
// open is the span's earliest unsettled record, which this window's probe
// may set. It returns errShorter or errEdgePassed, having checkpointed
// nothing, when the window is to be read again from the start (span).
func (w *windowWalk) window(ctx context.Context, a, b, probeFrom time.Time, open *time.Time, progress func(pos, newest, open time.Time) error) (int64, error) {
	s := w.s
	var pw *probedWindow
	if w.probe != nil && b.After(probeFrom) {
		var err error
		if pw, err = w.probe.window(ctx, maxTime(a, probeFrom), b); err != nil {
			return 0, err
		}
	}
	// When the filter is the cursor itself, records before a are the
	// overlap with the previous window, already written.
	var since time.Time
	if s.CursorIsFilter {
		since = a
	}
	cp := newWindowCheckpoint(a.Add(-time.Second), b)
	w.env.Log.Debug().Msgf("stream %s: window %s to %s%s", s.Name, FormatTime(a), FormatTime(b), w.windowNote(a, pw != nil))
	count := int64(0)
	pages := 0
	err := w.list(ctx, a, b, nil, func(p page) error {
		pages++
		if pages == 1 && p.next != nil {
			if end, ok := w.size.shorter(a, b, p.items); ok {
				w.env.Log.Debug().Msgf("stream %s: window %s to %s is too long for one checkpoint by its first page; reading %s to %s instead", s.Name, FormatTime(a), FormatTime(b), FormatTime(a), FormatTime(end))
				return errShorter{}
			}
		}
		if err := w.out.writeItems(p.items, since, cp, func(it []byte) {
			count++
			pw.listed(it)
		}); err != nil {
			return err
		}
		at := a
		if !s.NewestFirst {
			at = maxTime(a, cp.newest())
		}
		if err := w.out.pageDone(at, p); err != nil {
			return err
		}
		if p.next != nil && w.recent.passed(a) {
			return errEdgePassed
		}
		return nil
	})
	if err != nil {
		return count, err
	}
	w.size.done(pages)
	pw.settle(b, open)
	w.env.Log.Debug().Msgf("stream %s: window %s to %s done, %s", s.Name, FormatTime(a), FormatTime(b), records(int(count)))
	return count, progress(b, cp.newest(), *open)
}

// windowNote adds to a window's DEBUG line how it is read: with long-term
// search, probed for unsettled records, and checkpointed at its end (every
// window is: checkpoint.go).
func (w *windowWalk) windowNote(a time.Time, probed bool) string {
	note := ""
	if w.recent.useLTS(a.Add(-time.Second)) {
		note += ", with long-term search"
	}
	if probed {
		note += ", probed for unsettled records"
	}
	return note + ", checkpointed at its end"
}
