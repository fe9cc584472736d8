package fakebotmaker

import "time"

// Single late records (Quirks.LateEvery, Quirks.LateBy): Botmaker indexing
// one record hours after newer ones, so it appears behind a bookmark that
// has already moved past its timestamp. Which records are late, and by how
// much, is a pure function of (seed, kind, index): the same on every page
// and every sync.

const lateSalt = 0x6c617465

// lateDelay is how long after its timestamp record seq of kind k becomes
// visible: zero for records that are not late, else in (0, LateBy].
func (s *Server) lateDelay(k kind, seq int) time.Duration {
	q := s.cfg.Quirks
	if q.LateEvery <= 0 || q.LateBy <= 0 {
		return 0
	}
	h := s.g.hash(k, seq, lateSalt)
	if h%uint64(q.LateEvery) != 0 {
		return 0
	}
	return q.LateBy * time.Duration(h/uint64(q.LateEvery)%1000+1) / 1000
}

// hideLate wraps a page filter so that it also drops the endpoint's late
// records not yet visible; keep may be nil. It returns keep itself when the
// quirk is off or the endpoint has no late records.
func (s *Server) hideLate(e *Endpoint, timeAt func(int) int64, keep func(int) bool) func(int) bool {
	if !e.late || s.cfg.Quirks.LateEvery <= 0 {
		return keep
	}
	k := e.kind
	now := s.Now().UnixNano()
	return func(seq int) bool {
		if keep != nil && !keep(seq) {
			return false
		}
		d := s.lateDelay(k, seq)
		return d == 0 || timeAt(seq)*1e9+int64(d) <= now
	}
}

// LateRecords maps the id of every late record of endpoint (one with late
// records: messages, sessions or calls; for sessions, finished ones) to
// when it becomes visible.
func (s *Server) LateRecords(endpoint string) map[string]time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]time.Time{}
	e := endpointIndex[endpoint]
	if e == nil || !e.late {
		return out
	}
	n, timeAt, id := e.seq(s)
	for seq := 0; seq < n; seq++ {
		if d := s.lateDelay(e.kind, seq); d > 0 {
			if v := id(seq); v != "" {
				out[v] = time.Unix(timeAt(seq), 0).UTC().Add(d)
			}
		}
	}
	return out
}
