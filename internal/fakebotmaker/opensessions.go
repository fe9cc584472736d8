package fakebotmaker

import "time"

// OpenSessions is Quirks.OpenSessions: chosen sessions stay open for days,
// some never finish during a test, and one about to finish is, for a
// while, in neither the open nor the finished listing (Botmaker's two
// listings are separate queries and may disagree). Their agent-metrics
// rows follow them: listed with session-status=open while the session is
// open, in neither listing while it is missing, closed once it finished.
// With it set, the chosen sessions are the only ones generated open.
type OpenSessions struct {
	// Ages picks one generated session per entry: the first that started
	// at or after that long before Config.Now (the next one when two
	// entries pick the same).
	Ages []time.Duration
	// For is how long each stays open after it started, by Ages' index; a
	// missing or zero entry stays open for the whole test.
	For []time.Duration
	// Missing is how long before it finishes a session is in neither
	// listing.
	Missing time.Duration
}

// chooseOpen picks Quirks.OpenSessions' sessions: session seq → index in
// Ages. Nil without the quirk.
func (s *Server) chooseOpen() map[int32]int {
	q := s.cfg.Quirks.OpenSessions
	if q == nil {
		return nil
	}
	out := map[int32]int{}
	S := s.g.n[kSess]
	at := func(j int) int64 { return s.g.baseTime(j, S) }
	for i, age := range q.Ages {
		j := searchSeq(S, at, s.g.t0*int64(time.Second)-int64(age))
		for ; j < S; j++ {
			if _, dup := out[int32(j)]; !dup {
				out[int32(j)] = i
				break
			}
		}
	}
	return out
}

// openNow says whether chosen session seq (started at t, unix s) is open
// now, or gone from both listings; neither means it has finished.
func (s *Server) openNow(seq int, t int64) (open, gone bool) {
	q := s.cfg.Quirks.OpenSessions
	i := s.chosenOpen[int32(seq)]
	if i >= len(q.For) || q.For[i] <= 0 {
		return true, false
	}
	now := s.Now().UnixNano()
	end := t*int64(time.Second) + int64(q.For[i])
	switch {
	case now >= end:
		return false, false
	case now >= end-int64(q.Missing):
		return false, true
	}
	return true, false
}
