package streams

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rs/zerolog"
)

// Sink receives a stream's output. The connector's stdout writer is one.
type Sink interface {
	// Record writes one record. nulled names its fields written as null
	// because Botmaker's value could not be converted to the declared type
	// (the connector lists them in meta.changes); nil when there are none.
	// Neither slice is the sink's to keep.
	Record(stream string, data []byte, nulled []string) error
	State(stream string, state json.RawMessage) error
	// Estimate tells Airbyte how many records (rows) and bytes of record
	// data this read is expected to write in all; bytes is 0 when unknown.
	Estimate(stream string, rows, bytes int64) error
}

// Env is what a read needs from the outside.
type Env struct {
	Fetch Fetcher
	Sink  Sink
	Log   zerolog.Logger
	Opts  Options
	Now   func() time.Time
	// Traffic, when set, receives what the read cost on Botmaker's bill.
	Traffic *Traffic
}

// Read syncs the stream. incremental selects incremental mode; state is the
// stream's saved stream_state (nil when there is none). Each Window has its
// own strategy, which owns its walk; they share the record writer
// (records.go) and the bookmarks (bookmark.go).
func (s *Stream) Read(ctx context.Context, env Env, incremental bool, state json.RawMessage) error {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Traffic != nil && s.Billing != NotBilled {
		env.Fetch = countingFetcher{env.Fetch, s, env.Traffic}
	}
	out := newRecordWriter(s, env)
	defer out.odd.report(env.Log, s)
	bm, err := newBookmarks(s, env, out, incremental && s.Incremental(), state)
	if err != nil {
		return err
	}
	switch s.Window {
	case FromTo:
		return newWindowWalk(s, env, bm, out).read(ctx)
	case DaysBeforeNow:
		return (&offsetWalk{s: s, env: env, bm: bm, out: out}).read(ctx)
	case BillingPeriod:
		return (&monthWalk{s: s, env: env, bm: bm, out: out}).read(ctx)
	default:
		return (&fullRefresh{s: s, env: env, out: out}).read(ctx, state)
	}
}
