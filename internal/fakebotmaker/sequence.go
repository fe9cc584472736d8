package fakebotmaker

// Windowed entities are sequences: generated ("base") items 0..N-1 in
// non-decreasing time order, then the items Add made (created at the
// server clock, hence never earlier than base items). The whole sequence is
// therefore sorted by time and the seq is a stable keyset position.
// Everything here must be called with s.mu held (read or write).

// added is one item Add made; what it carries beyond its time depends on
// its kind.
type added struct {
	t         int64 // unix seconds
	chat      int32 // messages, sessions, calls: the chat
	sessStart int64 // messages: the start of the message's session
}

// count is how many items of kind k exist: generated ones, then added ones.
func (s *Server) count(k kind) int { return s.g.n[k] + len(s.added[k]) }

// itemTime is the time (unix seconds) of item seq of kind k.
func (s *Server) itemTime(k kind, seq int) int64 {
	if N := s.g.n[k]; seq >= N {
		return s.added[k][seq-N].t
	}
	return s.g.genTime(k, seq)
}

// timeOf is itemTime of kind k, as the sequence searches take it.
func (s *Server) timeOf(k kind) func(int) int64 {
	return func(seq int) int64 { return s.itemTime(k, seq) }
}

// addedItem is item seq of kind k, which Add made (seq >= the generated
// count).
func (s *Server) addedItem(k kind, seq int) added { return s.added[k][seq-s.g.n[k]] }

// seqOf makes the sequence function of a row whose ids are the kind's
// generated ids (Endpoint.seq).
func seqOf(k kind) func(*Server) (int, func(int) int64, func(int) string) {
	return func(s *Server) (int, func(int) int64, func(int) string) {
		return s.count(k), s.timeOf(k), func(seq int) string { return s.g.id(k, seq) }
	}
}

// countOf makes the total of such a row.
func countOf(k kind) func(*Server) int { return func(s *Server) int { return s.count(k) } }

// addNow makes n items of kind k at the server clock, each as item says,
// and returns their ids.
func (s *Server) addNow(k kind, n int, item func(t int64) added) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.added == nil {
		s.added = map[kind][]added{}
	}
	t := s.nowSec()
	ids := make([]string, 0, max(n, 0))
	for range max(n, 0) {
		s.added[k] = append(s.added[k], item(t))
		ids = append(ids, s.g.id(k, s.count(k)-1))
	}
	return ids
}

// onlyTime is the item of a kind whose added items carry nothing but their
// time.
func onlyTime(t int64) added { return added{t: t} }
