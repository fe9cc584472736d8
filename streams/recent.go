package streams

// Botmaker's recent window: without long-term search an endpoint serves only
// its last Stream.Recent. What a read clamps to that edge, what it keeps in
// pending_backfill, and when a request sends long-term-search.

import (
	"fmt"
	"time"
)

// recentEdge is a window walk's view of Botmaker's recent window: where
// the main range was clamped to it, and what that leaves pending.
type recentEdge struct {
	s      *Stream
	env    Env
	bm     *bookmarks // its state keeps what the edge cut
	edge   time.Time  // where the main range was clamped; zero when it was not
	warned bool       // cover has warned
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
	cut := r.env.Now().UTC().Add(-r.s.Recent).Truncate(time.Second).Add(time.Second)
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

// useLTS says whether a request starting at from sends long-term-search.
// Only windows that reach past Botmaker's recent window need it, so
// incremental syncs within the recent window are not billed as long-term
// searches and read Botmaker's live data.
func (r *recentEdge) useLTS(from time.Time) bool {
	s := r.s
	if !r.env.Opts.LongTermSearch || !s.LongTermSearch {
		return false
	}
	return s.Recent == 0 || from.Before(r.env.Now().Add(-s.Recent+clockSkew))
}

// clamp moves a start that lies before Botmaker's recent window up
// to its edge, keeping in pending_backfill what no sync has read yet, and
// warns about every pending period; it returns where the main range starts.
func (r *recentEdge) clamp(start, now time.Time) time.Time {
	s := r.s
	edge := now.Add(-s.Recent + clockSkew)
	var skipped *period
	if start.Before(edge) {
		// Only what no sync has read yet is pending; the part of the
		// lookback window before the edge was read by the previous sync.
		gap := maxTime(r.env.Opts.StartDate, r.bm.saved)
		if gap.Before(edge) {
			skipped = &period{gap, edge}
			r.bm.state.pending = addPeriod(r.bm.state.pending, *skipped)
		} else {
			r.env.Log.Info().Msgf("stream %s: without long-term search the lookback window starts at %s, the edge of Botmaker's recent window, instead of %s", s.Name, FormatTime(edge), FormatTime(start))
		}
		start = edge
		r.edge = edge
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
	pending := r.bm.state.pending
	if skipped != nil {
		if s.LongTermSearch {
			msg += fmt.Sprintf("without long-term search Botmaker serves only the last %s, so %s to %s was skipped", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
		} else {
			msg += fmt.Sprintf("Botmaker serves only the last %s of this stream, so %s to %s was skipped", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
		}
		// The periods other than the one the skipped period joined.
		var others []period
		for _, p := range pending {
			if p.to.Before(skipped.from) || p.from.After(skipped.to) {
				others = append(others, p)
			}
		}
		pending = others
	}
	also := ""
	if len(pending) > 0 && skipped != nil {
		also = " (also pending: " + describePeriods(pending) + ")"
	} else if len(pending) > 0 {
		also = ": " + describePeriods(pending)
	}
	const dropIt = "Nothing to do unless you want it out of the state: then set start_date to the end of that period or later."
	switch {
	case !s.LongTermSearch && r.bm.incremental:
		// No long-term search can reach it (notifications without
		// notification-name): the state keeps saying it was not synced.
		if skipped == nil {
			msg += "still pending"
		}
		msg += fmt.Sprintf("%s. No sync can read it; the state keeps it as %s so that it never claims it was synced. %s", also, pendingKey, dropIt)
	case !s.LongTermSearch:
		msg += ". No sync can read it. Set start_date to the end of that period or later to ask only for what Botmaker serves."
	case r.bm.incremental:
		if skipped == nil {
			msg += "not synced yet"
		}
		msg += fmt.Sprintf("%s, kept in the state as %s. Set long_term_search to true to backfill it: the next sync then reads it before anything newer (Botmaker bills long-term searches as BI data-source consumption).", also, pendingKey)
	default:
		// A full refresh starts from start_date every time and
		// keeps no state, so nothing carries the period forward.
		msg += ". A full refresh keeps no state: every full refresh without long-term search skips it again. Set long_term_search to true to read it (Botmaker bills long-term searches as BI data-source consumption)."
	}
	if skipped == nil {
		r.env.Log.Info().Msg(msg)
		return
	}
	r.env.Log.Warn().Msg(msg)
}
