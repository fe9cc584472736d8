package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"net/url"
	"strconv"
	"strings"

	"github.com/source-botmaker/source-botmaker/internal/plural"
	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// Fetcher GETs a Botmaker URL and returns the body of a 200 response, or
// an empty body for an empty result (204).
type Fetcher interface {
	Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error)
	URL(path string, q url.Values) *url.URL
}

// page is one decoded response envelope.
type page struct {
	items [][]byte // raw items, in order
	next  *url.URL // nil on the last page
	// nextPage is the nextPage value as Botmaker sent it (a token or a
	// URL; "" on the last page): what a resumable full refresh keeps in
	// its state to ask for the next page again (fullrefresh.go).
	nextPage string
	total    int64 // OffsetTotal only
	// hasTotal says the page carried total. The SPEC shows it on every
	// /tickets page, but it is a hint, not a bound: the walk pages on while
	// pages are full, and stops at a page that is empty or shorter than the
	// longest one seen once total is reached.
	hasTotal bool
}

// parsePage splits a response into its items and the way to the next page.
// Items stay raw bytes; only the envelope is read.
func (s *Stream) parsePage(body []byte, req *url.URL) (page, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		// The client's answer to a 204 or a 200 without a body: reported
		// of Botmaker for an empty result on any endpoint, so an empty
		// page without a next one.
		return page{}, nil
	}
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
	if p.nextPage, err = s.nextValue(nextRaw); err != nil {
		return page{}, err
	}
	if p.next, err = s.nextURL(p.nextPage, req); err != nil {
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

// nextValue reads a raw nextPage value: the string, or "" when there is
// none.
func (s *Stream) nextValue(nextRaw []byte) (string, error) {
	if len(nextRaw) == 0 || rawjson.IsNull(nextRaw) {
		return "", nil
	}
	var next string
	if err := json.Unmarshal(nextRaw, &next); err != nil {
		return "", fmt.Errorf("%s: nextPage is not a string: %w", s.Path, err)
	}
	return next, nil
}

// nextURL turns a nextPage value into the next request, req being the
// request that returned it; nil when there is none.
func (s *Stream) nextURL(next string, req *url.URL) (*url.URL, error) {
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
		// Reported of Botmaker's /contacts: nextPage is sometimes the
		// whole next URL rather than the token the SPEC shows. A token
		// never starts with a scheme, so such a value is followed as a
		// URL; the client refuses one outside base_url's origin.
		if u, err := url.Parse(next); err == nil && u.IsAbs() && (strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "http")) {
			return u, nil
		}
		return withQuery(req, s.TokenParam, next), nil
	}
	return nil, nil
}

// walk requests first and every following page, one after another, with
// env.Fetch, and hands each page's items to fn, in order. The body of a
// page is let go once fn returns, so one page is held at a time. Each
// request is one DEBUG line on env.Log.
func (s *Stream) walk(ctx context.Context, env Env, first *url.URL, fn func(p page) error) error {
	var guard loopGuard
	var offset int64 // OffsetTotal: the next page's offset
	longest := 0     // OffsetTotal: the most items a page has held
	empty := 0
	for u := first; u != nil; {
		if err := guard.follow(s.Path, u); err != nil {
			return err
		}
		body, err := env.Fetch.Get(ctx, s.Path, u)
		if err != nil {
			env.Log.Debug().Msgf("stream %s: GET %s failed: %v", s.Name, u.Redacted(), err)
			return err
		}
		p, err := s.parsePage(body, u)
		if err != nil {
			env.Log.Debug().Msgf("stream %s: GET %s: %d bytes that are not a page: %v", s.Name, u.Redacted(), len(body), err)
			return err
		}
		if s.Pagination == OffsetTotal {
			// A page as full as the fullest one so far may have more behind
			// it whatever total says: a server may cap the count it reports
			// (total 1000 for 1,200 tickets, as search engines do), and
			// trusting it would end the walk early and move the cursor past
			// what was never read. Assumption: Botmaker fills every page
			// but the last. A first page is full when it holds Limit items
			// (or, without total, always: Botmaker may serve fewer a page
			// than asked). The cost is one empty page when the count is a
			// multiple of the page size; offsetWalk warns when the count
			// and total disagree.
			n := len(p.items)
			offset += int64(n)
			full := n >= longest && (longest > 0 || n >= s.Limit || !p.hasTotal)
			more := full || (p.hasTotal && offset < p.total)
			longest = max(longest, n)
			if n > 0 && more {
				p.next = withQuery(u, "offset", strconv.FormatInt(offset, 10))
			}
		}
		if e := env.Log.Debug(); e.Enabled() {
			more := "the last page"
			if p.next != nil {
				more = "another page follows"
			}
			e.Msgf("stream %s: GET %s: %s in %d bytes, %s", s.Name, u.Redacted(), plural.Count(len(p.items), "item"), len(body), more)
		}
		if err := fn(p); err != nil {
			return err
		}
		if len(p.items) > 0 || p.next == nil {
			empty = 0
		} else if empty++; empty >= maxEmptyRun {
			return fmt.Errorf("%s: Botmaker returned %d empty pages in a row, each with a nextPage, so pagination would not end. Records written so far keep their state; report this to Botmaker support with the endpoint", s.Path, empty)
		}
		u = p.next
	}
	return ctx.Err()
}

// withQuery is u with the query parameter k set to v.
func withQuery(u *url.URL, k, v string) *url.URL {
	nu := *u
	q := nu.Query()
	q.Set(k, v)
	nu.RawQuery = q.Encode()
	return &nu
}

// CheckPage says whether body, the answer to req, is the stream's
// documented response envelope, with the same rule a read applies to every
// page (parsePage). check uses it so that any JSON 200 ({"status":"ok"} from
// a proxy, a bare list) does not pass for Botmaker.
func (s *Stream) CheckPage(body []byte, req *url.URL) error {
	_, err := s.parsePage(body, req)
	return err
}

// maxPages bounds one walk: at Botmaker's page sizes it is tens of millions
// of records, far past any one window, and a server that hands out fresh
// nextPage values forever is stopped by it.
const maxPages = 100_000

// maxEmptyRun is how many empty pages in a row, each with a nextPage, end a
// walk: a listing that pages on without items is a server loop. Ten, not
// more: on a 1 request/s endpoint a run of 1,000 kept a sync waiting about
// 17 minutes, and no Botmaker listing is documented to page through empty
// pages at all (a window with nothing in it is one empty page with no
// nextPage), so ten in a row already says the listing will not end. A run
// that a real listing could make (a few empty pages between full ones) resets
// on the first page with an item.
const maxEmptyRun = 10

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
