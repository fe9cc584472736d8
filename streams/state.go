package streams

// The incremental state's codec: what a stream's stream_state holds, how it
// is written and read back, and the pending_backfill periods it carries.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// StateError is an input state the stream cannot use.
type StateError struct{ Stream, Reason string }

func (e *StateError) Error() string {
	return fmt.Sprintf("the saved state for stream %q is unusable: %s. Fix or remove that stream's entry in the state file (removing it re-syncs the stream from start_date).", e.Stream, e.Reason)
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
	// settled, for a BillingPeriod stream, is the first day of the last
	// month of those walked completely and for good (months.go); zero when
	// none.
	settled time.Time
	// monthsRead, for a BillingPeriod stream, is when its open months were
	// last read to their last page (months.go); zero when never.
	monthsRead time.Time
	// open, for a stream with Unsettled records, is the open records
	// tracked one by one (tracker.go), oldest first.
	open []openEntry
	// written, while the cursor is held before records already written
	// (more open records than the state tracks, tracker.go), is the newest
	// of them; zero otherwise. The billed-traffic count takes a record up
	// to it for re-read, not new.
	written time.Time
}

// period is [from, to).
type period struct{ from, to time.Time }

const pendingKey = "pending_backfill"

// resumeKey marks the STATEs a full refresh of an incremental stream writes
// before its last: the cursor is then how far this full refresh got, and
// the next attempt of the job, given it, goes on from there (a resumable
// full refresh). Its last STATE is without the key, like the states of
// incremental syncs and of earlier releases, which a full refresh ignores:
// so the next job's full refresh starts from start_date again, whether
// Airbyte clears the state between jobs, as its CDK expects, or a user
// passes it.
// An incremental sync reads the cursor of either kind alike.
const resumeKey = "full_refresh_in_progress"

// resuming says a stream_state is a full refresh's under way (resumeKey).
func resuming(state json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(state, &m) == nil && string(m[resumeKey]) == "true"
}

// encodeState writes st; resume marks it as the position of a full refresh
// under way (resumeKey).
func (s *Stream) encodeState(st streamState, resume bool) json.RawMessage {
	m := map[string]any{s.Cursor: FormatTime(st.cursor)}
	if resume {
		m[resumeKey] = true
	}
	if len(st.pending) > 0 {
		ps := make([]map[string]string, len(st.pending))
		for i, p := range st.pending {
			ps[i] = map[string]string{"from": FormatTime(p.from), "to": FormatTime(p.to)}
		}
		m[pendingKey] = ps
	}
	encodeLastDeep(m, st)
	encodeOpen(m, st)
	if !st.settled.IsZero() {
		m[settledKey] = st.settled.Format(monthLayout)
	}
	if !st.monthsRead.IsZero() {
		m[monthsReadKey] = FormatTime(st.monthsRead)
	}
	if st.written.After(st.cursor) {
		m[writtenKey] = FormatTime(st.written)
	}
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
	if st.settled, err = parseSettled(m); err != nil {
		return st, bad("%s %v", settledKey, err)
	}
	if v, ok := m[monthsReadKey]; ok && !rawjson.IsNull(v) {
		if st.monthsRead, err = stateTime(v); err != nil {
			return st, bad("%s %v", monthsReadKey, err)
		}
	}
	if st.open, err = parseOpen(m, bad); err != nil {
		return st, err
	}
	if v, ok := m[writtenKey]; ok && !rawjson.IsNull(v) {
		if st.written, err = stateTime(v); err != nil {
			return st, bad("%s %v", writtenKey, err)
		}
	}
	st.pending, err = parsePending(m, bad)
	return st, err
}

// parsePending reads pending_backfill, when present, into sorted disjoint
// periods; bad words an error as parseState's.
func parsePending(m map[string]json.RawMessage, bad func(format string, args ...any) error) ([]period, error) {
	pv, ok := m[pendingKey]
	if !ok || rawjson.IsNull(pv) {
		return nil, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(pv, &items); err != nil {
		return nil, bad(`%s must be a list like [{"from": "2025-01-01T00:00:00Z", "to": "2025-01-08T00:00:00Z"}], got %s`, pendingKey, clip(pv))
	}
	var pending []period
	for i, it := range items {
		var p period
		for _, f := range []struct {
			key string
			dst *time.Time
		}{{"from", &p.from}, {"to", &p.to}} {
			var err error
			if *f.dst, err = stateTime(it[f.key]); err != nil {
				return nil, bad("%s[%d].%s %v", pendingKey, i, f.key, err)
			}
		}
		if !p.from.Before(p.to) {
			return nil, bad("%s[%d] ends before it starts: from %s, to %s", pendingKey, i, FormatTime(p.from), FormatTime(p.to))
		}
		pending = addPeriod(pending, p)
	}
	return pending, nil
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
