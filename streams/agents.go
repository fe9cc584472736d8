package streams

// Agent is one row of the agents stream.
type Agent struct {
	ID             string     `json:"id" jsonschema:"description=Agent id."`
	Email          *string    `json:"email" jsonschema:"description=Agent's email."`
	Name           *string    `json:"name" jsonschema:"description=Agent's name."`
	Alias          *string    `json:"alias" jsonschema:"description=Display alias."`
	IsOnline       *bool      `json:"isOnline" jsonschema:"description=Whether the agent is online."`
	Status         *string    `json:"status" jsonschema:"description=Agent status."`
	Role           *string    `json:"role" jsonschema:"description=Agent role."`
	Queues         []string   `json:"queues" jsonschema:"description=Queues the agent belongs to."`
	Slots          *int64     `json:"slots" jsonschema:"description=Concurrent chat slots."`
	Priority       *string    `json:"priority" jsonschema:"description=Assignment priority."`
	Groups         []string   `json:"groups" jsonschema:"description=Groups the agent belongs to."`
	AdditionalInfo *JSONText  `json:"additionalInfo" jsonschema:"description=JSON-encoded additional info."`
	CreationTime   *Timestamp `json:"creationTime" jsonschema:"description=When the agent was created."`
	Tags           []string   `json:"tags" jsonschema:"description=Conversation tags the agent filters by."`
}

var _ = register(Declare[Agent](Def{
	Name:          "agents",
	Path:          "/agents",
	PrimaryKey:    []string{"id"},
	Pagination:    NextURL,
	RatePerSecond: 200,
}))
