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

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

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

// months reads every month from the first not yet settled (start_date's
// month on a first sync or a full refresh) to the current one, each to its
// last page, with a STATE after each.
func (r *reader) months(ctx context.Context) error {
	now := r.env.Now().UTC().Truncate(time.Second)
	current := monthOf(now.Add(-clockSkew))
	first := monthOf(r.env.Opts.StartDate)
	if r.incremental && r.saved.After(now.Add(clockSkew)) {
		// A state in the future reads nothing and is kept (start warns),
		// as for every incremental stream.
		r.start(now)
		r.state.cursor = r.saved
		return r.save(true)
	}
	if r.incremental {
		if r.state.settled.Before(first) {
			r.state.settled = time.Time{} // start_date moved past it
		}
		if !r.state.settled.IsZero() {
			first = maxTime(first, r.state.settled.AddDate(0, 1, 0))
		}
	}
	for m := first; !m.After(current); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, 0)
		// A record stamped outside the month asked for (or before
		// start_date) is written but never moves the bookmark.
		cp := newWindowCheckpoint(maxTime(m, r.env.Opts.StartDate), end, false)
		err := r.s.walk(ctx, r.env.Fetch, r.monthRequest(m), func(p page) error {
			return r.writeItems(p.items, r.env.Opts.StartDate, cp, nil)
		})
		if err != nil {
			return err
		}
		r.newest = maxTime(r.newest, cp.newest())
		if r.incremental && m.Before(current.AddDate(0, -reread, 0)) {
			r.state.settled = m
		}
		r.state.cursor = r.bookmark(time.Time{})
		if err := r.save(false); err != nil {
			return err
		}
	}
	r.state.cursor = r.bookmark(time.Time{})
	r.state.pending = nil // nothing limits how far back a month is served
	// The lookbacks do not apply (the months re-read are the margin), but
	// the deep re-read's bookkeeping runs as for every stream, so the
	// billed-traffic line and the state say the same as elsewhere.
	r.deepDone()
	return r.save(r.sent == nil || r.unsaved > 0)
}

// monthRequest is the first URL of month m.
func (r *reader) monthRequest(m time.Time) *url.URL {
	q := r.s.query(r.env.Opts)
	q.Set("billingPeriod", m.Format(monthLayout))
	return r.env.Fetch.URL(r.s.Path, q)
}
