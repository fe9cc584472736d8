package streams

// Time windows: a from/to stream is read as consecutive windows of at most
// MaxWindow, first any pending backfill (backfill.go), then [start, now),
// with the bookmark moving forward as windows complete (checkpoint.go), and
// windows sized to about a minute of requests (sizing.go). Botmaker's
// recent window limits where a walk may start and how long a window near
// its moving edge may take (recent.go), and the open records an unsettled
// probe finds are tracked one by one and re-checked before the main range
// (tracker.go).

import (
	"context"
	"errors"
	"net/url"
	"time"
)

type windowWalk struct {
	s          *Stream
	env        Env
	bm         *bookmarks
	out        *recordWriter
	recent     *recentEdge
	track      *openTracker // nil when nothing needs probing
	size       *windowSize
	rechecking bool // the windows walked re-check tracked open records
}

func newWindowWalk(s *Stream, env Env, bm *bookmarks, out *recordWriter) *windowWalk {
	w := &windowWalk{s: s, env: env, bm: bm, out: out, recent: newRecentEdge(s, env, bm), size: newWindowSize(s)}
	if bm.incremental && s.Unsettled != nil {
		pr := &unsettledProbe{u: s.Unsettled, cursor: s.Cursor, list: w.list}
		w.track = newOpenTracker(s, env, pr, bm.state.open)
	}
	return w
}

// read walks the pending backfill, when it can, then re-checks the tracked
// open records before the main range, then walks the main range.
func (w *windowWalk) read(ctx context.Context) error {
	bm := w.bm
	now := w.env.Now().UTC().Truncate(time.Second)
	if w.track != nil && !w.recent.reachesBack() {
		edge := now.Add(-w.s.Recent + clockSkew)
		for _, p := range w.track.unreachable(edge) {
			bm.state.pending = addPeriod(bm.state.pending, p)
		}
	}
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
	if w.track != nil {
		// A first sync probes Horizon back; a deep re-read probes its
		// whole range, so an open record Botmaker indexed late is found;
		// any other sync probes from its bookmark: before it, every record
		// an earlier sync saw open is tracked and re-checked here.
		switch {
		case bm.saved.IsZero():
			probeFrom = now.Add(-w.s.Unsettled.Horizon)
		case !bm.deep.due:
			probeFrom = bm.saved
		}
		w.rechecking = true
		rc := w.track.recheck(maxTime(start, probeFrom), recheckWindows(w.s))
		if len(rc) > 0 {
			w.out.walking(rc[0].from, rc[len(rc)-1].to, false, "tracked open records in ")
		}
		for _, p := range rc {
			if _, err := w.window(ctx, p.from, p.to, time.Time{}, func(time.Time, time.Time) error { return w.checkpoint() }); err != nil {
				return err
			}
		}
		w.rechecking = false
	}
	w.out.walking(start, now, false, "")
	err := w.span(ctx, start, now, probeFrom, func(_, newest time.Time) error {
		bm.newest = maxTime(bm.newest, newest)
		return w.checkpoint()
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

// checkpoint writes a STATE covering every record written so far: the
// bookmark, held back only when more records are open than the state
// tracks, and the tracked open records.
func (w *windowWalk) checkpoint() error {
	bm := w.bm
	bm.setCursor(w.hold())
	return bm.save(false)
}

// hold puts the tracked open records in the state and returns where the
// bookmark must wait (zero: nowhere).
func (w *windowWalk) hold() time.Time {
	if w.track == nil {
		return time.Time{}
	}
	var hold time.Time
	w.bm.state.open, hold = w.track.state()
	return hold
}

// list walks every page of the window [a, b), with extra overriding the
// stream's parameters. It stops with errEdgePassed before following a
// nextPage once the recent window's moving edge has come too close to a
// (edgeReached): the probe's listing (an open record it skipped would
// never be tracked) as well as the window's own.
func (w *windowWalk) list(ctx context.Context, a, b time.Time, extra url.Values, fn func(page) error) error {
	return w.s.walk(ctx, w.env, w.request(a, b, extra), func(p page) error {
		if err := fn(p); err != nil {
			return err
		}
		if p.next != nil && w.edgeReached(a) {
			return errEdgePassed
		}
		return nil
	})
}

// edgeReached says the recent window's moving edge has come too close to
// a window starting at a for its listing to go on (recentEdge.passed). A
// re-check window is read whole: it is narrow, and a tracked record it
// misses stays tracked.
func (w *windowWalk) edgeReached(a time.Time) bool {
	return !w.rechecking && w.recent.passed(a)
}

// request is the first URL of the window [a, b), with extra overriding the
// stream's parameters.
func (w *windowWalk) request(a, b time.Time, extra url.Values) *url.URL {
	s := w.s
	q := s.query(w.env.Opts)
	for k, v := range extra {
		q[k] = v
	}
	from := filterFrom(a)
	// Botmaker's filters take whole seconds (its users report it; the
	// SPEC's examples have no fraction), but a bookmark taken from a cursor
	// with fractional seconds has one: the request widens to whole seconds.
	// What it returns outside [a, b) is written, but moves no checkpoint.
	to := b.Truncate(time.Second)
	if to.Before(b) {
		to = to.Add(time.Second)
	}
	q.Set("from", FormatTime(from))
	q.Set("to", FormatTime(to))
	if w.recent.useLTS(from, a, b) {
		q.Set("long-term-search", "true")
	}
	return w.env.Fetch.URL(s.Path, q)
}

// span reads [from, to) in windows whose requests span at most MaxWindow
// (windowSize may shorten them, recentEdge too near its edge or at the
// edge of what Botmaker surely serves), calling progress(pos, newest) at
// each window's end pos, once every record before it has been written,
// except open ones, which the tracker keeps. newest is the newest cursor
// written up to pos (zero: none). Windows ending after probeFrom are
// probed when the stream is unsettled.
func (w *windowWalk) span(ctx context.Context, from, to, probeFrom time.Time, progress func(pos, newest time.Time) error) error {
	var written int64 // records written in this span, for the estimate
	for a := from; a.Before(to); {
		b := w.recent.limit(a, w.recent.split(a, w.size.end(a, to)))
		count, err := w.window(ctx, a, b, probeFrom, progress)
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
			if err := w.out.sendEstimate(est); err != nil {
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

// window reads the window [a, b) and returns the records it wrote; when it
// ends after probeFrom and the stream is unsettled, the tracker probes it
// first and settles it as it is listed. It returns errShorter or
// errEdgePassed, having checkpointed nothing, when the window is to be read
// again from its start (span).
func (w *windowWalk) window(ctx context.Context, a, b, probeFrom time.Time, progress func(pos, newest time.Time) error) (int64, error) {
	s := w.s
	// The edge may reach a window before its first request (after a walk
	// of windows it does not guard) or its probe's walk: what the edge
	// passed is then no longer served, and a from before it is refused.
	if w.edgeReached(a) {
		return 0, errEdgePassed
	}
	var pw *probedWindow
	if w.track != nil && b.After(probeFrom) {
		var err error
		if pw, err = w.track.window(ctx, maxTime(a, probeFrom), b); err != nil {
			return 0, err
		}
		if w.edgeReached(a) {
			return 0, errEdgePassed
		}
	}
	// When the filter is the cursor itself, records before a are the
	// overlap with the previous window, already written.
	var since time.Time
	if s.CursorIsFilter {
		since = a
	}
	cp := newWindowCheckpoint(a.Add(-time.Second), b)
	w.env.Log.Debug().Msgf("stream %s: window %s to %s%s", s.Name, FormatTime(a), FormatTime(b), w.windowNote(a, b, pw != nil))
	count := int64(0)
	pages := 0
	err := w.list(ctx, a, b, nil, func(p page) error {
		pages++
		if pages == 1 && p.next != nil && !w.rechecking {
			if end, ok := w.size.shorter(a, b, p.items); ok {
				w.env.Log.Debug().Msgf("stream %s: window %s to %s is too long for one checkpoint by its first page; reading %s to %s instead", s.Name, FormatTime(a), FormatTime(b), FormatTime(a), FormatTime(end))
				return errShorter{}
			}
		}
		items := p.items
		if w.rechecking {
			// Earlier syncs wrote the window's other records.
			items = pw.tracked(items)
		}
		if err := w.out.writeItems(items, since, cp, func(it []byte) bool {
			count++
			return pw.listed(it)
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
		return nil
	})
	if err != nil {
		return count, err
	}
	if !w.rechecking {
		w.size.done(pages)
	}
	pw.settle(b)
	w.env.Log.Debug().Msgf("stream %s: window %s to %s done, %s", s.Name, FormatTime(a), FormatTime(b), records(int(count)))
	return count, progress(b, cp.newest())
}

// filterFrom is the from filter of a window starting at a. Botmaker
// documents from as exclusive ("greater than"); asking from one second
// earlier keeps a record stamped exactly at a, and the overlap is dropped
// when the filter is the cursor itself. Filters take whole seconds
// (windowQuery), so a fraction is rounded down.
func filterFrom(a time.Time) time.Time {
	return a.Add(-time.Second).Truncate(time.Second)
}

// windowNote adds to a window's DEBUG line how it is read: with long-term
// search, re-checking tracked open records, probed for unsettled records,
// and checkpointed at its end (every window is: checkpoint.go).
func (w *windowWalk) windowNote(a, b time.Time, probed bool) string {
	note := ""
	if w.recent.useLTS(filterFrom(a), a, b) {
		note += ", with long-term search"
	}
	if w.rechecking {
		note += ", re-checking tracked open records"
	}
	if probed {
		note += ", probed for unsettled records"
	}
	return note + ", checkpointed at its end"
}
