package streams

// The unsettled-record probe: an endpoint that hides records still open
// (sessions) is listed a second time with them included, and the ones the
// main listing did not return are open: the tracker (tracker.go) keeps
// them until their finished versions are written.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// unsettledProbe finds the records that may still change: before a window
// is listed, it lists the window with them included.
type unsettledProbe struct {
	u      *Unsettled
	cursor string // the stream's cursor, a top-level wire key
	// list walks the pages of a window with extra query values, as the
	// window walk requests it.
	list func(ctx context.Context, a, b time.Time, extra url.Values, fn func(page) error) error
}

// hidden is one record of a probe: a record the endpoint may be hiding.
type hidden struct {
	t  time.Time
	id string
}

// probe lists every record of [a, b), hidden ones included, in time order.
func (pr *unsettledProbe) probe(ctx context.Context, a, b time.Time) ([]hidden, error) {
	var out []hidden
	err := pr.list(ctx, a, b, pr.u.Probe, func(p page) error {
		for _, it := range p.items {
			// An item the listing cannot bookmark either (not an object,
			// no readable cursor) cannot hold the bookmark back.
			id, ok := recordKey(it, pr.u.IDKey)
			if !ok {
				continue
			}
			raw, _ := rawjson.Get(it, pr.cursor)
			t, err := wireTime(raw)
			if err != nil {
				continue
			}
			if !t.Before(a) {
				out = append(out, hidden{t, id})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out, err
}

// recordKey reads the id at key: a string's text, any other value's JSON;
// false when there is none.
func recordKey(item []byte, key string) (string, bool) {
	raw, err := rawjson.Get(item, key)
	if err != nil || raw == nil {
		return "", false
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, str != "" // null reads as ""
	}
	return string(raw), true
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

// probedWindow is one window's probe: the records the endpoint may be
// hiding, in time order, and the ids the main listing returned so far. A
// nil *probedWindow (no probe) lists and settles nothing.
type probedWindow struct {
	tr     *openTracker
	a      time.Time // the window's start
	hidden []hidden
	probed map[string]bool // the ids in hidden
	seen   map[string]bool // the ids the listing returned and were written
	next   int             // hidden[:next] have been settled
}

// listed notes a record the main listing returned, written; it says
// whether the record was a tracked open one, now finished.
func (w *probedWindow) listed(item []byte) bool {
	if w == nil {
		return false
	}
	id, _ := recordKey(item, w.tr.probe.u.IDKey)
	w.seen[id] = true
	_, tracked := w.tr.open[id]
	return tracked
}

// tracked is the items of tracked open records; the others are noted as
// listed (finished), which an earlier sync wrote.
func (w *probedWindow) tracked(items [][]byte) [][]byte {
	var out [][]byte
	for _, it := range items {
		id, ok := recordKey(it, w.tr.probe.u.IDKey)
		if ok && w.tr.open[id] != nil {
			out = append(out, it)
		} else if ok {
			w.seen[id] = true
		}
	}
	return out
}

// settle decides the window's records before t, every one of which the
// listing has returned by now: a probed one it did not return is still
// open, and a tracked one is written, still open or in neither listing.
func (w *probedWindow) settle(t time.Time) {
	if w == nil {
		return
	}
	for ; w.next < len(w.hidden) && w.hidden[w.next].t.Before(t); w.next++ {
		if h := w.hidden[w.next]; !w.seen[h.id] {
			w.tr.stillOpen(h.id, h.t)
		}
	}
	for id, e := range w.tr.open {
		if w.tr.checked[id] || e.t.Before(w.a) || !e.t.Before(t) {
			continue
		}
		if w.seen[id] || !w.probed[id] {
			w.tr.decide(e, w.seen[id])
		}
	}
}
