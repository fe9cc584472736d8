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

func (s *Server) listChats(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	lts, e := parseBool(q, "long-term-search")
	if e != nil {
		return e
	}
	if _, e := parseBool(q, "only-users-never-talked"); e != nil {
		return e
	}
	win, cur, e := s.pageStart(q, ep.tokenKind, winSpec{
		defFrom: oneDayBefore, defTo: atNow, lts: lts,
		recent: ep.Recent, recentMsg: ep.recentMsg(),
		maxSpan: maxSpan,
	})
	if e != nil {
		return e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	lo, hi := s.chatRange(window{win.from, s.visibleBefore(win.to)})
	start := -1
	if cur != nil {
		// keyset on (a=time, b=index) of the last chat served
		ct, ci := cur.a, int32(cur.b)
		start = sort.Search(len(s.chatOrder), func(k int) bool {
			j := s.chatOrder[k]
			t := s.chatLast[j]
			return t > ct || (t == ct && j > ci)
		})
		if s.cfg.Quirks.Order[ep.Name] == NewestFirst {
			start = sort.Search(len(s.chatOrder), func(k int) bool {
				j := s.chatOrder[k]
				t := s.chatLast[j]
				return t > ct || (t == ct && j >= ci)
			}) - 1
		}
	}
	ks, nextK := s.pageOf(ep.Name, lo, hi, start, ep.PageSize, nil)
	base := apiBase(r)
	w.beginPage()
	if len(ks) > 0 {
		s.writeFuture(w, cur == nil, ep, func(w *jw) { s.writeChat(w, int(s.chatOrder[ks[0]]), base, true) })
	}
	for _, k := range ks {
		s.writeChat(w, int(s.chatOrder[k]), base, true)
	}
	next := ""
	if nextK >= 0 {
		last := ks[len(ks)-1] // the page's last position in walk order
		if s.cfg.Quirks.Order[ep.Name] == Shuffled {
			last = slices.Max(ks)
		}
		j := s.chatOrder[last]
		next = nextURL(r, q, cursor{ep.tokenKind, win.from, win.to, s.chatLast[j], int64(j)})
	}
	w.endPage(next)
	return nil
}

// chatRange returns the positions in chatOrder whose activity is in win.
func (s *Server) chatRange(win window) (int, int) {
	f := func(x int64) int {
		return sort.Search(len(s.chatOrder), func(k int) bool { return s.chatLast[s.chatOrder[k]]*1e9 >= x })
	}
	return f(win.from), f(win.to)
}

// ---- /messages -------------------------------------------------------------

func (s *Server) listMessages(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	lts, e := parseBool(q, "long-term-search")
	if e != nil {
		return e
	}
	limit, e := parseInt(q, "limit", 250, 250, int64(ep.Limit))
	if e != nil {
		return e
	}
	chatID := q.Get("chat-id")
	chatFilter := int32(-1)
	if chatID != "" {
		idx, ok := s.chatIndexOf(chatID)
		if !ok {
			return &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", "chat-id", "Chat not found"}
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
	win, cur, e := s.pageStart(q, ep.tokenKind, ws)
	if e != nil {
		return e
	}
	pageSize := min(int(limit), ep.PageSize)

	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.msgCount()
	lo := searchSeq(n, s.msgTime, win.from)
	hi := searchSeq(n, s.msgTime, s.visibleBefore(win.to))
	start := -1
	if cur != nil {
		start = int(cur.a)
	}
	var keep func(int) bool
	if chatFilter >= 0 {
		keep = func(seq int) bool { return s.msgMeta(seq).chat == chatFilter }
	}
	seqs, nextSeq := s.pageOf(ep.Name, lo, hi, start, pageSize, s.hideLate(ep, s.msgTime, keep))
	s.writeSeqPage(w, r, q, ep, cur == nil, seqs, nextSeq, cursor{kind: ep.tokenKind, from: win.from, to: win.to}, func(w *jw, seq int) {
		s.writeMessage(w, seq, s.msgMeta(seq), false)
	})
	return nil
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

func (s *Server) listSessions(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
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
			return e
		}
		*p.dst = v
	}
	if tp := q.Get("timestamp-precision"); tp != "" && tp != "seconds" && tp != "milliseconds" {
		return badParam("timestamp-precision", "'timestamp-precision' must be seconds or milliseconds")
	}
	ws := winSpec{
		defFrom: oneDayBefore, defTo: atNow, lts: lts,
		recent: ep.Recent, recentMsg: ep.recentMsg(),
		maxSpan: maxSpan,
	}
	if !open {
		ws.defTo = func(now int64) int64 { return now - int64(24*time.Hour) }
	}
	win, cur, e := s.pageStart(q, ep.tokenKind, ws)
	if e != nil {
		return e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.sessCount()
	lo := searchSeq(n, s.sessTime, win.from)
	hi := searchSeq(n, s.sessTime, s.visibleBefore(win.to))
	start := -1
	if cur != nil {
		start = int(cur.a)
	}
	seqs, nextSeq := s.pageOf(ep.Name, lo, hi, start, ep.PageSize, s.hideLate(ep, s.sessTime, func(seq int) bool {
		m := s.sessMeta(seq)
		return !m.gone && (open || !m.open)
	}))
	s.writeSeqPage(w, r, q, ep, cur == nil, seqs, nextSeq, cursor{kind: ep.tokenKind, from: win.from, to: win.to}, func(w *jw, seq int) {
		s.writeSession(w, seq, s.sessMeta(seq), inc)
	})
	return nil
}

// ---- /calls ----------------------------------------------------------------

func (s *Server) listCalls(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	// /calls has no long-term-search parameter in SPEC and no recent-window
	// restriction here; the 1-month cap applies.
	win, cur, e := s.pageStart(q, ep.tokenKind, winSpec{defFrom: oneDayBefore, defTo: atNow, maxSpan: maxSpan})
	if e != nil {
		return e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.callCount()
	lo := searchSeq(n, s.callTime, win.from)
	hi := searchSeq(n, s.callTime, s.visibleBefore(win.to))
	start := -1
	if cur != nil {
		start = int(cur.a)
	}
	seqs, nextSeq := s.pageOf(ep.Name, lo, hi, start, ep.PageSize, s.hideLate(ep, s.callTime, nil))
	s.writeSeqPage(w, r, q, ep, cur == nil, seqs, nextSeq, cursor{kind: ep.tokenKind, from: win.from, to: win.to}, s.writeCall)
	return nil
}

// writeSeqPage writes one page of a sequence listing, seqs and next as
// pageOf returns them: FutureRecord's copy of the first item on a first
// page, each item, and a nextPage whose token is tok with the next page's
// start.
func (s *Server) writeSeqPage(w *jw, r *http.Request, q url.Values, ep *Endpoint, first bool, seqs []int, next int, tok cursor, write func(w *jw, seq int)) {
	w.beginPage()
	if len(seqs) > 0 {
		s.writeFuture(w, first, ep, func(w *jw) { write(w, seqs[0]) })
	}
	for _, seq := range seqs {
		write(w, seq)
	}
	nextPage := ""
	if next >= 0 {
		tok.a = int64(next)
		nextPage = nextURL(r, q, tok)
	}
	w.endPage(nextPage)
}

// ---- /contacts -------------------------------------------------------------

func (s *Server) listContacts(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	channelID, platform := q.Get("channel-id"), q.Get("platform")
	if channelID != "" && platform != "" {
		return badParam("platform", "Invalid parameters: 'channel-id' and 'platform' are mutually exclusive")
	}
	if platform != "" && !knownPlatforms[platform] {
		return badParam("platform", "Invalid platform.")
	}
	if channelID != "" && s.channelByID(channelID) == nil {
		return badParam("channel-id", "Invalid channel id.")
	}
	bsuid, e := parseBool(q, "has-whastapp-bsuid")
	if e != nil {
		return e
	}
	off := 0
	if tok := q.Get(ep.TokenParam); tok != "" {
		c, e := decodeCursor(tok, ep.tokenKind, ep.TokenParam)
		if e != nil {
			return e
		}
		off = int(c.a)
	}
	match := func(k int) bool {
		if bsuid && !s.contactHasBsuid(k) {
			return false
		}
		if channelID == "" && platform == "" {
			return true
		}
		for j := k; j < s.g.n[kChat]; j += s.g.n[kContact] {
			ch := s.g.chatChannel(j)
			if ch.id == channelID || ch.platform == platform || (platform == "instagram_chat" && ch.platform == "instagram") {
				return true
			}
		}
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	w.beginPage()
	// off counts matching contacts already returned.
	seen, count, next := 0, 0, ""
	for k := 0; k < s.g.n[kContact]; k++ {
		if !match(k) {
			continue
		}
		if seen < off {
			seen++
			continue
		}
		if count == ep.PageSize {
			next = cursor{kind: ep.tokenKind, a: int64(off + count)}.encode()
			break
		}
		s.writeContact(w, k)
		count++
	}
	w.endPage(next) // nextPage is an opaque token, not a URL
	return nil
}

// ---- /agents, /channels, /intents -----------------------------------------------

func offsetFromPage(q url.Values, kind byte) (int, *apiErr) {
	tok := q.Get(pageParam)
	if tok == "" {
		return 0, nil
	}
	c, e := decodeCursor(tok, kind, pageParam)
	return int(c.a), e
}

func (s *Server) listAgents(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	online, e := parseBool(q, "online")
	if e != nil {
		return e
	}
	hasOnline := q.Get("online") != ""
	var emails map[string]bool
	for _, v := range q["emails"] {
		for _, em := range strings.Split(v, ",") {
			if em = strings.TrimSpace(em); em != "" {
				if emails == nil {
					emails = map[string]bool{}
				}
				emails[strings.ToLower(em)] = true
			}
		}
	}
	off, e := offsetFromPage(q, ep.tokenKind)
	if e != nil {
		return e
	}
	w.beginPage()
	seen, count, next := 0, 0, ""
	for a := 0; a < s.g.n[kAgent]; a++ {
		if hasOnline && s.g.agentOnline(a) != online {
			continue
		}
		if emails != nil && !emails[s.g.agentEmail(a)] {
			continue
		}
		if seen < off {
			seen++
			continue
		}
		if count == ep.PageSize {
			next = nextURL(r, q, cursor{kind: ep.tokenKind, a: int64(off + count)})
			break
		}
		s.g.writeAgent(w, a)
		count++
	}
	w.endPage(next)
	return nil
}

func (s *Server) listChannels(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	platform := q.Get("platform")
	if platform != "" && !knownPlatforms[platform] {
		return badParam("platform", "Invalid platform.")
	}
	active, e := parseBool(q, "active")
	if e != nil {
		return e
	}
	hasActive := q.Get("active") != ""
	w.obj()
	w.key("items")
	w.arr()
	for k := range s.g.channels {
		c := &s.g.channels[k]
		if platform != "" && c.platform != platform && !(platform == "instagram_chat" && c.platform == "instagram") {
			continue
		}
		if hasActive && c.active != active {
			continue
		}
		writeChannel(w, c)
	}
	w.endArr()
	w.endObj() // no nextPage key: the channel list is a single page
	return nil
}

func (s *Server) listIntents(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	off, e := offsetFromPage(q, ep.tokenKind)
	if e != nil {
		return e
	}
	off = min(off, s.g.n[kIntent])
	end := min(s.g.n[kIntent], off+ep.PageSize)
	w.beginPage()
	for i := off; i < end; i++ {
		s.g.writeIntent(w, i)
	}
	next := ""
	if end < s.g.n[kIntent] {
		next = nextURL(r, q, cursor{kind: ep.tokenKind, a: int64(end)})
	}
	w.endPage(next)
	return nil
}

// ---- /tickets --------------------------------------------------------------

func (s *Server) listTickets(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	days, e := parseInt(q, "daysBeforeNow", 60, 1, 1<<31-1)
	if e != nil {
		return e
	}
	offset, e := parseInt(q, "offset", 0, 0, 1<<62)
	if e != nil {
		return e
	}
	limit, e := parseInt(q, "limit", 50, 1, int64(ep.Limit))
	if e != nil {
		return e
	}
	now := s.Now().UnixNano()
	cutoff := now - days*int64(24*time.Hour)
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := searchSeq(s.ticketCount(), s.ticketTime, s.visibleBefore(now+1))
	lo := searchSeq(n, s.ticketTime, cutoff)
	total := int64(n - lo)
	// FutureRecord's ticket is the newest: position 0, before seq n-1.
	future := int64(0)
	if s.cfg.Quirks.FutureRecord && total > 0 {
		future = 1
	}
	w.obj()
	if !s.cfg.Quirks.TicketsNoTotal {
		w.kint("total", total+future)
	}
	w.key(ep.ItemsKey)
	w.arr()
	first := offset
	if offset == 0 && future == 1 {
		s.writeFuture(w, true, ep, func(w *jw) { s.writeTicket(w, n-1) })
		first = 1
	}
	// newest first: regular ticket p (position p+future) is seq n-1-p
	for pos := first; pos < offset+limit && pos-future < total; pos++ {
		s.writeTicket(w, n-1-int(pos-future))
	}
	w.endArr()
	w.endObj()
	return nil
}
