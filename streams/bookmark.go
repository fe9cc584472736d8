package streams

// The piece every incremental strategy shares: the state a read started
// from, what the next STATE says, and when one is written. Each strategy
// decides how far its walk lets the bookmark move (windowCheckpoint, in
// checkpoint.go, is the one place that decides it inside a window); this
// piece turns that into a STATE only after the records it covers.

import (
	"bytes"
	"encoding/json"
	"time"
)

// clockSkew keeps requests clear of limits that Botmaker measures with its
// own clock: the edge of the recent window, the daysBeforeNow cut-off.
const clockSkew = 2 * time.Minute

type bookmarks struct {
	s           *Stream
	env         Env
	out         *recordWriter // whose records a STATE covers
	incremental bool
	// resumed says a full refresh goes on from the bookmark of an earlier
	// attempt that stopped part way (resumeKey).
	resumed bool
	saved   time.Time   // the input state's cursor; zero on a first sync
	wrote   time.Time   // the newest record an earlier sync wrote: saved, or the input state's written_through past it
	deep    deepReread  // this sync's part in the deep re-reads (lookback.go)
	state   streamState // what the next STATE says
	newest  time.Time   // the newest cursor written in the main range, as checkpoints allow
	sent    []byte      // the last STATE written; nil before the first
	sentAt  int64       // out.written when it was
}

// newBookmarks reads the input state of an incremental read, and of a
// full refresh of an incremental stream the state of an attempt that
// stopped part way (resumeKey); a full refresh ignores any other state.
func newBookmarks(s *Stream, env Env, out *recordWriter, incremental bool, state json.RawMessage) (*bookmarks, error) {
	b := &bookmarks{s: s, env: env, out: out, incremental: incremental}
	if !incremental && (!s.Incremental() || !resuming(state)) {
		return b, nil
	}
	st, err := s.parseState(state)
	if err != nil {
		return nil, err
	}
	b.saved = st.cursor
	b.wrote = maxTime(st.cursor, st.written)
	b.state = streamState{cursor: st.cursor, pending: clipPeriods(st.pending, env.Opts.StartDate), lastDeep: st.lastDeep, settled: st.settled, monthsRead: st.monthsRead, open: st.open, written: st.written}
	out.rereadUpTo = b.wrote
	if !incremental {
		// Within one job no lookback is due: the earlier attempt wrote
		// everything before its bookmark moments ago.
		b.resumed = true
		env.Log.Info().Msgf("stream %s: the full refresh goes on from %s, where the previous attempt's last STATE left it", s.Name, FormatTime(b.saved))
		return b, nil
	}
	b.deep.prev, b.deep.began = st.lastDeep, env.Now().UTC().Truncate(time.Second)
	b.deep.due = b.deepDue(b.deep.began)
	if env.Traffic != nil {
		env.Traffic.Deep = b.deep.due
	}
	return b, nil
}

// save writes the state when it differs from the last one written (or
// always, with force). Every record it covers has been written already.
func (b *bookmarks) save(force bool) error { return b.write(force, false) }

// finish writes the read's last STATE: every stream ends with one covering
// its last records, even when the bookmark could not move (nothing newer
// was written), and a full refresh with one that no longer says it is
// under way.
func (b *bookmarks) finish() error {
	return b.write(b.sent == nil || b.out.written > b.sentAt, true)
}

// write is save, for the read's last STATE when last.
func (b *bookmarks) write(force, last bool) error {
	// A full refresh's STATEs say it is under way, except the last: the
	// next full refresh given that one starts again from start_date.
	enc := b.s.encodeState(b.state, !b.incremental && !last)
	if !force && bytes.Equal(enc, b.sent) {
		return nil
	}
	b.sent, b.sentAt = enc, b.out.written
	b.env.Log.Debug().Msgf("stream %s: checkpoint after %s: %s", b.s.Name, records(int(b.out.written)), enc)
	return b.env.Sink.State(b.s.Name, enc)
}

// start is where the main range begins: start_date, or the saved cursor
// minus the lookback window. A saved cursor later than now (a clock that
// once ran ahead, a hand-edited state) is kept, as CAT's abnormal-state test
// expects, so nothing is read until it is reached; a WARN says so.
func (b *bookmarks) start(now time.Time) time.Time {
	start := b.env.Opts.StartDate
	if b.saved.IsZero() {
		return start
	}
	if b.resumed {
		return maxTime(start, b.saved)
	}
	if b.saved.After(now.Add(clockSkew)) {
		b.env.Log.Warn().Msgf("stream %s: the saved state's %s is %s, later than now (%s), so this sync reads nothing new for it. Remove this stream's entry from the state if that value is wrong: the stream then re-syncs from start_date.", b.s.Name, b.s.Cursor, FormatTime(b.saved), FormatTime(now))
	}
	if back := b.saved.Add(-b.lookback(now)); back.After(start) {
		start = back
	}
	return start
}

// bookmark is the cursor a STATE may carry: the newest record written (or
// the saved cursor, when nothing newer was written), held at open when it
// is set (more open records than the state tracks, tracker.go). With
// nothing written ever, start_date is the bookmark: nothing before it is
// wanted.
func (b *bookmarks) bookmark(open time.Time) time.Time {
	c := maxTime(b.env.Opts.StartDate, maxTime(b.saved, b.newest))
	if !open.IsZero() && open.Before(c) {
		c = open
	}
	return c
}

// setCursor sets the state's cursor to bookmark(open) and, when that is held
// before records already written, written to the newest of them (this
// sync's or an earlier one's), so the next sync counts those re-read.
func (b *bookmarks) setCursor(open time.Time) {
	b.state.cursor = b.bookmark(open)
	b.state.written = time.Time{}
	if w := maxTime(b.wrote, b.newest); w.After(b.state.cursor) {
		b.state.written = w
	}
}
