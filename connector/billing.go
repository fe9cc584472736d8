package connector

import (
	"fmt"

	"github.com/source-botmaker/source-botmaker/streams"
)

// newTraffic makes one counter per selected stream.
func newTraffic(selected []Selected) map[string]*streams.Traffic {
	out := make(map[string]*streams.Traffic, len(selected))
	for _, sel := range selected {
		out[sel.Stream.Name] = &streams.Traffic{}
	}
	return out
}

// logBilled writes, at the end of a read, one INFO line per selected
// stream that Botmaker bills (chats only with long-term search on), so the
// bytes a schedule costs can be read off the sync's log. Streams that
// failed are included: what they fetched was billed all the same.
func (c *command) logBilled(cfg *Config, selected []Selected, traffic map[string]*streams.Traffic) {
	for _, sel := range selected {
		s := sel.Stream
		if s.Billing == streams.NotBilled || (s.Billing == streams.BilledLongTerm && !cfg.LongTermSearch) {
			continue
		}
		t := traffic[s.Name]
		c.log.Info().Msg(billedLine(s, sel.Incremental, t))
	}
}

// billedLine is the log line's text; BilledLine in tests parses it back.
func billedLine(s *streams.Stream, incremental bool, t *streams.Traffic) string {
	what := "every request"
	if s.Billing == streams.BilledLongTerm {
		what = "requests with long-term search"
	}
	lookback := "full refresh"
	switch {
	case incremental && t.Deep:
		lookback = "deep re-read of the lookback window"
	case incremental:
		lookback = "short lookback"
	}
	return fmt.Sprintf("billed traffic of stream %s (Botmaker bills %s): %d requests, %d response bytes; records %d new, %d re-read (%d bytes re-read); %s",
		s.Name, what, t.Requests.Load(), t.Bytes.Load(), t.New, t.Reread, t.RereadBytes, lookback)
}
