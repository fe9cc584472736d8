package streams

// Intent is one row of the intents stream.
type Intent struct {
	ID       string     `json:"id" jsonschema:"description=Intent id."`
	Name     *string    `json:"name" jsonschema:"description=Intent name."`
	Bot      *IntentBot `json:"bot" jsonschema:"description=Bot the intent belongs to (id and name)."`
	Topics   []string   `json:"topics" jsonschema:"description=Topics associated with the intent."`
	Triggers []string   `json:"triggers" jsonschema:"description=Triggers that activate the intent."`
	Active   *bool      `json:"active" jsonschema:"description=Whether the intent is active."`
}

// IntentBot is Botmaker's BotResponse.
type IntentBot struct {
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

var _ = register(Declare[Intent](Def{
	Name:          "intents",
	Path:          "/intents",
	PrimaryKey:    []string{"id"},
	Pagination:    NextURL,
	RatePerSecond: 1,
}))
