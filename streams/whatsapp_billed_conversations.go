package streams

// WhatsAppBilledConversation is one row of the whatsapp_billed_conversations
// stream: a WhatsApp conversation Meta billed (Botmaker's
// WhatsAppDetailedConversationResponse).
type WhatsAppBilledConversation struct {
	WhatsappConversationID string `json:"whatsappConversationId" jsonschema:"description=The conversation id in WhatsApp."`
	// The SPEC types it a plain string; as the cursor it is read as a
	// date-time, and written as Botmaker sent it.
	StartDatetime   *Timestamp `json:"startDatetime" jsonschema:"description=When the billed conversation started."`
	WabaID          *string    `json:"wabaId" jsonschema:"description=WhatsApp Business Account id."`
	BusinessID      *string    `json:"businessId" jsonschema:"description=The bot's business name."`
	PhoneNumber     *string    `json:"phoneNumber" jsonschema:"description=The bot's phone number."`
	Country         *string    `json:"country" jsonschema:"description=Two-letter ISO country code."`
	UserPhoneNumber *string    `json:"userPhoneNumber" jsonschema:"description=The customer's WhatsApp number."`
	CustomerID      *string    `json:"customerId" jsonschema:"description=Botmaker customer id (chat id)."`
	LinkToChat      *string    `json:"linkToChat" jsonschema:"description=Link to the chat in Botmaker."`
	Origin          *string    `json:"origin" jsonschema:"description=How the conversation started (user-initiated or business-initiated or referral-initiated)."`
	TemplateName    *string    `json:"templateName" jsonschema:"description=The WhatsApp template sent."`
}

var _ = register(Declare[WhatsAppBilledConversation](Def{
	Name:       "whatsapp_billed_conversations",
	Path:       "/billing/whatsapp/billed-conversations",
	PrimaryKey: []string{"whatsappConversationId"},
	Cursor:     "startDatetime",
	// Read month by month with billingPeriod=YYYY-MM (months.go): the
	// current and the previous month on every sync, a month before them
	// once it has been walked completely.
	Pagination:    NextURL,
	Window:        BillingPeriod,
	RatePerSecond: 1,
	Billing:       Billed,
	OptIn:         true,
	PlanGated:     true,
}))
