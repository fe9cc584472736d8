package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/rs/zerolog"
)

// Sink receives a stream's output. The connector's stdout writer is one.
type Sink interface {
	Record(stream string, data []byte) error
	State(stream string, state json.RawMessage) error
	Estimate(stream string, rows int64) error
}

// Env is what a read needs from the outside.
type Env struct {
	Fetch Fetcher
	Sink  Sink
	Log   zerolog.Logger
	Opts  Options
	Now   func() time.Time
	// Traffic, when set, receives what the read cost on Botmaker's bill.
	Traffic *Traffic
}

// noCursorState is what full-refresh-only streams checkpoint, as the Python
// CDK does, so every configured stream gets at least one STATE.
var noCursorState = json.RawMessage(`{"__ab_no_cursor_state_message":true}`)

// clockSkew keeps requests clear of limits that Botmaker measures with its
// own clock: the edge of the recent window, the daysBeforeNow cut-off.
const clockSkew = 2 * time.Minute

// Read syncs the stream. incremental selects incremental mode; state is the
// stream's saved stream_state (nil when there is none).
func (s *Stream) Read(ctx context.Context, env Env, incremental bool, state json.RawMessage) error {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Traffic != nil && s.Billing != NotBilled {
		env.Fetch = countingFetcher{env.Fetch, s, env.Traffic}
	}
	r := &reader{s: s, env: env, buf: make([]byte, 0, 4096), incremental: incremental && s.Incremental()}
	defer r.odd.report(env.Log, s)
	if r.incremental {
		st, err := s.parseState(state)
		if err != nil {
			return err
		}
		r.saved, r.prevDeep = st.cursor, st.lastDeep
		r.state = streamState{cursor: st.cursor, pending: clipPeriods(st.pending, env.Opts.StartDate), lastDeep: st.lastDeep, settled: st.settled}
		r.unsettled = s.Unsettled
		r.began = env.Now().UTC().Truncate(time.Second)
		r.deep = r.deepDue(r.began)
		if env.Traffic != nil {
			env.Traffic.Deep = r.deep
		}
	}
	switch s.Window {
	case FromTo:
		return r.windows(ctx)
	case DaysBeforeNow:
		return r.daysBeforeNow(ctx)
	case BillingPeriod:
		return r.months(ctx)
	default:
		if err := r.all(ctx, s.FirstRequest(env)); err != nil {
			return err
		}
		return env.Sink.State(s.Name, noCursorState)
	}
}

// FirstRequest is the URL of the first page of a non-windowed stream.
func (s *Stream) FirstRequest(env Env) *url.URL {
	return env.Fetch.URL(s.Path, s.query(env.Opts))
}

// query is every request's own parameters: Def.Params, and limit when the
// endpoint takes one. The map is the caller's to add to.
func (s *Stream) query(o Options) url.Values {
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(o)
	}
	if s.Limit > 0 {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	return q
}

type reader struct {
	s           *Stream
	env         Env
	buf         []byte
	incremental bool
	saved       time.Time   // the input state's cursor; zero on a first sync
	state       streamState // what the next STATE says
	sent        []byte      // the last STATE written; nil before the first
	unsaved     int         // records written since that STATE
	unsettled   *Unsettled  // nil when nothing needs probing
	newest      time.Time   // the newest cursor written in the main range, as checkpoints allow
	edge        time.Time   // where the main range was clamped to Botmaker's recent window; zero when it was not
	edgeWarned  bool
	orderLogged bool
	began       time.Time // when the sync began, by Env.Now
	deep        bool      // this sync re-reads Lookback (lookback.go)
	prevDeep    time.Time // the input state's last deep re-read; zero when none
	backfilling bool      // walking a pending_backfill period
	odd         oddities  // reported once, when Read returns
	nulled      []string  // the current record's nulled fields
}

// save writes the state when it differs from the last one written (or
// always, with force). Every record it covers has been written already.
func (r *reader) save(force bool) error {
	b := r.s.encodeState(r.state)
	if !force && bytes.Equal(b, r.sent) {
		return nil
	}
	r.sent, r.unsaved = b, 0
	return r.env.Sink.State(r.s.Name, b)
}

// write transforms and writes one item, returning its cursor time. An item
// whose cursor is before since (when since is set) is skipped.
func (r *reader) write(item []byte, since time.Time) (t time.Time, written bool, err error) {
	s := r.s
	if len(item) == 0 || item[0] != '{' {
		r.odd.skipped.add(itemKind(item))
		return t, false, nil
	}
	if len(item) > MaxItem {
		r.odd.tooLarge.add(fmt.Sprintf("%d MiB", len(item)>>20))
		return t, false, nil
	}
	r.nulled = r.nulled[:0]
	data, cur, err := s.plan.transform(r.buf[:0], item, &r.nulled)
	r.buf = data[:0]
	if err != nil {
		return t, false, fmt.Errorf("stream %s: a Botmaker item could not be read: %w", s.Name, err)
	}
	if cur != "" {
		if t, err = ParseTime(cur); err != nil {
			// Written, but a zero time leaves the bookmark where it was.
			t = time.Time{}
			r.odd.badCursor.add(s.recordID(data))
		}
	}
	if !t.IsZero() && t.Before(since) {
		return t, false, nil
	}
	if err := r.emit(data); err != nil {
		return t, false, err
	}
	r.unsaved++
	return t, true, nil
}

// all reads every page of one request.
func (r *reader) all(ctx context.Context, first *url.URL) error {
	return r.s.walk(ctx, r.env.Fetch, first, func(p page) error {
		for _, it := range p.items {
			if _, _, err := r.write(it, time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
}

// start is where the main range begins: start_date, or the saved cursor
// minus the lookback window. A saved cursor later than now (a clock that
// once ran ahead, a hand-edited state) is kept, as CAT's abnormal-state test
// expects, so nothing is read until it is reached; a WARN says so.
func (r *reader) start(now time.Time) time.Time {
	start := r.env.Opts.StartDate
	if r.saved.IsZero() {
		return start
	}
	if r.saved.After(now.Add(clockSkew)) {
		r.env.Log.Warn().Msgf("stream %s: the saved state's %s is %s, later than now (%s), so this sync reads nothing new for it. If that value is wrong, remove this stream's entry from the state so it re-syncs from start_date.", r.s.Name, r.s.Cursor, FormatTime(r.saved), FormatTime(now))
	}
	if back := r.saved.Add(-r.lookback(now)); back.After(start) {
		start = back
	}
	return start
}

// bookmark is the cursor a STATE may carry: the newest record written (or
// the saved cursor, when nothing newer was written), held at the earliest
// unsettled record when one is open. With nothing written ever, start_date
// is the bookmark: nothing before it is wanted.
func (r *reader) bookmark(open time.Time) time.Time {
	c := maxTime(r.env.Opts.StartDate, maxTime(r.saved, r.newest))
	if !open.IsZero() && open.Before(c) {
		c = open
	}
	return c
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// writeItems writes a page's items (dropping those before since), tells cp
// each one's cursor, counts the written ones for the billed-traffic line
// and hands each to written (nil: nothing more to do).
func (r *reader) writeItems(items [][]byte, since time.Time, cp *windowCheckpoint, written func(it []byte)) error {
	for _, it := range items {
		t, ok, err := r.write(it, since)
		if err != nil {
			return err
		}
		cp.item(t, ok)
		if !ok {
			continue
		}
		r.count(t, it)
		if written != nil {
			written(it)
		}
	}
	return nil
}
