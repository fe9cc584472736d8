package streams

// WhatsAppAccount is one row of the whatsapp_accounts stream (Botmaker's
// WhatsAppAccountResponse).
type WhatsAppAccount struct {
	Number            string  `json:"number" jsonschema:"description=The phone line number."`
	Alias             *string `json:"alias" jsonschema:"description=Alias of the line."`
	TemplateNamespace *string `json:"templateNamespace" jsonschema:"description=Namespace needed to send template messages."`
	WabaID            *string `json:"wabaId" jsonschema:"description=WhatsApp Business Account id."`
}

var _ = register(Declare[WhatsAppAccount](Def{
	Name:          "whatsapp_accounts",
	Path:          "/whatsapp/accounts",
	PrimaryKey:    []string{"number"},
	Pagination:    SinglePage,
	RatePerSecond: 1,
	// The SPEC's WhatsAppAccountResponse holds no credential (templateNamespace
	// is a public name, not a secret). A WhatsApp line is reached through
	// Meta's Cloud API with an access token, so a token Botmaker added to
	// this item would be a credential, not data: the names it would go by
	// are dropped like the Telegram channel's token.
	Drop: []string{"token", "accessToken", "access_token", "systemUserToken"},
}))
