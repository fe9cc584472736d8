package botmaker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// ErrHostDown is wrapped by the error of every request that stopped, or
// never started, because another request had shown Botmaker's host
// unreachable. That other request's error is the one to report.
var ErrHostDown = errors.New("another request showed Botmaker's host unreachable")

// hostWatch ends every request of a client once one request has shown the
// host dead: every one of its attempts failed at connection level (refused,
// reset, no complete answer within Settings.Timeout), and no other request
// to the host was answered meanwhile. Without it each stream spends its own
// whole retry budget on a host that accepts connections and never answers
// (about 9.5 minutes with DefaultSettings), a few streams at a time: half
// an hour for 19 streams. With it the sync ends when the first request has
// spent its budget, with that request's error; a host that answers some
// endpoints and stalls on one is not dead, and only that stream fails.
type hostWatch struct {
	ctx     context.Context // done once the host is shown dead
	cancel  context.CancelCauseFunc
	answers atomic.Int64 // responses the host sent, to any request
	once    sync.Once
	proof   *Error // the failure that showed it; set before ctx is done
}

func newHostWatch() *hostWatch {
	h := &hostWatch{}
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	return h
}

// bind returns ctx, also cancelled once the host is shown dead.
func (h *hostWatch) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(h.ctx, func() { cancel(ErrHostDown) })
	return ctx, func() { stop(); cancel(nil) }
}

// stopped is the error of a request to endpoint once the host is shown
// dead, nil before.
func (h *hostWatch) stopped(endpoint string) *Error {
	if h.ctx.Err() == nil {
		return nil
	}
	return &Error{Endpoint: endpoint, FailureType: airbyte.TransientError, Retryable: true, cause: ErrHostDown,
		Message: fmt.Sprintf("%s stopped because the host is down: %s", endpoint, h.proof.Message)}
}

// failed is called with the final error of a request that got no answer
// from the host in any attempt; answersBefore is the host's answer count
// when the request began. It returns the error to report: when no other
// request was answered meanwhile, the host is shown dead, and the message
// says the other streams stopped too.
func (h *hostWatch) failed(e *Error, answersBefore int64) *Error {
	if h.answers.Load() != answersBefore {
		return e
	}
	out := *e
	out.Message += " No request to Botmaker was answered meanwhile, so the sync stopped waiting on the other streams too."
	first := false
	h.once.Do(func() {
		first = true
		h.proof = &out
		h.cancel(ErrHostDown)
	})
	if !first {
		// Requests that began together fail together: the first to get
		// here reports the host, the others are stopped by it.
		return h.stopped(e.Endpoint)
	}
	return &out
}
