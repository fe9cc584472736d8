package fakebotmaker

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Quirks make the fake break, on demand, assumptions a client might make
// about Botmaker that its SPEC does not promise. Each one is off in the zero
// value, where the fake serves windowed items oldest first, pages that end,
// a total on every /tickets page, and every record as soon as it exists.
//
// A quirk of the time-filtered endpoints is obeyed in one place,
// listWindowed (windowed.go), for every row at once: what a request lists
// (its window, filter, page size, order) is a listing, and the rows' items
// are sequences whose times and ids the ground truth (IDs, Total) shares.
type Quirks struct {
	// Lag is Botmaker's data horizon behind its clock: a record becomes
	// visible only Lag after its timestamp. SetLag changes it between syncs.
	Lag time.Duration
	// Order is the item order per endpoint name, for the endpoints with a
	// from/to filter (OrderEvery sets them all); missing means OldestFirst.
	// Paging stays consistent: every record of a window is on exactly one
	// of its pages.
	Order map[string]Order
	// Paging breaks pagination per endpoint name.
	Paging map[string]PagingQuirk
	// FutureRecord adds, on the first page of every window of an endpoint
	// with a time filter, a copy of the page's first record under a new id
	// ("FUTURE" + id) with its cursor set to FutureTime, whatever window
	// was asked for.
	FutureRecord bool
	// TicketsNoTotal leaves total out of /tickets pages.
	TicketsNoTotal bool
	// PageAdvance moves the server clock forward by this much on every
	// /v2.0 list request: slow pages, in simulated time.
	PageAdvance time.Duration
	// MovingEdge applies the recent-window limit (records older than the
	// last 3 or 7 days need long-term-search) to every page, not only to
	// the first: without long-term search, a walk that outlasts its margin
	// loses the records the edge passes, silently.
	MovingEdge bool
	// LateEvery and LateBy make single records late (late.go): about one
	// in LateEvery records of /messages, /sessions and /calls becomes
	// visible only some time after its timestamp, up to LateBy, while
	// newer records around it are served at once.
	LateEvery int
	LateBy    time.Duration
	// Forbidden lists endpoint names that answer every request with 403,
	// as Botmaker does for an endpoint the account's plan lacks, while the
	// token works everywhere else.
	Forbidden map[string]bool
	// PageSize makes pages of the named time-filtered endpoints smaller
	// than Botmaker's (5000 agent-metrics rows), so that a small data set
	// pages.
	PageSize map[string]int
	// Empty makes the named catalogue endpoints (catalogue.go) list
	// nothing, as for an account that has none: the empty list, or on a
	// paged one a single page with a null nextPage.
	Empty map[string]bool
	// OffsetTokens makes the page tokens of every time-filtered endpoint
	// that pages by token (chats' keyset tokens aside) an offset into the
	// window's list as it is when asked, instead of the next record's
	// position: with MovingEdge, records the edge passes during a walk
	// shift the list, and the next page skips as many.
	OffsetTokens bool
	// TicketsTotalCap caps the total an OffsetTotal page (/tickets)
	// reports (0: none), as a search engine's capped count does; the items
	// are all served.
	TicketsTotalCap int
	// Straggler holds the oldest record of every oldest-first window of
	// three pages or more back from its place and lists it last, on the
	// window's last page: a listing in cursor order for pages on end that
	// then lists an older record.
	Straggler bool
	// Stall makes every /v2.0 request hang, unanswered, until the client
	// gives up: a host that accepts connections and never answers.
	Stall bool
	// OpenSessions keeps chosen sessions open for days, and makes one
	// about to finish miss from both listings for a while (opensessions.go).
	OpenSessions *OpenSessions
	// BareObject has the endpoints whose body is the items themselves
	// (ItemsKey "": /tickets/field-definitions) answer with one object,
	// their first item, as the SPEC declares, instead of the list real
	// accounts answer with.
	BareObject bool
	// Reported are what Botmaker's users report of the live API
	// (reported.go).
	Reported Reported
}

// checkEmpty panics on a Quirks.Empty name that no catalogue row has,
// which would otherwise be ignored unnoticed.
func (q Quirks) checkEmpty() {
	for name := range q.Empty {
		if _, ok := catalogues[name]; !ok {
			panic("fakebotmaker: Quirks.Empty names no catalogue endpoint: " + strconv.Quote(name))
		}
	}
}

// Order is an order of the items of a windowed listing.
type Order string

// Orders.
const (
	OldestFirst Order = "oldest"
	NewestFirst Order = "newest"
	// Shuffled pages oldest first, but shuffles the items within each page.
	Shuffled Order = "shuffled"
)

// PagingQuirk is a way pagination fails to end.
type PagingQuirk string

// OrderEvery is Quirks.Order with o for every endpoint Order applies to:
// those with a from/to filter.
func OrderEvery(o Order) map[string]Order {
	out := map[string]Order{}
	for _, e := range Endpoints {
		if e.Filter == FromTo {
			out[e.Name] = o
		}
	}
	return out
}

// Paging quirks.
const (
	// PageRepeat hands out, as nextPage, the request's own URL (for
	// /contacts, a token that never changes).
	PageRepeat PagingQuirk = "repeat"
	// PageCycle alternates nextPage between two URLs.
	PageCycle PagingQuirk = "cycle"
	// PageEmptyForever serves empty pages, each with a new nextPage.
	PageEmptyForever PagingQuirk = "empty"
)

// FutureTime is the cursor of FutureRecord's records.
var FutureTime = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)

// FuturePrefix starts the id of every FutureRecord record.
const FuturePrefix = "FUTURE"

// ExpirePageTokens makes every page token of a paged catalogue endpoint
// (contacts' next-page-token, the page of the others' nextPage URLs)
// handed out so far expire: a request with one answers 400, as Botmaker may
// answer a token it no longer honours (its SPEC says nothing of how long
// one lasts). Tokens handed out afterwards work. It breaks the assumption
// that a page position saved by one attempt of a sync still works in the
// next.
func (s *Server) ExpirePageTokens() { s.tokenEpoch.Add(1) }

// expiredToken is the answer to an expired page token.
func expiredToken(param string) *apiErr {
	return badParam(param, "Page token expired")
}

// SetLag changes Quirks.Lag.
func (s *Server) SetLag(d time.Duration) { s.lag.Store(int64(max(d, 0))) }

// visibleBefore is the exclusive upper bound (unix nanoseconds) of the
// records visible now, or to when the lag hides none of [.., to).
func (s *Server) visibleBefore(to int64) int64 {
	lag := s.lag.Load()
	if lag == 0 {
		return to
	}
	return min(to, s.Now().UnixNano()-lag+1)
}

// pageOf picks one page from the index range [lo, hi) in the endpoint's
// order. start is where a page token left off (-1 on the first page); keep
// filters indexes (nil keeps all). It returns the indexes to write, in
// order, and where the next page starts (-1 on the last page).
func (s *Server) pageOf(endpoint string, lo, hi, start, size int, keep func(int) bool) ([]int, int) {
	order := s.cfg.Quirks.Order[endpoint]
	step, i := 1, lo
	if order == NewestFirst {
		step, i = -1, hi-1
	}
	if start >= 0 {
		i = start
	}
	in := func(i int) bool { return i >= lo && i < hi }
	// Straggler: lo is held back from the first page to the last.
	straggler := s.cfg.Quirks.Straggler && order != NewestFirst && hi-lo > 2*size
	if straggler && start < 0 {
		i++
	}
	var out []int
	for ; in(i) && len(out) < size; i += step {
		if keep == nil || keep(i) {
			out = append(out, i)
		}
	}
	for keep != nil && in(i) && !keep(i) {
		i += step
	}
	next := -1
	if in(i) {
		next = i
	}
	if straggler && next < 0 && (keep == nil || keep(lo)) {
		out = append(out, lo)
	}
	if order == Shuffled && len(out) > 1 {
		rng := rand.New(rand.NewPCG(uint64(out[0]), 0x73687566))
		rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	}
	return out, next
}

// futureCopy rewrites item into FutureRecord's record: id prefixed with
// FuturePrefix, cursor set to FutureTime.
func futureCopy(item []byte, idKey, cursorKey string) []byte {
	out := replaceString(item, idKey, func(v []byte) []byte { return append([]byte(FuturePrefix), v...) })
	return replaceString(out, cursorKey, func([]byte) []byte { return appendTime(nil, FutureTime.Unix()) })
}

// replaceString replaces the first string value of key in a JSON object
// written by jw (no whitespace, no escaped quotes in ids or times).
func replaceString(b []byte, key string, f func([]byte) []byte) []byte {
	k := []byte(`"` + key + `":"`)
	i := bytes.Index(b, k)
	if i < 0 {
		return b
	}
	i += len(k)
	j := bytes.IndexByte(b[i:], '"')
	if j < 0 {
		return b
	}
	out := append([]byte{}, b[:i]...)
	out = append(out, f(b[i:i+j])...)
	return append(out, b[i+j:]...)
}

// writeFuture writes FutureRecord's record for a first page, made from the
// page's first item as write writes it.
func (s *Server) writeFuture(w *jw, first bool, ep *Endpoint, write func(*jw)) {
	if !s.cfg.Quirks.FutureRecord || !first {
		return
	}
	tmp := getJW()
	defer putJW(tmp)
	write(tmp)
	w.sep()
	// Changing the first part of a composite key makes the copy's key new.
	path := ep.IDPaths()[0]
	idKey := path[strings.LastIndexByte(path, '.')+1:]
	w.b = append(w.b, futureCopy(tmp.b, idKey, ep.Cursor)...)
	w.c = true
}

// breakPaging rewrites a page's nextPage as the endpoint's PagingQuirk
// says; body is the page as normally served. It returns body unchanged
// without a quirk.
func (s *Server) breakPaging(ep *Endpoint, r *http.Request, q url.Values, body []byte) []byte {
	quirk := s.cfg.Quirks.Paging[ep.Name]
	if quirk == "" {
		return body
	}
	self := apiBase(r) + r.URL.Path[len("/v2.0"):] + "?" + r.URL.RawQuery
	var next string
	switch quirk {
	case PageRepeat:
		next = self
		if ep.Paging == NextToken {
			next = cursor{kind: ep.tokenKind}.encode() // the first page's token, forever
		}
	case PageCycle:
		nq := cloneValues(q)
		if q.Get("loop") == "a" {
			nq.Set("loop", "b")
		} else {
			nq.Set("loop", "a")
		}
		next = apiBase(r) + r.URL.Path[len("/v2.0"):] + "?" + nq.Encode()
		if ep.Paging == NextToken {
			a := int64(0)
			if q.Get(ep.TokenParam) == (cursor{kind: ep.tokenKind}).encode() {
				a = 1
			}
			next = cursor{kind: ep.tokenKind, a: a}.encode()
		}
	case PageEmptyForever:
		nq := cloneValues(q)
		n, _ := strconv.Atoi(q.Get("empty"))
		nq.Set("empty", strconv.Itoa(n+1))
		w := getJW()
		defer putJW(w)
		w.obj()
		w.key(ep.ItemsKey)
		w.arr()
		w.endArr()
		w.key("nextPage")
		w.str(apiBase(r) + r.URL.Path[len("/v2.0"):] + "?" + nq.Encode())
		w.endObj()
		return append([]byte(nil), w.b...)
	}
	i := bytes.LastIndex(body, []byte(`"nextPage":`))
	if i < 0 {
		return body
	}
	out := append([]byte{}, body[:i]...)
	out = append(out, `"nextPage":`...)
	out = appendJSONString(out, next)
	return append(out, '}')
}
