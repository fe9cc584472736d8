package connector

import (
	"fmt"
	"regexp"
	"strconv"

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
// failed are included when they fetched anything: that was billed all the
// same. failed is indexed like selected.
func (c *command) logBilled(cfg *Config, selected []Selected, traffic map[string]*streams.Traffic, failed []bool) {
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
			New: t.New, Reread: t.Reread, RereadBytes: t.RereadBytes, Lookback: "full refresh"}
		switch {
		case sel.Incremental && t.Deep:
			b.Lookback = LookbackDeep
		case sel.Incremental:
			b.Lookback = LookbackShort
		}
		c.log.Info().Msg(b.String())
	}
}

// What BilledTraffic.Lookback says of an incremental sync.
const (
	LookbackDeep  = "deep re-read of the lookback window"
	LookbackShort = "short lookback"
)

// BilledTraffic is one stream's billed-traffic log line: what a read cost
// on Botmaker's bill (streams.Traffic says what each count means).
type BilledTraffic struct {
	Stream                                    string
	Requests, Bytes, New, Reread, RereadBytes int64
	Lookback                                  string // LookbackDeep, LookbackShort or "full refresh"
}

func (b BilledTraffic) String() string {
	return fmt.Sprintf("billed traffic of stream %s: requests %d, response bytes %d; records new %d, re-read %d (%d bytes); %s",
		b.Stream, b.Requests, b.Bytes, b.New, b.Reread, b.RereadBytes, b.Lookback)
}

var billedPattern = regexp.MustCompile(`^billed traffic of stream (\S+): requests (\d+), response bytes (\d+); records new (\d+), re-read (\d+) \((\d+) bytes\); (.+)$`)

// ParseBilledTraffic reads a LOG message's text back into a BilledTraffic,
// for the demo, the bench and tests; false when it is another line.
func ParseBilledTraffic(msg string) (BilledTraffic, bool) {
	m := billedPattern.FindStringSubmatch(msg)
	if m == nil {
		return BilledTraffic{}, false
	}
	n := make([]int64, 5)
	for i := range n {
		n[i], _ = strconv.ParseInt(m[i+2], 10, 64)
	}
	return BilledTraffic{Stream: m[1], Requests: n[0], Bytes: n[1], New: n[2], Reread: n[3], RereadBytes: n[4], Lookback: m[7]}, true
}
