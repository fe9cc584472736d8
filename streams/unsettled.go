package streams

// The unsettled-record probe: an endpoint that hides records still open
// (sessions) is listed a second time with them included, and the earliest
// one the main listing did not return holds the bookmark back.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// hidden is one record of a probe: a record the endpoint may be hiding.
type hidden struct {
	t  time.Time
	id string
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
