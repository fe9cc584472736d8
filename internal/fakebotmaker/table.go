package fakebotmaker

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Endpoint is one Botmaker list endpoint as the fake serves it. The table
// Endpoints is the fake's one home for what we believe about each endpoint:
// a new endpoint is a new row (and the functions it points to: for a
// time-filtered one, its query and seq, which listWindowed serves); no
// other list or switch in the fake enumerates endpoints. The fake
// stays independent of the connector: a test outside this package
// (streams.TestDefsMatchFakeAPI) checks each stream's declaration against
// its row.
type Endpoint struct {
	// Name is the key of Counts, Quirks, Stats, IDs and Total: by
	// convention, the name of the stream that reads the endpoint.
	Name     string
	Path     string // under /v2.0
	ItemsKey string // envelope key of the items; "" for a body that is the items
	Paging   Paging
	// PageSize is the most items one page carries at the largest limit;
	// zero for an endpoint that serves everything in one page.
	PageSize int
	// Limit is the largest value the limit parameter takes; zero when the
	// endpoint takes none.
	Limit      int
	TokenParam string // NextToken: the query parameter the token goes back in
	Filter     TimeFilter
	// Recent is how far back the endpoint serves without long-term search;
	// zero for no limit.
	Recent         time.Duration
	LongTermSearch bool // the endpoint takes long-term-search
	// Required are the parameters the endpoint refuses to answer without
	// (400), each with a value a listing of every item may send.
	Required url.Values
	// Order is the documented item order of a from/to listing, which
	// Quirks.Order overrides; empty is oldest first.
	Order Order
	// Rate is Botmaker's documented limit in requests per second, and
	// RateText the exact description of its 429.
	Rate     float64
	RateText string
	// DefaultCount is how many items the fake generates when Counts does
	// not say.
	DefaultCount int
	// ID is the wire path of the item's id ("chat.chatId" for a nested
	// one); a composite key lists its parts' paths, comma-separated
	// ("sessionId,agentId"), and its ids are the parts' values joined by
	// JoinID. Cursor is the wire key of the time Filter reads (empty
	// without one).
	ID, Cursor string

	kind      kind // salt of the item's generated values and ids; unique (TestEndpointTable)
	tokenKind byte // first byte of the endpoint's page tokens
	// list serves a request; a time-filtered row leaves it nil, and
	// listWindowed serves the row's query and seq.
	list func(s *Server, e *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr
	// query, for a time-filtered row, reads a request's own parameters
	// into what it lists (windowed.go); it runs under s.mu.
	query func(s *Server, e *Endpoint, r *http.Request, q url.Values) (*listing, *apiErr)
	// seq, for a time-filtered row, is its items in time order: their
	// count, times and ids ("" for an item the endpoint does not list by
	// default). It runs under s.mu.
	seq func(s *Server) (n int, timeAt func(int) int64, id func(int) string)
	// late makes Quirks.LateEvery delay single records of the row.
	late bool
	// keyset says the row's page token is a keyset of the last item served
	// (its query's listing resumes from it), not a position, so
	// Quirks.OffsetTokens leaves it alone.
	keyset bool
	// ids lists what the endpoint would list in [from, to) (unix nanos) in
	// listing order; total counts what it lists. Both run under s.mu; a
	// row with a seq leaves ids nil for the seq's ids.
	ids   func(s *Server, from, to int64) []string
	total func(s *Server) int
	// add, for endpoints an incremental sync reads again, makes n items
	// new at the server clock and returns their ids (Server.Add).
	add func(s *Server, n int) []string
}

// Paging is how an endpoint hands out the next page.
type Paging string

// Pagings.
const (
	SinglePage  Paging = "single" // no nextPage key
	NextURL     Paging = "url"    // nextPage is an absolute URL
	NextToken   Paging = "token"  // nextPage is an opaque token for TokenParam
	OffsetTotal Paging = "offset" // offset and limit, with a total
)

// TimeFilter is how an endpoint filters by time.
type TimeFilter string

// Time filters.
const (
	NoFilter      TimeFilter = "none"
	FromTo        TimeFilter = "from-to"         // from <= Cursor < to, at most a month apart
	DaysBeforeNow TimeFilter = "days-before-now" // whole days back from now
	BillingPeriod TimeFilter = "billing-period"  // one calendar month, YYYY-MM
)

// Endpoints is every endpoint the fake serves, in the order of Botmaker's
// SPEC.
var Endpoints = []Endpoint{
	{
		Name: "chats", Path: "/chats", ItemsKey: "items", Paging: NextURL, PageSize: 250,
		Filter: FromTo, Recent: 7 * 24 * time.Hour, LongTermSearch: true,
		Rate: 3, RateText: "Only 3 requests per second allowed.",
		DefaultCount: 600, ID: "chat.chatId", Cursor: "lastUserMessageDatetime",
		kind: kChat, tokenKind: 'c', query: (*Server).queryChats, seq: (*Server).chatSeq, add: (*Server).TouchChats, keyset: true,
		total: func(s *Server) int { return s.g.n[kChat] },
	},
	{
		// "Each response carries 1000 messages max" even when limit is 1500.
		Name: "messages", Path: "/messages", ItemsKey: "items", Paging: NextURL, PageSize: 1000, Limit: 1500,
		Filter: FromTo, Recent: 3 * 24 * time.Hour, LongTermSearch: true,
		Rate: 5, RateText: "Only 5 requests per second allowed.",
		DefaultCount: 6000, ID: "id", Cursor: "creationTime",
		kind: kMsg, tokenKind: 'm', query: (*Server).queryMessages, seq: seqOf(kMsg), late: true,
		total: countOf(kMsg), add: (*Server).AddMessages,
	},
	{
		Name: "sessions", Path: "/sessions", ItemsKey: "items", Paging: NextURL, PageSize: 500,
		Filter: FromTo, Recent: 7 * 24 * time.Hour, LongTermSearch: true,
		Rate: 5, RateText: "Only 5 requests per second allowed.",
		DefaultCount: 1200, ID: "id", Cursor: "creationTime",
		kind: kSess, tokenKind: 's', query: (*Server).querySessions, seq: (*Server).sessSeq, late: true,
		total: (*Server).finishedSessions, add: (*Server).AddSessions,
	},
	{
		// No long-term-search parameter in the SPEC and no recent-window
		// restriction here; the 1-month cap applies.
		Name: "calls", Path: "/calls", ItemsKey: "items", Paging: NextURL, PageSize: 250,
		Filter: FromTo,
		Rate:   5, RateText: "Only 5 requests per second allowed.",
		DefaultCount: 300, ID: "id", Cursor: "creationDatetime",
		kind: kCall, tokenKind: 'k', query: (*Server).queryCalls, seq: seqOf(kCall), late: true,
		total: countOf(kCall), add: (*Server).AddCalls,
	},
	{
		Name: "contacts", Path: "/contacts", ItemsKey: "items", Paging: NextToken, PageSize: 100, TokenParam: "next-page-token",
		Filter: NoFilter,
		Rate:   3, RateText: "Only 3 requests per second allowed.",
		DefaultCount: 450, ID: "id",
		kind: kContact, tokenKind: 'o', list: catContacts.list, ids: catContacts.ids, total: catContacts.total,
	},
	{
		Name: "agents", Path: "/agents", ItemsKey: "items", Paging: NextURL, PageSize: 100,
		Filter: NoFilter,
		Rate:   200, RateText: "Only 200 requests per second allowed.",
		DefaultCount: 40, ID: "id",
		kind: kAgent, tokenKind: 'a', list: catAgents.list, ids: catAgents.ids, total: catAgents.total,
	},
	{
		Name: "channels", Path: "/channels", ItemsKey: "items", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 6, ID: "id",
		kind: kChannel, list: catChannels.list, ids: catChannels.ids, total: catChannels.total,
	},
	{
		Name: "intents", Path: "/intents", ItemsKey: "items", Paging: NextURL, PageSize: 200,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 450, ID: "id",
		kind: kIntent, tokenKind: 'i', list: catIntents.list, ids: catIntents.ids, total: catIntents.total,
	},
	{
		// Newest first, 50 a page unless limit says otherwise (at most 500).
		Name: "tickets", Path: "/tickets", ItemsKey: "tickets", Paging: OffsetTotal, PageSize: 500, Limit: 500,
		Filter: DaysBeforeNow,
		Rate:   1, RateText: "Only 60 requests per minute allowed.",
		DefaultCount: 700, ID: "id", Cursor: "creationTime",
		// ids: ascending, filtered on creationTime: the listing order reversed.
		kind: kTicket, query: (*Server).queryTickets, seq: seqOf(kTicket),
		total: countOf(kTicket), add: (*Server).AddTickets,
	},
	{
		// "A page of 250 notification campaigns"; the prose says nextPageURL,
		// the CampaignPage schema nextPage.
		Name: "campaigns", Path: "/notifications/campaigns", ItemsKey: "items", Paging: NextURL, PageSize: 250,
		Filter: NoFilter,
		Rate:   5, RateText: "Only 5 requests per second allowed.",
		DefaultCount: 300, ID: "id",
		kind: kCampaign, tokenKind: 'P', list: catCampaigns.list, ids: catCampaigns.ids, total: catCampaigns.total,
	},
	{
		Name: "typifications", Path: "/typifications", ItemsKey: "typifications", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 40, ID: "id",
		kind: kTypification, list: catTypifications.list, ids: catTypifications.ids, total: catTypifications.total,
	},
	{
		Name: "variables", Path: "/variables", ItemsKey: "variables", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 120, ID: "id",
		kind: kVariable, list: catVariables.list, ids: catVariables.ids, total: catVariables.total,
	},
	{
		// No envelope (ItemsKey ""): a list, or with Quirks.BareObject the
		// one object the SPEC declares.
		Name: "ticket_field_definitions", Path: "/tickets/field-definitions", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only 60 requests per minute allowed.",
		DefaultCount: 12, ID: "id",
		kind: kFieldDef, list: catFieldDefs.list, ids: catFieldDefs.ids, total: catFieldDefs.total,
	},
	{
		// The SPEC gives no page size for /roles; 50 makes the default
		// account two pages.
		Name: "roles", Path: "/roles", ItemsKey: "items", Paging: NextURL, PageSize: 50,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 60, ID: "id",
		kind: kRole, tokenKind: 'R', list: catRoles.list, ids: catRoles.ids, total: catRoles.total,
	},
	{
		Name: "whatsapp_accounts", Path: "/whatsapp/accounts", ItemsKey: "items", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 5, ID: "number",
		kind: kWhatsAppAccount, list: catWhatsApp.list, ids: catWhatsApp.ids, total: catWhatsApp.total,
	},
	{
		// The rows of each session's agents, closed or open sessions as
		// session-status (required) asks; sessions' order, 5000 a page;
		// from/to on the session's start, at most a month apart.
		Name: "agent_metrics", Path: "/dashboards/agent-metrics", ItemsKey: "items", Paging: NextURL, PageSize: 5000,
		Filter: FromTo, Required: url.Values{"session-status": {"closed"}},
		Rate: 1, RateText: "Only one request per second allowed.",
		// The rows follow the sessions; DefaultCount is not used.
		DefaultCount: 1, ID: "sessionId,agentId", Cursor: "sessionCreationTime",
		kind: kMetric, tokenKind: 'd', query: (*Server).queryAgentMetrics, seq: (*Server).metricSeq,
		total: func(s *Server) int { return len(seqIDsOf((*Server).metricSeq)(s, 0, 1<<62)) },
		add:   (*Server).AddAgentMetrics,
	},
	{
		// Newest first (the SPEC's word), 500 a page; from is required and
		// reaches 3 calendar months back (89 days at the shortest) without
		// notification-name, which the connector never sends; to defaults to
		// now minus one day. No span cap is documented.
		Name: "notifications", Path: "/notifications/sent-results", ItemsKey: "items", Paging: NextURL, PageSize: 500,
		Filter: FromTo, Recent: 89 * 24 * time.Hour, Order: NewestFirst,
		Rate: 30, RateText: "Only 30 requests per second allowed.",
		DefaultCount: 1500, ID: "notificationInstanceId", Cursor: "start",
		kind: kNotification, tokenKind: 'n', query: (*Server).queryNotifications, seq: seqOf(kNotification),
		total: countOf(kNotification), add: (*Server).AddNotifications,
	},
	{
		// One billing month a request (billingPeriod=YYYY-MM), oldest
		// first, 2500 a page.
		Name: "whatsapp_billed_conversations", Path: "/billing/whatsapp/billed-conversations", ItemsKey: "items", Paging: NextURL, PageSize: 2500,
		Filter: BillingPeriod,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 5000, ID: "whatsappConversationId", Cursor: "startDatetime",
		kind: kBilled, tokenKind: 'b', query: (*Server).queryBilled, seq: seqOf(kBilled),
		total: countOf(kBilled), add: (*Server).AddBilledConversations,
	},
	{
		// One page. Its state filter's enum lacks states the items hold.
		Name: "whatsapp_templates", Path: "/whatsapp/templates", ItemsKey: "items", Paging: SinglePage,
		Filter: NoFilter,
		Rate:   1, RateText: "Only one request per second allowed.",
		DefaultCount: 24, ID: "name,locale",
		kind: kTemplate, list: catTemplates.list, ids: catTemplates.ids, total: catTemplates.total,
	},
}

// endpointIndex and pathIndex find a row by name and by path. Building
// them completes the time-filtered rows: listWindowed lists them, and
// their ids are their seq's.
var endpointIndex, pathIndex = func() (map[string]*Endpoint, map[string]*Endpoint) {
	byName := make(map[string]*Endpoint, len(Endpoints))
	byPath := make(map[string]*Endpoint, len(Endpoints))
	for i := range Endpoints {
		e := &Endpoints[i]
		byName[e.Name] = e
		byPath[e.Path] = e
		if e.query != nil {
			e.list = (*Server).listWindowed
		}
		if e.seq != nil && e.ids == nil {
			e.ids = seqIDsOf(e.seq)
		}
	}
	return byName, byPath
}()

// seqIDsOf makes an Endpoint.ids of a sequence.
func seqIDsOf(seq func(*Server) (int, func(int) int64, func(int) string)) func(*Server, int64, int64) []string {
	return func(s *Server, from, to int64) []string {
		n, timeAt, id := seq(s)
		return seqIDs(n, timeAt, id, from, to)
	}
}

// EdgeShiftsOffsets says Quirks.OffsetTokens with MovingEdge can make a
// walk of the endpoint, in its documented order, skip records: a
// time-filtered listing with a recent-window edge, paged by a token that
// holds a position counted from the edge's end. (Newest first, the
// position counts from the other end, which the edge does not move.)
func (e Endpoint) EdgeShiftsOffsets() bool {
	return e.query != nil && e.Recent > 0 && e.Paging != OffsetTotal && !e.keyset && e.Order != NewestFirst
}

// Lookup finds an endpoint by name.
func Lookup(name string) (Endpoint, bool) {
	e, ok := endpointIndex[name]
	if !ok {
		return Endpoint{}, false
	}
	return *e, true
}

// EndpointNames lists the endpoint names in table order.
func EndpointNames() []string {
	out := make([]string, len(Endpoints))
	for i, e := range Endpoints {
		out[i] = e.Name
	}
	return out
}

// Counts are the numbers of generated items per endpoint name.
type Counts map[string]int

// DefaultCounts are the rows' DefaultCount: what a missing, zero or
// negative count becomes.
var DefaultCounts = func() Counts {
	c := Counts{}
	for _, e := range Endpoints {
		c[e.Name] = e.DefaultCount
	}
	return c
}()

// byKind is counts indexed by the rows' kinds, which the generators read
// per item.
func (c Counts) byKind() []int {
	var top kind
	for _, e := range Endpoints {
		top = max(top, e.kind)
	}
	out := make([]int, top+1)
	for _, e := range Endpoints {
		out[e.kind] = c[e.Name]
	}
	return out
}

// resolve returns a copy of c with the defaults filled in; it panics on a
// name no endpoint has, which would otherwise fall back to the default
// unnoticed.
func (c Counts) resolve() Counts {
	out := Counts{}
	for name, n := range c {
		if endpointIndex[name] == nil {
			panic("fakebotmaker: Counts names no endpoint: " + strconv.Quote(name) + "; endpoints are " + strings.Join(EndpointNames(), ", "))
		}
		out[name] = n
	}
	for _, e := range Endpoints {
		if out[e.Name] <= 0 {
			out[e.Name] = e.DefaultCount
		}
	}
	return out
}

// IDPaths are the wire paths of the parts of the row's id: one, or several
// for a composite key.
func (e *Endpoint) IDPaths() []string { return strings.Split(e.ID, ",") }

// KeySep separates the parts of a composite id in the fake's id lists
// (Server.IDs) and in a test's list of a sync's records. Generated ids hold
// only letters, digits, "_", "-", ":" and ".", never it.
const KeySep = "|"

// JoinID is the id of an item with a composite key: its parts, in key order.
func JoinID(parts ...string) string { return strings.Join(parts, KeySep) }
