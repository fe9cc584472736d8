package streams

import (
	"net/url"
	"strconv"
	"time"
)

// Session is one row of the sessions stream. Unlike the other streams it
// keeps Botmaker's "chat" object whole.
type Session struct {
	ID            string     `json:"id" jsonschema:"description=Session id."`
	CreationTime  *Timestamp `json:"creationTime" jsonschema:"description=When the session started."`
	StartingCause *string    `json:"startingCause" jsonschema:"description=What triggered the session."`
	Chat          *Object    `json:"chat" jsonschema:"description=Chat the session belongs to."`
	Messages      []Object   `json:"messages" jsonschema:"description=Session messages (only when include_messages is on)."`
	Events        []Object   `json:"events" jsonschema:"description=Session events (only when include_events is on)."`
	AIAnalysis    *Object    `json:"aiAnalysis" jsonschema:"description=AI analysis of the session (only when include_ai_analysis is on)."`
}

var _ = register(Declare[Session](Def{
	Name:           "sessions",
	Path:           "/sessions",
	PrimaryKey:     []string{"id"},
	Cursor:         "creationTime",
	CursorIsFilter: true,
	Pagination:     NextURL,
	Window:         FromTo,
	Recent:         7 * 24 * time.Hour,
	LongTermSearch: true,
	// Botmaker lists a session only once it has finished, under the time it
	// started; the probe finds the open ones, which the state tracks until
	// their finished versions are written (tracker.go).
	// It asks for no billed include-* extras. Botmaker itself assumes
	// sessions finish within a day (its default "to" without
	// include-open-sessions is now minus one day); a first sync looks a week
	// back.
	Unsettled: &Unsettled{
		Probe: url.Values{
			"include-open-sessions": {"true"},
			"include-messages":      {"false"},
			"include-events":        {"false"},
			"include-ai-analysis":   {"false"},
		},
		Horizon: 7 * 24 * time.Hour,
		IDKey:   "id",
	},
	// The include-* extras are billed by Botmaker as BI data-source
	// consumption, so they are off unless asked for.
	Params: func(o Options) url.Values {
		return url.Values{
			"include-open-sessions": {"false"},
			"include-messages":      {strconv.FormatBool(o.IncludeMessages)},
			"include-events":        {strconv.FormatBool(o.IncludeEvents)},
			"include-ai-analysis":   {strconv.FormatBool(o.IncludeAIAnalysis)},
		}
	},
	RatePerSecond: 5,
	Billing:       Billed,
}))
