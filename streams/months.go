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

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

const (
	settledKey  = "settled_through"
	monthLayout = "2006-01"
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
		if !bm.state.settled.IsZero() {
			first = maxTime(first, bm.state.settled.AddDate(0, 1, 0))
		}
	}
	if bm.resumed {
		// Every STATE follows a whole month, so the attempt that wrote
		// it walked the bookmark's month and those before.
		first = maxTime(first, monthOf(bm.saved).AddDate(0, 1, 0))
	}
	w.out.walking(first, current.AddDate(0, 1, 0), false, "")
	for m := first; !m.After(current); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, 0)
		// A record stamped outside the month asked for (or before
		// start_date) is written but never moves the bookmark.
		cp := newWindowCheckpoint(maxTime(m, w.env.Opts.StartDate), end, false)
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
	// The lookbacks do not apply (the months re-read are the margin), but
	// the deep re-read's bookkeeping runs as for every stream, so the
	// billed-traffic line and the state say the same as elsewhere.
	bm.deepDone()
	return bm.finish()
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
