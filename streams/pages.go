package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// Fetcher GETs a Botmaker URL and returns the body of a 200 response.
type Fetcher interface {
	Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error)
	Endpoint(path string, q url.Values) *url.URL
}

// page is one decoded response envelope.
type page struct {
	items [][]byte // raw items, in order
	next  *url.URL // nil on the last page
	total int64    // OffsetTotal only
	err   error
}

// parsePage splits a response into its items and the way to the next page.
// Items stay raw bytes; only the envelope is read.
func (s *Stream) parsePage(body []byte, req *url.URL, f Fetcher) (page, error) {
	if bytes.IndexByte(body, '\n') >= 0 || bytes.IndexByte(body, '\r') >= 0 {
		// Records are written one per line; newlines can only be whitespace
		// between tokens in valid JSON, so compacting removes them all.
		var b bytes.Buffer
		if err := json.Compact(&b, body); err != nil {
			return page{}, fmt.Errorf("%s: response is not JSON: %w", s.Path, err)
		}
		body = b.Bytes()
	}
	p := page{items: make([][]byte, 0, 64)}
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
				return fmt.Errorf("total %s is not an integer", v)
			}
			p.total = n
		}
		return nil
	})
	if err != nil {
		return page{}, fmt.Errorf("%s: unexpected response shape: %w", s.Path, err)
	}
	if !sawItems && !nullItems {
		return page{}, fmt.Errorf("%s: response has no %q list", s.Path, s.ItemsKey)
	}
	if len(nextRaw) == 0 || rawjson.IsNull(nextRaw) {
		return p, nil
	}
	var next string
	if err := json.Unmarshal(nextRaw, &next); err != nil {
		return page{}, fmt.Errorf("%s: nextPage is not a string: %w", s.Path, err)
	}
	if next == "" {
		return p, nil
	}
	switch s.Pagination {
	case NextURL:
		u, err := req.Parse(next)
		if err != nil {
			return page{}, fmt.Errorf("%s: nextPage %q is not a URL", s.Path, next)
		}
		p.next = u
	case NextToken:
		u := *req
		q := u.Query()
		q.Set(s.TokenParam, next)
		u.RawQuery = q.Encode()
		p.next = &u
	}
	return p, nil
}

// walk requests first and every following page, handing each page's items
// to fn. The next page is fetched while fn works on the current one, so the
// network and the CPU overlap; at most two pages are held at once.
func (s *Stream) walk(ctx context.Context, f Fetcher, first *url.URL, fn func(p page) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan page, 1)
	go func() {
		defer close(pages)
		u := first
		var offset int64
		for u != nil {
			body, err := f.Get(ctx, s.Path, u)
			var p page
			if err == nil {
				p, err = s.parsePage(body, u, f)
			}
			if err != nil {
				select {
				case pages <- page{err: err}:
				case <-ctx.Done():
				}
				return
			}
			if s.Pagination == OffsetTotal {
				offset += int64(len(p.items))
				if len(p.items) > 0 && offset < p.total {
					nu := *u
					q := nu.Query()
					q.Set("offset", strconv.FormatInt(offset, 10))
					nu.RawQuery = q.Encode()
					p.next = &nu
				}
			}
			select {
			case pages <- p:
			case <-ctx.Done():
				return
			}
			u = p.next
		}
	}()
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return ctx.Err()
}
