// Package fakebotmaker is an in-process fake of the Botmaker API v2.0
// (https://api.botmaker.com/v2.0) for tests, demos and benchmarks of the
// source connector. It serves the list endpoints of its table Endpoints
// (table.go) following Botmaker's published OpenAPI spec and its
// documented behaviour, with deterministic generated data.
//
// Data is generated lazily: every item is a pure function of (seed, index),
// windowed entities are time-ordered by index, and a query window maps to an
// index range by binary search. Only small mutable state (chat activity
// times, finished sessions, items added by mutations) is kept in memory, so a
// server with millions of messages costs almost nothing until it is read.
package fakebotmaker

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the access token accepted when Config.Token is empty.
const DefaultToken = "fake-botmaker-token-0123456789abcdef"

// Config configures a fake server. The zero value is usable.
type Config struct {
	Token          string    // required access-token value; "" means DefaultToken
	Seed           int64     // data seed; same seed => same ids and contents
	Now            time.Time // the server's notion of now at start; zero => time.Now().UTC().Truncate(time.Second)
	HistoryDays    int       // data spans [Now-HistoryDays, Now]; 0 => 90
	Counts         Counts    // missing, zero or negative => DefaultCounts values
	LargeTextEvery int       // every Nth message has a ~10 KB text; 0 => never
	RateLimits     bool      // enforce the documented per-endpoint limits with 429s
	RetryAfter     bool      // include "Retry-After: 1" on 429s (limits and injected ones)
	Faults         Faults
	Quirks         Quirks // assumptions of a client's that the fake breaks on demand
	Auth           Auth   // credentials and their refresh (auth.go)
}

// Faults configures random fault injection on /v2.0 list requests.
type Faults struct {
	Rate      float64       // share of list requests that get a fault, 0..1
	Seed      int64         // seed of the fault RNG
	Kinds     []FaultKind   // chosen uniformly; empty => all kinds
	SlowDelay time.Duration // for FaultSlow; default 2s
}

// FaultKind is a kind of injected fault.
type FaultKind string

// Fault kinds.
const (
	Fault500       FaultKind = "500"       // 500 with Botmaker's JSON error body
	Fault502       FaultKind = "502"       // 502 with an HTML body, like a load balancer
	Fault503       FaultKind = "503"       // 503 with Botmaker's JSON error body
	FaultTruncated FaultKind = "truncated" // 200 whose body is cut in half (Content-Length matches the cut body)
	FaultSlow      FaultKind = "slow"      // waits SlowDelay, then serves normally
	Fault429       FaultKind = "429"       // 429 with Botmaker's TOO_MANY_REQUESTS body
)

// AllFaultKinds lists every fault kind.
var AllFaultKinds = []FaultKind{Fault500, Fault502, Fault503, FaultTruncated, FaultSlow, Fault429}

// Request is one logged HTTP request. The access-token value is never
// recorded; TokenOK tells whether it matched.
type Request struct {
	Method   string
	Path     string
	Endpoint string // the row's name, authEndpoint or "unknown", as in Stats.Endpoints
	RawQuery string
	Query    url.Values
	Status   int
	At       time.Time // server clock at arrival
	TokenOK  bool
	Host     string
	Bytes    int // response body bytes written
}

// Stats are counters over all requests since start (ResetRequests does not
// reset them).
type Stats struct {
	Requests       int               `json:"requests"`       // all /v2.0 requests
	Unauthorized   int               `json:"unauthorized"`   // 401s
	Status429      int               `json:"status429"`      // all 429s: rate limits and injected
	RateLimited    int               `json:"rateLimited"`    // 429s from the rate limiter only
	FaultsInjected map[FaultKind]int `json:"faultsInjected"` // by kind (including injected 429s)
	Endpoints      map[string]int    `json:"endpoints"`      // /v2.0 requests per endpoint name ("unknown" for others)
	Statuses       map[int]int       `json:"statuses"`       // /v2.0 responses per status code
}

// Server is a fake Botmaker API. It implements http.Handler.
type Server struct {
	cfg      Config
	g        *gen
	start    time.Time
	advanced atomic.Int64 // nanoseconds added by Advance
	lag      atomic.Int64 // Quirks.Lag in nanoseconds, changed by SetLag
	// tokenEpoch numbers the catalogue page tokens handed out since the
	// last ExpirePageTokens; older ones are refused.
	tokenEpoch atomic.Int64
	ts         *httptest.Server

	mu           sync.RWMutex // guards the mutable data below
	chatLast     []int64      // lastUserMessageDatetime (unix s) per chat
	chatOrder    []int32      // chats sorted by (chatLast, index)
	sessOpen     []int32      // base sessions generated open (ascending)
	sessFinished map[int32]bool
	// added holds the items Add made, by kind, in time order (nil until
	// the first; sequence.go).
	added      map[kind][]added
	chosenOpen map[int32]int // Quirks.OpenSessions' sessions: seq → index
	mutRNG     *rand.Rand

	chatIndexOnce sync.Once
	chatIndex     map[string]int32
	metricOnce    sync.Once
	refusal       refusal // Quirks.Reported.UnauthorizedAfter's (reported.go)
	metricStart   []int32 // agentmetrics.go

	logMu sync.Mutex
	log   []*Request
	stats Stats

	limiters map[string]*bucket

	faultMu  sync.Mutex
	faultRNG *rand.Rand
	outages  map[string]int // Outage: requests each endpoint still serves; guarded by faultMu
	kinds    []FaultKind

	auth *authState
}

// New starts a fake server on 127.0.0.1 (httptest). Close it when done.
func New(cfg Config) *Server {
	s := NewHandler(cfg)
	s.ts = httptest.NewServer(s)
	return s
}

// NewHandler builds a fake server without starting a listener; URL returns
// "" for it. Serve it with any http.Server.
func NewHandler(cfg Config) *Server {
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().UTC().Truncate(time.Second)
	}
	cfg.Now = cfg.Now.UTC()
	if cfg.HistoryDays <= 0 {
		cfg.HistoryDays = 90
	}
	cfg.Counts = cfg.Counts.resolve()
	cfg.Quirks.checkEmpty()
	// A row's documented order is the default of Quirks.Order, in a copy:
	// the caller's map is not ours to fill.
	orders := map[string]Order{}
	for _, e := range Endpoints {
		if e.Order != "" {
			orders[e.Name] = e.Order
		}
	}
	for k, v := range cfg.Quirks.Order {
		orders[k] = v
	}
	cfg.Quirks.Order = orders
	if cfg.Faults.SlowDelay <= 0 {
		cfg.Faults.SlowDelay = 2 * time.Second
	}

	g := &gen{
		seed:       uint64(cfg.Seed),
		t0:         cfg.Now.Unix(),
		hist:       int64(cfg.HistoryDays) * daySec,
		n:          cfg.Counts.byKind(),
		largeEvery: cfg.LargeTextEvery,
	}
	g.recent = min(3*daySec, g.hist)
	for _, p := range []int64{7919, 104729, 1299709, 15485863} {
		if int64(g.n[kChat])%p != 0 {
			g.sessStride = p
			break
		}
	}
	// About 5% of all base sessions start open; they are all recent ones
	// (started in the last 3 days), which hold 20% of the sessions (or all of
	// them with a short history).
	if g.hist > g.recent {
		g.openPermil = 250
	} else {
		g.openPermil = 50
	}
	g.channels = g.makeChannels()

	s := &Server{
		cfg:          cfg,
		g:            g,
		start:        time.Now(),
		sessFinished: map[int32]bool{},
		mutRNG:       rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d75746174696f6e)),
		faultRNG:     rand.New(rand.NewPCG(uint64(cfg.Faults.Seed), 0x6661756c74)),
		kinds:        cfg.Faults.Kinds,
		stats: Stats{
			FaultsInjected: map[FaultKind]int{},
			Endpoints:      map[string]int{},
			Statuses:       map[int]int{},
		},
	}
	if len(s.kinds) == 0 {
		s.kinds = AllFaultKinds
	}
	s.chatLast = make([]int64, g.n[kChat])
	s.chatOrder = make([]int32, g.n[kChat])
	for j := range s.chatLast {
		s.chatLast[j] = g.baseTime(j, g.n[kChat])
		s.chatOrder[j] = int32(j)
	}
	s.chosenOpen = s.chooseOpen()
	for j := 0; j < g.n[kSess]; j++ {
		if s.baseSessOpen(j) {
			s.sessOpen = append(s.sessOpen, int32(j))
		}
	}
	s.limiters = newLimiters()
	s.SetLag(cfg.Quirks.Lag)
	s.auth = newAuthState(cfg)
	return s
}

func (s *Server) baseSessOpen(j int) bool {
	if s.chosenOpen != nil {
		_, ok := s.chosenOpen[int32(j)]
		return ok
	}
	g := s.g
	return g.baseTime(j, g.n[kSess]) >= g.t0-g.recent && g.hash(kSess, j, 7)%1000 < g.openPermil
}

// URL returns the base URL including "/v2.0", e.g.
// "http://127.0.0.1:41234/v2.0" ("" for a NewHandler server).
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL + "/v2.0"
}

// Close stops the listener started by New.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Now is the server clock: Config.Now plus real elapsed time plus Advance.
func (s *Server) Now() time.Time {
	return s.cfg.Now.Add(time.Since(s.start) + time.Duration(s.advanced.Load()))
}

// Advance moves the server clock forward by d (negative d is ignored).
func (s *Server) Advance(d time.Duration) {
	if d > 0 {
		s.advanced.Add(int64(d))
	}
}

// Token returns the access token the server accepts now (it changes with
// every refresh).
func (s *Server) Token() string { return s.Credentials().AccessToken }

// Config returns the effective configuration (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Requests returns a copy of the request log in arrival order.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = *r
		out[i].Query = cloneValues(r.Query)
	}
	return out
}

// ResetRequests clears the request log (not Stats).
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	s.log = nil
	s.logMu.Unlock()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	st := s.stats
	st.FaultsInjected = make(map[FaultKind]int, len(s.stats.FaultsInjected))
	for k, v := range s.stats.FaultsInjected {
		st.FaultsInjected[k] = v
	}
	st.Endpoints = make(map[string]int, len(s.stats.Endpoints))
	for k, v := range s.stats.Endpoints {
		st.Endpoints[k] = v
	}
	st.Statuses = make(map[int]int, len(s.stats.Statuses))
	for k, v := range s.stats.Statuses {
		st.Statuses[k] = v
	}
	return st
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// statusWriter logs the status code before any byte reaches the client, so
// a client that has read a response always finds it in Requests and Stats.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	entry  *Request
	status int
}

func (w *statusWriter) record(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	s := w.s
	s.logMu.Lock()
	w.entry.Status = code
	s.stats.Statuses[code]++
	switch code {
	case http.StatusUnauthorized:
		s.stats.Unauthorized++
	case http.StatusTooManyRequests:
		s.stats.Status429++
	}
	s.logMu.Unlock()
}

func (w *statusWriter) WriteHeader(code int) {
	w.record(code)
	w.ResponseWriter.WriteHeader(code)
}

// Write counts b before it reaches the client, for the same reason, and
// takes back what the client did not get.
func (w *statusWriter) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	w.s.logMu.Lock()
	w.entry.Bytes += len(b)
	w.s.logMu.Unlock()
	n, err := w.ResponseWriter.Write(b)
	if n < len(b) {
		w.s.logMu.Lock()
		w.entry.Bytes -= len(b) - n
		w.s.logMu.Unlock()
	}
	return n, err
}

// ServeHTTP serves /v2.0/... (API) and /_control/... (test control).
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/_control/") {
		s.serveControl(rw, r)
		return
	}
	if p != "/v2.0" && !strings.HasPrefix(p, "/v2.0/") {
		writeErr(rw, &apiErr{http.StatusNotFound, "NOT_FOUND", "path", "Unknown path " + p})
		return
	}
	if s.cfg.Quirks.Stall {
		s.logMu.Lock()
		s.stats.Requests++
		s.logMu.Unlock()
		<-r.Context().Done() // accepted, never answered
		return
	}

	ep := pathIndex[strings.TrimPrefix(p, "/v2.0")]
	endpoint := "unknown"
	switch {
	case ep != nil:
		endpoint = ep.Name
	case p == "/v2.0/"+authEndpoint:
		endpoint = authEndpoint
	}
	tokenOK := s.tokenOK(endpoint, r.Header.Get("access-token"))
	q := r.URL.Query()
	entry := &Request{Method: r.Method, Path: p, Endpoint: endpoint, RawQuery: r.URL.RawQuery, Query: q, At: s.Now(), TokenOK: tokenOK, Host: r.Host}
	s.logMu.Lock()
	s.log = append(s.log, entry)
	s.stats.Requests++
	s.stats.Endpoints[endpoint]++
	s.logMu.Unlock()

	sw := &statusWriter{ResponseWriter: rw, s: s, entry: entry}
	if endpoint == authEndpoint {
		s.serveAuth(sw, r)
	} else {
		s.serveAPI(sw, r, ep, q, tokenOK)
	}
	sw.record(http.StatusOK) // a handler that wrote nothing answered 200
}

func (s *Server) serveAPI(rw http.ResponseWriter, r *http.Request, ep *Endpoint, q url.Values, tokenOK bool) {
	if !tokenOK {
		writeErr(rw, &apiErr{http.StatusUnauthorized, "UNAUTHORIZED", "access-token", "Not authorized"})
		return
	}
	if ep == nil {
		writeErr(rw, &apiErr{http.StatusNotFound, "NOT_FOUND", "path", "Unknown path " + r.URL.Path})
		return
	}
	if s.refusing() {
		writeErr(rw, &apiErr{http.StatusUnauthorized, "UNAUTHORIZED", "access-token", "Not authorized"})
		return
	}
	if r.Method != http.MethodGet {
		rw.Header().Set("Allow", "GET")
		writeErr(rw, &apiErr{http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method", "Method " + r.Method + " not allowed"})
		return
	}
	if s.cfg.Quirks.Forbidden[ep.Name] {
		writeErr(rw, &apiErr{http.StatusForbidden, "FORBIDDEN", "access-token", "Forbidden"})
		return
	}
	if s.cfg.RateLimits {
		if b := s.limiters[ep.Name]; b != nil && !b.allow(time.Now()) {
			s.logMu.Lock()
			s.stats.RateLimited++
			s.logMu.Unlock()
			s.write429(rw, b.msg)
			return
		}
	}
	if s.down(ep.Name) {
		writeErr(rw, &apiErr{http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "server", "The service is temporarily unavailable"})
		return
	}
	fault := s.pickFault()
	if fault != "" {
		s.logMu.Lock()
		s.stats.FaultsInjected[fault]++
		s.logMu.Unlock()
	}
	switch fault {
	case Fault500:
		writeErr(rw, &apiErr{http.StatusInternalServerError, "INTERNAL_ERROR", "server", "Internal server error"})
		return
	case Fault503:
		writeErr(rw, &apiErr{http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "server", "The service is temporarily unavailable"})
		return
	case Fault502:
		rw.Header().Set("Content-Type", "text/html; charset=UTF-8")
		rw.WriteHeader(http.StatusBadGateway)
		_, _ = rw.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The server encountered a temporary error.</p></body></html>\n"))
		return
	case Fault429:
		s.write429(rw, ep.RateText)
		return
	case FaultSlow:
		t := time.NewTimer(s.cfg.Faults.SlowDelay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	if d := s.cfg.Quirks.PageAdvance; d > 0 {
		s.Advance(d)
	}
	w := getJW()
	defer putJW(w)
	if aerr := ep.list(s, ep, w, r, q); aerr != nil {
		writeErr(rw, aerr)
		return
	}
	body := s.breakPaging(ep, r, q, w.b)
	body, status := s.reported(ep, body)
	if status == http.StatusNoContent {
		rw.WriteHeader(status)
		return
	}
	if fault == FaultTruncated {
		body = body[:len(body)/2]
	}
	writeBody(rw, http.StatusOK, body)
}

func writeBody(rw http.ResponseWriter, status int, body []byte) {
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", itoa(len(body)))
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

func (s *Server) write429(rw http.ResponseWriter, msg string) {
	if s.cfg.RetryAfter {
		rw.Header().Set("Retry-After", "1")
	}
	writeErr(rw, &apiErr{http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "rate-limit", msg})
}

// apiErr is an error response in Botmaker's ErrorResponse format.
type apiErr struct {
	status           int
	typ, source, msg string
}

func writeErr(rw http.ResponseWriter, e *apiErr) {
	w := getJW()
	defer putJW(w)
	w.obj()
	w.key("errors")
	w.arr()
	w.obj()
	w.kstr("type", e.typ)
	w.kstr("source", e.source)
	w.kstr("message", e.msg)
	w.endObj()
	w.endArr()
	w.endObj()
	writeBody(rw, e.status, w.b)
}

// Outage makes the endpoint serve n more requests, then answer every
// request with 503 until Outage is called for it again with n < 0: an
// outage that outlasts the connector's retries, so that its sync attempt
// fails part way through the endpoint's pages, as a platform sees one.
func (s *Server) Outage(endpoint string, n int) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.outages == nil {
		s.outages = map[string]int{}
	}
	if n < 0 {
		delete(s.outages, endpoint)
		return
	}
	s.outages[endpoint] = n
}

// down says the endpoint is in an Outage, counting the request.
func (s *Server) down(endpoint string) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	left, ok := s.outages[endpoint]
	if !ok {
		return false
	}
	if left == 0 {
		return true
	}
	s.outages[endpoint] = left - 1
	return false
}

func (s *Server) pickFault() FaultKind {
	if s.cfg.Faults.Rate <= 0 {
		return ""
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.faultRNG.Float64() >= s.cfg.Faults.Rate {
		return ""
	}
	return s.kinds[s.faultRNG.IntN(len(s.kinds))]
}

// ---- rate limits -----------------------------------------------------------

// bucket is a token bucket on the real clock.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	msg    string
}

func (b *bucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

func newLimiters() map[string]*bucket {
	out := map[string]*bucket{}
	for _, e := range Endpoints {
		burst := max(e.Rate, 1)
		out[e.Name] = &bucket{rate: e.Rate, burst: burst, tokens: burst, msg: e.RateText}
	}
	return out
}

// ---- helpers ---------------------------------------------------------------

func itoa(v int) string {
	var buf [20]byte
	i := len(buf)
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// searchSeq returns the first seq in [0,n) with timeAt(seq) >= x (unix nanos).
func searchSeq(n int, timeAt func(int) int64, xNanos int64) int {
	return sort.Search(n, func(i int) bool { return timeAt(i)*1e9 >= xNanos })
}
