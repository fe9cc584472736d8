package streams

// Channel is one row of the channels stream.
type Channel struct {
	ID        string  `json:"id" jsonschema:"description=Channel id."`
	Platform  *string `json:"platform" jsonschema:"description=Channel platform (for example whatsapp or instagram_chat)."`
	Active    *bool   `json:"active" jsonschema:"description=Whether the channel is active."`
	Name      *string `json:"name" jsonschema:"description=Channel name."`
	WebhookID *string `json:"webhookId" jsonschema:"description=Associated webhook id."`
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
