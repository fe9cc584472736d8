package fakebotmaker

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Credentials the fake issues before any refresh, when Auth leaves them empty.
const (
	DefaultClientID     = "fake-client"
	DefaultSecretID     = "FAKESECRETID0123456789ABCDEF"
	DefaultRefreshToken = "fake-botmaker-refresh-0123456789abcdef"
)

// authEndpoint is the endpoint name of /v2.0/auth/credentials in Stats.
const authEndpoint = "auth/credentials"

// issuedTTL is the life of the access tokens a refresh issues: Botmaker's
// SPEC says "Expiration time: 5 years".
const issuedTTL = 5 * 365 * 24 * time.Hour

// Auth configures the credentials of GET and POST /auth/credentials. The
// zero value accepts Config.Token forever and refreshes it on demand.
type Auth struct {
	ClientID, SecretID, RefreshToken string // "" => the Default* values
	// ExpireAfter makes the starting access token stop working after this
	// many accepted requests; 0 never. Tokens a refresh issues last.
	ExpireAfter int
	// ExpireAt makes the starting access token stop working at this server
	// time. Zero means the token's own JWT exp claim, if it has one.
	ExpireAt time.Time
	// Fault makes every refresh fail in one way: "refuse" (401) or
	// "malformed" (200 whose body lacks refreshToken, after rotating, as a
	// server that broke mid-answer would).
	Fault AuthFault
}

// AuthFault is a way POST /auth/credentials fails.
type AuthFault string

// Refresh faults.
const (
	AuthRefuse    AuthFault = "refuse"
	AuthMalformed AuthFault = "malformed"
)

// Credentials is the fake's AuthResponse.
type Credentials struct {
	ClientID     string `json:"clientId"`
	SecretID     string `json:"secretId"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// authState is the credentials in force. Every refresh replaces both
// tokens; the old ones are refused from then on, as Botmaker's are.
type authState struct {
	mu        sync.Mutex
	cur       Credentials
	expireAt  time.Time // zero: never
	left      int       // accepted requests left; -1: unlimited
	refreshes int
	rng       *rand.Rand
	postLimit *bucket // POST: 3 per minute
	getLimit  *bucket // GET: 1 per second
	fault     AuthFault
}

func newAuthState(cfg Config) *authState {
	a := cfg.Auth
	st := &authState{
		cur:  Credentials{ClientID: a.ClientID, SecretID: a.SecretID, AccessToken: cfg.Token, RefreshToken: a.RefreshToken},
		left: -1, expireAt: a.ExpireAt, fault: a.Fault,
		rng:       rand.New(rand.NewPCG(uint64(cfg.Seed), 0x61757468)),
		postLimit: &bucket{rate: 3.0 / 60, burst: 3, tokens: 3, msg: "Only 3 requests per minute allowed."},
		getLimit:  &bucket{rate: 1, burst: 1, tokens: 1, msg: "Only one request per second allowed."},
	}
	if st.cur.ClientID == "" {
		st.cur.ClientID = DefaultClientID
	}
	if st.cur.SecretID == "" {
		st.cur.SecretID = DefaultSecretID
	}
	if st.cur.RefreshToken == "" {
		st.cur.RefreshToken = DefaultRefreshToken
	}
	if a.ExpireAfter > 0 {
		st.left = a.ExpireAfter
	}
	if st.expireAt.IsZero() {
		st.expireAt, _ = jwtExp(cfg.Token)
	}
	return st
}

// accept reports whether token is the current access token and still
// valid at now, and counts it against ExpireAfter.
func (a *authState) accept(token string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.cur.AccessToken)) != 1 {
		return false
	}
	if !a.expireAt.IsZero() && !now.Before(a.expireAt) {
		return false
	}
	if a.left == 0 {
		return false
	}
	if a.left > 0 {
		a.left--
	}
	return true
}

// tokenOK checks a request's access-token. Only API requests count
// against ExpireAfter; /auth/credentials checks its own way.
func (s *Server) tokenOK(endpoint, token string) bool {
	if endpoint == authEndpoint {
		c := s.Credentials()
		return subtle.ConstantTimeCompare([]byte(token), []byte(c.AccessToken)) == 1
	}
	return s.auth.accept(token, s.Now())
}

// Credentials returns the credentials in force (tests hand them to the
// connector and compare them with what it reports).
func (s *Server) Credentials() Credentials {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return s.auth.cur
}

// Refreshes is the number of successful POST /auth/credentials.
func (s *Server) Refreshes() int {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return s.auth.refreshes
}

// ExpireToken makes the current access token stop working after n more
// accepted requests (n < 0: no count limit) or at server time at (zero:
// no time limit).
func (s *Server) ExpireToken(n int, at time.Time) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.left = max(n, -1)
	s.auth.expireAt = at
}

// serveAuth answers /v2.0/auth/credentials like Botmaker's SPEC: GET shows
// the credentials of a valid token; POST trades clientId, secretId and the
// refresh token for new tokens, once per refresh token.
func (s *Server) serveAuth(rw http.ResponseWriter, r *http.Request) {
	a := s.auth
	header := r.Header.Get("access-token")
	switch r.Method {
	case http.MethodGet:
		if !a.accept(header, s.Now()) {
			writeErr(rw, &apiErr{http.StatusUnauthorized, "UNAUTHORIZED", "access-token", "Not authorized"})
			return
		}
		if !a.getLimit.allow(time.Now()) {
			s.writeAuth429(rw, a.getLimit)
			return
		}
		b, _ := json.Marshal(s.Credentials())
		writeBody(rw, http.StatusOK, b)
	case http.MethodPost:
		if !a.postLimit.allow(time.Now()) {
			s.writeAuth429(rw, a.postLimit)
			return
		}
		var req struct {
			ClientID     string `json:"clientId"`
			SecretID     string `json:"secretId"`
			RefreshToken string `json:"refreshToken"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err := json.Unmarshal(body, &req); err != nil || req.ClientID == "" || req.SecretID == "" || req.RefreshToken == "" {
			writeErr(rw, &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", "body", "clientId, secretId and refreshToken are required"})
			return
		}
		creds, ok := s.rotate(header, req.ClientID, req.SecretID, req.RefreshToken)
		if !ok {
			writeErr(rw, &apiErr{http.StatusUnauthorized, "UNAUTHORIZED", "credentials", "Not authorized"})
			return
		}
		var b []byte
		if a.fault == AuthMalformed {
			b, _ = json.Marshal(map[string]string{"clientId": creds.ClientID, "secretId": creds.SecretID, "accessToken": creds.AccessToken})
		} else {
			b, _ = json.Marshal(creds)
		}
		writeBody(rw, http.StatusOK, b)
	default:
		rw.Header().Set("Allow", "GET, POST")
		writeErr(rw, &apiErr{http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method", "Method " + r.Method + " not allowed"})
	}
}

// rotate checks a refresh request and, if it holds, issues new tokens. The
// access-token header must be the current token, expired or not: a token
// that has expired is exactly what a refresh is for.
func (s *Server) rotate(header, clientID, secretID, refresh string) (Credentials, bool) {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	eq := func(x, y string) bool { return subtle.ConstantTimeCompare([]byte(x), []byte(y)) == 1 }
	if a.fault == AuthRefuse || !eq(header, a.cur.AccessToken) || !eq(clientID, a.cur.ClientID) ||
		!eq(secretID, a.cur.SecretID) || !eq(refresh, a.cur.RefreshToken) {
		return Credentials{}, false
	}
	now := s.Now()
	a.refreshes++
	a.cur.AccessToken = JWT(now.Add(issuedTTL), a.nonce())
	a.cur.RefreshToken = JWT(now.Add(issuedTTL), a.nonce())
	a.expireAt, a.left = time.Time{}, -1
	return a.cur, true
}

func (a *authState) nonce() string {
	var b [12]byte
	for i := range b {
		b[i] = byte(a.rng.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) writeAuth429(rw http.ResponseWriter, b *bucket) {
	if s.cfg.RetryAfter {
		b.mu.Lock()
		wait := (1 - b.tokens) / b.rate
		b.mu.Unlock()
		rw.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait)))))
	}
	writeErr(rw, &apiErr{http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "rate-limit", b.msg})
}

// JWT returns a token shaped like Botmaker's (an HS512 JWT with businessId,
// api, id, exp and jti claims) that expires at exp. The signature is noise:
// nothing checks it.
func JWT(exp time.Time, id string) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(map[string]any{"businessId": "fake-business", "name": "fake", "api": true, "id": id, "exp": exp.Unix(), "jti": id})
	return enc([]byte(`{"alg":"HS512","typ":"JWT"}`)) + "." + enc(payload) + "." + enc([]byte("sig-"+id))
}

// jwtExp reads the exp claim of a JWT-shaped token.
func jwtExp(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var c struct {
		Exp *int64 `json:"exp"`
	}
	if json.Unmarshal(b, &c) != nil || c.Exp == nil {
		return time.Time{}, false
	}
	return time.Unix(*c.Exp, 0), true
}

// serveAuthControl serves the credential operations of /_control/ and
// reports whether op was one of them.
func (s *Server) serveAuthControl(rw http.ResponseWriter, r *http.Request, op string) bool {
	want := map[string]string{"credentials": http.MethodGet, "expire-token": http.MethodPost}[op]
	if want == "" {
		return false
	}
	if r.Method != want {
		rw.Header().Set("Allow", want)
		writeErr(rw, &apiErr{http.StatusMethodNotAllowed, "INVALID_PARAMETER", "control", "use " + want})
		return true
	}
	if op == "credentials" {
		b, _ := json.Marshal(struct {
			Credentials
			Refreshes int `json:"refreshes"`
		}{s.Credentials(), s.Refreshes()})
		writeBody(rw, http.StatusOK, b)
		return true
	}
	q := r.URL.Query()
	n, at := -1, time.Time{}
	var err error
	if v := q.Get("after"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			writeErr(rw, &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", "control", "after must be a whole number of requests"})
			return true
		}
	}
	if v := q.Get("at"); v != "" {
		if at, err = time.Parse(time.RFC3339Nano, v); err != nil {
			writeErr(rw, &apiErr{http.StatusBadRequest, "INVALID_PARAMETER", "control", "at must be an RFC 3339 time"})
			return true
		}
	}
	if n < 0 && at.IsZero() {
		at = s.Now()
	}
	s.ExpireToken(n, at)
	writeBody(rw, http.StatusOK, []byte("{}"))
	return true
}
