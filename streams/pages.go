package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"net/url"
	"strconv"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// Fetcher GETs a Botmaker URL and returns the body of a 200 response.
type Fetcher interface {
	Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error)
	URL(path string, q url.Values) *url.URL
}

// page is one decoded response envelope.
type page struct {
	items [][]byte // raw items, in order
	next  *url.URL // nil on the last page
	total int64    // OffsetTotal only
	// hasTotal says the page carried total. Assumption: /tickets always
	// does (the SPEC shows it); without it the walk pages on until a page
	// comes back empty or shorter than the longest one seen.
	hasTotal bool
	err      error
}

// parsePage splits a response into its items and the way to the next page.
// Items stay raw bytes; only the envelope is read.
func (s *Stream) parsePage(body []byte, req *url.URL) (page, error) {
	if bytes.IndexByte(body, '\n') >= 0 || bytes.IndexByte(body, '\r') >= 0 {
		// Records are written one per line; newlines can only be whitespace
		// between tokens in valid JSON, so compacting removes them all. In
		// place: a second copy would double a large page.
		body = compactInPlace(body)
	}
	p := page{items: make([][]byte, 0, 64)}
	if s.Envelope == Bare {
		return s.parseBare(body, p)
	}
	var nextRaw []byte
	var nullItems bool
	// One pass finds the envelope's members and the items' boundaries.
	sawItems, err := rawjson.ObjectEachArray(body, s.ItemsKey, func(item []byte) error {
		p.items = append(p.items, item)
		return nil
	}, func(k, v []byte) error {
		switch string(k) {
		case s.ItemsKey:
			if !rawjson.IsNull(v) {
				return fmt.Errorf("%q is not a list", s.ItemsKey)
			}
			nullItems = true
		case "nextPage":
			nextRaw = v
		case "total":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return fmt.Errorf("total %s is not an integer", clip(v))
			}
			p.total, p.hasTotal = n, true
		}
		return nil
	})
	if err != nil {
		return page{}, fmt.Errorf("%s: unexpected response shape: %w", s.Path, err)
	}
	if !sawItems && !nullItems {
		return page{}, fmt.Errorf("%s: response has no %q list", s.Path, s.ItemsKey)
	}
	if p.next, err = s.nextFrom(nextRaw, req); err != nil {
		return page{}, err
	}
	return p, nil
}

// parseBare reads a Bare response: a list of items, one object that is the
// only item, or null for none.
func (s *Stream) parseBare(body []byte, p page) (page, error) {
	v := bytes.TrimSpace(body)
	switch {
	case rawjson.IsNull(v):
	case len(v) > 0 && v[0] == '{':
		end, err := rawjson.ValueEnd(v, 0)
		if err != nil || end != len(v) {
			return page{}, fmt.Errorf("%s: unexpected response shape: not one JSON object", s.Path)
		}
		p.items = append(p.items, v)
	case len(v) > 0 && v[0] == '[':
		if err := rawjson.ArrayEach(v, func(item []byte) error {
			p.items = append(p.items, item)
			return nil
		}); err != nil {
			return page{}, fmt.Errorf("%s: unexpected response shape: %w", s.Path, err)
		}
	default:
		return page{}, fmt.Errorf("%s: response is neither a list nor an object", s.Path)
	}
	return p, nil
}

// nextFrom turns a raw nextPage value into the next request; nil when
// there is none.
func (s *Stream) nextFrom(nextRaw []byte, req *url.URL) (*url.URL, error) {
	if len(nextRaw) == 0 || rawjson.IsNull(nextRaw) {
		return nil, nil
	}
	var next string
	if err := json.Unmarshal(nextRaw, &next); err != nil {
		return nil, fmt.Errorf("%s: nextPage is not a string: %w", s.Path, err)
	}
	if next == "" {
		return nil, nil
	}
	switch s.Pagination {
	case NextURL:
		u, err := req.Parse(next)
		if err != nil {
			return nil, fmt.Errorf("%s: nextPage %s is not a URL", s.Path, clip([]byte(strconv.Quote(next))))
		}
		return u, nil
	case NextToken:
		u := *req
		q := u.Query()
		q.Set(s.TokenParam, next)
		u.RawQuery = q.Encode()
		return &u, nil
	}
	return nil, nil
}

// tailNext reads the next request from the end of a body, where Botmaker
// writes nextPage, without scanning the items. known is false when the
// next request cannot be told that way: nextPage is not the last member, or
// the endpoint pages by offset, which needs the page's item count.
func (s *Stream) tailNext(body []byte, req *url.URL) (next *url.URL, known bool) {
	switch s.Pagination {
	case SinglePage:
		return nil, true
	case OffsetTotal:
		return nil, false
	}
	raw, ok := rawjson.LastMember(body, "nextPage")
	if !ok {
		return nil, false
	}
	next, err := s.nextFrom(raw, req)
	if err != nil {
		return nil, false // the parser reports it
	}
	return next, true
}

// fetched is one response on its way from the fetcher to the parser.
type fetched struct {
	req   *url.URL
	body  []byte
	err   error
	next  *url.URL // the fetcher's reading of the next request
	known bool     // next was read from the end of the body
}

// walk requests first and every following page and hands each page's
// items to fn, in order. Three goroutines overlap the work: a fetcher GETs
// pages, a parser splits them into items, and fn writes them. The fetcher
// reads the next request from the end of the body it just got and sends it
// at once, so Botmaker prepares page k+1 while page k is checked, split and
// written; when it cannot tell the next request that way it waits for the
// parser's. At most four pages are held at once: arriving, being parsed,
// waiting for fn, in fn.
func (s *Stream) walk(ctx context.Context, f Fetcher, first *url.URL, fn func(p page) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bodies := make(chan fetched)
	nexts := make(chan *url.URL) // the parser's next request, when the fetcher waits for it
	pages := make(chan page, 1)
	go s.fetchPages(ctx, f, first, bodies, nexts)
	go s.parsePages(ctx, bodies, nexts, pages)

	empty := 0
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if err := fn(p); err != nil {
			return err
		}
		if len(p.items) > 0 || p.next == nil {
			empty = 0
		} else if empty++; empty >= maxEmptyRun {
			return fmt.Errorf("%s: Botmaker returned %d empty pages in a row, each with a nextPage, so pagination would not end. Records written so far keep their state; report this to Botmaker support with the endpoint", s.Path, empty)
		}
	}
	return ctx.Err()
}

// fetchPages is walk's fetcher: it GETs first and every following page
// into bodies, taking the next request from the end of the body when it
// can and from nexts (the parser) when it cannot. It stops after an error.
func (s *Stream) fetchPages(ctx context.Context, f Fetcher, first *url.URL, bodies chan<- fetched, nexts <-chan *url.URL) {
	defer close(bodies)
	var guard loopGuard
	for u := first; u != nil; {
		var b []byte
		err := guard.follow(s.Path, u)
		if err == nil {
			b, err = f.Get(ctx, s.Path, u)
		}
		fe := fetched{req: u, body: b, err: err}
		if err == nil {
			fe.next, fe.known = s.tailNext(b, u)
		}
		select {
		case bodies <- fe:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		if fe.known {
			u = fe.next
			continue
		}
		select {
		case u = <-nexts:
		case <-ctx.Done():
			return
		}
	}
}

// parsePages is walk's parser: it splits each body into a page for pages,
// answers on nexts when the fetcher could not read the next request
// itself, and ends with the first error as a page.
func (s *Stream) parsePages(ctx context.Context, bodies <-chan fetched, nexts chan<- *url.URL, pages chan<- page) {
	defer close(pages)
	var o offsets
	for fe := range bodies {
		p, err := s.parsed(fe, &o)
		if err != nil {
			select {
			case pages <- page{err: err}:
			case <-ctx.Done():
			}
			return
		}
		if !fe.known {
			select {
			case nexts <- p.next:
			case <-ctx.Done():
				return
			}
		}
		select {
		case pages <- p:
		case <-ctx.Done():
			return
		}
	}
}

// offsets is where an OffsetTotal walk is: the next offset, and the most
// items a page has held.
type offsets struct {
	next    int64
	longest int
}

// parsed is the parser's work on one response: split it, work out the next
// request, and check it is the one the fetcher already sent, if it did.
func (s *Stream) parsed(fe fetched, o *offsets) (page, error) {
	if fe.err != nil {
		return page{}, fe.err
	}
	p, err := s.parsePage(fe.body, fe.req)
	if err != nil {
		return page{}, err
	}
	if s.Pagination == OffsetTotal {
		n := len(p.items)
		o.next += int64(n)
		more := o.next < p.total
		if !p.hasTotal {
			more = n >= o.longest
		}
		o.longest = max(o.longest, n)
		if n > 0 && more {
			nu := *fe.req
			q := nu.Query()
			q.Set("offset", strconv.FormatInt(o.next, 10))
			nu.RawQuery = q.Encode()
			p.next = &nu
		}
	}
	if fe.known && urlString(fe.next) != urlString(p.next) {
		// rawjson.LastMember agrees with the forward walk on valid JSON, so
		// this cannot happen; if it ever did, stopping beats a wrong page.
		return page{}, fmt.Errorf("%s: nextPage read from the end of the response (%s) differs from the one in it (%s)", s.Path, clip([]byte(urlString(fe.next))), clip([]byte(urlString(p.next))))
	}
	return p, nil
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// maxPages bounds one walk: at Botmaker's page sizes it is tens of millions
// of records, far past any one window, and a server that hands out fresh
// nextPage values forever is stopped by it.
const maxPages = 100_000

// maxEmptyRun is how many empty pages in a row, each with a nextPage, end a
// walk: a listing that pages on without items is a server loop.
const maxEmptyRun = 1000

// loopGuard stops a walk that would never end. Assumption: Botmaker's
// pagination is not deterministic by the SPEC's word, but a nextPage that
// repeats one already followed in the same walk can only lead round again.
// URLs are remembered by hash, so a long walk costs 8 bytes a page.
type loopGuard struct {
	seen  map[uint64]struct{}
	seed  maphash.Seed
	pages int
}

func (g *loopGuard) follow(path string, u *url.URL) error {
	if g.seen == nil {
		g.seen = map[uint64]struct{}{}
		g.seed = maphash.MakeSeed()
	}
	g.pages++
	if g.pages > maxPages {
		return fmt.Errorf("%s: pagination went past %d pages in one walk without ending; Botmaker's nextPage never came back empty. Records written so far keep their state; report this to Botmaker support with the endpoint", path, maxPages)
	}
	h := maphash.String(g.seed, u.String())
	if _, dup := g.seen[h]; dup {
		return fmt.Errorf("%s: Botmaker's nextPage repeated a page already read in this walk (after %d pages), so pagination would loop forever. Records written so far keep their state; report this to Botmaker support with the endpoint", path, g.pages-1)
	}
	g.seen[h] = struct{}{}
	return nil
}

// compactInPlace removes the whitespace between the tokens of valid JSON,
// overwriting b (the result is never longer). On anything else it returns
// bytes the envelope parser then refuses.
func compactInPlace(b []byte) []byte { return appendCompact(b[:0], b, false) }

// appendCompact appends src, JSON text, without the whitespace between its
// tokens; with quote it also escapes it as the inside of a JSON string
// (valid JSON has no raw control characters inside strings, so only quotes
// and backslashes need it). Without quote dst may be src[:0]: the result
// is never longer, and each byte is read before its slot is written.
func appendCompact(dst, src []byte, quote bool) []byte {
	inString, escaped := false, false
	for _, c := range src {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		}
		if quote && (c == '"' || c == '\\') {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return dst
}

// CheckPage says whether body, the answer to req, is the stream's
// documented response envelope, with the same rule a read applies to every
// page (parsePage). check uses it so that any JSON 200 ({"status":"ok"} from
// a proxy, a bare list) does not pass for Botmaker.
func (s *Stream) CheckPage(body []byte, req *url.URL) error {
	_, err := s.parsePage(body, req)
	return err
}
