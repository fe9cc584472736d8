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

// refusal is the state of Reported.UnauthorizedAfter (Server.refusal).
type refusal struct {
	mu       sync.Mutex
	answered int
	since    time.Time // when the refusals began; zero before
}

// refusing says the API request now is answered 401 by
// Reported.UnauthorizedAfter.
func (s *Server) refusing() bool {
	rp := s.cfg.Quirks.Reported
	if rp.UnauthorizedFor <= 0 {
		return false
	}
	st := &s.refusal
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

// servedFrom is where Reported.ServedRecent lets a listing of ep without
// long-term search begin, in Unix nanoseconds; false when it does not.
func (s *Server) servedFrom(ep *Endpoint, q url.Values) (int64, bool) {
	d := s.cfg.Quirks.Reported.ServedRecent[ep.Name]
	if d <= 0 || q.Get("long-term-search") == "true" {
		return 0, false
	}
	return s.Now().Add(-d).UnixNano(), true
}

// contactsNext is /contacts' nextPage under Reported.ContactsNextURL: the
// whole next URL, its scheme in capitals, instead of the token.
func contactsNext(ep *Endpoint, r *http.Request, q url.Values, tok string) string {
	nq := cloneValues(q)
	nq.Set(ep.TokenParam, tok)
	base := apiBase(r)
	i := strings.Index(base, "://")
	return strings.ToUpper(base[:i]) + base[i:] + r.URL.Path[len("/v2.0"):] + "?" + nq.Encode()
}

// fractional matches a whole-second UTC date-time inside a JSON string.
var fractional = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)Z"`)

// reported applies the Reported quirks of a whole response to a listing's
// 200 body; status 0 means 200. The ones that change what a listing holds
// are obeyed where it is listed: ServedRecent by listWindowed,
// ContactsNextURL by the catalogue lister.
func (s *Server) reported(ep *Endpoint, body []byte) ([]byte, int) {
	rp := s.cfg.Quirks.Reported
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
