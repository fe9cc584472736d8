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
	return s.addNow(kMsg, n, func(t int64) added {
		chat := int32(s.mutRNG.IntN(s.g.n[kChat]))
		return added{t: t, sessStart: t - int64(s.mutRNG.IntN(600)), chat: chat}
	})
}

// TouchChats gives n distinct existing chats a new last user message at the
// current server clock (their lastUserMessageDatetime moves to now, so they
// move to the end of the /chats ordering). It returns their ids. It does not
// add messages to /messages.
func (s *Server) TouchChats(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	C := s.g.n[kChat]
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
	return s.addNow(kCall, n, func(t int64) added { return added{t: t, chat: int32(s.mutRNG.IntN(s.g.n[kChat]))} })
}

// AddTickets creates n tickets at the current server clock.
func (s *Server) AddTickets(n int) []string { return s.addNow(kTicket, n, onlyTime) }

// FinishOpenSessions finishes every session that is still open: they keep
// their (past) start time and become listable without
// include-open-sessions. It returns their ids in start order.
func (s *Server) FinishOpenSessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, j := range s.sessOpen {
		if !s.sessMeta(int(j)).open {
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
	C := s.g.n[kChat]
	t := s.nowSec()
	first := s.mutRNG.IntN(C)
	ids := make([]string, 0, max(n, 0))
	// sessions with equal start must have distinct chats (unique ids); also
	// avoid colliding with sessions added earlier in the same second.
	used := map[int64]map[int32]bool{}
	for _, a := range s.added[kSess] {
		if used[a.t] == nil {
			used[a.t] = map[int32]bool{}
		}
		used[a.t][a.chat] = true
	}
	var batch []added
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
		batch = append(batch, added{t: ts, chat: chat})
	}
	// keep the added sequence sorted by time
	sort.SliceStable(batch, func(a, b int) bool { return batch[a].t < batch[b].t })
	if s.added == nil {
		s.added = map[kind][]added{}
	}
	for _, a := range batch {
		s.added[kSess] = append(s.added[kSess], a)
		ids = append(ids, string(s.appendSessionID(nil, sessMeta{t: a.t, chat: a.chat})))
	}
	// a batch start may be (at most by a few seconds) before the previous
	// batch's latest start; restore the ordering invariant
	sess := s.added[kSess]
	sort.SliceStable(sess, func(a, b int) bool { return sess[a].t < sess[b].t })
	return ids
}

// Add makes n items of the endpoint new at the current server clock, as
// its row says (for chats, new activity on existing ones), and returns
// their ids. ok is false for an endpoint without such a mutation.
func (s *Server) Add(endpoint string, n int) (ids []string, ok bool) {
	e := endpointIndex[endpoint]
	if e == nil || e.add == nil {
		return nil, false
	}
	return e.add(s, n), true
}

// ---- ground truth ------------------------------------------------------------

// IDs returns every id the endpoint would list for the window [from, to)
// with long-term search on and no size caps, in listing order (ascending by
// the time field for windowed endpoints). Sessions are the finished ones
// (the default without include-open-sessions). Tickets are filtered on
// creationTime and returned ascending (the API lists them newest first).
// A zero from means the beginning of time and a zero to means no upper
// bound. Endpoints without a time filter ignore from/to and list all
// items.
// Unknown endpoints return nil.
func (s *Server) IDs(endpoint string, from, to time.Time) []string {
	e := endpointIndex[endpoint]
	if e == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := e.ids(s, clampNanos(from, false), clampNanos(to, true))
	if out == nil {
		out = []string{}
	}
	return out
}

// seqIDs lists the ids of the sequence (n, timeAt, id) in [from, to).
func seqIDs(n int, timeAt func(int) int64, id func(int) string, from, to int64) []string {
	if from >= to {
		return nil
	}
	lo, hi := searchSeq(n, timeAt, from), searchSeq(n, timeAt, to)
	out := make([]string, 0, hi-lo)
	for seq := lo; seq < hi; seq++ {
		if v := id(seq); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Total returns the number of listable items of an endpoint (sessions:
// finished ones; -1 for an unknown endpoint).
func (s *Server) Total(endpoint string) int {
	e := endpointIndex[endpoint]
	if e == nil {
		return -1
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return e.total(s)
}

func (s *Server) finishedSessions() int {
	open := 0
	for _, j := range s.sessOpen {
		if m := s.sessMeta(int(j)); m.open || m.gone {
			open++
		}
	}
	return s.count(kSess) - open
}

// OpenSessionIDs returns the ids of sessions that are currently open.
func (s *Server) OpenSessionIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	for _, j := range s.sessOpen {
		if m := s.sessMeta(int(j)); m.open {
			ids = append(ids, string(s.appendSessionID(nil, m)))
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
