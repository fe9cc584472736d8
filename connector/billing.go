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

// reportBilled writes, at the end of a read, one INFO line per selected
// stream that Botmaker bills (chats only with long-term search on), so the
// bytes a schedule costs can be read off the sync's log, and hands the same
// counts to Runtime.Billed as values. Streams that failed are included when
// they fetched anything: that was billed all the same. failed is indexed
// like selected.
func (c *command) reportBilled(cfg *Config, selected []Selected, traffic map[string]*streams.Traffic, failed []bool) {
	var billed []BilledTraffic
	for i, sel := range selected {
		s := sel.Stream
		if s.Billing == streams.NotBilled || (s.Billing == streams.BilledLongTerm && !cfg.LongTermSearch) {
			continue
		}
		t := traffic[s.Name]
		if failed[i] && t.Requests.Load() == 0 {
			continue // it never got a billed page: nothing to count
		}
		b := BilledTraffic{Stream: s.Name, Requests: t.Requests.Load(), Bytes: t.Bytes.Load(),
			New: t.New, Updated: t.Updated, Reread: t.Reread, RereadBytes: t.RereadBytes, Lookback: "full refresh"}
		switch {
		case sel.Incremental && t.Deep:
			b.Lookback = LookbackDeep
		case sel.Incremental:
			b.Lookback = LookbackShort
		}
		c.log.Info().Msg(b.String())
		billed = append(billed, b)
	}
	if c.rt.Billed != nil {
		c.rt.Billed(billed)
	}
}

// What BilledTraffic.Lookback says of an incremental sync.
const (
	LookbackDeep  = "deep re-read of the lookback window"
	LookbackShort = "short lookback"
)

// BilledTraffic is what one stream's read cost on Botmaker's bill
// (streams.Traffic says what each count means): a plain value, for
// Runtime.Billed, whose String is the billed-traffic log line.
//
// The records written split three ways, each counted once: New ones no
// earlier sync wrote (their cursor is after the bookmark the sync started
// from, or it started from no state); Updated ones are the finished
// version of a record an earlier sync saw open and tracked (a session and
// its agent_metrics rows), whatever its cursor; Reread ones an earlier sync
// wrote already, read again by a lookback or a re-read month (RereadBytes
// are theirs alone).
type BilledTraffic struct {
	Stream                                             string
	Requests, Bytes, New, Updated, Reread, RereadBytes int64
	Lookback                                           string // LookbackDeep, LookbackShort or "full refresh"
}

func (b BilledTraffic) String() string {
	return fmt.Sprintf("billed traffic of stream %s: requests %d, response bytes %d; records new %d, updated %d, re-read %d (%d bytes); %s",
		b.Stream, b.Requests, b.Bytes, b.New, b.Updated, b.Reread, b.RereadBytes, b.Lookback)
}
