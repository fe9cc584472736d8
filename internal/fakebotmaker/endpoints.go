package fakebotmaker

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	// maxSessionMessages caps the messages embedded per session with
	// include-messages=true (base sessions can own hundreds of messages at
	// benchmark scale).
	maxSessionMessages = 20

	// recentGrace tolerates clients whose clock (or computation of "now - N
	// days") is slightly behind the server's when checking recent windows.
	recentGrace = time.Minute
	maxSpan     = 31 * 24 * time.Hour
)

// ---- parameters ------------------------------------------------------------

func badParam(name, msg string) *apiErr {
	return &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", name, msg}
}

func parseBool(q url.Values, name string) (bool, *apiErr) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badParam(name, "Invalid boolean value for '"+name+"'")
	}
	return b, nil
}

func parseInt(q url.Values, name string, def, lo, hi int64) (int64, *apiErr) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "'"+name+"' must be an integer between "+strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10))
	}
	return n, nil
}

// parseTimeParam parses an RFC 3339 date-time (fractional seconds optional)
// into unix nanoseconds.
func parseTimeParam(q url.Values, name string) (int64, bool, *apiErr) {
	v := q.Get(name)
	if v == "" {
		return 0, false, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil && strings.Contains(v, " ") {
		// an unescaped "+01:00" offset arrives as " 01:00"
		t, err = time.Parse(time.RFC3339Nano, strings.Replace(v, " ", "+", 1))
	}
	if err != nil {
		return 0, false, &apiErr{http.StatusBadRequest, "INVALID_DATETIME", name, "Invalid date-time value for '" + name + "': expected RFC 3339, e.g. 2021-01-01T00:00:00Z"}
	}
	return t.UnixNano(), true, nil
}

// winSpec describes an endpoint's from/to rules.
type winSpec struct {
	defFrom   func(now, to int64) int64 // default from (unix nanos)
	defTo     func(now int64) int64     // default to
	recent    time.Duration             // from older than now-recent needs LTS (0: no restriction)
	lts       bool                      // long-term-search=true was sent
	recentMsg string
	maxSpan   time.Duration // 0: no cap
}

// window is a half-open interval [from, to) in unix nanoseconds.
//
// Window semantics (all windowed endpoints): an item is listed when
// from <= t < to. The SPEC says "greater than from" / "minor than to"; we
// include the lower bound so that consecutive windows [a,b), [b,c) tile
// time without gaps or overlaps, which is what an incremental client needs.
type window struct{ from, to int64 }

func (s *Server) parseWindow(q url.Values, now time.Time, ws winSpec) (window, *apiErr) {
	nowN := now.UnixNano()
	from, hasFrom, e := parseTimeParam(q, "from")
	if e != nil {
		return window{}, e
	}
	to, hasTo, e := parseTimeParam(q, "to")
	if e != nil {
		return window{}, e
	}
	if !hasTo {
		to = ws.defTo(nowN)
	}
	if !hasFrom {
		from = ws.defFrom(nowN, to)
	}
	if from >= to {
		return window{}, &apiErr{http.StatusBadRequest, "INVALID_DATETIME_INTERVAL", "from", "'from' must be before 'to'"}
	}
	if ws.maxSpan > 0 && time.Duration(to-from) > ws.maxSpan {
		return window{}, &apiErr{http.StatusBadRequest, "INVALID_DATETIME_INTERVAL", "from", "The difference between 'from' and 'to' cannot be greater than 1 month"}
	}
	if ws.recent > 0 && !ws.lts && from < nowN-int64(ws.recent+recentGrace) {
		return window{}, &apiErr{http.StatusBadRequest, "INVALID_DATETIME_INTERVAL", "from", ws.recentMsg}
	}
	return window{from, to}, nil
}

// recentMsg is the 400's message for a from older than Recent without
// long-term search.
func (e *Endpoint) recentMsg() string {
	return strings.ToUpper(e.Name[:1]) + e.Name[1:] + " beyond the last " + strconv.Itoa(int(e.Recent/(24*time.Hour))) + " days need long-term-search=true"
}

func oneDayBefore(_, to int64) int64 { return to - int64(24*time.Hour) }
func atNow(now int64) int64          { return now }

// ---- page tokens -----------------------------------------------------------

// cursor is the opaque state carried by the "page" parameter of nextPage
// URLs: the resolved window (so defaults do not drift between pages) and a
// keyset position (a, b) whose meaning depends on the endpoint.
type cursor struct {
	kind     byte
	from, to int64
	a, b     int64
}

const pageParam = "page"

func (c cursor) encode() string {
	b := make([]byte, 0, 64)
	b = append(b, c.kind)
	for _, v := range []int64{c.from, c.to, c.a, c.b} {
		b = append(b, '.')
		b = strconv.AppendInt(b, v, 10)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, kind byte, param string) (cursor, *apiErr) {
	bad := badParam(param, "Invalid page token")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 || raw[0] != kind || raw[1] != '.' {
		return cursor{}, bad
	}
	parts := strings.Split(string(raw[2:]), ".")
	if len(parts) != 4 {
		return cursor{}, bad
	}
	var v [4]int64
	for i, p := range parts {
		if v[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return cursor{}, bad
		}
	}
	if v[2] < 0 {
		return cursor{}, bad
	}
	return cursor{kind, v[0], v[1], v[2], v[3]}, nil
}

// nextURL returns the absolute URL of the next page: same scheme, host and
// path as r, the original query parameters, and page=<token>.
func nextURL(r *http.Request, q url.Values, c cursor) string {
	nq := cloneValues(q)
	nq.Set(pageParam, c.encode())
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + nq.Encode()
}

func apiBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/v2.0"
}

// pageStart resolves the window and the start position either from a page
// token or from from/to.
func (s *Server) pageStart(q url.Values, kind byte, ws winSpec) (window, *cursor, *apiErr) {
	if tok := q.Get(pageParam); tok != "" {
		c, e := decodeCursor(tok, kind, pageParam)
		if e != nil {
			return window{}, nil, e
		}
		win := window{c.from, c.to}
		if s.cfg.Quirks.MovingEdge && ws.recent > 0 && !ws.lts {
			win.from = max(win.from, s.Now().UnixNano()-int64(ws.recent))
		}
		return win, &c, nil
	}
	win, e := s.parseWindow(q, s.Now(), ws)
	return win, nil, e
}

func (w *jw) beginPage() {
	w.obj()
	w.key("items")
	w.arr()
}

func (w *jw) endPage(next string) {
	w.endArr()
	w.key("nextPage")
	if next == "" {
		w.null()
	} else {
		w.str(next)
	}
	w.endObj()
}

// ---- /chats ----------------------------------------------------------------

// chatSeq is the chats as a sequence: their positions in chatOrder, which
// TouchChats reorders.
func (s *Server) chatSeq() (int, func(int) int64, func(int) string) {
	return len(s.chatOrder), func(k int) int64 { return s.chatLast[s.chatOrder[k]] },
		func(k int) string { return s.g.id(kChat, int(s.chatOrder[k])) }
}

func (s *Server) queryChats(ep *Endpoint, r *http.Request, q url.Values) (*listing, *apiErr) {
	lts, e := parseBool(q, "long-term-search")
	if e != nil {
		return nil, e
	}
	if _, e := parseBool(q, "only-users-never-talked"); e != nil {
		return nil, e
	}
	base := apiBase(r)
	newest := s.cfg.Quirks.Order[ep.Name] == NewestFirst
	return &listing{
		ws: winSpec{
			defFrom: oneDayBefore, defTo: atNow, lts: lts,
			recent: ep.Recent, recentMsg: ep.recentMsg(),
			maxSpan: maxSpan,
		},
		write: func(w *jw, k int) { s.writeChat(w, int(s.chatOrder[k]), base, true) },
		// A touched chat moves to the end: the token is the keyset (time,
		// index) of the last chat served, not a position.
		resume: func(c cursor) int {
			ct, ci := c.a, int32(c.b)
			after := func(k int) bool {
				j := s.chatOrder[k]
				t := s.chatLast[j]
				return t > ct || (t == ct && (j > ci || newest && j == ci))
			}
			if newest {
				return sort.Search(len(s.chatOrder), after) - 1
			}
			return sort.Search(len(s.chatOrder), after)
		},
		mark: func(page []int) (int64, int64) {
			last := page[len(page)-1] // the page's last position in walk order
			if s.cfg.Quirks.Order[ep.Name] == Shuffled {
				last = slices.Max(page)
			}
			j := s.chatOrder[last]
			return s.chatLast[j], int64(j)
		},
	}, nil
}

// ---- /messages -------------------------------------------------------------

func (s *Server) queryMessages(ep *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	lts, e := parseBool(q, "long-term-search")
	if e != nil {
		return nil, e
	}
	limit, e := parseInt(q, "limit", 250, 250, int64(ep.Limit))
	if e != nil {
		return nil, e
	}
	chatID := q.Get("chat-id")
	chatFilter := int32(-1)
	if chatID != "" {
		idx, ok := s.chatIndexOf(chatID)
		if !ok {
			return nil, &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", "chat-id", "Chat not found"}
		}
		chatFilter = idx
	}
	ws := winSpec{lts: lts, maxSpan: maxSpan}
	// Defaults per SPEC: LTS searches default to [now-1d, now-1h); non-LTS
	// to [now-3d, now) without a chat filter (the maximum recent range) and
	// [now-90d, now) with one.
	switch {
	case lts:
		ws.defTo = func(now int64) int64 { return now - int64(time.Hour) }
		ws.defFrom = func(now, _ int64) int64 { return now - int64(24*time.Hour) }
	case chatFilter >= 0:
		ws.defTo = atNow
		ws.defFrom = func(now, _ int64) int64 { return now - int64(90*24*time.Hour) }
		ws.recent = 90 * 24 * time.Hour
		ws.recentMsg = "Messages of a chat beyond the last 90 days need long-term-search=true"
		ws.maxSpan = 92 * 24 * time.Hour
	default:
		ws.defTo = atNow
		ws.defFrom = func(now, _ int64) int64 { return now - int64(ep.Recent) }
		ws.recent = ep.Recent
		ws.recentMsg = ep.recentMsg()
	}
	l := &listing{ws: ws, size: min(int(limit), ep.PageSize), write: func(w *jw, seq int) {
		s.writeMessage(w, seq, s.msgMeta(seq), false)
	}}
	if chatFilter >= 0 {
		l.keep = func(seq int) bool { return s.msgMeta(seq).chat == chatFilter }
	}
	return l, nil
}

func (s *Server) chatIndexOf(id string) (int32, bool) {
	s.chatIndexOnce.Do(func() {
		s.chatIndex = make(map[string]int32, s.g.n[kChat])
		for j := 0; j < s.g.n[kChat]; j++ {
			s.chatIndex[s.g.id(kChat, j)] = int32(j)
		}
	})
	idx, ok := s.chatIndex[id]
	return idx, ok
}

// ---- /sessions -------------------------------------------------------------

type includes struct{ messages, events, ai, variables bool }

func (s *Server) querySessions(ep *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	var inc includes
	var lts, open bool
	for _, p := range []struct {
		name string
		dst  *bool
	}{
		{"long-term-search", &lts}, {"include-open-sessions", &open},
		{"include-messages", &inc.messages}, {"include-events", &inc.events},
		{"include-ai-analysis", &inc.ai}, {"include-variables", &inc.variables},
	} {
		v, e := parseBool(q, p.name)
		if e != nil {
			return nil, e
		}
		*p.dst = v
	}
	if tp := q.Get("timestamp-precision"); tp != "" && tp != "seconds" && tp != "milliseconds" {
		return nil, badParam("timestamp-precision", "'timestamp-precision' must be seconds or milliseconds")
	}
	ws := winSpec{
		defFrom: oneDayBefore, defTo: atNow, lts: lts,
		recent: ep.Recent, recentMsg: ep.recentMsg(),
		maxSpan: maxSpan,
	}
	if !open {
		ws.defTo = func(now int64) int64 { return now - int64(24*time.Hour) }
	}
	return &listing{
		ws: ws,
		keep: func(seq int) bool {
			m := s.sessMeta(seq)
			return !m.gone && (open || !m.open)
		},
		write: func(w *jw, seq int) { s.writeSession(w, seq, s.sessMeta(seq), inc) },
	}, nil
}

// ---- /calls ----------------------------------------------------------------

func (s *Server) queryCalls(_ *Endpoint, _ *http.Request, _ url.Values) (*listing, *apiErr) {
	// /calls has no long-term-search parameter in SPEC and no recent-window
	// restriction here; the 1-month cap applies.
	return &listing{ws: winSpec{defFrom: oneDayBefore, defTo: atNow, maxSpan: maxSpan}, write: s.writeCall}, nil
}

// ---- /tickets --------------------------------------------------------------

// queryTickets reads the tickets of the last daysBeforeNow days, a page of
// limit from offset.
func (s *Server) queryTickets(ep *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	days, e := parseInt(q, "daysBeforeNow", 60, 1, 1<<31-1)
	if e != nil {
		return nil, e
	}
	offset, e := parseInt(q, "offset", 0, 0, 1<<62)
	if e != nil {
		return nil, e
	}
	limit, e := parseInt(q, "limit", 50, 1, int64(ep.Limit))
	if e != nil {
		return nil, e
	}
	now := s.Now().UnixNano()
	return &listing{
		fixed:  &window{now - days*int64(24*time.Hour), now + 1},
		write:  s.writeTicket,
		offset: offset, limit: limit,
	}, nil
}
