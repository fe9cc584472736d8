package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/botmaker"
)

// secretFields are the config keys whose values never reach the output,
// not even in a message about a malformed value.
var secretFields = map[string]bool{"access_token": true, "secret_id": true, "refresh_token": true}

const (
	// expiryWarning is how long before the token expires check and read
	// start warning: a month leaves time to act before a nightly sync fails.
	expiryWarning = 30 * 24 * time.Hour
	// refreshAhead is how long before expiry read renews the credentials
	// itself, so that a week without syncs still finds a live token.
	refreshAhead = 7 * 24 * time.Hour
)

const credentialsPage = "Botmaker under Configuration > Integrations > API > Credentials"

// CanRefresh reports whether the config holds the refresh credentials.
func (c *Config) CanRefresh() bool { return c.ClientID != "" }

// checkRefreshCredentials enforces all three refresh fields or none: with
// some missing the connector could not renew, and a user who filled in two
// of them expects renewal to work.
func (c *Config) checkRefreshCredentials() error {
	vals := []struct{ key, v string }{{"client_id", c.ClientID}, {"secret_id", c.SecretID}, {"refresh_token", c.RefreshToken}}
	var missing []string
	for _, f := range vals {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.key)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case len(vals):
		c.ClientID, c.SecretID, c.RefreshToken = "", "", ""
		return nil
	}
	verb := "is"
	if len(missing) > 1 {
		verb = "are"
	}
	return &ConfigError{strings.Join(missing, " and "), fmt.Sprintf(
		"%s missing; client_id, secret_id and refresh_token go together. Copy all three from %s, or leave all three out to do without automatic renewal of the access token.", verb, credentialsPage)}
}

// tokenPlan is what the access token's expiry asks of check and read.
type tokenPlan struct {
	fail    string // the token has expired and cannot be renewed
	warn    string // logged once as a WARN
	refresh bool   // read renews the credentials before its first request
	expired bool
	when    string // "expires on <date> (in N days)" or "expired on <date>"
}

// planToken reads the token's expiry. A token that is not a JWT has no
// known expiry and needs no plan.
func planToken(cfg *Config, now time.Time) tokenPlan {
	exp, ok := botmaker.TokenExpiry(cfg.AccessToken)
	if !ok {
		return tokenPlan{}
	}
	date := exp.UTC().Format("2006-01-02 15:04 UTC")
	left := exp.Sub(now)
	days := fmt.Sprintf("in %d days", int(left.Hours()/24))
	if left < 24*time.Hour {
		days = "in less than a day"
	}
	p := tokenPlan{expired: left <= 0, when: "expires on " + date + " (" + days + ")"}
	if p.expired {
		p.when = "expired on " + date
	}
	switch {
	case !cfg.CanRefresh() && p.expired:
		p.fail = fmt.Sprintf("The access token expired on %s. Generate a new one in %s and paste it into access_token, or fill in client_id, secret_id and refresh_token from the same page so that the connector renews it itself.", date, credentialsPage)
	case !cfg.CanRefresh() && left <= expiryWarning:
		p.warn = fmt.Sprintf("The access token expires on %s (%s); syncs fail from then on. Generate a new one in %s and paste it into access_token before then, or fill in client_id, secret_id and refresh_token from the same page so that the connector renews it itself.", date, days, credentialsPage)
	case left <= refreshAhead:
		p.refresh = true
		p.warn = fmt.Sprintf("The access token %s; the next sync renews the credentials with the refresh token before reading. Renewal replaces the access token and the refresh token for every integration that shares them. Give any such integration the new ones from %s after the renewal.", p.when, credentialsPage)
	case left <= expiryWarning:
		p.warn = fmt.Sprintf("The access token expires on %s (%s); a sync within 7 days of that date renews the credentials with the refresh token. Renewal replaces the access token and the refresh token for every integration that shares them. Give any such integration the new ones from %s after the renewal.", date, days, credentialsPage)
	}
	return p
}

// checkToken applies the plan to check. It never renews: a check may run
// before Airbyte has saved the source, when rotated credentials handed
// back would be lost together with the old ones. done is set when check
// has its answer without calling Botmaker.
func (c *command) checkToken(cfg *Config) (code int, done bool) {
	p := planToken(cfg, c.rt.Now())
	if p.fail != "" {
		return c.status(airbyte.StatusFailed, p.fail), true
	}
	if p.warn != "" {
		c.log.Warn().Msg(p.warn)
	}
	if p.expired {
		// Botmaker would refuse the expired token; the refresh token is
		// only spent by a sync.
		return c.status(airbyte.StatusSucceeded, ""), true
	}
	return 0, false
}

// prepareToken applies the plan to read: it enables renewal, renews now if
// the token is about to expire, and logs the expiry warning once. done is
// set when the sync must stop, with its exit code.
func (c *command) prepareToken(ctx context.Context, cfg *Config, cl *botmaker.Client) (code int, done bool) {
	p := planToken(cfg, c.rt.Now())
	if p.fail != "" {
		return c.fail(airbyte.ConfigError, p.fail, nil), true
	}
	if !cfg.CanRefresh() {
		if p.warn != "" {
			c.log.Warn().Msg(p.warn)
		}
		return 0, false
	}
	cl.EnableRefresh(cfg.ClientID, cfg.SecretID, cfg.RefreshToken, c.handOver)
	if !p.refresh {
		if p.warn != "" {
			c.log.Warn().Msg(p.warn)
		}
		return 0, false
	}
	c.log.Info().Msgf("The access token %s; renewing the credentials before reading.", p.when)
	if err := cl.Refresh(ctx); err != nil {
		return c.fail(botmaker.FailureTypeOf(err), err.Error(), nil), true
	}
	return 0, false
}

// handOver is called once Botmaker has issued new credentials, before any
// request uses them. The old ones are dead already, so the new ones go to
// Airbyte at once, in a CONTROL message carrying the whole config; and
// they become secrets the writer redacts from every other line. Renewals
// come one at a time (the client's single flight), so rawConfig needs no
// lock.
func (c *command) handOver(cr botmaker.Credentials) error {
	for _, s := range []string{cr.AccessToken, cr.RefreshToken, cr.SecretID} {
		c.w.AddSecret(s)
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(c.rawConfig, &fields); err != nil {
		return fmt.Errorf("re-reading the config: %v", err)
	}
	for k, v := range map[string]string{"access_token": cr.AccessToken, "refresh_token": cr.RefreshToken, "client_id": cr.ClientID, "secret_id": cr.SecretID} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fields[k] = b
	}
	updated, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	if err := c.w.Control(updated); err != nil {
		return err
	}
	c.rawConfig = updated
	c.log.Warn().Msg("Botmaker renewed the credentials. The new access token and refresh token went to Airbyte in a CONTROL message and replace those in this source's configuration; the old ones no longer work anywhere. Give any other integration that shared them the new ones from " + credentialsPage + ".")
	return nil
}
