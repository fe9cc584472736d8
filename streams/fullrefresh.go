package streams

// Full refresh of a stream without a time filter (the catalogue streams):
// every page of one request, then the STATE Airbyte expects of a stream
// without a cursor.
//
// A catalogue stream paged by nextPage (contacts, and the others that
// Resumable names) is a resumable full refresh, as Airbyte's Python CDK
// makes an HTTP stream without a cursor: after each page's records it
// checkpoints the page it reached, {"next_page": "<nextPage as Botmaker
// sent it>"}, and a read given that state (the next attempt of the same
// job) goes on from that page. Its last STATE is the CDK's
// {"__ab_full_refresh_sync_complete": true}, which holds no position, so
// the next job, which Airbyte starts with the state cleared anyway, and a
// read run by hand with that state, start from the first page.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/botmaker"
)

var (
	// noCursorState is what full-refresh-only streams checkpoint, as the
	// Python CDK does, so every configured stream gets at least one STATE.
	noCursorState = json.RawMessage(`{"__ab_no_cursor_state_message":true}`)
	// fullRefreshComplete is a resumable full refresh's last STATE, the
	// CDK's FULL_REFRESH_COMPLETE_STATE: the walk ended, no page is kept.
	fullRefreshComplete = json.RawMessage(`{"__ab_full_refresh_sync_complete":true}`)
)

// nextPageKey is the state key of the page a resumable full refresh
// reached: the next one to read.
const nextPageKey = "next_page"

type fullRefresh struct {
	s   *Stream
	env Env
	out *recordWriter
}

func (f *fullRefresh) read(ctx context.Context, state json.RawMessage) error {
	s := f.s
	first := s.FirstRequest(f.env)
	if !s.Resumable() {
		if err := f.walk(ctx, first, nil); err != nil {
			return err
		}
		return f.env.Sink.State(s.Name, noCursorState)
	}
	from, err := f.resumePage(state, first)
	if err != nil {
		return err
	}
	checkpoint := func(p page) error {
		if p.next == nil {
			return nil // the last page: the complete marker follows
		}
		b, _ := json.Marshal(map[string]string{nextPageKey: p.nextPage})
		return f.env.Sink.State(s.Name, b)
	}
	read := 0
	err = f.walk(ctx, from, func(p page) error {
		read++
		return checkpoint(p)
	})
	if err != nil && from != first && read == 0 && pageRefused(err) {
		// Assumption: Botmaker's page tokens may expire or be refused
		// later; its SPEC says nothing of how long one lasts.
		f.env.Log.Warn().Msgf("stream %s: Botmaker refused the page the previous attempt reached (%v), so the stream is read again from its first page; the records of the pages already read are written again, none is lost. Nothing to do; report it to Botmaker support if it happens on every attempt.", s.Name, err)
		err = f.walk(ctx, first, checkpoint)
	}
	if err != nil {
		return err
	}
	return f.env.Sink.State(s.Name, fullRefreshComplete)
}

// walk writes every page from u on and, after each page's records, hands
// the page to then (nil: nothing more to do).
func (f *fullRefresh) walk(ctx context.Context, u *url.URL, then func(page) error) error {
	return f.s.walk(ctx, f.env, u, func(p page) error {
		for _, it := range p.items {
			if _, _, err := f.out.write(it, time.Time{}); err != nil {
				return err
			}
		}
		if err := f.out.pageDone(time.Time{}, p); err != nil {
			return err
		}
		if then == nil {
			return nil
		}
		return then(p)
	})
}

// resumePage is where a resumable full refresh starts: the page its state
// names, or first. A state without next_page (none, the complete marker,
// the no-cursor marker of earlier releases) starts at first.
func (f *fullRefresh) resumePage(state json.RawMessage, first *url.URL) (*url.URL, error) {
	s := f.s
	if len(state) == 0 || string(state) == "null" {
		return first, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(state, &m); err != nil {
		return nil, &StateError{s.Name, fmt.Sprintf(`stream_state must be an object like {%q: "<nextPage>"}, got %s`, nextPageKey, clip(state))}
	}
	v, ok := m[nextPageKey]
	if !ok || string(v) == "null" {
		return first, nil
	}
	next, err := s.nextValue(v)
	if err != nil || next == "" {
		return nil, &StateError{s.Name, fmt.Sprintf("%s must be the nextPage string Botmaker sent, got %s", nextPageKey, clip(v))}
	}
	u, err := s.nextURL(next, first)
	if err != nil {
		return nil, &StateError{s.Name, err.Error()}
	}
	return u, nil
}

// pageRefused says Botmaker refused a request for what it is (a 4xx other
// than one that blames the token, the plan or the pace), as it may refuse a
// page token that has expired.
func pageRefused(err error) bool {
	var be *botmaker.Error
	if !errors.As(err, &be) || be.Retryable || be.Credentials {
		return false
	}
	switch be.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return be.Status >= 400 && be.Status < 500
}
