package fakebotmaker

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveControl serves the test-control endpoints under /_control/ (no
// token needed; for the standalone server driven by end-to-end tests):
//
//	POST /_control/add?endpoint=E&n=N -> JSON list of the ids Server.Add returns
//	                                     (the row's add: for chats, touched ones)
//	POST /_control/finish-sessions    -> JSON list of finished session ids
//	POST /_control/advance?d=1h30m    -> {"now": "..."} (moves the server clock)
//	POST /_control/lag?d=72h          -> {"lag": "72h0m0s"} (sets Quirks.Lag)
//	POST /_control/reset-requests     -> {}
//	GET  /_control/stats              -> Stats
//	GET  /_control/ids?endpoint=E[&from=RFC3339][&to=RFC3339] -> JSON list of ids (default: all)
//	GET  /_control/total?endpoint=E   -> {"endpoint": E, "total": N}
//	GET  /_control/now                -> {"now": "..."}
//	GET  /_control/requests           -> JSON list of logged /v2.0 requests
//	GET  /_control/credentials        -> the credentials in force and the refresh count
//	POST /_control/expire-token?after=N|at=RFC3339 -> {} (the current access token dies)
func (s *Server) serveControl(rw http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.URL.Path, "/_control/")
	if s.serveAuthControl(rw, r, op) {
		return
	}
	q := r.URL.Query()
	fail := func(status int, msg string) {
		writeErr(rw, &apiErr{status, "INVALID_PARAMETER", "control", msg})
	}
	reply := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		writeBody(rw, http.StatusOK, b)
	}
	post := map[string]bool{"add": true, "finish-sessions": true, "advance": true, "lag": true, "reset-requests": true}
	get := map[string]bool{"stats": true, "ids": true, "total": true, "now": true, "requests": true}
	switch {
	case post[op]:
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", "POST")
			fail(http.StatusMethodNotAllowed, "use POST")
			return
		}
	case get[op]:
		if r.Method != http.MethodGet {
			rw.Header().Set("Allow", "GET")
			fail(http.StatusMethodNotAllowed, "use GET")
			return
		}
	default:
		writeErr(rw, &apiErr{http.StatusNotFound, "NOT_FOUND", "path", "Unknown control path " + r.URL.Path})
		return
	}

	switch op {
	case "add":
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 || n > 10_000_000 {
			fail(http.StatusBadRequest, "n must be an integer between 0 and 10000000")
			return
		}
		ids, ok := s.Add(q.Get("endpoint"), n)
		if !ok {
			fail(http.StatusBadRequest, "endpoint "+strconv.Quote(q.Get("endpoint"))+" has no add mutation in the fake's table")
			return
		}
		reply(nonNil(ids))
	case "finish-sessions":
		reply(nonNil(s.FinishOpenSessions()))
	case "advance":
		d, err := time.ParseDuration(q.Get("d"))
		if err != nil || d < 0 {
			fail(http.StatusBadRequest, "d must be a non-negative Go duration such as 90m")
			return
		}
		s.Advance(d)
		reply(map[string]string{"now": s.Now().Format(time.RFC3339Nano)})
	case "lag":
		d, err := time.ParseDuration(q.Get("d"))
		if err != nil || d < 0 {
			fail(http.StatusBadRequest, "d must be a non-negative Go duration such as 72h")
			return
		}
		s.SetLag(d)
		reply(map[string]string{"lag": d.String()})
	case "reset-requests":
		s.ResetRequests()
		reply(struct{}{})
	case "stats":
		reply(s.Stats())
	case "now":
		reply(map[string]string{"now": s.Now().Format(time.RFC3339Nano)})
	case "requests":
		type req struct {
			Method   string              `json:"method"`
			Path     string              `json:"path"`
			RawQuery string              `json:"rawQuery"`
			Query    map[string][]string `json:"query"`
			Status   int                 `json:"status"`
			At       time.Time           `json:"at"`
			TokenOK  bool                `json:"tokenOK"`
			Host     string              `json:"host"`
		}
		out := []req{}
		for _, x := range s.Requests() {
			out = append(out, req{x.Method, x.Path, x.RawQuery, x.Query, x.Status, x.At, x.TokenOK, x.Host})
		}
		reply(out)
	case "ids", "total":
		ep := q.Get("endpoint")
		if endpointIndex[ep] == nil {
			fail(http.StatusBadRequest, "endpoint must be one of "+strings.Join(EndpointNames(), ", "))
			return
		}
		if op == "total" {
			reply(map[string]any{"endpoint": ep, "total": s.Total(ep)})
			return
		}
		var from, to time.Time
		for _, p := range []struct {
			name string
			dst  *time.Time
		}{{"from", &from}, {"to", &to}} {
			if v := q.Get(p.name); v != "" {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					fail(http.StatusBadRequest, "invalid "+p.name)
					return
				}
				*p.dst = t
			}
		}
		reply(nonNil(s.IDs(ep, from, to)))
	}
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
