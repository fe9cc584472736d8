package fakebotmaker

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ---- /dashboards/agent-metrics ---------------------------------------------

// kMetric salts the agent-metrics rows (see kTemplate).
const kMetric kind = 103

// metricAgents are the agents of session seq: none (the bot handled it),
// one, or two (a transfer adds a row for the agent it went to). A session
// Add made has one, so that Add(n) makes n rows.
func (s *Server) metricAgents(seq int) []int {
	g := s.g
	A := g.n[kAgent]
	h := g.hash(kMetric, seq, 0)
	switch {
	case seq >= g.n[kSess]:
		return []int{int(h >> 8 % uint64(A))}
	case h%5 == 0:
		return nil
	case h%5 == 1 && A > 1:
		a := int(h >> 8 % uint64(A))
		return []int{a, (a + 1 + int(h>>16%uint64(A-1))) % A}
	}
	return []int{int(h >> 8 % uint64(A))}
}

// metricIDs are the ids of the rows of the sessions whose start is in
// [from, to) and which are closed or, with open, open; s.mu held.
func (s *Server) metricIDs(from, to int64, open bool) []string {
	n := s.sessCount()
	var out []string
	for seq := searchSeq(n, s.sessTime, from); seq < searchSeq(n, s.sessTime, to); seq++ {
		m := s.sessMeta(seq)
		if m.gone || m.open != open {
			continue
		}
		sid := string(s.appendSessionID(nil, m))
		for _, a := range s.metricAgents(seq) {
			out = append(out, JoinID(sid, s.g.id(kAgent, a)))
		}
	}
	return out
}

// AddAgentMetrics starts and finishes n sessions now, as AddSessions does,
// and returns the ids of their agent-metrics rows.
func (s *Server) AddAgentMetrics(n int) []string {
	s.AddSessions(n)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for seq := s.sessCount() - max(n, 0); seq < s.sessCount(); seq++ {
		sid := string(s.appendSessionID(nil, s.sessMeta(seq)))
		for _, a := range s.metricAgents(seq) {
			out = append(out, JoinID(sid, s.g.id(kAgent, a)))
		}
	}
	return out
}

// listAgentMetrics serves the rows of the sessions that started in the
// window, in session order; session-status (open or closed) is required,
// from/to spans at most a month and from defaults to the last hour.
func (s *Server) listAgentMetrics(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	status := q.Get("session-status")
	if status != "open" && status != "closed" {
		return badParam("session-status", "'session-status' is required: open or closed")
	}
	if q.Get("to") != "" && q.Get("from") == "" && q.Get(pageParam) == "" {
		return badParam("to", "'to' requires 'from'")
	}
	win, cur, e := s.pageStart(q, ep.tokenKind, winSpec{
		defFrom: func(now, _ int64) int64 { return now - int64(time.Hour) }, defTo: atNow,
		maxSpan: maxSpan,
	})
	if e != nil {
		return e
	}
	open := status == "open"
	size := ep.PageSize
	if p := s.cfg.Quirks.PageSize[ep.Name]; p > 0 {
		size = p
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The window's rows, in session order; pageOf pages them in the order
	// Quirks.Order asks for, and a page token holds a row's position.
	type row struct{ seq, agent int }
	var rows []row
	n := s.sessCount()
	for seq := searchSeq(n, s.sessTime, win.from); seq < searchSeq(n, s.sessTime, s.visibleBefore(win.to)); seq++ {
		if m := s.sessMeta(seq); m.gone || m.open != open {
			continue
		}
		for _, a := range s.metricAgents(seq) {
			rows = append(rows, row{seq, a})
		}
	}
	start := -1
	if cur != nil {
		start = int(cur.a)
	}
	idx, nextIdx := s.pageOf(ep.Name, 0, len(rows), start, size, nil)
	s.writeSeqPage(w, r, q, ep, cur == nil, idx, nextIdx, cursor{kind: ep.tokenKind, from: win.from, to: win.to}, func(w *jw, i int) {
		s.writeMetric(w, rows[i].seq, s.sessMeta(rows[i].seq), rows[i].agent)
	})
	return nil
}

func (s *Server) writeMetric(w *jw, seq int, m sessMeta, agent int) {
	g := s.g
	h := g.hash(kMetric, seq, uint64(agent)+1)
	num := func(k string, v uint64) { w.kstr(k, strconv.FormatUint(v, 10)) }
	w.obj()
	w.key("chatId")
	w.openStr()
	w.b = g.appendID(w.b, kChat, int(m.chat))
	w.closeStr()
	w.ktime("sessionCreationTime", m.t)
	num("avgAttendingTime", h%4000)
	num("avgResponseTime", h>>12%4000)
	w.kstr("queue", pick(queueIDs, h>>24))
	w.kstr("agentName", g.agentName(agent))
	w.key("agentId")
	w.openStr()
	w.b = g.appendAgentID(w.b, agent)
	w.closeStr()
	w.key("sessionId")
	w.openStr()
	w.b = s.appendSessionID(w.b, m)
	w.closeStr()
	if m.open {
		w.knull("typification")
		w.knull("closedTime")
		num("openSessions", 1)
		num("closedSessions", 0)
	} else {
		w.kstr("typification", pick(typifications, h>>28))
		w.ktime("closedTime", m.t+int64(h>>32%7200)+60)
		num("openSessions", 0)
		num("closedSessions", 1)
	}
	for i, k := range []string{"onHold", "opResponseTime", "operatorResponses", "sessionTransferIn", "sessionTransferOut",
		"sessionTransferOutNoMessages", "closedWithNoMessages", "timeoutNoMessages", "agentTimeout", "userTimeout",
		"fromQueueAsignToOpAssigned", "fromSessionStartToOpFirstResponse", "fromQueueAsignToOpFirstResponse",
		"fromOpAssignedToOpFirstResponse", "fromQueueAsignToSessionClosed", "fromOpAssignationToSessionClosed", "sessionTimeout"} {
		num(k, mix64(h+uint64(i))%600)
	}
	w.kstr("conversationLink", "https://go.botmaker.com/#/chats/"+g.id(kChat, int(m.chat)))
	w.endObj()
}
