package fakebotmaker

import (
	"net/http"
	"net/url"
)

// listing is what one request to a time-filtered endpoint lists, as the
// row's query reads it from the request's own parameters. The row's seq
// holds the items; listWindowed pages them. A quirk that changes what a
// row lists is a field here (or of the row) that listWindowed obeys.
type listing struct {
	// ws is the endpoint's from/to rules. A row with a window of its own
	// (a billing month, days before now) sets fixed instead.
	ws    winSpec
	fixed *window
	// check refuses a first page's window (nil: any).
	check func(win window) *apiErr
	// all lists the whole sequence whatever the window.
	all bool
	// size is the page size; zero for the row's PageSize.
	size int
	// keep filters the sequence (nil keeps every item).
	keep func(seq int) bool
	// write writes item seq.
	write func(w *jw, seq int)
	// resume and mark make a keyset page token for a sequence whose
	// positions move (chats): resume finds where the token's page starts,
	// mark is the token (a, b) of the page's items. Nil for the others,
	// whose token holds the next page's position.
	resume func(c cursor) int
	mark   func(page []int) (a, b int64)
	// offset and limit are an OffsetTotal page's.
	offset, limit int64
}

// listWindowed serves every time-filtered endpoint from its row: the
// window of the request (or the page token), the row's sequence in it, a
// page of it in the order Quirks.Order asks for, and the next page's
// token (for OffsetTotal, the total instead).
func (s *Server) listWindowed(ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, e := ep.query(s, ep, r, q)
	if e != nil {
		return e
	}
	var win window
	var cur *cursor
	switch {
	case l.fixed == nil:
		if win, cur, e = s.pageStart(q, ep.tokenKind, l.ws); e != nil {
			return e
		}
	case ep.Paging == NextURL:
		win = *l.fixed
		if tok := q.Get(pageParam); tok != "" {
			c, e := decodeCursor(tok, ep.tokenKind, pageParam)
			if e != nil {
				return e
			}
			cur = &c
		}
	default:
		win = *l.fixed
	}
	if l.check != nil && cur == nil {
		if e := l.check(win); e != nil {
			return e
		}
	}
	n, timeAt, _ := ep.seq(s)
	lo, hi := 0, n
	if !l.all {
		lo, hi = searchSeq(n, timeAt, win.from), searchSeq(n, timeAt, s.visibleBefore(win.to))
		if from, ok := s.servedFrom(ep, q); ok { // Quirks.Reported.ServedRecent
			lo = max(lo, searchSeq(n, timeAt, from))
		}
		lo = min(lo, hi)
	}
	keep := l.keep
	if ep.late {
		keep = s.hideLate(ep, timeAt, keep)
	}
	if ep.Paging == OffsetTotal {
		s.writeOffsetPage(w, ep, l, lo, hi)
		return nil
	}

	size := ep.PageSize
	if l.size > 0 {
		size = l.size
	}
	if p := s.cfg.Quirks.PageSize[ep.Name]; p > 0 {
		size = p
	}
	// OffsetTokens: a token holds the next page's offset into the list as
	// it is when asked, not the next record's position, so a list whose
	// ends moved meanwhile (the recent window's edge, records added) shifts
	// the next page. A keyset token (resume) is left alone.
	offsets := s.cfg.Quirks.OffsetTokens && !ep.keyset
	// from is where the list begins in the endpoint's order, step its
	// direction: an offset k is the position from+k*step.
	from, step := lo, 1
	if s.cfg.Quirks.Order[ep.Name] == NewestFirst {
		from, step = hi-1, -1
	}
	start := -1
	if cur != nil {
		start = int(cur.a)
		switch {
		case l.resume != nil:
			start = l.resume(*cur)
		case offsets:
			if start = from + start*step; start < lo || start >= hi {
				start = hi // past the list's end: an empty last page
			}
		}
	}
	page, next := s.pageOf(ep.Name, lo, hi, start, size, keep)
	nextPage := ""
	if next >= 0 {
		at := next
		if offsets {
			at = (next - from) * step
		}
		tok := cursor{kind: ep.tokenKind, from: win.from, to: win.to, a: int64(at)}
		if l.fixed != nil {
			tok = cursor{kind: ep.tokenKind, a: int64(at)}
		}
		if l.mark != nil {
			tok.a, tok.b = l.mark(page)
		}
		nextPage = nextURL(r, q, tok)
	}
	w.beginPage()
	if len(page) > 0 {
		s.writeFuture(w, cur == nil, ep, func(w *jw) { l.write(w, page[0]) })
	}
	for _, i := range page {
		l.write(w, i)
	}
	w.endPage(nextPage)
	return nil
}

// writeOffsetPage writes an OffsetTotal page of the items [lo, hi), newest
// first: the total and the items from l.offset, at most l.limit of them.
// FutureRecord's copy of the newest is position 0, counted in the total.
func (s *Server) writeOffsetPage(w *jw, ep *Endpoint, l *listing, lo, hi int) {
	total := int64(hi - lo)
	future := int64(0)
	if s.cfg.Quirks.FutureRecord && total > 0 {
		future = 1
	}
	w.obj()
	if !s.cfg.Quirks.TicketsNoTotal {
		t := total + future
		if c := int64(s.cfg.Quirks.TicketsTotalCap); c > 0 {
			t = min(t, c) // a capped count; every item is still served
		}
		w.kint("total", t)
	}
	w.key(ep.ItemsKey)
	w.arr()
	first := l.offset
	if l.offset == 0 && future == 1 {
		s.writeFuture(w, true, ep, func(w *jw) { l.write(w, hi-1) })
		first = 1
	}
	// newest first: regular item p (position p+future) is seq hi-1-p
	for pos := first; pos < l.offset+l.limit && pos-future < total; pos++ {
		l.write(w, hi-1-int(pos-future))
	}
	w.endArr()
	w.endObj()
}
