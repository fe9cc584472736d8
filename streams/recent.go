package streams

// Botmaker's recent window: without long-term search an endpoint serves only
// its last Stream.Recent. What a read clamps to that edge, what it keeps in
// pending_backfill, and when a request sends long-term-search.

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// recentEdge is a window walk's view of Botmaker's recent window: what it
// leaves pending, and how a window near its moving edge is walked.
//
// Assumption, not in the SPEC: Botmaker computes "the last N days" anew on
// every page, and its nextPage may be an offset into that list. Then, once
// the edge passes a window's from while the window is being walked, every
// record it passes shifts the rest of the list down by one, and an offset
// skips a record at each later page boundary: records newer than the edge,
// never written, spread through the window and behind the cursor. No
// bookkeeping after the fact finds them. So a window is walked only while
// the edge is, by our clock, more than edgeTrust short of its from (its
// nextPage is not followed after that; nothing of the window is
// checkpointed), and is then read again from start, from two minutes inside
// where the edge is by then, what lies before that joining pending_backfill
// (skip). Near the edge, windows are short (limit), so a window finishes
// long before the edge reaches it, and one that does not costs little to
// read again; each time one does not, the next is half as long and starts
// twice as far inside the edge.
//
// Where Botmaker may serve less than the SPEC's recent window (RecentSure),
// the edge that can lose a record is the shorter window's; what lies
// between the two edges is read but kept pending (doubt), so windows there,
// and windows re-reading what an earlier sync read, are not guarded (guard).
type recentEdge struct {
	s      *Stream
	env    Env
	bm     *bookmarks    // its state keeps what the edge cut
	slice  time.Duration // the longest window near the edge
	margin time.Duration // how far inside the edge a window the edge overtook is read again from
	doubt  *period       // read without long-term search, but older than Stream.RecentSure: kept pending
	guard  time.Time     // where the walk starts guarding against the moving edge (limit, passed); zero: everywhere
	warned bool          // skip has warned
}

// edgeTrust is how close, by our clock, Botmaker's edge may come to a
// window's from before the window's walk stops: half the clockSkew margin
// a walk starts with, so a window begun at the edge has a minute to finish
// while Botmaker's clock may run up to a minute ahead of ours.
const edgeTrust = clockSkew / 2

// firstSlice is the longest window next to the edge until one is read
// again: an hour of records is a few pages on any account, far less than
// the minute the first window has.
const firstSlice = time.Hour

func newRecentEdge(s *Stream, env Env, bm *bookmarks) *recentEdge {
	return &recentEdge{s: s, env: env, bm: bm, slice: firstSlice, margin: clockSkew}
}

// limiting says the recent window limits this walk.
func (r *recentEdge) limiting() bool { return r.s.Recent > 0 && !r.reachesBack() }

// edge is where Botmaker's recent window begins now, by our clock: where
// Botmaker may serve less than Stream.Recent (RecentSure), the edge of what
// it surely serves, the one whose passing can lose a record.
func (r *recentEdge) edge() time.Time {
	if r.doubted() {
		return r.env.Now().UTC().Add(-r.s.RecentSure)
	}
	return r.env.Now().UTC().Add(-r.s.Recent)
}

// guarded says the window starting at a is guarded against the moving edge.
func (r *recentEdge) guarded(a time.Time) bool { return r.limiting() && !a.Before(r.guard) }

// limit shortens the window [a, b) near the edge: it may be no longer than
// its distance from the edge, or slice when that is longer. Reading a
// stretch of records takes far less time than the stretch spans on any
// account a sync can keep up with, so a window this long is walked before
// the edge, moving with the clock, reaches it.
func (r *recentEdge) limit(a, b time.Time) time.Time {
	if !r.guarded(a) {
		return b
	}
	// In whole seconds, as filters are (windowWalk.request).
	if end := a.Add(max(r.slice, a.Sub(r.edge()))).Truncate(time.Second); end.Before(b) {
		return end
	}
	return b
}

// passed says the edge has come within edgeTrust of the window starting
// at a, whose walk must then stop before its next page.
func (r *recentEdge) passed(a time.Time) bool {
	return r.guarded(a) && !a.Add(-time.Second).After(r.edge().Add(edgeTrust))
}

// skip is where a window whose walk the edge overtook is read again from:
// first two minutes inside the edge, as a walk starts. What lies before
// it, from a on, joins pending_backfill, and the next windows near the
// edge are half as long, and start twice as far inside it: a window's
// first requests (a probe's walk, then the listing's first page) take
// time however short it is, and on a server slow enough that they outlast
// the margin, halving alone would read the edge again and again, each time
// a little later, and leave the whole walk pending.
func (r *recentEdge) skip(a time.Time) time.Time {
	next := maxTime(a, r.edge().Add(r.margin).Truncate(time.Second))
	if next.After(a) {
		r.bm.state.pending = addPeriod(r.bm.state.pending, period{a, next})
	}
	r.slice = max(r.slice/2, time.Second)
	r.margin *= 2
	if !r.warned {
		r.warned = true
		passed := fmt.Sprintf("%s to %s", FormatTime(a), FormatTime(next))
		var what string
		switch {
		case !r.s.LongTermSearch && r.bm.incremental:
			what = fmt.Sprintf("%s is kept in the state as %s so that it never claims it was synced; no sync can read it. Nothing to do unless you want it out of the state: then set start_date to the end of that period or later.", passed, pendingKey)
		case !r.s.LongTermSearch:
			what = fmt.Sprintf("%s was not read. Nothing to do: Botmaker serves it to no sync any more.", passed)
		case !r.bm.incremental:
			what = fmt.Sprintf("%s was not read; a full refresh keeps no state to read it later. Set long_term_search to true to read it.", passed)
		default:
			what = fmt.Sprintf("%s is kept in the state as %s. Set long_term_search to true to read it; the next sync then reads it first.", passed, pendingKey)
		}
		r.env.Log.Warn().Msgf("stream %s: reading a window at the edge of Botmaker's recent window took longer than the edge allows (it moves with Botmaker's clock), so the window is read again from %s. %s", r.s.Name, FormatTime(next), what)
	}
	return next
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

// split ends a window [a, b) that straddles a point the walk treats
// differently on either side: with long-term search the sure edge, so that
// only the part before the edge can be billed as a long-term search;
// without it the guard, so that a window is guarded against the moving
// edge either whole or not at all.
func (r *recentEdge) split(a, b time.Time) time.Time {
	var e time.Time
	switch {
	case r.doubted() && r.reachesBack():
		e = r.sureEdge(r.env.Now()).Truncate(time.Second)
	case r.limiting():
		e = r.guard
	}
	if a.Before(e) && e.Before(b) {
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
	}
	if sure := r.sureEdge(now); r.doubted() {
		if gap.Before(sure) {
			// Read (Botmaker may serve it), but kept pending: it may not have.
			r.doubt = &period{maxTime(gap, edge), sure}
			r.bm.state.pending = addPeriod(r.bm.state.pending, period{gap, sure})
		}
		// Before guard, time is pending (the doubt) or was read by an
		// earlier sync (the lookback): a window there is read whole,
		// whatever the edge of what Botmaker surely serves does meanwhile.
		r.guard = maxTime(gap, sure)
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

// errEdgePassed ends the listing of a window that the recent window's edge
// came too close to (recentEdge.passed).
var errEdgePassed = errors.New("Botmaker's recent-window edge reached the window being read")

// overlaps says p shares time with one of the periods ps.
func overlaps(ps []period, p period) bool {
	for _, q := range ps {
		if q.from.Before(p.to) && p.from.Before(q.to) {
			return true
		}
	}
	return false
}
