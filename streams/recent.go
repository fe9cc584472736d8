package streams

// Botmaker's recent window: without long-term search an endpoint serves only
// its last Stream.Recent. What a read clamps to that edge, what it keeps in
// pending_backfill, and when a request sends long-term-search.

import (
	"fmt"
	"slices"
	"time"
)

// recentEdge is a window walk's view of Botmaker's recent window: where
// the main range was clamped to it, and what that leaves pending.
type recentEdge struct {
	s      *Stream
	env    Env
	bm     *bookmarks    // its state keeps what the edge cut
	edge   time.Time     // where the main range was clamped, or the sure edge that left time pending; zero when neither
	window time.Duration // the recent window edge was taken from
	doubt  *period       // read without long-term search, but older than Stream.RecentSure: kept pending
	warned bool          // cover has warned
}

// cover keeps in pending_backfill what Botmaker's moving recent-window
// edge may have cut from a walk that started at it. The walk began
// clockSkew inside the edge; once it has lasted longer, records the edge
// passes before they are read are served no more without long-term search.
// Assumption: Botmaker's clock is ours, within clockSkew.
func (r *recentEdge) cover() {
	if r.edge.IsZero() {
		return
	}
	cut := r.env.Now().UTC().Add(-r.window).Truncate(time.Second).Add(time.Second)
	if !cut.After(r.edge) {
		return
	}
	r.bm.state.pending = addPeriod(r.bm.state.pending, period{r.edge, cut})
	if !r.warned {
		r.warned = true
		r.env.Log.Warn().Msgf("stream %s: reading from the edge of Botmaker's recent window took longer than %s, so records near the edge may have left it before they were read. %s to %s is kept in the state as %s. Set long_term_search to true to read it; the next sync then reads it first.", r.s.Name, clockSkew, FormatTime(r.edge), FormatTime(cut), pendingKey)
	}
}

// reachesBack says the stream can read any period: long-term search is on
// and the endpoint takes it, or the endpoint has no recent-window limit.
func (r *recentEdge) reachesBack() bool {
	s := r.s
	return s.Recent == 0 || (r.env.Opts.LongTermSearch && s.LongTermSearch)
}

// useLTS says whether a request from from for the window [a, b) sends
// long-term-search. Only windows that reach past Botmaker's recent window
// need it, so incremental syncs within the recent window are not billed as
// long-term searches and read Botmaker's live data. Where Botmaker may
// serve only RecentSure, a window starting before that edge needs it too,
// but only when it holds time no sync has read (a first sync, the time
// since a saved cursor older than the edge, a pending period): a re-read of
// the lookback is not billed for a doubt.
func (r *recentEdge) useLTS(from, a, b time.Time) bool {
	s := r.s
	if !r.env.Opts.LongTermSearch || !s.LongTermSearch {
		return false
	}
	now := r.env.Now()
	if s.Recent == 0 || from.Before(now.Add(-s.Recent+clockSkew)) {
		return true
	}
	// A window split at the sure edge (split) a moment ago starts a little
	// before the edge now: half the margin keeps it on the sure side.
	sure := r.sureEdge(now).Add(-clockSkew / 2)
	if !r.doubted() || !a.Before(sure) {
		return false
	}
	saved := r.bm.saved
	return saved.IsZero() || (saved.Before(sure) && b.After(saved)) || overlaps(r.bm.state.pending, period{a, b})
}

// doubted says Botmaker may serve less than Stream.Recent without
// long-term search.
func (r *recentEdge) doubted() bool {
	return r.s.RecentSure > 0 && r.s.RecentSure < r.s.Recent
}

// sureEdge is where what Botmaker surely serves without long-term search
// begins, with the clock-skew margin.
func (r *recentEdge) sureEdge(now time.Time) time.Time {
	if !r.doubted() {
		return now.Add(-r.s.Recent + clockSkew)
	}
	return now.Add(-r.s.RecentSure + clockSkew)
}

// split ends a window [a, b) of a walk with long-term search at the sure
// edge when it straddles it, so that only the part before the edge can be
// billed as a long-term search.
func (r *recentEdge) split(a, b time.Time) time.Time {
	if !r.doubted() || !r.reachesBack() {
		return b
	}
	if e := r.sureEdge(r.env.Now()).Truncate(time.Second); a.Before(e) && e.Before(b) {
		return e
	}
	return b
}

// clamp moves a start that lies before Botmaker's recent window up
// to its edge, keeping in pending_backfill what no sync has read yet, and
// warns about every pending period; it returns where the main range starts.
func (r *recentEdge) clamp(start, now time.Time) time.Time {
	s := r.s
	edge := now.Add(-s.Recent + clockSkew)
	// Only what no sync has read yet is pending; the part of the lookback
	// window before the edge was read by the previous sync.
	gap := maxTime(r.env.Opts.StartDate, r.bm.saved)
	var skipped *period
	if start.Before(edge) {
		if gap.Before(edge) {
			skipped = &period{gap, edge}
			r.bm.state.pending = addPeriod(r.bm.state.pending, *skipped)
		} else {
			r.env.Log.Info().Msgf("stream %s: without long-term search the lookback window starts at %s, the edge of Botmaker's recent window, instead of %s", s.Name, FormatTime(edge), FormatTime(start))
		}
		start = edge
		r.edge, r.window = edge, s.Recent
	}
	if sure := r.sureEdge(now); r.doubted() && gap.Before(sure) {
		// Read (Botmaker may serve it), but kept pending: it may not have.
		r.doubt = &period{maxTime(gap, edge), sure}
		r.bm.state.pending = addPeriod(r.bm.state.pending, period{gap, sure})
		r.edge, r.window = sure, s.RecentSure
	}
	if len(r.bm.state.pending) > 0 {
		r.warnPending(skipped)
	}
	return start
}

// warnPending says what the recent window keeps this sync from reading:
// skipped, when this sync cut a period, and every period still pending.
// The sync that cuts a period WARNs; a later one, which finds it pending in
// its input state and cuts nothing new, says so at INFO, so that a WARN is
// news. Each period is printed once.
func (r *recentEdge) warnPending(skipped *period) {
	s := r.s
	msg := fmt.Sprintf("stream %s: ", s.Name)
	// cut is what this sync kept pending: skipped, and what it read
	// although Botmaker may not serve it (doubt).
	var cut []period
	d := r.doubt
	if d != nil && !d.from.Before(d.to) {
		d = nil
	}
	switch {
	case skipped != nil && d != nil:
		// Adjacent: named as one period, each time once.
		msg += fmt.Sprintf("without long-term search Botmaker serves only the last %s, by its SPEC, or about %s, by its users' reports, so %s to %s was skipped where older than %s and read as far as Botmaker serves it where newer, and is not counted as synced", days(s.Recent), days(s.RecentSure), FormatTime(skipped.from), FormatTime(d.to), days(s.Recent))
		cut = append(cut, *skipped, *d)
	case skipped != nil:
		if s.LongTermSearch {
			msg += fmt.Sprintf("without long-term search Botmaker serves only the last %s, so %s to %s was skipped", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
		} else {
			msg += fmt.Sprintf("Botmaker serves only the last %s of this stream, so %s to %s was skipped", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
		}
		cut = append(cut, *skipped)
	case d != nil:
		msg += fmt.Sprintf("Botmaker's SPEC says it serves the last %s without long-term search, but its users report only about %s, so %s to %s was read as far as Botmaker serves it and is not counted as synced", days(s.Recent), days(s.RecentSure), FormatTime(d.from), FormatTime(d.to))
		cut = append(cut, *d)
	}
	// The periods other than the ones what was cut joined.
	var pending []period
	for _, p := range r.bm.state.pending {
		if !slices.ContainsFunc(cut, func(c period) bool { return !p.to.Before(c.from) && !p.from.After(c.to) }) {
			pending = append(pending, p)
		}
	}
	news := len(cut) > 0
	also := ""
	if len(pending) > 0 && news {
		also = " (also pending: " + describePeriods(pending) + ")"
	} else if len(pending) > 0 {
		also = ": " + describePeriods(pending)
	}
	const dropIt = "Nothing to do unless you want it out of the state: then set start_date to the end of that period or later."
	switch {
	case !s.LongTermSearch && r.bm.incremental:
		// No long-term search can reach it (notifications without
		// notification-name): the state keeps saying it was not synced.
		if !news {
			msg += "still pending"
		}
		msg += fmt.Sprintf("%s. No sync can read it; the state keeps it as %s so that it never claims it was synced. %s", also, pendingKey, dropIt)
	case !s.LongTermSearch:
		msg += ". No sync can read it. Set start_date to the end of that period or later to ask only for what Botmaker serves."
	case r.bm.incremental:
		if !news {
			msg += "not synced yet"
		}
		msg += fmt.Sprintf("%s, kept in the state as %s. Set long_term_search to true to backfill it: the next sync then reads it before anything newer (Botmaker bills long-term searches as BI data-source consumption).", also, pendingKey)
	default:
		// A full refresh starts from start_date every time and
		// keeps no state, so nothing carries the period forward.
		msg += ". A full refresh keeps no state: every full refresh without long-term search skips it again. Set long_term_search to true to read it (Botmaker bills long-term searches as BI data-source consumption)."
	}
	if !news {
		r.env.Log.Info().Msg(msg)
		return
	}
	r.env.Log.Warn().Msg(msg)
}

// overlaps says p shares time with one of the periods ps.
func overlaps(ps []period, p period) bool {
	for _, q := range ps {
		if q.from.Before(p.to) && p.from.Before(q.to) {
			return true
		}
	}
	return false
}
