package fakebotmaker

import (
	"math"
	"sort"
	"time"
)

// nowSec is the server clock in whole seconds (items are stamped with
// seconds precision, so an item added "now" is never after Now()).
func (s *Server) nowSec() int64 { return s.Now().Unix() }

// AddMessages creates n messages at the current server clock, each in a
// random chat, and returns their ids.
func (s *Server) AddMessages(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.nowSec()
	ids := make([]string, 0, max(n, 0))
	for k := 0; k < n; k++ {
		chat := int32(s.mutRNG.IntN(s.g.n.Chats))
		s.msgAdded = append(s.msgAdded, addedMsg{t: t, sessStart: t - int64(s.mutRNG.IntN(600)), chat: chat})
		ids = append(ids, s.g.id(kMsg, s.g.n.Messages+len(s.msgAdded)-1))
	}
	return ids
}

// TouchChats gives n distinct existing chats a new last user message at the
// current server clock (their lastUserMessageDatetime moves to now, so they
// move to the end of the /chats ordering). It returns their ids. It does not
// add messages to /messages.
func (s *Server) TouchChats(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	C := s.g.n.Chats
	n = min(max(n, 0), C)
	perm := s.mutRNG.Perm(C)[:n]
	t := s.nowSec()
	ids := make([]string, 0, n)
	for _, j := range perm {
		s.chatLast[j] = t
		ids = append(ids, s.g.id(kChat, j))
	}
	sort.Slice(s.chatOrder, func(a, b int) bool {
		ja, jb := s.chatOrder[a], s.chatOrder[b]
		ta, tb := s.chatLast[ja], s.chatLast[jb]
		return ta < tb || (ta == tb && ja < jb)
	})
	return ids
}

// AddCalls creates n calls at the current server clock.
func (s *Server) AddCalls(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.nowSec()
	ids := make([]string, 0, max(n, 0))
	for k := 0; k < n; k++ {
		s.callAdded = append(s.callAdded, addedItem{t: t, chat: int32(s.mutRNG.IntN(s.g.n.Chats))})
		ids = append(ids, s.g.id(kCall, s.g.n.Calls+len(s.callAdded)-1))
	}
	return ids
}

// AddTickets creates n tickets at the current server clock.
func (s *Server) AddTickets(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.nowSec()
	ids := make([]string, 0, max(n, 0))
	for k := 0; k < n; k++ {
		s.ticketAdded = append(s.ticketAdded, t)
		ids = append(ids, s.g.id(kTicket, s.g.n.Tickets+len(s.ticketAdded)-1))
	}
	return ids
}

// FinishOpenSessions finishes every session that is still open: they keep
// their (past) start time and become listable without
// include-open-sessions. It returns their ids in start order.
func (s *Server) FinishOpenSessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, j := range s.sessOpen {
		if s.sessFinished[j] {
			continue
		}
		s.sessFinished[j] = true
		m := s.sessMeta(int(j))
		ids = append(ids, string(s.appendSessionID(nil, m)))
	}
	return ids
}

// AddSessions creates n finished sessions that started at the current
// server clock (distinct chats; with more sessions than chats, the extra
// ones start a second earlier per round). Note /sessions defaults `to` to
// now-1day, so list them with an explicit window.
func (s *Server) AddSessions(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	C := s.g.n.Chats
	t := s.nowSec()
	first := s.mutRNG.IntN(C)
	ids := make([]string, 0, max(n, 0))
	// sessions with equal start must have distinct chats (unique ids); also
	// avoid colliding with sessions added earlier in the same second.
	used := map[int64]map[int32]bool{}
	for _, a := range s.sessAdded {
		if used[a.t] == nil {
			used[a.t] = map[int32]bool{}
		}
		used[a.t][a.chat] = true
	}
	var batch []addedItem
	for k := 0; k < n; k++ {
		ts := t - int64(k/C)
		chat := int32((first + k) % C)
		for used[ts][chat] {
			chat = (chat + 1) % int32(C)
			if chat == int32((first+k)%C) {
				ts--
			}
		}
		if used[ts] == nil {
			used[ts] = map[int32]bool{}
		}
		used[ts][chat] = true
		batch = append(batch, addedItem{t: ts, chat: chat})
	}
	// keep the added sequence sorted by time
	sort.SliceStable(batch, func(a, b int) bool { return batch[a].t < batch[b].t })
	for _, a := range batch {
		s.sessAdded = append(s.sessAdded, a)
		ids = append(ids, string(s.appendSessionID(nil, sessMeta{t: a.t, chat: a.chat})))
	}
	// a batch start may be (at most by a few seconds) before the previous
	// batch's latest start; restore the ordering invariant
	sort.SliceStable(s.sessAdded, func(a, b int) bool { return s.sessAdded[a].t < s.sessAdded[b].t })
	return ids
}

// ---- ground truth ------------------------------------------------------------

// IDs returns every id the endpoint would list for the window [from, to)
// with long-term search on and no size caps, in listing order (ascending by
// the time field for windowed endpoints). Sessions are the finished ones
// (the default without include-open-sessions). Tickets are filtered on
// creationTime and returned ascending (the API lists them newest first).
// A zero from means the beginning of time and a zero to means no upper
// bound. contacts, agents, channels and intents ignore from/to and list all
// items.
// Unknown endpoints return nil.
func (s *Server) IDs(endpoint string, from, to time.Time) []string {
	fromN, toN := clampNanos(from, false), clampNanos(to, true)
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.g
	var out []string
	seqRange := func(n int, timeAt func(int) int64) (int, int) {
		if fromN >= toN {
			return 0, 0
		}
		return searchSeq(n, timeAt, fromN), searchSeq(n, timeAt, toN)
	}
	switch endpoint {
	case "chats":
		if fromN >= toN {
			return []string{}
		}
		lo, hi := s.chatRange(window{fromN, toN})
		for k := lo; k < hi; k++ {
			out = append(out, g.id(kChat, int(s.chatOrder[k])))
		}
	case "messages":
		lo, hi := seqRange(s.msgCount(), s.msgTime)
		out = make([]string, 0, hi-lo)
		for seq := lo; seq < hi; seq++ {
			out = append(out, g.id(kMsg, seq))
		}
	case "sessions":
		lo, hi := seqRange(s.sessCount(), s.sessTime)
		for seq := lo; seq < hi; seq++ {
			if m := s.sessMeta(seq); !m.open {
				out = append(out, string(s.appendSessionID(nil, m)))
			}
		}
	case "calls":
		lo, hi := seqRange(s.callCount(), s.callTime)
		for seq := lo; seq < hi; seq++ {
			out = append(out, g.id(kCall, seq))
		}
	case "tickets":
		lo, hi := seqRange(s.ticketCount(), s.ticketTime)
		for seq := lo; seq < hi; seq++ {
			out = append(out, g.id(kTicket, seq))
		}
	case "contacts":
		for k := 0; k < g.n.Contacts; k++ {
			out = append(out, g.id(kContact, k))
		}
	case "agents":
		for a := 0; a < g.n.Agents; a++ {
			out = append(out, g.id(kAgent, a))
		}
	case "channels":
		for _, c := range g.channels {
			out = append(out, c.id)
		}
	case "intents":
		for i := 0; i < g.n.Intents; i++ {
			out = append(out, g.id(kIntent, i))
		}
	default:
		return nil
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// Total returns the number of listable items of an endpoint (sessions:
// finished ones; -1 for an unknown endpoint).
func (s *Server) Total(endpoint string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.g
	switch endpoint {
	case "chats":
		return g.n.Chats
	case "messages":
		return s.msgCount()
	case "sessions":
		open := 0
		for _, j := range s.sessOpen {
			if !s.sessFinished[j] {
				open++
			}
		}
		return s.sessCount() - open
	case "calls":
		return s.callCount()
	case "tickets":
		return s.ticketCount()
	case "contacts":
		return g.n.Contacts
	case "agents":
		return g.n.Agents
	case "channels":
		return g.n.Channels
	case "intents":
		return g.n.Intents
	}
	return -1
}

// OpenSessionIDs returns the ids of sessions that are currently open.
func (s *Server) OpenSessionIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	for _, j := range s.sessOpen {
		if !s.sessFinished[j] {
			ids = append(ids, string(s.appendSessionID(nil, s.sessMeta(int(j)))))
		}
	}
	return ids
}

func clampNanos(t time.Time, isTo bool) int64 {
	if t.IsZero() {
		if isTo {
			return math.MaxInt64 / 2
		}
		return math.MinInt64 / 2
	}
	if t.Year() >= 2262 {
		return math.MaxInt64 / 2
	}
	if t.Year() < 1678 {
		return math.MinInt64 / 2
	}
	return t.UnixNano()
}
