package streams

// Month by month: an endpoint that takes one calendar month at a time
// (billingPeriod=YYYY-MM; WhatsApp billed conversations) and whose months
// keep changing for a while.
//
// What the state rests on. Botmaker adds to the current month until it
// ends, and may add late records to the month before (Meta bills a
// conversation when it closes). So each sync walks the current and the
// previous month again, and a month before those only until it has been
// walked completely once: settled_through in the state names the last
// month of an unbroken run of such walks, from start_date's month on. It
// moves only after the last page of a month was read, never by the clock
// alone; the clock only says which month is current (taken clockSkew
// early, so a clock ahead of Botmaker's settles nothing too soon). The
// cursor is, as for every incremental stream, the newest startDatetime
// written inside the month it was requested for.
//
// On a cadence. The open months (the current and the previous one) are
// billed in full each time they are read, so they are read again only
// once billing_refresh_hours have passed since the last sync that read
// them to their last page; months_read_at in the state is when that sync
// began (our clock, never a record time: it only says when the next read
// is due, and the sync's start is no later than anything it saw). In
// between, a sync reads nothing for the stream and keeps its state. A
// month still to be settled is read at once, whatever the cadence.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

const (
	settledKey    = "settled_through"
	monthsReadKey = "months_read_at"
	monthLayout   = "2006-01"
	// reread is how many months before the current one every sync reads
	// again: the previous month, for records billed late.
	reread = 1
)

func parseSettled(m map[string]json.RawMessage) (time.Time, error) {
	v, ok := m[settledKey]
	if !ok || string(v) == "null" {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return time.Time{}, fmt.Errorf(`must be a month like "2025-01", got %s`, clip(v))
	}
	t, err := time.Parse(monthLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf(`must be a month like "2025-01", got %q`, s)
	}
	return t, nil
}

type monthWalk struct {
	s   *Stream
	env Env
	bm  *bookmarks
	out *recordWriter
}

// read reads every month from the first not yet settled (start_date's
// month on a first sync or a full refresh) to the current one, each to its
// last page, with a STATE after each.
func (w *monthWalk) read(ctx context.Context) error {
	bm := w.bm
	now := w.env.Now().UTC().Truncate(time.Second)
	current := monthOf(now.Add(-clockSkew))
	first := monthOf(w.env.Opts.StartDate)
	if bm.incremental && bm.saved.After(now.Add(clockSkew)) {
		// A state in the future reads nothing and is kept (start warns),
		// as for every incremental stream.
		bm.start(now)
		bm.state.cursor = bm.saved
		return bm.save(true)
	}
	if bm.incremental {
		if bm.state.settled.Before(first) {
			bm.state.settled = time.Time{} // start_date moved past it
		}
		w.distrustLateSettled(current)
		if !bm.state.settled.IsZero() {
			first = maxTime(first, bm.state.settled.AddDate(0, 1, 0))
		}
	}
	if bm.resumed {
		// Every STATE follows a whole month, so the attempt that wrote
		// it walked the bookmark's month and those before.
		first = maxTime(first, monthOf(bm.saved).AddDate(0, 1, 0))
	}
	if w.fresh(now, first, current) {
		bm.state.pending = nil
		return bm.save(true)
	}
	w.out.walking(first, current.AddDate(0, 1, 0), false, "")
	for m := first; !m.After(current); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, 0)
		// A record stamped outside the month asked for (or before
		// start_date) is written but never moves the bookmark.
		cp := newWindowCheckpoint(maxTime(m, w.env.Opts.StartDate), end)
		w.env.Log.Debug().Msgf("stream %s: month %s", w.s.Name, m.Format(monthLayout))
		err := w.s.walk(ctx, w.env, w.request(m), func(p page) error {
			if err := w.out.writeItems(p.items, w.env.Opts.StartDate, cp, nil); err != nil {
				return err
			}
			return w.out.pageDone(maxTime(m, cp.newest()), p)
		})
		if err != nil {
			return err
		}
		if err := w.monthEstimate(first, current, m); err != nil {
			return err
		}
		bm.newest = maxTime(bm.newest, cp.newest())
		if bm.incremental && m.Before(current.AddDate(0, -reread, 0)) {
			bm.state.settled = m
		}
		bm.state.cursor = bm.bookmark(time.Time{})
		if err := bm.save(false); err != nil {
			return err
		}
	}
	bm.state.cursor = bm.bookmark(time.Time{})
	bm.state.pending = nil // nothing limits how far back a month is served
	if bm.incremental {
		bm.state.monthsRead = now
	}
	// The lookbacks do not apply (the months re-read are the margin), but
	// the deep re-read's bookkeeping runs as for every stream, so the
	// billed-traffic line and the state say the same as elsewhere.
	bm.deepDone()
	return bm.finish()
}

// distrustLateSettled drops a settled_through no sync could have written:
// one at or after the month before current, which every sync reads again
// because it still changes. Such a value comes from a hand-edited state or
// from a clock that ran ahead at a month boundary, and trusting it would
// skip the months that still change, silently, on every sync. Like a
// future cursor it is named in a WARN; unlike one it is not kept, because
// it is the only record of which months were read to their end, and a
// value shown wrong says nothing true about the months before it either:
// this sync reads every month from start_date's, as a state without the
// key does, and settles them again. It costs one full walk of the months,
// once; the cursor is untouched.
func (w *monthWalk) distrustLateSettled(current time.Time) {
	st := &w.bm.state
	if st.settled.IsZero() || st.settled.Before(current.AddDate(0, -reread, 0)) {
		return
	}
	w.env.Log.Warn().Msgf("stream %s: the saved state's %s is %s, but no month after %s can be settled yet (Botmaker still adds to the current month and the one before it), so the value is wrong: a hand-edited state, or a clock that ran ahead. This sync reads every month from start_date's again and writes a correct %s. Check the machine's clock if nobody edited the state by hand.", w.s.Name, settledKey, st.settled.Format(monthLayout), current.AddDate(0, -reread-1, 0).Format(monthLayout), settledKey)
	st.settled = time.Time{}
}

// fresh says this sync leaves the open months alone: they were read less
// than billing_refresh_hours ago and no month before them awaits its walk
// (first, from the settled month on, is the previous month or later). A
// months_read_at later than now is not trusted, so they are read.
func (w *monthWalk) fresh(now, first, current time.Time) bool {
	bm, every := w.bm, w.env.Opts.BillingRefresh
	read := bm.state.monthsRead
	if !bm.incremental || every <= 0 || read.IsZero() || bm.saved.IsZero() || first.Before(current.AddDate(0, -reread, 0)) {
		return false
	}
	if read.After(now.Add(clockSkew)) {
		w.env.Log.Warn().Msgf("stream %s: the saved state's %s is %s, later than now (%s), so it is not trusted and this sync reads the open billing months. Nothing to do if the clock was just corrected; otherwise check this machine's clock.", w.s.Name, monthsReadKey, FormatTime(read), FormatTime(now))
		return false
	}
	next := read.Add(every)
	if !now.Before(next) {
		return false
	}
	if w.env.Traffic != nil {
		w.env.Traffic.Deep = false // nothing was re-read
	}
	w.env.Log.Info().Msgf("stream %s: its open billing months were read at %s, less than billing_refresh_hours ago: nothing read this sync; the next read is due at %s", w.s.Name, FormatTime(read), FormatTime(next))
	return true
}

// request is the first URL of month m.
func (w *monthWalk) request(m time.Time) *url.URL {
	q := w.s.query(w.env.Opts)
	q.Set("billingPeriod", m.Format(monthLayout))
	return w.env.Fetch.URL(w.s.Path, q)
}

// monthEstimate tells Airbyte, after month m and with months to go, how
// many records to expect: this walk's records so far spread over its
// months.
func (w *monthWalk) monthEstimate(first, current, m time.Time) error {
	if !m.Before(current) {
		return nil
	}
	months := func(a, b time.Time) int { return (b.Year()-a.Year())*12 + int(b.Month()-a.Month()) + 1 }
	est := w.out.written * int64(months(first, current)) / int64(months(first, m))
	return w.out.sendEstimate(est)
}
