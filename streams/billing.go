package streams

import (
	"context"
	"net/url"
	"sync/atomic"
)

// Billing is which requests of an endpoint Botmaker bills as BI
// data-source consumption, by the bytes it serves. This is the one home of
// that rule; the README's billing table, the connector's billed-traffic
// log line, the demo and the bench all follow it.
type Billing int

const (
	// NotBilled endpoints are not billed (or Botmaker does not say so).
	NotBilled Billing = iota
	// Billed endpoints are billed on every request (/messages, /sessions).
	Billed
	// BilledLongTerm endpoints are billed only on requests with
	// long-term-search=true (/chats).
	BilledLongTerm
)

// Description is what a stream's discover schema says about its billing;
// empty when it is not billed. Nothing billed is read unless the stream is
// selected, so the words sit where the stream is selected.
func (b Billing) Description() string {
	switch b {
	case Billed:
		return "Billed by Botmaker: every request of this stream counts as BI data-source consumption, by the bytes it serves. It is read only when selected."
	case BilledLongTerm:
		return "Billed by Botmaker when long_term_search is on: requests with long-term-search=true count as BI data-source consumption, by the bytes they serve."
	}
	return ""
}

// Bills says whether Botmaker bills a request with query q.
func (b Billing) Bills(q url.Values) bool {
	switch b {
	case Billed:
		return true
	case BilledLongTerm:
		return q.Get("long-term-search") == "true"
	}
	return false
}

// Traffic is what one stream's read cost on Botmaker's bill. Requests and
// Bytes count billed requests answered with a page (a failed attempt that
// is retried serves no data) and their response bodies. New, Updated and
// Reread split the records written, each counted once: Updated is the
// finished version of a record an earlier sync saw open and tracked
// (sessions, agent_metrics; tracker.go); of the others, a record is
// re-read when its cursor is at or before the bookmark the sync started
// from, outside any pending_backfill period, so an earlier sync wrote it,
// and new otherwise. RereadBytes are the re-read records' bytes as
// Botmaker served them.
type Traffic struct {
	Requests, Bytes                   atomic.Int64
	New, Updated, Reread, RereadBytes int64
	// Deep says the sync re-read lookback_window_hours (lookback.go).
	Deep bool
}

// countingFetcher counts the billed requests of one stream in its Traffic.
type countingFetcher struct {
	Fetcher
	s *Stream
	t *Traffic
}

func (f countingFetcher) Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	body, err := f.Fetcher.Get(ctx, endpoint, u)
	if err == nil && f.s.Billing.Bills(u.Query()) {
		f.t.Requests.Add(1)
		f.t.Bytes.Add(int64(len(body)))
	}
	return body, err
}
