package fakebotmaker

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// post sends POST /auth/credentials with the given header token and body.
func post(t testing.TB, s *Server, token string, body any) resp {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/auth/credentials", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("access-token", token)
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	rb, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, r.Header, rb}
}

func refreshBody(c Credentials) map[string]string {
	return map[string]string{"clientId": c.ClientID, "secretId": c.SecretID, "refreshToken": c.RefreshToken}
}

// A refresh rotates both tokens; the old access token and the old refresh
// token are refused from then on, the new ones work, and GET shows them.
func TestAuthRotation(t *testing.T) {
	s := newTest(t, Config{Seed: 1, Token: "tok-start"})
	old := s.Credentials()
	if diff := cmp.Diff(Credentials{DefaultClientID, DefaultSecretID, "tok-start", DefaultRefreshToken}, old); diff != "" {
		t.Fatalf("starting credentials (-want +got):\n%s", diff)
	}
	r := post(t, s, old.AccessToken, refreshBody(old))
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	var got Credentials
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Credentials(), got); diff != "" {
		t.Errorf("answer differs from the credentials in force (-want +got):\n%s", diff)
	}
	if got.AccessToken == old.AccessToken || got.RefreshToken == old.RefreshToken || got.ClientID != old.ClientID || got.SecretID != old.SecretID {
		t.Errorf("rotation %+v from %+v", got, old)
	}
	if exp, ok := jwtExp(got.AccessToken); !ok || exp.Before(s.Now().AddDate(4, 11, 0)) {
		t.Errorf("new access token expires %s, %v; want about 5 years", exp, ok)
	}
	tests := []struct {
		name   string
		do     func() resp
		status int
	}{
		{"old access token", func() resp { return get(t, s, "/agents", old.AccessToken) }, 401},
		{"new access token", func() resp { return get(t, s, "/agents", got.AccessToken) }, 200},
		{"GET credentials", func() resp { return get(t, s, "/auth/credentials", got.AccessToken) }, 200},
		{"old refresh token", func() resp { return post(t, s, got.AccessToken, refreshBody(old)) }, 401},
		{"wrong secret", func() resp {
			c := got
			c.SecretID = "nope"
			return post(t, s, got.AccessToken, refreshBody(c))
		}, 401},
		{"old header", func() resp { return post(t, s, old.AccessToken, refreshBody(got)) }, 401},
		{"missing fields", func() resp { return post(t, s, got.AccessToken, map[string]string{"clientId": got.ClientID}) }, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case is one request; the 3-a-minute limit has its own test.
			s.auth.postLimit.tokens = 3
			if r := tt.do(); r.status != tt.status {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
	if n := s.Refreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

// POST is limited to 3 a minute, with Retry-After when configured; the
// limit counts refused attempts too.
func TestAuthRefreshLimit(t *testing.T) {
	s := newTest(t, Config{Seed: 1, RetryAfter: true})
	c := s.Credentials()
	var statuses []int
	for i := 0; i < 4; i++ {
		bad := c
		bad.RefreshToken = "wrong"
		r := post(t, s, c.AccessToken, refreshBody(bad))
		statuses = append(statuses, r.status)
		if r.status == 429 {
			if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
			if !strings.Contains(string(r.body), "Only 3 requests per minute allowed.") {
				t.Errorf("body %s", r.body)
			}
		}
	}
	if diff := cmp.Diff([]int{401, 401, 401, 429}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// The starting token can be made to die after N requests or at a time, a
// JWT dies at its exp, and a refresh works with the dead token.
func TestAuthExpiry(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		after func(s *Server)
		want  []int // statuses of three /agents requests
	}{
		{"after 2 requests", Config{Auth: Auth{ExpireAfter: 2}}, nil, []int{200, 200, 401}},
		{"at a time", Config{Auth: Auth{ExpireAt: testNow.Add(time.Hour)}}, func(s *Server) { s.Advance(2 * time.Hour) }, []int{401, 401, 401}},
		{"JWT exp", Config{Token: JWT(testNow.Add(-time.Minute), "x")}, nil, []int{401, 401, 401}},
		{"JWT not yet expired", Config{Token: JWT(testNow.Add(24*time.Hour), "x")}, nil, []int{200, 200, 200}},
		{"ExpireToken at runtime", Config{}, func(s *Server) { s.ExpireToken(1, time.Time{}) }, []int{200, 401, 401}},
		{"control expire-token", Config{}, func(s *Server) {
			req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.URL(), "/v2.0")+"/_control/expire-token?after=0", nil)
			r, err := http.DefaultClient.Do(req)
			if err != nil || r.StatusCode != 200 {
				t.Fatalf("control: %v %v", err, r)
			}
			r.Body.Close()
		}, []int{401, 401, 401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Seed = 1
			s := newTest(t, tt.cfg)
			if tt.after != nil {
				tt.after(s)
			}
			var got []int
			for i := 0; i < 3; i++ {
				got = append(got, get(t, s, "/agents", s.Token()).status)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			c := s.Credentials()
			if r := post(t, s, c.AccessToken, refreshBody(c)); r.status != 200 {
				t.Fatalf("refresh with the dead token: %d %s", r.status, r.body)
			}
			if r := get(t, s, "/agents", s.Token()); r.status != 200 {
				t.Errorf("new token: %d", r.status)
			}
		})
	}
}

func TestAuthFaults(t *testing.T) {
	tests := []struct {
		fault  AuthFault
		status int
		want   string
	}{
		{AuthRefuse, 401, "UNAUTHORIZED"},
		{AuthMalformed, 200, `"accessToken"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			s := newTest(t, Config{Seed: 1, Auth: Auth{Fault: tt.fault}})
			c := s.Credentials()
			r := post(t, s, c.AccessToken, refreshBody(c))
			if r.status != tt.status || !strings.Contains(string(r.body), tt.want) || strings.Contains(string(r.body), `"refreshToken"`) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
}
