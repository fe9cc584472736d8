package fakebotmaker

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Reported are behaviours Botmaker's users report of the live API that its
// SPEC does not show (issue 21). Each is off in the zero value.
type Reported struct {
	// UnauthorizedAfter and UnauthorizedFor: once this many API requests
	// have been answered, every API request is answered 401 for
	// UnauthorizedFor of server time, although the token is valid (seen
	// after a burst of requests), and then accepted again.
	UnauthorizedAfter int
	UnauthorizedFor   time.Duration
	// EmptyAs answers a listing's page without items and without a next
	// page with "204" (No Content) or "empty" (200 without a body).
	EmptyAs string
	// FractionalTimes gives every other date-time of a listing fractional
	// seconds (".250Z"), so whole and fractional forms mix in one page. The
	// fraction is added: filters still see the whole second.
	FractionalTimes bool
	// ContactsNextURL makes /contacts' nextPage the whole next URL, on the
	// same origin spelled differently (the scheme in capitals), instead of
	// a token.
	ContactsNextURL bool
	// AgentlessMetrics gives a session no agent took one agent-metrics row,
	// with agentId null or left out.
	AgentlessMetrics bool
	// NumericMetrics sends the metric values of every other agent-metrics
	// row as JSON numbers (some with a fraction, "12.25"), not the SPEC's
	// strings.
	NumericMetrics bool
	// ServedRecent makes the named endpoints serve, without
	// long-term-search, only the items of their last duration, silently:
	// /chats's window reported as about a day, not the SPEC's seven.
	ServedRecent map[string]time.Duration
}

// refusal is the state of Reported.UnauthorizedAfter.
type refusal struct {
	mu       sync.Mutex
	answered int
	since    time.Time // when the refusals began; zero before
}

var refusals sync.Map // *Server -> *refusal

// refusing says the API request now is answered 401 by
// Reported.UnauthorizedAfter.
func (s *Server) refusing() bool {
	rp := s.cfg.Quirks.Reported
	if rp.UnauthorizedFor <= 0 {
		return false
	}
	v, _ := refusals.LoadOrStore(s, &refusal{})
	st := v.(*refusal)
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.Now()
	switch {
	case st.since.IsZero() && st.answered < rp.UnauthorizedAfter:
		st.answered++
		return false
	case st.since.IsZero():
		st.since = now
		return true
	}
	return now.Before(st.since.Add(rp.UnauthorizedFor))
}

// fractional matches a whole-second UTC date-time inside a JSON string.
var fractional = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)Z"`)

// reported applies the Reported quirks to a listing's 200 body; status 0
// means 200.
func (s *Server) reported(ep *Endpoint, r *http.Request, q url.Values, body []byte) ([]byte, int) {
	rp := s.cfg.Quirks.Reported
	if d := rp.ServedRecent[ep.Name]; d > 0 && q.Get("long-term-search") != "true" {
		body = s.onlyRecent(ep, body, d)
	}
	if rp.ContactsNextURL && ep.Name == "contacts" {
		body = nextAsURL(ep, r, body)
	}
	if rp.FractionalTimes {
		n := 0
		body = fractional.ReplaceAllFunc(body, func(m []byte) []byte {
			if n++; n%2 == 1 {
				return m
			}
			return append(append([]byte(nil), m[:len(m)-2]...), `.250Z"`...)
		})
	}
	if rp.EmptyAs != "" && emptyLast(ep, body) {
		if rp.EmptyAs == "204" {
			return nil, http.StatusNoContent
		}
		return []byte{}, http.StatusOK
	}
	return body, 0
}

// envelope decodes a keyed listing; false for anything else.
func envelope(ep *Endpoint, body []byte) (map[string]json.RawMessage, []json.RawMessage, bool) {
	var env map[string]json.RawMessage
	if ep.ItemsKey == "" || json.Unmarshal(body, &env) != nil {
		return nil, nil, false
	}
	var items []json.RawMessage
	if json.Unmarshal(env[ep.ItemsKey], &items) != nil {
		return nil, nil, false
	}
	return env, items, true
}

func emptyLast(ep *Endpoint, body []byte) bool {
	if ep.ItemsKey == "" {
		return bytes.Equal(bytes.TrimSpace(body), []byte("[]"))
	}
	env, items, ok := envelope(ep, body)
	next := env["nextPage"]
	return ok && len(items) == 0 && (len(next) == 0 || string(next) == "null")
}

// onlyRecent drops the items whose cursor is older than d.
func (s *Server) onlyRecent(ep *Endpoint, body []byte, d time.Duration) []byte {
	env, items, ok := envelope(ep, body)
	if !ok {
		return body
	}
	edge := s.Now().Add(-d)
	kept := items[:0]
	for _, it := range items {
		var c struct {
			T string `json:"lastUserMessageDatetime"`
		}
		_ = json.Unmarshal(it, &c)
		if t, err := time.Parse(time.RFC3339Nano, c.T); err != nil || !t.Before(edge) {
			kept = append(kept, it)
		}
	}
	env[ep.ItemsKey], _ = json.Marshal(kept)
	out, _ := json.Marshal(env)
	return out
}

// nextAsURL turns a nextPage token into the whole next URL.
func nextAsURL(ep *Endpoint, r *http.Request, body []byte) []byte {
	env, _, ok := envelope(ep, body)
	var tok string
	if !ok || json.Unmarshal(env["nextPage"], &tok) != nil || tok == "" {
		return body
	}
	q := r.URL.Query()
	q.Set(ep.TokenParam, tok)
	base := apiBase(r)
	i := strings.Index(base, "://")
	next := strings.ToUpper(base[:i]) + base[i:] + r.URL.Path[len("/v2.0"):] + "?" + q.Encode()
	env["nextPage"], _ = json.Marshal(next)
	out, _ := json.Marshal(env)
	return out
}
