package streams

// TicketFieldDefinition is one row of the ticket_field_definitions stream
// (Botmaker's FieldDefinitionResponse).
type TicketFieldDefinition struct {
	ID           string              `json:"id" jsonschema:"description=Field definition id."`
	Active       *bool               `json:"active" jsonschema:"description=Whether the field is active."`
	Name         *string             `json:"name" jsonschema:"description=Field name."`
	Type         *string             `json:"type" jsonschema:"description=Field type."`
	ValidOptions []map[string]string `json:"validOptions" jsonschema:"description=The values the field takes: objects of string values."`
}

var _ = register(Declare[TicketFieldDefinition](Def{
	Name:       "ticket_field_definitions",
	Path:       "/tickets/field-definitions",
	PrimaryKey: []string{"id"},
	// The SPEC declares one object, real responses are a list: Bare reads
	// either (see Bare).
	Envelope:      Bare,
	Pagination:    SinglePage,
	RatePerSecond: 1, // Botmaker allows 60 per minute
}))
