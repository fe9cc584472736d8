package fakebotmaker

import (
	"net/http"
	"net/url"
	"sort"
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
		if s.cfg.Quirks.Reported.AgentlessMetrics {
			return []int{noAgent}
		}
		return nil
	case h%5 == 1 && A > 1:
		a := int(h >> 8 % uint64(A))
		return []int{a, (a + 1 + int(h>>16%uint64(A-1))) % A}
	}
	return []int{int(h >> 8 % uint64(A))}
}

// metricStarts is, for each generated session, where its rows start in
// the rows of all sessions, and their count last; built once (the
// generated sessions never change).
func (s *Server) metricStarts() []int32 {
	s.metricOnce.Do(func() {
		S := s.g.n[kSess]
		s.metricStart = make([]int32, S+1)
		for seq := range S {
			s.metricStart[seq+1] = s.metricStart[seq] + int32(len(s.metricAgents(seq)))
		}
	})
	return s.metricStart
}

// metricRow is row r of the rows of all sessions, in session order: its
// session and agent. A session Add made has one row.
func (s *Server) metricRow(r int) (seq, agent int) {
	starts := s.metricStarts()
	S := s.g.n[kSess]
	if base := int(starts[S]); r >= base {
		seq = S + r - base
		return seq, s.metricAgents(seq)[0]
	}
	seq = sort.Search(S, func(i int) bool { return int(starts[i+1]) > r })
	return seq, s.metricAgents(seq)[r-int(starts[seq])]
}

// metricSeq is the rows as a sequence (Endpoint.seq), at their session's
// start: the rows of open sessions have no id, since the endpoint lists
// them only on demand.
func (s *Server) metricSeq() (int, func(int) int64, func(int) string) {
	n := int(s.metricStarts()[s.g.n[kSess]]) + len(s.added[kSess])
	timeAt := func(r int) int64 {
		seq, _ := s.metricRow(r)
		return s.itemTime(kSess, seq)
	}
	return n, timeAt, s.metricID
}

// metricID is the id of row r, "" for a row of an open session or of one
// in neither listing (Quirks.OpenSessions).
func (s *Server) metricID(r int) string {
	seq, a := s.metricRow(r)
	m := s.sessMeta(seq)
	if m.open || m.gone {
		return ""
	}
	return JoinID(string(s.appendSessionID(nil, m)), s.metricAgentID(a))
}

// AddAgentMetrics starts and finishes n sessions now, as AddSessions does,
// and returns the ids of their agent-metrics rows.
func (s *Server) AddAgentMetrics(n int) []string {
	s.AddSessions(n)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	rows, _, _ := s.metricSeq()
	for r := rows - max(n, 0); r < rows; r++ {
		out = append(out, s.metricID(r))
	}
	return out
}

// queryAgentMetrics reads the rows of the sessions that started in the
// window, in session order; session-status (open or closed) is required,
// from/to spans at most a month and from defaults to the last hour.
func (s *Server) queryAgentMetrics(_ *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	status := q.Get("session-status")
	if status != "open" && status != "closed" {
		return nil, badParam("session-status", "'session-status' is required: open or closed")
	}
	if q.Get("to") != "" && q.Get("from") == "" && q.Get(pageParam) == "" {
		return nil, badParam("to", "'to' requires 'from'")
	}
	open := status == "open"
	return &listing{
		ws: winSpec{
			defFrom: func(now, _ int64) int64 { return now - int64(time.Hour) }, defTo: atNow,
			maxSpan: maxSpan,
		},
		keep: func(r int) bool {
			seq, _ := s.metricRow(r)
			m := s.sessMeta(seq)
			return !m.gone && m.open == open
		},
		write: func(w *jw, r int) {
			seq, a := s.metricRow(r)
			s.writeMetric(w, seq, s.sessMeta(seq), a)
		},
	}, nil
}

// noAgent is the agent of the row of a session no agent took
// (Quirks.Reported.AgentlessMetrics).
const noAgent = -1

// metricAgentID is the agentId part of a row's key: "" without an agent,
// as the connector keys it.
func (s *Server) metricAgentID(agent int) string {
	if agent == noAgent {
		return ""
	}
	return s.g.id(kAgent, agent)
}

func (s *Server) writeMetric(w *jw, seq int, m sessMeta, agent int) {
	g := s.g
	h := g.hash(kMetric, seq, uint64(agent)+1)
	num := func(k string, v uint64) { w.kstr(k, strconv.FormatUint(v, 10)) }
	if s.cfg.Quirks.Reported.NumericMetrics && seq%2 == 1 {
		num = func(k string, v uint64) {
			w.key(k)
			w.sep()
			w.b = strconv.AppendFloat(w.b, float64(v)/4, 'f', -1, 64)
			w.c = true
		}
	}
	w.obj()
	w.key("chatId")
	w.openStr()
	w.b = g.appendID(w.b, kChat, int(m.chat))
	w.closeStr()
	w.ktime("sessionCreationTime", m.t)
	num("avgAttendingTime", h%4000)
	num("avgResponseTime", h>>12%4000)
	w.kstr("queue", pick(queueIDs, h>>24))
	switch {
	case agent != noAgent:
		w.kstr("agentName", g.agentName(agent))
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, agent)
		w.closeStr()
	case seq%2 == 0: // Quirks.Reported.AgentlessMetrics: null, or left out
		w.knull("agentName")
		w.knull("agentId")
	}
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
