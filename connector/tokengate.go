package connector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// tokenGate ends a read at the first proof that Botmaker refuses the
// credentials, and holds back what the streams log until a request has
// shown that the token works.
//
// Every selected stream starts at once and sends its first request with the
// same token. Refused, each would fail on its own and say so; and what a
// stream logs as it starts (the period long-term search skips, "kept in the
// state", when no state is ever written) would describe a sync that did not
// happen. So the first refusal cancels the other streams, and read reports
// it once. A refusal is a 401 (after any renewal the client tried), a
// failed renewal, or a 403 on a second endpoint before any request has
// succeeded. A lone 403 is the endpoint's. Assumption (NOTES.md: a
// "Bearer" prefix, an expired token): Botmaker answers a bad token with
// 401, and a token that works elsewhere may lack one endpoint (on a
// plan-gated stream the plan is blamed, botmaker.PlanGated), so that
// stream fails alone, reported at the end of the read once it is clear the
// sync was not stopped.
//
// A stream's lines wait until some request succeeds or the stream ends for
// another reason; after a refusal they are dropped, and so is anything the
// stopped streams log.
type tokenGate struct {
	stop context.CancelCauseFunc // cancels every stream's context
	sink io.Writer               // where released lines go (stdout.LogSink)

	// proven: a request succeeded. Set under mu, so that held lines go
	// out before any later one; read without it on every page.
	proven atomic.Bool

	mu        sync.Mutex
	refusal   error // the first credentials error; the read stops
	held      []heldLine
	forbidden []streamError // the first 403 of each stream that had one
	// later are the streams' credentials errors that read reports one by
	// one at its end unless the read was stopped.
	later []streamError
}

type streamError struct {
	stream string
	err    error
}

type heldLine struct {
	stream string
	event  []byte
}

// errCredentialsRefused is the cause of the streams' cancellation.
var errCredentialsRefused = errors.New("Botmaker refused the credentials; the sync stops")

func newTokenGate(stop context.CancelCauseFunc, sink io.Writer) *tokenGate {
	return &tokenGate{stop: stop, sink: sink}
}

// prove records that a request succeeded: the held lines go out in order.
func (g *tokenGate) prove() {
	if g.proven.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.proven.Load() {
		return
	}
	g.proven.Store(true)
	if g.refusal == nil {
		for _, l := range g.held {
			_, _ = g.sink.Write(l.event)
		}
	}
	g.held = nil
}

// refuse records a credentials error; the first one stops every stream.
func (g *tokenGate) refuse(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refusal != nil {
		return
	}
	g.refusal = err
	g.held = nil
	g.stop(errCredentialsRefused)
}

// forbid records stream's 403: a refusal if another stream had one and
// no request has succeeded yet.
func (g *tokenGate) forbid(stream string, err error) {
	g.mu.Lock()
	other := slices.IndexFunc(g.forbidden, func(f streamError) bool { return f.stream != stream })
	if !slices.ContainsFunc(g.forbidden, func(f streamError) bool { return f.stream == stream }) {
		g.forbidden = append(g.forbidden, streamError{stream, err})
	}
	stop := other >= 0 && !g.proven.Load()
	g.mu.Unlock()
	if stop {
		g.refuse(g.forbidden[other].err)
	}
}

// reportLater keeps a stream's credentials error for read to report at
// its end, when it knows whether the sync was stopped.
func (g *tokenGate) reportLater(stream string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.later = append(g.later, streamError{stream, err})
}

// streamErrors are the errors of reportLater to report one by one: none
// when the read was stopped, which read reports once.
func (g *tokenGate) streamErrors() []streamError {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refusal != nil {
		return nil
	}
	return g.later
}

// refused is the credentials error that stopped the read, or nil.
func (g *tokenGate) refused() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refusal
}

// release lets out what stream logged while it waited: it ended without
// a refusal, so the lines describe what happened.
func (g *tokenGate) release(stream string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held = slices.DeleteFunc(g.held, func(l heldLine) bool {
		if l.stream != stream {
			return false
		}
		if g.refusal == nil {
			_, _ = g.sink.Write(l.event)
		}
		return true
	})
}

// logger is stream's logger, writing through the gate.
func (g *tokenGate) logger(base zerolog.Logger, stream string) zerolog.Logger {
	return base.Output(gatedLog{g, stream}).With().Str("stream", stream).Logger()
}

type gatedLog struct {
	g      *tokenGate
	stream string
}

// WriteLevel lets --debug lines through at once: they trace what the
// connector does, a refused token included.
func (l gatedLog) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	if level < zerolog.InfoLevel {
		return l.g.sink.Write(p)
	}
	return l.Write(p)
}

func (l gatedLog) Write(p []byte) (int, error) {
	g := l.g
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.refusal != nil:
	case g.proven.Load():
		return g.sink.Write(p)
	default: // zerolog reuses p once Write returns
		g.held = append(g.held, heldLine{l.stream, slices.Clone(p)})
	}
	return len(p), nil
}

// gatedFetcher is a stream's Fetcher: it tells the gate what each request
// proved, and blames the plan for a 403 on a plan-gated stream.
type gatedFetcher struct {
	streams.Fetcher
	g         *tokenGate
	stream    string
	planGated bool
}

func (f gatedFetcher) Get(ctx context.Context, endpoint string, u *url.URL) ([]byte, error) {
	body, err := f.Fetcher.Get(ctx, endpoint, u)
	switch {
	case err == nil:
		f.g.prove()
	case f.planGated:
		err = botmaker.PlanGated(err)
	}
	var be *botmaker.Error
	switch {
	case !botmaker.CredentialsRejected(err):
	case errors.As(err, &be) && be.Status == http.StatusForbidden && be.Endpoint != botmaker.CredentialsEndpoint:
		f.g.forbid(f.stream, err)
	default:
		f.g.refuse(err)
	}
	return body, err
}
