package streams

// Channel is one row of the channels stream.
type Channel struct {
	ID        string  `json:"id" jsonschema:"description=Channel id."`
	Platform  *string `json:"platform" jsonschema:"description=Channel platform (for example whatsapp or instagram_chat)."`
	Active    *bool   `json:"active" jsonschema:"description=Whether the channel is active."`
	Name      *string `json:"name" jsonschema:"description=Channel name."`
	WebhookID *string `json:"webhookId" jsonschema:"description=Associated webhook id."`
	// Platform-specific fields (Botmaker's channel variants); null on the
	// platforms that do not have them.
	Number       *string `json:"number" jsonschema:"description=WhatsApp line number."`
	Status       *string `json:"status" jsonschema:"description=WhatsApp line status."`
	Quality      *string `json:"quality" jsonschema:"description=WhatsApp line quality."`
	WabaID       *string `json:"wabaId" jsonschema:"description=WhatsApp Business Account id of the line."`
	Trial        *bool   `json:"trial" jsonschema:"description=Whether the WhatsApp line is a trial."`
	RecipientID  *string `json:"recipientId" jsonschema:"description=Messenger or Instagram recipient id."`
	DaysToExpire *int64  `json:"daysToExpire" jsonschema:"description=Messenger days to expire."`
	PageID       *string `json:"pageId" jsonschema:"description=Instagram page id."`
}

var _ = register(Declare[Channel](Def{
	Name:          "channels",
	Path:          "/channels",
	PrimaryKey:    []string{"id"},
	Pagination:    SinglePage,
	RatePerSecond: 1,
	// A Telegram channel carries its bot token; it is a credential, not data.
	Drop: []string{"token"},
}))
