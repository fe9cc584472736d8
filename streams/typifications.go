package streams

// Typification is one row of the typifications stream (Botmaker's
// TypificationResponse).
type Typification struct {
	ID          string   `json:"id" jsonschema:"description=Typification id."`
	DisplayName *string  `json:"displayName" jsonschema:"description=Typification name."`
	Groups      []string `json:"groups" jsonschema:"description=Groups of the typification."`
	Queues      []string `json:"queues" jsonschema:"description=Queues of the typification."`
}

var _ = register(Declare[Typification](Def{
	Name:       "typifications",
	Path:       "/typifications",
	PrimaryKey: []string{"id"},
	// One response holds them all; agent-email and queue would filter it,
	// so neither is sent.
	Pagination:    SinglePage,
	ItemsKey:      "typifications",
	RatePerSecond: 1,
}))
