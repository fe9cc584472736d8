package streams

// Campaign is one row of the campaigns stream (Botmaker's CampaignResponse).
type Campaign struct {
	ID     string  `json:"id" jsonschema:"description=Campaign id."`
	Name   *string `json:"name" jsonschema:"description=Campaign name."`
	Goal   *string `json:"goal" jsonschema:"description=Campaign goal."`
	Active *bool   `json:"active" jsonschema:"description=Whether the campaign is active."`
}

var _ = register(Declare[Campaign](Def{
	Name:       "campaigns",
	Path:       "/notifications/campaigns",
	PrimaryKey: []string{"id"},
	// The SPEC's prose says "keep calling the nextPageURL" but its
	// CampaignPage schema names the member nextPage, as on every other
	// page; the schema is the wire format.
	Pagination:    NextURL,
	RatePerSecond: 5,
}))
