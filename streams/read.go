package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
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

// StateError is an input state the stream cannot use.
type StateError struct{ Stream, Reason string }

func (e *StateError) Error() string {
	return fmt.Sprintf("the saved state for stream %q is unusable: %s. Fix or remove that stream's entry in the state file (removing it re-syncs the stream from start_date).", e.Stream, e.Reason)
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
		r.state = streamState{cursor: st.cursor, pending: clipPeriods(st.pending, env.Opts.StartDate), lastDeep: st.lastDeep}
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

// streamState is an incremental stream's state:
//
//	{"<cursor>": "2025-03-01T10:00:00Z",
//	 "pending_backfill": [{"from": "2024-01-01T00:00:00Z", "to": "2025-02-22T10:02:00Z"}]}
//
// The cursor promises that every record whose filter time (the cursor field;
// last activity for chats) is before it has been written, except in the
// pending_backfill periods. Those are periods a sync without long-term
// search could not read because Botmaker serves only its recent window
// without it. Syncs without long-term search carry them forward and add
// new ones; the first sync with long_term_search true reads them before
// anything newer, shrinking each as it goes. The periods are sorted and
// neither overlap nor touch, and the key is left out when there are none,
// so states written before it existed read the same. last_deep_lookback,
// when present, is when the stream's last deep re-read ran (lookback.go).
type streamState struct {
	cursor   time.Time
	pending  []period
	lastDeep time.Time
}

// period is [from, to).
type period struct{ from, to time.Time }

const pendingKey = "pending_backfill"

func (s *Stream) encodeState(st streamState) json.RawMessage {
	m := map[string]any{s.Cursor: FormatTime(st.cursor)}
	if len(st.pending) > 0 {
		ps := make([]map[string]string, len(st.pending))
		for i, p := range st.pending {
			ps[i] = map[string]string{"from": FormatTime(p.from), "to": FormatTime(p.to)}
		}
		m[pendingKey] = ps
	}
	encodeLastDeep(m, st)
	b, _ := json.Marshal(m)
	return b
}

// parseState reads a streamState. A missing, null or empty state, or one
// holding only Airbyte's own "__ab_" markers, means a first sync; anything
// else that does not parse is an error, never a silent full resync.
func (s *Stream) parseState(raw json.RawMessage) (streamState, error) {
	var st streamState
	if len(raw) == 0 || string(raw) == "null" {
		return st, nil
	}
	bad := func(format string, args ...any) error {
		return &StateError{s.Name, fmt.Sprintf(format, args...)}
	}
	example := fmt.Sprintf(`{%q: "2025-01-01T00:00:00Z"}`, s.Cursor)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return st, bad("stream_state must be an object like %s, got %s", example, clip(raw))
	}
	v, ok := m[s.Cursor]
	if !ok {
		for k := range m {
			if !strings.HasPrefix(k, "__ab_") {
				return st, bad("stream_state has no %s: got %s, expected an object like %s", s.Cursor, clip(raw), example)
			}
		}
		return st, nil
	}
	t, err := stateTime(v)
	if err != nil {
		return st, bad("%s %v", s.Cursor, err)
	}
	st.cursor = t
	if st.lastDeep, _, err = parseLastDeep(m); err != nil {
		return st, bad("%s %v", lastDeepKey, err)
	}
	pv, ok := m[pendingKey]
	if !ok || rawjson.IsNull(pv) {
		return st, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(pv, &items); err != nil {
		return st, bad(`%s must be a list like [{"from": "2025-01-01T00:00:00Z", "to": "2025-01-08T00:00:00Z"}], got %s`, pendingKey, clip(pv))
	}
	for i, it := range items {
		var p period
		for _, f := range []struct {
			key string
			dst *time.Time
		}{{"from", &p.from}, {"to", &p.to}} {
			if *f.dst, err = stateTime(it[f.key]); err != nil {
				return st, bad("%s[%d].%s %v", pendingKey, i, f.key, err)
			}
		}
		if !p.from.Before(p.to) {
			return st, bad("%s[%d] ends before it starts: from %s, to %s", pendingKey, i, FormatTime(p.from), FormatTime(p.to))
		}
		st.pending = addPeriod(st.pending, p)
	}
	return st, nil
}

func stateTime(v json.RawMessage) (time.Time, error) {
	var str string
	if len(v) == 0 || rawjson.IsNull(v) || json.Unmarshal(v, &str) != nil {
		if len(v) == 0 {
			v = json.RawMessage("nothing")
		}
		return time.Time{}, fmt.Errorf("must be an RFC 3339 timestamp string, got %s", clip(v))
	}
	return ParseTime(str)
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// addPeriod inserts p into a sorted list of disjoint periods, merging the
// ones it overlaps or touches.
func addPeriod(ps []period, p period) []period {
	out := make([]period, 0, len(ps)+1)
	for _, q := range ps {
		switch {
		case q.to.Before(p.from):
			out = append(out, q)
		case p.to.Before(q.from):
			out = append(out, p)
			p = q
		default:
			p = period{minTime(p.from, q.from), maxTime(p.to, q.to)}
		}
	}
	return append(out, p)
}

// clipPeriods drops what lies before start (start_date may have moved
// later since the periods were recorded).
func clipPeriods(ps []period, start time.Time) []period {
	var out []period
	for _, p := range ps {
		if p.from.Before(start) {
			p.from = start
		}
		if p.from.Before(p.to) {
			out = append(out, p)
		}
	}
	return out
}

func describePeriods(ps []period) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, FormatTime(p.from)+" to "+FormatTime(p.to))
	}
	return strings.Join(parts, ", ")
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
	data, cur, err := s.plan.transformNulling(r.buf[:0], item, &r.nulled)
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

// coverEdge keeps in pending_backfill what Botmaker's moving recent-window
// edge may have cut from a walk that started at it. The walk began
// clockSkew inside the edge; once it has lasted longer, records the edge
// passes before they are read are served no more without long-term search.
// Assumption: Botmaker's clock is ours, within clockSkew.
func (r *reader) coverEdge() {
	if r.edge.IsZero() {
		return
	}
	cut := r.env.Now().UTC().Add(-r.s.Recent).Truncate(time.Second).Add(time.Second)
	if !cut.After(r.edge) {
		return
	}
	r.state.pending = addPeriod(r.state.pending, period{r.edge, cut})
	if !r.edgeWarned {
		r.edgeWarned = true
		r.env.Log.Warn().Msgf("stream %s: reading from the edge of Botmaker's recent window took longer than %s, so records near the edge may have left it before they were read. %s to %s is kept in the state as %s until a sync with long_term_search reads it.", r.s.Name, clockSkew, FormatTime(r.edge), FormatTime(cut), pendingKey)
	}
}

// reachesBack says the stream can read any period: long-term search is on
// and the endpoint takes it, or the endpoint has no recent-window limit.
func (r *reader) reachesBack() bool {
	s := r.s
	return s.Recent == 0 || (r.env.Opts.LongTermSearch && s.LongTermSearch)
}

// useLTS says whether a request starting at from sends long-term-search.
// Only windows that reach past Botmaker's recent window need it, so
// incremental syncs within the recent window are not billed as long-term
// searches and read Botmaker's live data.
func (r *reader) useLTS(from time.Time) bool {
	s := r.s
	if !r.env.Opts.LongTermSearch || !s.LongTermSearch {
		return false
	}
	return s.Recent == 0 || from.Before(r.env.Now().Add(-s.Recent+clockSkew))
}

// request is the first URL of the window [a, b), with extra overriding the
// stream's parameters.
func (r *reader) request(a, b time.Time, extra url.Values) *url.URL {
	s := r.s
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(r.env.Opts)
	}
	for k, v := range extra {
		q[k] = v
	}
	// Botmaker documents from as exclusive ("greater than"); asking from one
	// second earlier keeps a record stamped exactly at a, and the overlap is
	// dropped when the filter is the cursor itself.
	from := a.Add(-time.Second)
	q.Set("from", FormatTime(from))
	q.Set("to", FormatTime(b))
	if r.useLTS(from) {
		q.Set("long-term-search", "true")
	}
	if s.Limit > 0 {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	return r.env.Fetch.Endpoint(s.Path, q)
}

// windows reads a from/to stream: first the pending backfill, when it can,
// then [start, now) with the bookmark moving forward as windows complete.
func (r *reader) windows(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC().Truncate(time.Second)
	if r.reachesBack() {
		if err := r.backfill(ctx); err != nil {
			return err
		}
	}
	start := r.start(now)
	if !r.reachesBack() {
		edge := now.Add(-s.Recent + clockSkew)
		var skipped *period
		if start.Before(edge) {
			// Only what no sync has read yet is pending; the part of the
			// lookback window before the edge was read by the previous sync.
			gap := maxTime(r.env.Opts.StartDate, r.saved)
			if gap.Before(edge) {
				skipped = &period{gap, edge}
				r.state.pending = addPeriod(r.state.pending, *skipped)
			} else {
				r.env.Log.Info().Msgf("stream %s: without long-term search the lookback window starts at %s, the edge of Botmaker's recent window, instead of %s", s.Name, FormatTime(edge), FormatTime(start))
			}
			start = edge
			r.edge = edge
		}
		if len(r.state.pending) > 0 {
			msg := fmt.Sprintf("stream %s: ", s.Name)
			if skipped != nil {
				msg += fmt.Sprintf("without long-term search Botmaker serves only the last %s, so %s to %s was skipped. ", days(s.Recent), FormatTime(skipped.from), FormatTime(skipped.to))
			}
			if r.incremental {
				msg += fmt.Sprintf("Not synced yet, kept in the state as %s: %s. Set long_term_search to true to backfill it: the next sync then reads it before anything newer (Botmaker bills long-term searches as BI data-source consumption).", pendingKey, describePeriods(r.state.pending))
			} else {
				// A full refresh starts from start_date every time and
				// keeps no state, so nothing carries the period forward.
				msg += "A full refresh keeps no state: every full refresh without long-term search skips it again. Set long_term_search to true to read it (Botmaker bills long-term searches as BI data-source consumption)."
			}
			r.env.Log.Warn().Msg(msg)
		}
	}
	probeFrom := time.Time{}
	if r.saved.IsZero() && r.unsettled != nil {
		probeFrom = now.Add(-r.unsettled.Horizon)
	}
	err := r.span(ctx, start, now, probeFrom, func(_, newest, open time.Time) error {
		r.newest = maxTime(r.newest, newest)
		r.state.cursor = r.bookmark(open)
		r.coverEdge()
		return r.save(false)
	})
	if err != nil {
		return err
	}
	if r.state.cursor.IsZero() {
		r.state.cursor = r.bookmark(time.Time{}) // nothing to read: start_date is now
	}
	r.deepDone()
	// Every stream ends with a STATE covering its last records, even when
	// the bookmark could not move (an open session holds it).
	return r.save(r.sent == nil || r.unsaved > 0)
}

func days(d time.Duration) string {
	if n := int(d / (24 * time.Hour)); n > 1 {
		return strconv.Itoa(n) + " days"
	}
	return d.String()
}

// backfill reads the pending periods, oldest first. Each period shrinks
// from the front as its windows complete and leaves the state when done.
func (r *reader) backfill(ctx context.Context) error {
	for i := 0; i < len(r.state.pending); {
		p := r.state.pending[i]
		done := false
		r.backfilling = true
		// A pending period is a stretch of time not yet walked, so it shrinks
		// as windows are walked, not as records are found in them.
		err := r.span(ctx, p.from, p.to, time.Time{}, func(pos, _, open time.Time) error {
			if done {
				return nil
			}
			if !open.IsZero() && open.Before(pos) {
				pos = open
			}
			if !pos.Before(p.to) {
				r.state.pending = slices.Delete(r.state.pending, i, i+1)
				done = true
			} else if pos.After(r.state.pending[i].from) {
				r.state.pending[i].from = pos
			}
			return r.save(false)
		})
		r.backfilling = false
		if err != nil {
			return err
		}
		if !done {
			i++
		}
	}
	return nil
}

// hidden is one record of a probe: a record the endpoint may be hiding.
type hidden struct {
	t  time.Time
	id string
}

// span reads [from, to) in windows whose requests span at most MaxWindow,
// calling progress(pos, newest, open) whenever every record before pos has
// been written, except possibly unsettled ones from open on (zero: none
// seen). newest is the newest cursor written up to pos (zero: none). At a
// window's end pos is the window's end; inside a window, where
// windowCheckpoint allows a checkpoint, pos and newest are that position.
// Windows ending after probeFrom are probed when the stream is unsettled.
func (r *reader) span(ctx context.Context, from, to, probeFrom time.Time, progress func(pos, newest, open time.Time) error) error {
	s := r.s
	var open time.Time
	var written int64 // records written in this span, for the estimate
	for a := from; a.Before(to); {
		// The request starts a second early, so the window is a second short.
		b := a.Add(MaxWindow - time.Second)
		if b.After(to) {
			b = to
		}
		var probe []hidden
		var seen map[string]struct{}
		if r.unsettled != nil && b.After(probeFrom) {
			var err error
			if probe, err = r.probe(ctx, maxTime(a, probeFrom), b); err != nil {
				return err
			}
			seen = make(map[string]struct{}, len(probe))
		}
		k := 0
		// settle looks at the probed records before t: any the listing did
		// not return is still open, and the earliest bounds the bookmark.
		settle := func(t time.Time) {
			for ; k < len(probe) && probe[k].t.Before(t); k++ {
				if _, ok := seen[probe[k].id]; !ok && open.IsZero() {
					open = probe[k].t
				}
			}
		}
		// When the filter is the cursor itself, records before a are the
		// overlap with the previous window, already written.
		var since time.Time
		if s.CursorIsFilter {
			since = a
		}
		cp := newWindowCheckpoint(a.Add(-time.Second), b, s.CursorIsFilter)
		count := int64(0)
		err := s.walk(ctx, r.env.Fetch, r.request(a, b, nil), func(p page) error {
			for _, it := range p.items {
				t, ok, err := r.write(it, since)
				if err != nil {
					return err
				}
				cp.item(t, ok)
				if !ok {
					continue
				}
				r.count(t, it)
				count++
				if seen != nil {
					id, _ := rawjson.Get(it, r.unsettled.IDKey)
					seen[string(id)] = struct{}{}
				}
			}
			if cp.becameUnordered() && !r.orderLogged {
				r.orderLogged = true
				r.env.Log.Info().Msgf("stream %s: Botmaker listed a record older than the one before it, so this window (%s to %s) is checkpointed once, at its end, rather than after each page", s.Name, FormatTime(a), FormatTime(b))
			}
			if pos, ok := cp.pageDone(); ok {
				settle(pos)
				return progress(pos, pos, open)
			}
			return nil
		})
		if err != nil {
			return err
		}
		written += count
		settle(b)
		if err := progress(b, cp.newest(), open); err != nil {
			return err
		}
		if b.Before(to) && b.After(from) {
			// More windows to go: extrapolate this span's records so far
			// over its whole length, so Airbyte can show progress.
			est := int64(float64(written) * float64(to.Sub(from)) / float64(b.Sub(from)))
			if err := r.env.Sink.Estimate(s.Name, est); err != nil {
				return err
			}
		}
		a = b
	}
	return nil
}

// probe lists every record of [a, b), hidden ones included, in time order.
func (r *reader) probe(ctx context.Context, a, b time.Time) ([]hidden, error) {
	s := r.s
	var out []hidden
	err := s.walk(ctx, r.env.Fetch, r.request(a, b, r.unsettled.Probe), func(p page) error {
		for _, it := range p.items {
			// An item the listing cannot bookmark either (not an object,
			// no readable cursor) cannot hold the bookmark back.
			id, err := rawjson.Get(it, r.unsettled.IDKey)
			if err != nil {
				continue
			}
			raw, _ := rawjson.Get(it, s.Cursor)
			t, err := wireTime(raw)
			if err != nil {
				continue
			}
			if !t.Before(a) {
				out = append(out, hidden{t, string(id)})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out, err
}

// daysBeforeNow reads an endpoint that only filters by whole days back from
// now and lists newest first (tickets). Records older than the start are
// dropped here, and the bookmark is written once the walk is complete,
// because newest-first order gives no safe point before the end.
func (r *reader) daysBeforeNow(ctx context.Context) error {
	s := r.s
	now := r.env.Now().UTC().Truncate(time.Second)
	start := r.start(now)
	// Nothing limits how far back this endpoint reaches, so periods a state
	// may list as pending are simply part of the walk.
	for _, p := range r.state.pending {
		start = minTime(start, p.from)
	}
	r.state.pending = nil
	if start.Before(now) {
		days := int(math.Ceil((now.Sub(start) + clockSkew).Hours() / 24))
		q := url.Values{}
		if s.Params != nil {
			q = s.Params(r.env.Opts)
		}
		q.Set("daysBeforeNow", strconv.Itoa(days))
		q.Set("offset", "0")
		q.Set("limit", strconv.Itoa(s.Limit))
		// The window ends at our now: a record Botmaker stamps later (its
		// clock ahead of ours) is written but not bookmarked.
		cp := newWindowCheckpoint(start, now, false)
		estimated := false
		err := s.walk(ctx, r.env.Fetch, r.env.Fetch.Endpoint(s.Path, q), func(p page) error {
			if !estimated && p.total > 0 {
				estimated = true
				if err := r.env.Sink.Estimate(s.Name, p.total); err != nil {
					return err
				}
			}
			for _, it := range p.items {
				t, ok, err := r.write(it, start)
				if err != nil {
					return err
				}
				cp.item(t, ok)
				if ok {
					r.count(t, it)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.newest = cp.newest()
	}
	r.state.cursor = r.bookmark(time.Time{})
	r.deepDone()
	return r.save(true)
}

// wireTime reads a Botmaker date-time as the transform does: an RFC 3339
// string or an epoch number.
func wireTime(raw []byte) (time.Time, error) {
	var str string
	if json.Unmarshal(raw, &str) != nil {
		var ok bool
		if str, ok = epochToRFC3339(raw); !ok {
			return time.Time{}, fmt.Errorf("%s is not a date-time", clip(raw))
		}
	}
	return ParseTime(str)
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
