package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/source-botmaker/source-botmaker/streams"
)

// Config is the user's connector configuration. Its reflection is the
// connectionSpecification that `spec` prints (spec.json is its golden copy),
// so the tags here are the user-facing documentation of every option.
type Config struct {
	AccessToken          string `json:"access_token" jsonschema:"required,title=Access Token,description=Botmaker API access token. Generate it in Botmaker under Configuration > Integrations > API (Credentials tab). It is sent as the access-token request header (without a Bearer prefix)." jsonschema_extras:"airbyte_secret=true,order=0"`
	StartDate            string `json:"start_date" jsonschema:"required,title=Start Date,description=UTC date-time (RFC 3339) of the earliest data to sync. For example 2025-01-01T00:00:00Z.,format=date-time,pattern=^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-]00:00)$,example=2025-01-01T00:00:00Z" jsonschema_extras:"order=1"`
	LongTermSearch       bool   `json:"long_term_search" jsonschema:"title=Long-term Search,description=Backfill chats and messages and sessions older than Botmaker's recent window (about 7 days for chats and sessions and 3 days for messages). The connector sends long-term-search=true only for periods older than that window. Botmaker bills long-term searches as BI data-source consumption: enable it only to backfill history from the Start Date. While it is off the skipped periods are kept in the state as pending_backfill and are read by the first sync that has it on.,default=false" jsonschema_extras:"order=2"`
	LookbackWindowHours  int    `json:"lookback_window_hours,omitempty" jsonschema:"title=Lookback Window (hours),description=The deep re-read: once every Deep Lookback Every (hours) per stream an incremental sync re-reads this many hours before the saved cursor (plus the time since the previous deep re-read) to pick up records Botmaker indexed late. A record indexed up to this many hours late is still delivered. Re-read records are duplicates by primary key that a deduplicating destination mode removes; Botmaker bills the re-read bytes of messages and sessions.,default=24,minimum=1,maximum=720" jsonschema_extras:"order=3"`
	IncludeMessages      bool   `json:"include_messages" jsonschema:"title=Include Session Messages,description=Ask Botmaker to embed each session's messages in the sessions stream. Botmaker bills it as extra BI data-source consumption.,default=false" jsonschema_extras:"order=4"`
	IncludeEvents        bool   `json:"include_events" jsonschema:"title=Include Session Events,description=Ask Botmaker to embed each session's events in the sessions stream. Botmaker bills it as extra BI data-source consumption.,default=false" jsonschema_extras:"order=5"`
	IncludeAIAnalysis    bool   `json:"include_ai_analysis" jsonschema:"title=Include Session AI Analysis,description=Ask Botmaker to embed each session's AI analysis in the sessions stream. Botmaker bills it as extra BI data-source consumption.,default=false" jsonschema_extras:"order=6"`
	MaxConcurrentStreams int    `json:"max_concurrent_streams,omitempty" jsonschema:"title=Max Concurrent Streams,description=How many streams are read at the same time. Each Botmaker endpoint has its own rate limit so streams read in parallel finish sooner.,default=9,minimum=1,maximum=16" jsonschema_extras:"order=7"`
	BaseURL              string `json:"base_url,omitempty" jsonschema:"title=API Base URL,description=Botmaker API base URL. Change it only to point the connector at a proxy or a test server. It must use https unless the host is loopback (localhost or 127.0.0.1 or ::1).,default=https://api.botmaker.com/v2.0,format=uri" jsonschema_extras:"order=8"`
	ClientID             string `json:"client_id,omitempty" jsonschema:"title=Client ID,description=Optional; set it together with Secret ID and Refresh Token to let the connector renew the access token before it expires. Botmaker shows it under Configuration > Integrations > API (Credentials tab). A renewal replaces the access token and the refresh token everywhere: any other integration that uses the same credentials stops working until it is given the new ones." jsonschema_extras:"order=9"`
	SecretID             string `json:"secret_id,omitempty" jsonschema:"title=Secret ID,description=Optional; the secret ID shown next to the access token in Botmaker under Configuration > Integrations > API (Credentials tab). Needed with Client ID and Refresh Token." jsonschema_extras:"airbyte_secret=true,order=10"`
	RefreshToken         string `json:"refresh_token,omitempty" jsonschema:"title=Refresh Token,description=Optional; the refresh token shown in Botmaker under Configuration > Integrations > API (Credentials tab). Needed with Client ID and Secret ID. Each renewal consumes it and the connector hands the new one to Airbyte at once." jsonschema_extras:"airbyte_secret=true,order=11"`
	ShortLookbackHours   int    `json:"short_lookback_hours,omitempty" jsonschema:"title=Short Lookback (hours),description=Every incremental sync re-reads this many hours before the saved cursor. It catches records Botmaker indexes a little late at little cost: on an hourly schedule each sync re-reads about this much data instead of the whole Lookback Window. 0 re-reads nothing between deep re-reads.,default=1,minimum=0,maximum=720" jsonschema_extras:"order=12"`
	DeepLookbackEvery    int    `json:"deep_lookback_every_hours,omitempty" jsonschema:"title=Deep Lookback Every (hours),description=How often per stream an incremental sync re-reads the whole Lookback Window. Shorter is safer (a record indexed late arrives sooner) and costs more: Botmaker bills every re-read byte of messages and sessions. Longer saves money but delays late records by up to this long. Each stream's state records when its last deep re-read ran; a first sync or an older state counts as due.,default=24,minimum=1,maximum=720" jsonschema_extras:"order=13"`
	BillingRefreshHours  int    `json:"billing_refresh_hours,omitempty" jsonschema:"title=Billing Refresh (hours),description=How often whatsapp_billed_conversations re-reads its open billing months (the current month and the previous one while Meta may still bill into it). Botmaker bills every byte of those months each time they are read: shorter gives fresher cost data and bills more bytes; longer bills fewer bytes but new billed conversations arrive up to this many hours later. In between a sync reads nothing for the stream and keeps its state. 0 re-reads them on every sync.,default=24,minimum=0,maximum=720" jsonschema_extras:"order=14"`
}

// Defaults for options the user left out. Each is the default= of the
// option's jsonschema tag, which spec prints: the one place it is written.
var (
	DefaultBaseURL              = defaults.BaseURL
	DefaultLookbackWindowHours  = defaults.LookbackWindowHours
	DefaultShortLookbackHours   = defaults.ShortLookbackHours
	DefaultDeepLookbackEvery    = defaults.DeepLookbackEvery
	DefaultMaxConcurrentStreams = defaults.MaxConcurrentStreams
)

// defaults is the Config of a config file that sets nothing.
var defaults = func() Config {
	var c Config
	for key, dst := range c.options() {
		d, ok := schemaSetting(key, "default")
		if !ok {
			continue
		}
		if s, isString := dst.(*string); isString {
			*s = d
		} else if err := json.Unmarshal([]byte(d), dst); err != nil {
			panic(fmt.Sprintf("Config: %s's default=%s does not fit its type: %v", key, d, err))
		}
	}
	return c
}()

// options maps every config key (a json tag of Config) to its field in c.
// It is the list of keys ParseConfig accepts.
func (c *Config) options() map[string]any {
	v := reflect.ValueOf(c).Elem()
	m := make(map[string]any, v.NumField())
	for i := 0; i < v.NumField(); i++ {
		key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		m[key] = v.Field(i).Addr().Interface()
	}
	return m
}

// schemaSetting is one setting (default, pattern) of the jsonschema tag of
// the Config field whose key is key. The jsonschema package splits a tag at
// every comma, so no value holds one.
func schemaSetting(key, setting string) (string, bool) {
	t := reflect.TypeFor[Config]()
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); k != key {
			continue
		}
		for _, kv := range strings.Split(t.Field(i).Tag.Get("jsonschema"), ",") {
			if v, ok := strings.CutPrefix(kv, setting+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}

// ConfigError is a config the connector cannot run with. Its message names
// the field and the fix.
type ConfigError struct{ Field, Problem string }

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return "Invalid config: " + e.Problem
	}
	return fmt.Sprintf("Invalid config: %s %s", e.Field, e.Problem)
}

// minStartDate is the earliest start_date accepted. Botmaker launched after
// it, so an earlier date can only be a typo, and each month of a windowed
// stream is a request (several billed ones with long-term search).
var minStartDate = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)

// isHeaderBreaking is a character a token cannot contain: net/http refuses
// a header value with a control character (the error then looked like a
// network failure), and whitespace is always a copy-and-paste slip.
func isHeaderBreaking(r rune) bool {
	return r < 0x20 || r == 0x7f || r == ' '
}

func describeRune(r rune) string {
	switch r {
	case '\n':
		return "a line break (\\n)"
	case '\r':
		return "a carriage return (\\r)"
	case 0:
		return "a NUL character"
	case ' ':
		return "a space"
	}
	return fmt.Sprintf("the control character %U", r)
}

// startDatePattern is the pattern spec gives start_date: every RFC 3339
// form of a UTC date-time (fractional seconds, Z or an offset of 00:00,
// T and Z in either case).
var startDatePattern = regexp.MustCompile(func() string {
	p, ok := schemaSetting("start_date", "pattern")
	if !ok {
		panic("Config: start_date's jsonschema tag has no pattern")
	}
	return p
}())

// parseStartDate reads a start_date that matches startDatePattern (Go
// reads T and Z in upper case only).
func parseStartDate(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.ToUpper(s))
}

// ParseConfig reads and validates a config file's bytes. Unknown keys are
// returned as warnings, not errors: a config written for a newer version of
// the connector still runs.
func ParseConfig(raw []byte, now time.Time) (*Config, []string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil, &ConfigError{"", "the config file is empty; it must be a JSON object with at least access_token and start_date"}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, nil, &ConfigError{"", fmt.Sprintf("the config file is not a JSON object (%v); it must look like {\"access_token\": \"...\", \"start_date\": \"2025-01-01T00:00:00Z\"}", jsonErr(err))}
	}
	c := new(Config)
	*c = defaults
	known := c.options()
	var warnings []string
	typos := map[string]string{} // known key -> the unknown key that misspells it
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fields[k]
		dst, ok := known[k]
		if !ok {
			if !strings.HasPrefix(k, "_") {
				near := closestKey(k, slices.Collect(maps.Keys(known)))
				if near != "" {
					typos[near] = k
				}
				warnings = append(warnings, unknownKeyWarning(k, near))
			}
			continue
		}
		if string(v) == "null" {
			continue // same as absent
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return nil, nil, &ConfigError{k, fmt.Sprintf("must be %s, got %s", kindOf(dst), clipRaw(v, k))}
		}
	}
	if strings.TrimSpace(c.AccessToken) == "" {
		return nil, nil, &ConfigError{"access_token", misspelled("is missing or empty; copy the token from Botmaker under Configuration > Integrations > API > Credentials", "access_token", typos)}
	}
	if strings.HasPrefix(strings.ToLower(c.AccessToken), "bearer ") {
		return nil, nil, &ConfigError{"access_token", "starts with \"Bearer \"; paste the token alone, Botmaker expects it without a prefix"}
	}
	if i := strings.IndexFunc(c.AccessToken, isHeaderBreaking); i >= 0 {
		return nil, nil, &ConfigError{"access_token", fmt.Sprintf("contains %s at character %d; tokens have none. Paste the token again without the line break or surrounding whitespace", describeRune(rune(c.AccessToken[i])), i+1)}
	}
	if c.StartDate == "" {
		return nil, nil, &ConfigError{"start_date", misspelled("is missing; set the earliest date to sync as an RFC 3339 UTC date-time such as 2025-01-01T00:00:00Z", "start_date", typos)}
	}
	if !startDatePattern.MatchString(c.StartDate) {
		return nil, nil, &ConfigError{"start_date", fmt.Sprintf("is %q; it must be an RFC 3339 date-time in UTC (ending in Z or +00:00) such as 2025-01-01T00:00:00Z", c.StartDate)}
	}
	start, err := parseStartDate(c.StartDate)
	if err != nil {
		return nil, nil, &ConfigError{"start_date", fmt.Sprintf("is %q, which is not a real date-time; use one such as 2025-01-01T00:00:00Z", c.StartDate)}
	}
	if start.After(now) {
		return nil, nil, &ConfigError{"start_date", fmt.Sprintf("is %s, which is in the future; set it to a past date-time", c.StartDate)}
	}
	if start.Before(minStartDate) {
		return nil, nil, &ConfigError{"start_date", fmt.Sprintf("is %s, before %s; Botmaker holds no data that old, and a typo in the year (0025 for 2025) would send tens of thousands of billed requests. Set the year the Botmaker account started or later", c.StartDate, minStartDate.Format("2006-01-02"))}
	}
	if err := c.checkRanges(); err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, nil, &ConfigError{"base_url", fmt.Sprintf("is %q; it must be an http(s) URL such as %s", c.BaseURL, DefaultBaseURL)}
	}
	if cleartext(u) {
		return nil, nil, &ConfigError{"base_url", fmt.Sprintf("is %q: plain http would send the access token in cleartext to %s; use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1)", c.BaseURL, u.Hostname())}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if err := c.checkRefreshCredentials(); err != nil {
		return nil, nil, err
	}
	return c, warnings, nil
}

// StreamOptions is the part of the config the streams need.
func (c *Config) StreamOptions() streams.Options {
	start, _ := parseStartDate(c.StartDate)
	return streams.Options{
		// Whole seconds, as every other time the streams send: a second
		// earlier at most, which loses nothing.
		StartDate:         start.UTC().Truncate(time.Second),
		LongTermSearch:    c.LongTermSearch,
		Lookback:          time.Duration(c.LookbackWindowHours) * time.Hour,
		ShortLookback:     time.Duration(c.ShortLookbackHours) * time.Hour,
		DeepEvery:         time.Duration(c.DeepLookbackEvery) * time.Hour,
		BillingRefresh:    time.Duration(c.BillingRefreshHours) * time.Hour,
		IncludeMessages:   c.IncludeMessages,
		IncludeEvents:     c.IncludeEvents,
		IncludeAIAnalysis: c.IncludeAIAnalysis,
	}
}

func kindOf(dst any) string {
	switch dst.(type) {
	case *string:
		return "a string"
	case *bool:
		return "true or false"
	case *int:
		return "a whole number"
	}
	return "a different type"
}

// clipRaw shows a bad value, unless it may be a secret.
func clipRaw(v json.RawMessage, field string) string {
	if secretFields[field] {
		return "a " + jsonKind(v)
	}
	if len(v) > 60 {
		return string(v[:60]) + "..."
	}
	return string(v)
}

func jsonKind(v json.RawMessage) string {
	switch {
	case len(v) == 0:
		return "nothing"
	case v[0] == '"':
		return "string"
	case v[0] == '{':
		return "object"
	case v[0] == '[':
		return "array"
	case v[0] == 't' || v[0] == 'f':
		return "boolean"
	default:
		return "number"
	}
}

// jsonErr makes encoding/json's errors readable without echoing content.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return err.Error()
}
