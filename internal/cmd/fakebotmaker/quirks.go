package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// quirkFlags are the flags that make the fake break a client's
// assumptions (fakebotmaker.Quirks).
type quirkFlags struct {
	lag, pageAdvance, lateBy                                          *time.Duration
	order, paging, empty                                              *string
	future, noTotal, moveEdges, bareObject, offsets, straggler, stall *bool
	lateEvery, totalCap                                               *int
	agentless, numericMetrics, fractional                             *bool // Quirks.Reported
}

func addQuirkFlags(fs *flag.FlagSet) quirkFlags {
	return quirkFlags{
		lag:            fs.Duration("lag", 0, "records become visible only this long after their timestamp (POST /_control/lag?d= changes it)"),
		pageAdvance:    fs.Duration("page-advance", 0, "every list request moves the server clock forward this much (slow pages, in simulated time)"),
		order:          fs.String("order", "", "item order per endpoint, e.g. messages=newest,calls=shuffled (oldest, newest, shuffled)"),
		paging:         fs.String("paging", "", "broken pagination per endpoint, e.g. messages=repeat,contacts=cycle (repeat, cycle, empty)"),
		future:         fs.Bool("future-record", false, "add a record dated 2099 to the first page of every window"),
		noTotal:        fs.Bool("tickets-no-total", false, "leave total out of /tickets pages"),
		moveEdges:      fs.Bool("moving-edge", false, "apply the recent-window limit to every page, not only the first"),
		lateEvery:      fs.Int("late-every", 0, "about one in this many messages, sessions and calls becomes visible only after a delay of up to -late-by"),
		lateBy:         fs.Duration("late-by", 23*time.Hour, "the longest delay of -late-every's records"),
		empty:          fs.String("empty", "", "catalogue endpoints that list nothing, e.g. roles,variables"),
		bareObject:     fs.Bool("bare-object", false, "/tickets/field-definitions answers with one object, as the SPEC declares, instead of a list"),
		agentless:      fs.Bool("agentless-metrics", false, "a session no agent took has an agent-metrics row with agentId null or missing"),
		numericMetrics: fs.Bool("numeric-metrics", false, "every other agent-metrics row has its metric values as JSON numbers"),
		fractional:     fs.Bool("fractional-times", false, "every other date-time of a listing has fractional seconds"),
		offsets:        fs.Bool("offset-tokens", false, "page tokens are offsets into the window's list as it is when asked (with -moving-edge, a walk skips what the edge passed)"),
		totalCap:       fs.Int("tickets-total-cap", 0, "/tickets pages report a total of at most this many (0: the true count); every ticket is still served"),
		straggler:      fs.Bool("straggler", false, "the oldest record of every oldest-first window of three pages or more is listed last, on its last page"),
		stall:          fs.Bool("stall", false, "every /v2.0 request hangs unanswered: a host that accepts connections and never answers"),
	}
}

func (f quirkFlags) quirks() (fakebotmaker.Quirks, error) {
	q := fakebotmaker.Quirks{Lag: *f.lag, PageAdvance: *f.pageAdvance, FutureRecord: *f.future, TicketsNoTotal: *f.noTotal, MovingEdge: *f.moveEdges,
		LateEvery: *f.lateEvery, LateBy: *f.lateBy, BareObject: *f.bareObject,
		OffsetTokens: *f.offsets, TicketsTotalCap: *f.totalCap, Straggler: *f.straggler, Stall: *f.stall,
		Reported: fakebotmaker.Reported{AgentlessMetrics: *f.agentless, NumericMetrics: *f.numericMetrics, FractionalTimes: *f.fractional}}
	for _, e := range strings.Split(*f.empty, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if !fakebotmaker.Emptiable(e) {
			return q, fmt.Errorf("-empty: %q is not a catalogue endpoint", e)
		}
		if q.Empty == nil {
			q.Empty = map[string]bool{}
		}
		q.Empty[e] = true
	}
	var err error
	if q.Order, err = perEndpoint("-order", *f.order, []fakebotmaker.Order{fakebotmaker.OldestFirst, fakebotmaker.NewestFirst, fakebotmaker.Shuffled}); err != nil {
		return q, err
	}
	if q.Paging, err = perEndpoint("-paging", *f.paging, []fakebotmaker.PagingQuirk{fakebotmaker.PageRepeat, fakebotmaker.PageCycle, fakebotmaker.PageEmptyForever}); err != nil {
		return q, err
	}
	return q, nil
}

// perEndpoint parses "endpoint=value,..." where every value is one of known.
func perEndpoint[V ~string](name, s string, known []V) (map[string]V, error) {
	out := map[string]V{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		e, v, ok := strings.Cut(kv, "=")
		valid := false
		for _, k := range known {
			valid = valid || string(k) == v
		}
		_, endpoint := fakebotmaker.Lookup(e)
		if !ok || !valid || !endpoint {
			return nil, fmt.Errorf("%s: %q is not endpoint=value with endpoint one of %s and value one of %v", name, kv, strings.Join(fakebotmaker.EndpointNames(), ", "), known)
		}
		out[e] = V(v)
	}
	return out, nil
}
