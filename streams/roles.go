package streams

// Role is one row of the roles stream (Botmaker's RoleRequestResponse).
type Role struct {
	ID          string   `json:"id" jsonschema:"description=Role id."`
	Name        *string  `json:"name" jsonschema:"description=Role name."`
	Description *string  `json:"description" jsonschema:"description=Role description."`
	Queues      []string `json:"queues" jsonschema:"description=Default queues of agents with this role."`
	Priority    *string  `json:"priority" jsonschema:"description=Default priority of agents with this role: never, low, normal or high."`
	Slots       *int64   `json:"slots" jsonschema:"description=Default chat slots of agents with this role (0 to 30)."`
	// RolePermissions is about 50 sections of booleans and objects of
	// booleans that Botmaker adds to as it adds sections: one object column,
	// passed through, rather than a schema that would lag behind it.
	Permissions *Object `json:"permissions" jsonschema:"description=What agents with this role may see and do, by section (Botmaker's RolePermissions)."`
}

var _ = register(Declare[Role](Def{
	Name:          "roles",
	Path:          "/roles",
	PrimaryKey:    []string{"id"},
	Pagination:    NextURL,
	RatePerSecond: 1,
}))
