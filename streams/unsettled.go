package streams

// The unsettled-record probe: an endpoint that hides records still open
// (sessions) is listed a second time with them included, and the earliest
// one the main listing did not return holds the bookmark back.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// unsettledProbe is a window walk's hold on records that may still change:
// before a window is listed, it lists the window with them included.
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
			id, err := rawjson.Get(it, pr.u.IDKey)
			if err != nil {
				continue
			}
			raw, _ := rawjson.Get(it, pr.cursor)
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
	idKey  string
	hidden []hidden
	seen   map[string]struct{}
	next   int // hidden[:next] have been settled
}

// window probes [a, b).
func (pr *unsettledProbe) window(ctx context.Context, a, b time.Time) (*probedWindow, error) {
	h, err := pr.probe(ctx, a, b)
	if err != nil {
		return nil, err
	}
	return &probedWindow{idKey: pr.u.IDKey, hidden: h, seen: make(map[string]struct{}, len(h))}, nil
}

// listed notes a record the main listing returned.
func (w *probedWindow) listed(item []byte) {
	if w == nil {
		return
	}
	id, _ := rawjson.Get(item, w.idKey)
	w.seen[string(id)] = struct{}{}
}

// settle looks at the probed records before t: any the listing did not
// return is still open, and the earliest bounds the bookmark (open, when
// it is not set yet).
func (w *probedWindow) settle(t time.Time, open *time.Time) {
	if w == nil {
		return
	}
	for ; w.next < len(w.hidden) && w.hidden[w.next].t.Before(t); w.next++ {
		if _, ok := w.seen[w.hidden[w.next].id]; !ok && open.IsZero() {
			*open = w.hidden[w.next].t
		}
	}
}
