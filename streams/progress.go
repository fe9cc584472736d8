package streams

// What a long read says while it runs, without --debug: about every
// progressEvery, one INFO line with the records written so far and where
// the walk is in its range, and an ESTIMATE with it, so that neither the
// log nor Airbyte's progress bar goes quiet on a stream that takes minutes.
// The clock is Env.Now, so tests step it instead of waiting.

import (
	"math"
	"strconv"
	"time"
)

// progressEvery is how often a running stream reports.
const progressEvery = 30 * time.Second

// progress is one read's progress reporting.
type progress struct {
	due         time.Time // when the next line is due: progressEvery after the last, or the read's start
	from, to    time.Time // the range being walked; zero when the walk has none
	newestFirst bool      // the walk goes from to back towards from
	base        int64     // records written before this range's walk began
	what        string    // names the range in the line ("pending_backfill ")
	total       int64     // the endpoint's own count of the walk's records; 0 when it gives none
}

// walking says the walk now covers [from, to) (what names it, or is
// empty), newest first when newestFirst.
func (w *recordWriter) walking(from, to time.Time, newestFirst bool, what string) {
	p := &w.prog
	p.from, p.to, p.newestFirst, p.what, p.base = from, to, newestFirst, what, w.written
}

// pageDone is called after each page a walk has written: pos is where the
// walk is in its range (zero when it has none), pg the page. When a line is
// due it logs one and sends an ESTIMATE.
func (w *recordWriter) pageDone(pos time.Time, pg page) error {
	p := &w.prog
	now := w.env.Now()
	if now.Before(p.due) {
		return nil
	}
	p.due = now.Add(progressEvery)
	msg := "stream " + w.s.Name + ": " + thousands(w.written) + " records so far"
	if !p.from.IsZero() && !pos.IsZero() {
		msg += ", at " + FormatTime(pos) + " of " + p.what + p.from.Format(time.DateOnly) + ".." + p.to.Format(time.DateOnly)
	}
	w.env.Log.Info().Msg(msg)
	return w.sendEstimate(w.estimate(pos, pg))
}

// estimate is the endpoint's count when it gives one, but never less than
// the records written (a count may be capped below what is listed), else
// this range's records so far extrapolated over its whole length.
// Without a range, or before the walk has moved in it, it is what is known
// for certain: the records so far, plus a page like the last when another
// follows.
func (w *recordWriter) estimate(pos time.Time, pg page) int64 {
	p := &w.prog
	if p.total > 0 {
		return max(p.total, w.written)
	}
	floor := w.written
	if pg.next != nil {
		floor += int64(len(pg.items))
	}
	if p.from.IsZero() || pos.IsZero() || !p.to.After(p.from) {
		return floor
	}
	done := pos.Sub(p.from)
	if p.newestFirst {
		done = p.to.Sub(pos)
	}
	if done <= 0 {
		return floor
	}
	est := p.base + int64(float64(w.written-p.base)*float64(p.to.Sub(p.from))/float64(done))
	return max(est, floor)
}

// sendEstimate sends an ESTIMATE of rows records. Botmaker says nothing of
// sizes, so its byte_estimate is based on what this read wrote so far: the
// mean bytes of a record's data (its JSON, as handed to the Sink) times
// rows. Before the first record there is no basis, and byte_estimate is
// left out.
func (w *recordWriter) sendEstimate(rows int64) error {
	var bytes int64
	if w.written > 0 {
		bytes = int64(math.Round(float64(rows) * float64(w.bytes) / float64(w.written)))
	}
	return w.env.Sink.Estimate(w.s.Name, rows, bytes)
}

// thousands writes n with comma separators ("120,000"): a progress line is
// read by people.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	return string(out)
}
