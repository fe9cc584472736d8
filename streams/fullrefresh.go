package streams

// Full refresh of a stream without a time filter (the catalogue streams):
// every page of one request, then the STATE Airbyte expects of a stream
// without a cursor.

import (
	"context"
	"encoding/json"
	"time"
)

// noCursorState is what full-refresh-only streams checkpoint, as the Python
// CDK does, so every configured stream gets at least one STATE.
var noCursorState = json.RawMessage(`{"__ab_no_cursor_state_message":true}`)

type fullRefresh struct {
	s   *Stream
	env Env
	out *recordWriter
}

func (f *fullRefresh) read(ctx context.Context) error {
	err := f.s.walk(ctx, f.env, f.s.FirstRequest(f.env), func(p page) error {
		for _, it := range p.items {
			if _, _, err := f.out.write(it, time.Time{}); err != nil {
				return err
			}
		}
		return f.out.pageDone(time.Time{}, p)
	})
	if err != nil {
		return err
	}
	return f.env.Sink.State(f.s.Name, noCursorState)
}
