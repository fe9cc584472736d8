package streams

import (
	"encoding/json"
	"time"
)

// Two lookbacks. Botmaker may index a record hours after its timestamp,
// behind newer records already written, so an incremental sync re-reads
// some time before its bookmark. Re-reading lookback_window_hours on every
// sync is safe but, on an hourly schedule, bills a whole day of /messages
// and /sessions 24 times a day. So every sync re-reads ShortLookback, and
// a deep re-read of Lookback happens once DeepEvery has passed since the
// stream's last one, recorded in its state as last_deep_lookback. A first
// sync reads from start_date and counts as a deep re-read; a state without
// the key (written before it existed) makes the next sync a deep one.
//
// A deep re-read reaches back Lookback plus the time since the previous
// deep re-read. Why the extra: a record Botmaker indexed up to Lookback
// late and that was not yet visible when the previous deep re-read began
// has a cursor after (Botmaker's clock then) - Lookback. Adding the time
// between the two deep re-reads to Lookback, back from a bookmark that is
// at most Botmaker's clock now, reaches exactly that far, whatever the
// offset between the two clocks, because only a difference of two readings
// of our own clock is used. Without it a record stamped just before one
// deep re-read and indexed after it would fall between two of them. So a
// record indexed up to lookback_window_hours late is delivered by the
// first deep re-read after Botmaker shows it.

const lastDeepKey = "last_deep_lookback"

// deepReread is one sync's part in the deep re-reads.
type deepReread struct {
	prev  time.Time // the input state's last deep re-read; zero when none
	began time.Time // when the sync began, by Env.Now
	due   bool      // this sync re-reads Lookback
}

// deepDue says this sync re-reads Lookback (or, on a first sync, reads
// from start_date).
func (b *bookmarks) deepDue(now time.Time) bool {
	o := b.env.Opts
	if o.DeepEvery <= 0 || b.saved.IsZero() || b.deep.prev.IsZero() {
		return true
	}
	// A last deep re-read later than now (a clock that ran ahead, a
	// hand-edited state) would postpone the next one indefinitely.
	return !now.Before(b.deep.prev.Add(o.DeepEvery)) || b.deep.prev.After(now)
}

// lookback is how far before the saved bookmark this sync starts.
func (b *bookmarks) lookback(now time.Time) time.Duration {
	o := b.env.Opts
	if !b.deep.due {
		return o.ShortLookback
	}
	back := o.Lookback
	if o.DeepEvery > 0 && !b.deep.prev.IsZero() && now.After(b.deep.prev) {
		back += now.Sub(b.deep.prev)
	}
	return max(back, o.ShortLookback)
}

// deepDone records a deep re-read whose whole range has been walked. The
// time recorded is when this sync began, a time of day rather than a
// record time, which is safe: it never bounds what a STATE claims was
// written, it only says when the next deep re-read is due and how far back
// it reaches, and the sync's start is the earliest moment its walk can
// have seen Botmaker's data, so measuring from it never reaches too short.
// Every STATE before this carries the previous value, so a sync cut short
// repeats its deep re-read.
func (b *bookmarks) deepDone() {
	if b.deep.due && b.env.Opts.DeepEvery > 0 {
		b.state.lastDeep = b.deep.began
	}
}

// encodeLastDeep adds the key to an encoded state's map when there is one.
func encodeLastDeep(m map[string]any, st streamState) {
	if !st.lastDeep.IsZero() {
		m[lastDeepKey] = FormatTime(st.lastDeep)
	}
}

// parseLastDeep reads the optional key; absent or null is the zero time
// (the next sync re-reads deep).
func parseLastDeep(m map[string]json.RawMessage) (time.Time, bool, error) {
	v, ok := m[lastDeepKey]
	if !ok || string(v) == "null" {
		return time.Time{}, false, nil
	}
	t, err := stateTime(v)
	return t, true, err
}
