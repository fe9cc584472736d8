package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/rs/zerolog"
)

// Sink receives a stream's output. The connector's protocol writer is one.
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
}

// StateError is an input state the stream cannot use.
type StateError struct{ Stream, Reason string }

func (e *StateError) Error() string {
	return fmt.Sprintf("the saved state for stream %q is unusable: %s. Fix or remove that stream's entry in the state file (removing it re-syncs the stream from start_date).", e.Stream, e.Reason)
}

// noCursorState is what full-refresh-only streams checkpoint, as the Python
// CDK does, so every configured stream gets at least one STATE.
var noCursorState = json.RawMessage(`{"__ab_no_cursor_state_message":true}`)

// Read syncs the stream. incremental selects incremental mode; state is the
// stream's saved stream_state (nil when there is none).
func (s *Stream) Read(ctx context.Context, env Env, incremental bool, state json.RawMessage) error {
	if env.Now == nil {
		env.Now = time.Now
	}
	r := &reader{s: s, env: env, buf: make([]byte, 0, 4096)}
	if incremental && s.Incremental() {
		c, err := s.parseState(state)
		if err != nil {
			return err
		}
		r.saved = c
	}
	switch s.Window {
	case FromTo:
		return r.windows(ctx)
	case DaysBeforeNow:
		return r.daysBeforeNow(ctx)
	default:
		if err := r.all(ctx, s.Fetch(env)); err != nil {
			return err
		}
		return env.Sink.State(s.Name, noCursorState)
	}
}

// Fetch returns the first request of a non-windowed stream.
func (s *Stream) Fetch(env Env) *url.URL {
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(env.Opts)
	}
	if s.Limit > 0 {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	return env.Fetch.Endpoint(s.Path, q)
}

// parseState reads {"<cursor>": "<RFC 3339>"}; a missing or empty state
// means a first sync.
func (s *Stream) parseState(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return time.Time{}, &StateError{s.Name, fmt.Sprintf("stream_state must be an object like {%q: \"2025-01-01T00:00:00Z\"}, got %s", s.Cursor, clip(raw))}
	}
	v, ok := m[s.Cursor]
	if !ok || string(v) == "null" {
		return time.Time{}, nil
	}
	var str string
	if err := json.Unmarshal(v, &str); err != nil {
		return time.Time{}, &StateError{s.Name, fmt.Sprintf("%s must be an RFC 3339 timestamp string, got %s", s.Cursor, clip(v))}
	}
	t, err := ParseTime(str)
	if err != nil {
		return time.Time{}, &StateError{s.Name, fmt.Sprintf("%s: %v", s.Cursor, err)}
	}
	return t, nil
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

type reader struct {
	s       *Stream
	env     Env
	buf     []byte
	saved   time.Time // the cursor of the input state; zero on a first sync
	emitted time.Time // the last cursor checkpointed in this run
	records int64
}

// emit transforms and writes one item, returning its cursor.
func (r *reader) emit(item []byte) (time.Time, error) {
	data, cur, err := r.s.plan.transform(r.buf[:0], item)
	r.buf = data[:0]
	if err != nil {
		return time.Time{}, fmt.Errorf("stream %s: a Botmaker item could not be read: %w", r.s.Name, err)
	}
	var t time.Time
	if cur != "" {
		if t, err = ParseTime(cur); err != nil {
			return time.Time{}, fmt.Errorf("stream %s: %s of a record: %w", r.s.Name, r.s.Cursor, err)
		}
	}
	if err := r.env.Sink.Record(r.s.Name, data); err != nil {
		return time.Time{}, err
	}
	r.records++
	return t, nil
}

// all reads every page of one request.
func (r *reader) all(ctx context.Context, first *url.URL) error {
	return r.s.walk(ctx, r.env.Fetch, first, func(p page) error {
		for _, it := range p.items {
			if _, err := r.emit(it); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkpoint emits {"<cursor>": t} when it moves the bookmark forward. The
// bookmark never passes now-Settle (records that can still appear there) and
// never falls behind the input state, which was already safe.
func (r *reader) checkpoint(t time.Time, force bool) error {
	if lim := r.env.Now().Add(-r.s.Settle); r.s.Settle > 0 && t.After(lim) {
		t = lim
	}
	if t.Before(r.saved) {
		t = r.saved
	}
	if !force && (t.IsZero() || !t.After(r.emitted)) {
		return nil
	}
	if t.IsZero() {
		t = r.env.Opts.StartDate
	}
	r.emitted = t
	b, _ := json.Marshal(map[string]string{r.s.Cursor: FormatTime(t)})
	return r.env.Sink.State(r.s.Name, b)
}

// start is where this run begins: start_date, or the saved cursor minus the
// lookback window.
func (r *reader) start() time.Time {
	start := r.env.Opts.StartDate
	if !r.saved.IsZero() {
		if back := r.saved.Add(-r.env.Opts.Lookback); back.After(start) {
			start = back
		}
	}
	return start
}

// recentMargin keeps requests clear of the edge of Botmaker's recent window,
// which Botmaker measures with its own clock.
const recentMargin = 2 * time.Minute

// windows walks [start, now) in from/to windows of at most MaxWindow.
func (r *reader) windows(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC().Truncate(time.Second)
	start := r.start()
	lts := r.env.Opts.LongTermSearch && s.LongTermSearch
	if s.Recent > 0 && !lts {
		if earliest := now.Add(-s.Recent + recentMargin); start.Before(earliest) {
			r.env.Log.Warn().Msgf("stream %s: Botmaker serves only the last %s without long-term search, so %s to %s was skipped. Set long_term_search to true to backfill it (Botmaker bills long-term searches as BI data-source consumption).",
				s.Name, s.Recent, FormatTime(start), FormatTime(earliest))
			start = earliest
		}
	}
	for a := start; a.Before(now); {
		b := a.Add(MaxWindow)
		if b.After(now) {
			b = now
		}
		q := url.Values{}
		if s.Params != nil {
			q = s.Params(r.env.Opts)
		}
		// Botmaker documents from as exclusive ("greater than"); asking from
		// one second earlier keeps a record stamped exactly at a, and the
		// overlap is dropped below when the filter is the cursor itself.
		q.Set("from", FormatTime(a.Add(-time.Second)))
		q.Set("to", FormatTime(b))
		if lts {
			q.Set("long-term-search", "true")
		}
		if s.Limit > 0 {
			q.Set("limit", strconv.Itoa(s.Limit))
		}
		winStart := a
		err := s.walk(ctx, r.env.Fetch, r.env.Fetch.Endpoint(s.Path, q), func(p page) error {
			var last time.Time
			for _, it := range p.items {
				data, cur, err := s.plan.transform(r.buf[:0], it)
				r.buf = data[:0]
				if err != nil {
					return fmt.Errorf("stream %s: a Botmaker item could not be read: %w", s.Name, err)
				}
				var t time.Time
				if cur != "" {
					if t, err = ParseTime(cur); err != nil {
						return fmt.Errorf("stream %s: %s of a record: %w", s.Name, s.Cursor, err)
					}
				}
				if s.CursorIsFilter && !t.IsZero() && t.Before(winStart) {
					continue // overlap with the previous window, already written
				}
				if err := r.env.Sink.Record(s.Name, data); err != nil {
					return err
				}
				r.records++
				if t.After(last) {
					last = t
				}
			}
			if s.CursorIsFilter && !last.IsZero() {
				// Items arrive in cursor order: everything before the last
				// one's time is written. Records sharing that time may
				// continue on the next page, so the bookmark is not past it.
				return r.checkpoint(last, false)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := r.checkpoint(b, false); err != nil {
			return err
		}
		a = b
	}
	if r.emitted.IsZero() {
		return r.checkpoint(maxTime(r.saved, start), true)
	}
	return nil
}

// daysBeforeNow reads an endpoint that only filters by whole days back from
// now and lists newest first (tickets). Records older than the start are
// dropped here, and the bookmark is written once the walk is complete,
// because newest-first order gives no safe point before the end.
func (r *reader) daysBeforeNow(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC()
	start := r.start()
	days := int(math.Ceil(now.Sub(start).Hours() / 24))
	if days < 1 {
		days = 1
	}
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(r.env.Opts)
	}
	q.Set("daysBeforeNow", strconv.Itoa(days))
	q.Set("offset", "0")
	q.Set("limit", strconv.Itoa(s.Limit))
	var newest time.Time
	estimated := false
	err := s.walk(ctx, r.env.Fetch, r.env.Fetch.Endpoint(s.Path, q), func(p page) error {
		if !estimated {
			estimated = true
			if err := r.env.Sink.Estimate(s.Name, p.total); err != nil {
				return err
			}
		}
		for _, it := range p.items {
			data, cur, err := s.plan.transform(r.buf[:0], it)
			r.buf = data[:0]
			if err != nil {
				return fmt.Errorf("stream %s: a Botmaker item could not be read: %w", s.Name, err)
			}
			var t time.Time
			if cur != "" {
				if t, err = ParseTime(cur); err != nil {
					return fmt.Errorf("stream %s: %s of a record: %w", s.Name, s.Cursor, err)
				}
			}
			if !t.IsZero() && t.Before(start) {
				continue
			}
			if err := r.env.Sink.Record(s.Name, data); err != nil {
				return err
			}
			r.records++
			if t.After(newest) {
				newest = t
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The walk saw everything created up to now; later tickets are newer.
	return r.checkpoint(maxTime(now.Truncate(time.Second), r.saved), true)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
