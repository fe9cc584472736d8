// Package streams declares the Botmaker streams (streams.All lists them) and reads them.
//
// A stream is one Go struct (the output record: its json tags are the output
// field names, its field types say how Botmaker's value is reshaped, and its
// reflection is the stream's JSON schema) plus a Def that says where the
// records come from: endpoint, primary key, cursor, pagination and time
// window. Adding a stream is one file with both, registered in init.
package streams

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/rawjson"
	"github.com/source-botmaker/source-botmaker/internal/schemagen"
)

// Pagination is how an endpoint hands out the next page.
type Pagination int

const (
	// SinglePage endpoints return everything at once (channels).
	SinglePage Pagination = iota
	// NextURL endpoints return an absolute URL in nextPage, to GET as is.
	NextURL
	// NextToken endpoints return an opaque nextPage token that goes back as
	// the query parameter Def.TokenParam (contacts).
	NextToken
	// OffsetTotal endpoints take offset/limit and report the total (tickets).
	OffsetTotal
)

// Envelope is where a response keeps its items.
type Envelope int

const (
	// Keyed responses are an object with the items under Def.ItemsKey, next
	// to nextPage or total.
	Keyed Envelope = iota
	// Bare responses are the items themselves, with no envelope: a JSON
	// list of them, or one object that is the only item (null is none).
	// Assumption: /tickets/field-definitions, the one such endpoint, is
	// declared in the SPEC as one FieldDefinitionResponse object, yet real
	// accounts answer with a list of them; both are read, so either shape
	// is a complete answer. Single page only: there is no nextPage to read.
	Bare
)

// Window is how an endpoint filters by time.
type Window int

const (
	// NoWindow endpoints list everything (the catalogue streams).
	NoWindow Window = iota
	// FromTo endpoints take from/to; Botmaker rejects spans over a month.
	FromTo
	// DaysBeforeNow endpoints take a whole number of days back from now.
	DaysBeforeNow
	// BillingPeriod endpoints take one calendar month, billingPeriod=YYYY-MM
	// (months.go).
	BillingPeriod
)

// MaxWindow is the longest from/to span requested. Botmaker answers 400
// INVALID_DATETIME_INTERVAL past one month; 30 days is under every month.
const MaxWindow = 30 * 24 * time.Hour

// Def declares where a stream's records come from.
type Def struct {
	Name       string
	Path       string   // endpoint path under the base URL, e.g. "/chats"
	PrimaryKey []string // top-level fields
	// Cursor is the output field incremental syncs bookmark; empty means the
	// stream supports full refresh only.
	Cursor string
	// CursorIsFilter says the endpoint's from/to filter is on Cursor itself,
	// so records before a window's start are overlap and can be dropped. For
	// chats the filter is "last activity", which the cursor only approximates.
	CursorIsFilter bool
	// NewestFirst says the SPEC documents the listing newest first
	// (notifications): a progress line then places the walk by the
	// window, not by its newest record. (Every window is checkpointed at
	// its end, in any order: checkpoint.go.)
	NewestFirst bool

	Pagination Pagination
	TokenParam string // NextToken: query parameter for the token
	Envelope   Envelope
	ItemsKey   string // Keyed: envelope key of the items; default "items"
	Limit      int    // page size sent as "limit", when the endpoint takes one

	Window Window
	// Recent is how far back Botmaker serves without long-term search; zero
	// means no limit.
	Recent time.Duration
	// RecentSure, when shorter than Recent, is how far back Botmaker surely
	// serves without long-term search: Botmaker's users report less than
	// the SPEC's Recent. The read plans for the shorter one where it must
	// not miss a record and still reads as far as Recent (recent.go).
	RecentSure time.Duration
	// LongTermSearch says the endpoint takes long-term-search=true.
	LongTermSearch bool
	// Unsettled is set for endpoints that list a record only once it can no
	// longer change (sessions, once finished); nil for the others.
	Unsettled *Unsettled
	// Params adds endpoint-specific query parameters.
	Params func(Options) url.Values

	// RatePerSecond is Botmaker's documented limit for the endpoint.
	RatePerSecond float64
	// Billing is which of the endpoint's requests Botmaker bills.
	Billing Billing
	// OptIn keeps the stream out of metadata.yaml's suggestedStreams, so
	// Airbyte does not select it by default: an analytics extra that
	// Botmaker bills, which a user should choose knowingly.
	OptIn bool

	// PlanGated says Botmaker sells the endpoint only on some plans: a 403
	// there fails the stream saying the plan may lack it, rather than
	// blaming the token (botmaker.PlanGated).
	PlanGated bool

	// Drop lists wire fields never written out (secrets Botmaker returns,
	// such as a Telegram channel's bot token).
	Drop []string
}

// Unsettled describes an endpoint that lists a record only once it can no
// longer change. /sessions lists a session once it has finished, under the
// time it started, so a session that is open during a sync later appears
// behind that sync's bookmark. The windows an incremental read walks past
// its bookmark are therefore listed a second time with the open records
// included (the probe); each open one is tracked in the state by id and
// creation time, and re-checked by later syncs in a narrow window around
// that time until its finished version is written (tracker.go).
type Unsettled struct {
	// Probe holds the query values that also list the hidden records.
	Probe url.Values
	// Horizon is how far back a first sync probes; older records are taken
	// as settled.
	Horizon time.Duration
	// IDKey is the wire key of the id that matches probe and listing, and
	// that the state tracks an open record by.
	IDKey string
}

// Options are the parts of the user's config that shape requests.
type Options struct {
	StartDate                                         time.Time
	LongTermSearch                                    bool
	IncludeMessages, IncludeEvents, IncludeAIAnalysis bool
	// Lookback is the deep re-read before the bookmark, done once per
	// DeepEvery (every sync when DeepEvery is zero); ShortLookback is
	// re-read by every other sync (lookback.go).
	Lookback, ShortLookback, DeepEvery time.Duration
	// BillingRefresh is how often a BillingPeriod stream re-reads its open
	// months (every sync when zero; months.go).
	BillingRefresh time.Duration
}

// Stream is a declared stream, ready to read.
type Stream struct {
	Def
	schema json.RawMessage
	plan   *plan
}

var registry = map[string]*Stream{}

// Declare builds a stream from its record struct T and its Def. It panics on
// a declaration error (a typo in a key or cursor name), which every test run
// hits at init.
func Declare[T any](d Def) *Stream {
	switch {
	case d.Envelope == Keyed && d.ItemsKey == "":
		d.ItemsKey = "items"
	case d.Envelope == Bare && (d.ItemsKey != "" || d.Pagination != SinglePage):
		panic(fmt.Sprintf("stream %s: a bare response has no items key and no next page", d.Name))
	case d.Pagination == OffsetTotal && d.Limit <= 0:
		panic(fmt.Sprintf("stream %s: offset pagination needs a Limit, the page size the offsets step by", d.Name))
	}
	t := reflect.TypeFor[T]()
	p, err := newPlan(t, d)
	if err != nil {
		panic(fmt.Sprintf("stream %s: %v", d.Name, err))
	}
	// A billed stream says so in its schema's description, which discover
	// shows wherever the stream is selected.
	opts := schemagen.Options{Nullable: true, Description: d.Billing.Description()}
	return &Stream{Def: d, schema: schemagen.Generate(new(T), opts), plan: p}
}

func register(s *Stream) *Stream {
	if _, dup := registry[s.Name]; dup {
		panic("stream registered twice: " + s.Name)
	}
	registry[s.Name] = s
	return s
}

// All returns every stream, by name.
func All() []*Stream {
	out := make([]*Stream, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a stream by name.
func Lookup(name string) (*Stream, bool) {
	s, ok := registry[name]
	return s, ok
}

// NameList is the stream names joined by ", ", for error messages.
func NameList() string {
	var n []string
	for _, s := range All() {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

// Schema is the stream's JSON schema.
func (s *Stream) Schema() json.RawMessage { return s.schema }

// Incremental reports whether the stream supports incremental sync.
func (s *Stream) Incremental() bool { return s.Cursor != "" }

// Resumable reports whether a full refresh of the stream that failed part
// way can go on from its last STATE in the next attempt (discover's
// is_resumable): every incremental stream, from its bookmark, and a
// catalogue stream that pages by nextPage, from the page it reached
// (fullrefresh.go). A catalogue stream read in one request, or paged by
// offset, has no position worth keeping.
func (s *Stream) Resumable() bool {
	return s.Incremental() || (s.Window == NoWindow && (s.Pagination == NextURL || s.Pagination == NextToken))
}

// Catalog is the stream as discover lists it.
func (s *Stream) Catalog() airbyte.Stream {
	st := airbyte.Stream{
		Name:               s.Name,
		JSONSchema:         s.schema,
		SupportedSyncModes: []airbyte.SyncMode{airbyte.FullRefresh},
	}
	if len(s.PrimaryKey) > 0 {
		for _, k := range s.PrimaryKey {
			st.SourceDefinedPrimaryKey = append(st.SourceDefinedPrimaryKey, []string{k})
		}
	}
	if s.Incremental() {
		st.SupportedSyncModes = append(st.SupportedSyncModes, airbyte.Incremental)
		st.SourceDefinedCursor = true
		st.DefaultCursorField = []string{s.Cursor}
	}
	if s.Resumable() {
		// The protocol asks for source_defined_cursor wherever
		// is_resumable is set, "including resumable full refresh
		// synthetic cursors": the page position is the source's own.
		st.IsResumable = true
		st.SourceDefinedCursor = true
	}
	return st
}

// FirstRequest is the URL of the first page of a non-windowed stream.
func (s *Stream) FirstRequest(env Env) *url.URL {
	return env.Fetch.URL(s.Path, s.query(env.Opts))
}

// query is every request's own parameters: Def.Params, and limit when the
// endpoint takes one. The map is the caller's to add to.
func (s *Stream) query(o Options) url.Values {
	q := url.Values{}
	if s.Params != nil {
		q = s.Params(o)
	}
	if s.Limit > 0 {
		q.Set("limit", strconv.Itoa(s.Limit))
	}
	return q
}

// recordID names a record in a warning: every part of its primary key
// ("sessionId "S1", agentId "A1"" for a composite one), or which part is
// missing.
func (s *Stream) recordID(data []byte) string {
	if len(s.PrimaryKey) == 0 {
		return "a record without a primary key"
	}
	parts := make([]string, 0, len(s.PrimaryKey))
	for _, k := range s.PrimaryKey {
		v, err := rawjson.Get(data, k)
		if err != nil || v == nil {
			return "a record with no " + k
		}
		parts = append(parts, k+" "+clip(v))
	}
	return strings.Join(parts, ", ")
}
