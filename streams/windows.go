package streams

// Window tiling: a from/to stream is read as consecutive windows of at most
// MaxWindow, each request built here, with progress reported as windows
// (or, where windowCheckpoint allows, pages) complete.

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// request is the first URL of the window [a, b), with extra overriding the
// stream's parameters.
func (r *reader) request(a, b time.Time, extra url.Values) *url.URL {
	s := r.s
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(r.env.Opts)
	}
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
	if s.Limit > 0 {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	return r.env.Fetch.Endpoint(s.Path, q)
}

// windows reads a from/to stream: first the pending backfill, when it can,
// then [start, now) with the bookmark moving forward as windows complete.
func (r *reader) windows(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC().Truncate(time.Second)
	if r.reachesBack() {
		if err := r.backfill(ctx); err != nil {
			return err
		}
	}
	start := r.start(now)
	if !r.reachesBack() {
		edge := now.Add(-s.Recent + clockSkew)
		var skipped *period
		if start.Before(edge) {
			// Only what no sync has read yet is pending; the part of the
			// lookback window before the edge was read by the previous sync.
			gap := maxTime(r.env.Opts.StartDate, r.saved)
			if gap.Before(edge) {
				skipped = &period{gap, edge}
				r.state.pending = addPeriod(r.state.pending, *skipped)
			} else {
				r.env.Log.Info().Msgf("stream %s: without long-term search the lookback window starts at %s, the edge of Botmaker's recent window, instead of %s", s.Name, FormatTime(edge), FormatTime(start))
			}
			start = edge
			r.edge = edge
		}
		if len(r.state.pending) > 0 {
			msg := fmt.Sprintf("stream %s: ", s.Name)
			if skipped != nil {
				msg += fmt.Sprintf("without long-term search Botmaker serves only the last %s, so %s to %s was skipped. ", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
			}
			if r.incremental {
				msg += fmt.Sprintf("Not synced yet, kept in the state as %s: %s. Set long_term_search to true to backfill it: the next sync then reads it before anything newer (Botmaker bills long-term searches as BI data-source consumption).", pendingKey, describePeriods(r.state.pending))
			} else {
				// A full refresh starts from start_date every time and
				// keeps no state, so nothing carries the period forward.
				msg += "A full refresh keeps no state: every full refresh without long-term search skips it again. Set long_term_search to true to read it (Botmaker bills long-term searches as BI data-source consumption)."
			}
			r.env.Log.Warn().Msg(msg)
		}
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
	s := r.s
	var open time.Time
	var written int64 // records written in this span, for the estimate
	for a := from; a.Before(to); {
		// The request starts a second early, so the window is a second short.
		b := a.Add(MaxWindow - time.Second)
		if b.After(to) {
			b = to
		}
		var probe []hidden
		var seen map[string]struct{}
		if r.unsettled != nil && b.After(probeFrom) {
			var err error
			if probe, err = r.probe(ctx, maxTime(a, probeFrom), b); err != nil {
				return err
			}
			seen = make(map[string]struct{}, len(probe))
		}
		k := 0
		// settle looks at the probed records before t: any the listing did
		// not return is still open, and the earliest bounds the bookmark.
		settle := func(t time.Time) {
			for ; k < len(probe) && probe[k].t.Before(t); k++ {
				if _, ok := seen[probe[k].id]; !ok && open.IsZero() {
					open = probe[k].t
				}
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
			for _, it := range p.items {
				t, ok, err := r.write(it, since)
				if err != nil {
					return err
				}
				cp.item(t, ok)
				if !ok {
					continue
				}
				r.count(t, it)
				count++
				if seen != nil {
					id, _ := rawjson.Get(it, r.unsettled.IDKey)
					seen[string(id)] = struct{}{}
				}
			}
			if cp.becameUnordered() && !r.orderLogged {
				r.orderLogged = true
				r.env.Log.Info().Msgf("stream %s: Botmaker listed a record older than the one before it, so this window (%s to %s) is checkpointed once, at its end, rather than after each page", s.Name, FormatTime(a), FormatTime(b))
			}
			if pos, ok := cp.pageDone(); ok {
				settle(pos)
				return progress(pos, pos, open)
			}
			return nil
		})
		if err != nil {
			return err
		}
		written += count
		settle(b)
		if err := progress(b, cp.newest(), open); err != nil {
			return err
		}
		if b.Before(to) && b.After(from) {
			// More windows to go: extrapolate this span's records so far
			// over its whole length, so Airbyte can show progress.
			est := int64(float64(written) * float64(to.Sub(from)) / float64(b.Sub(from)))
			if err := r.env.Sink.Estimate(s.Name, est); err != nil {
				return err
			}
		}
		a = b
	}
	return nil
}
