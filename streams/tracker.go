package streams

// Open records tracked one by one (sessions, and agent_metrics by
// session). Botmaker lists a session only once it has finished, under the
// time it started; the probe (unsettled.go) lists a window with the open
// ones included. Every open session a sync sees is kept in the state, its
// id and creation time, until its finished version has been written, and
// each sync re-checks the tracked ones with narrow windows around their
// creation times. So the bookmark moves on with the newest record written,
// as every incremental stream's does, and what a sync reads grows with the
// number of open sessions, not with their age.
//
// Assumptions, not in the SPEC: a session keeps its id and creation time
// when it finishes; the open and the finished listings may disagree for a
// while (a session in neither), so a session leaves the list only once
// its finished version has been written, never because the open listing
// stopped showing it. One in neither listing for longer than missingLimit
// is given up, with a WARN naming it.

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

const (
	openKey = "open_sessions"
	// writtenKey is streamState.written: records written after a held
	// bookmark are re-reads for the next sync's count.
	writtenKey = "written_through"
	// maxTracked bounds the list, and so the state, which Airbyte stores
	// and passes back on every sync. Past it the state keeps the oldest and
	// the bookmark waits at the next open one, as it did before tracking.
	maxTracked = 1000
	// missingLimit is how long a tracked session may be in neither listing
	// before it is given up.
	missingLimit = 7 * 24 * time.Hour
	// mergeGap: re-check windows closer than this are read as one, which
	// reads the few records between them instead of one more request pair.
	mergeGap = 10 * time.Minute
	// recheckBudget bounds the re-check's requests (a probe and a listing
	// a window) to this long at the endpoint's documented rate
	// (agent_metrics is 1/s): past it, the windows closest together are
	// merged, trading a few records read for requests.
	recheckBudget = 10 * time.Second
)

// openEntry is one tracked open record as the state keeps it.
type openEntry struct {
	id      string
	t       time.Time // its cursor: the session's creation time
	missing time.Time // the start of the first sync that found it in neither listing; zero when it was in one
}

// openTracker is a window walk's list of open records: what the input
// state tracked, what this sync's probes found open, and what it decided.
type openTracker struct {
	s       *Stream
	env     Env
	probe   *unsettledProbe
	began   time.Time // when the sync began, by Env.Now
	open    map[string]*openEntry
	checked map[string]bool // decided by this sync: still open, missing or gone
	warned  bool            // the over-the-limit WARN was written
}

func newOpenTracker(s *Stream, env Env, probe *unsettledProbe, tracked []openEntry) *openTracker {
	tr := &openTracker{s: s, env: env, probe: probe, began: env.Now().UTC().Truncate(time.Second),
		open: make(map[string]*openEntry, len(tracked)), checked: map[string]bool{}}
	for _, e := range tracked {
		e := e
		tr.open[e.id] = &e
	}
	return tr
}

// window probes [a, b): its open records, to be settled as the main
// listing of the window is written.
func (tr *openTracker) window(ctx context.Context, a, b time.Time) (*probedWindow, error) {
	h, err := tr.probe.probe(ctx, a, b)
	if err != nil {
		return nil, err
	}
	pw := &probedWindow{tr: tr, a: a, hidden: h, probed: make(map[string]bool, len(h)), seen: make(map[string]bool, len(h))}
	for _, x := range h {
		pw.probed[x.id] = true
	}
	return pw, nil
}

// stillOpen notes a record the probe listed and the listing did not.
func (tr *openTracker) stillOpen(id string, t time.Time) {
	tr.checked[id] = true
	if e, ok := tr.open[id]; ok {
		e.missing = time.Time{}
		return
	}
	tr.open[id] = &openEntry{id: id, t: t}
}

// decide settles a tracked record whose window has been walked: written
// (its finished version), or in neither listing.
func (tr *openTracker) decide(e *openEntry, written bool) {
	tr.checked[e.id] = true
	switch {
	case written:
		delete(tr.open, e.id)
	case e.missing.IsZero():
		e.missing = tr.began
	case tr.began.Sub(e.missing) > missingLimit:
		delete(tr.open, e.id)
		tr.env.Log.Warn().Msgf("stream %s: the open record %s %s (%s %s) has been in neither Botmaker's open nor its finished listing since %s, longer than %s, so it is no longer tracked and its finished version will not be read. Nothing to do unless you need it: then remove this stream's entry from the state, and the next sync re-reads the stream from start_date, with it if Botmaker lists it again.",
			tr.s.Name, tr.probe.u.IDKey, e.id, tr.s.Cursor, FormatTime(e.t), FormatTime(e.missing), days(missingLimit))
	}
}

// recheck is the windows that re-check the tracked records not yet
// decided whose cursor is before end, oldest first: around each creation
// time, with windows closer than mergeGap merged, and then the closest
// ones until at most most are left, none longer than MaxWindow.
func (tr *openTracker) recheck(end time.Time, most int) []period {
	var ts []time.Time
	for id, e := range tr.open {
		if !tr.checked[id] && e.t.Before(end) {
			ts = append(ts, e.t)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	fits := func(a, b period) bool { return b.to.Sub(a.from) < MaxWindow }
	var out []period
	for _, t := range ts {
		p := period{t, t.Add(time.Second)}
		if n := len(out); n > 0 && !p.from.After(out[n-1].to.Add(mergeGap)) && fits(out[n-1], p) {
			out[n-1].to = maxTime(out[n-1].to, p.to)
			continue
		}
		out = append(out, p)
	}
	for len(out) > max(most, 1) {
		best := -1
		for i := 0; i+1 < len(out); i++ {
			if fits(out[i], out[i+1]) && (best < 0 || out[i+1].from.Sub(out[i].to) < out[best+1].from.Sub(out[best].to)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[best].to = out[best+1].to
		out = append(out[:best+1], out[best+2:]...)
	}
	return out
}

// recheckWindows is how many re-check windows fit recheckBudget at the
// stream's rate.
func recheckWindows(s *Stream) int {
	return int(s.RatePerSecond * recheckBudget.Seconds() / 2)
}

// unreachable takes out of the list the records before edge, which
// Botmaker serves only with long-term search, and returns their windows,
// for pending_backfill: a sync with long_term_search reads them.
func (tr *openTracker) unreachable(edge time.Time) []period {
	var out []period
	for id, e := range tr.open {
		if e.t.Before(edge) {
			out = append(out, period{e.t, e.t.Add(time.Second)})
			delete(tr.open, id)
		}
	}
	return out
}

// state is the list a STATE keeps, oldest first, and the hold: zero, or,
// when more than maxTracked are open, the cursor of the oldest one the
// list leaves out, where the bookmark must wait.
func (tr *openTracker) state() ([]openEntry, time.Time) {
	out := make([]openEntry, 0, len(tr.open))
	for _, e := range tr.open {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].t.Equal(out[j].t) {
			return out[i].t.Before(out[j].t)
		}
		return out[i].id < out[j].id
	})
	if len(out) <= maxTracked {
		return out, time.Time{}
	}
	hold := out[maxTracked].t
	if !tr.warned {
		tr.warned = true
		tr.env.Log.Warn().Msgf("stream %s: %d records are open, more than the %d the state tracks one by one (a state Airbyte stores and passes back on every sync must stay small). The state keeps the oldest %d and the bookmark waits at the next open one, %s, so each sync re-reads everything since then, billed, until fewer are open. Check in Botmaker why so many sessions stay open: once at most %d are, each is tracked one by one again.",
			tr.s.Name, len(out), maxTracked, maxTracked, FormatTime(hold), maxTracked)
	}
	return out[:maxTracked], hold
}

// encodeOpen adds the list to an encoded state's map when it is not empty.
func encodeOpen(m map[string]any, st streamState) {
	if len(st.open) == 0 {
		return
	}
	l := make([]map[string]string, len(st.open))
	for i, e := range st.open {
		l[i] = map[string]string{"id": e.id, "creationTime": FormatTime(e.t)}
		if !e.missing.IsZero() {
			l[i]["missing_since"] = FormatTime(e.missing)
		}
	}
	m[openKey] = l
}

// parseOpen reads the optional list; bad words an error as parseState's.
func parseOpen(m map[string]json.RawMessage, bad func(format string, args ...any) error) ([]openEntry, error) {
	v, ok := m[openKey]
	if !ok || rawjson.IsNull(v) {
		return nil, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, bad(`%s must be a list like [{"id": "S1", "creationTime": "2025-01-01T00:00:00Z"}], got %s`, openKey, clip(v))
	}
	out := make([]openEntry, 0, len(items))
	for i, it := range items {
		var e openEntry
		if err := json.Unmarshal(it["id"], &e.id); err != nil || e.id == "" {
			return nil, bad("%s[%d].id must be a non-empty string, got %s", openKey, i, clip(it["id"]))
		}
		var err error
		if e.t, err = stateTime(it["creationTime"]); err != nil {
			return nil, bad("%s[%d].creationTime %v", openKey, i, err)
		}
		if ms, ok := it["missing_since"]; ok && !rawjson.IsNull(ms) {
			if e.missing, err = stateTime(ms); err != nil {
				return nil, bad("%s[%d].missing_since %v", openKey, i, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}
