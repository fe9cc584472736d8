package streams

// WhatsAppTemplate is one row of the whatsapp_templates stream: Botmaker's
// WhatsAppTemplateResponse. A template is one name in one language, so the
// key is the pair.
type WhatsAppTemplate struct {
	Name              string   `json:"name" jsonschema:"description=Template name (snake_case)."`
	Locale            string   `json:"locale" jsonschema:"description=Template language."`
	State             *string  `json:"state" jsonschema:"description=Approval state (APPROVED or REJECTED or ACCOUNT_PENDING or BOTMAKER_PENDING; others pass through)."`
	Notes             []Object `json:"notes" jsonschema:"description=Problems found in WhatsApp's approval process."`
	PhoneLinesNumbers []string `json:"phoneLinesNumbers" jsonschema:"description=WhatsApp line numbers the template is on."`
	BotName           *string  `json:"botName" jsonschema:"description=Bot the template sets when triggered."`
	Category          *string  `json:"category" jsonschema:"description=WhatsApp template category."`
	OptInImage        *string  `json:"optInImage" jsonschema:"description=Example image of the opt-in request."`
	Header            *Object  `json:"header" jsonschema:"description=Header (format and text and exampleURL)."`
	Body              *Object  `json:"body" jsonschema:"description=Body (text)."`
	Footer            *Object  `json:"footer" jsonschema:"description=Footer (text)."`
	Buttons           []Object `json:"buttons" jsonschema:"description=Template buttons."`
	RequesterEmail    *string  `json:"requesterEmail" jsonschema:"description=Who created the template."`
	AllowedQueues     []string `json:"allowedQueues" jsonschema:"description=Queues allowed to use the template."`
}

var _ = register(Declare[WhatsAppTemplate](Def{
	Name:       "whatsapp_templates",
	Path:       "/whatsapp/templates",
	PrimaryKey: []string{"name", "locale"},
	// No state filter is sent: its enum (APPROVED, REJECTED) lacks states
	// the response holds (ACCOUNT_PENDING, BOTMAKER_PENDING), so any
	// filter would hide templates.
	Pagination:    SinglePage,
	RatePerSecond: 1,
	PlanGated:     true,
}))
