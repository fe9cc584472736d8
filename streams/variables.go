package streams

// Variable is one row of the variables stream (Botmaker's
// VariableResponse).
type Variable struct {
	ID                string  `json:"id" jsonschema:"description=Variable id."`
	Name              *string `json:"name" jsonschema:"description=Variable name."`
	Type              *string `json:"type" jsonschema:"description=Variable type."`
	Scope             *string `json:"scope" jsonschema:"description=Variable scope: user or session."`
	VisibleInUserInfo *bool   `json:"visibleInUserInfo" jsonschema:"description=Whether agents see the variable in the chats section."`
	Category          *string `json:"category" jsonschema:"description=Category agents see the variable under in the chats section."`
	Icon              *string `json:"icon" jsonschema:"description=Icon agents see the variable with in the chats section."`
	TagColor          *string `json:"tagColor" jsonschema:"description=Colour of the variable's label in the chats section."`
	// A string in the SPEC, though it reads as a position: passed through
	// as Botmaker sends it.
	OrderInUserInfo *string `json:"orderInUserInfo" jsonschema:"description=Place of the variable in the chats section's list."`
}

var _ = register(Declare[Variable](Def{
	Name:       "variables",
	Path:       "/variables",
	PrimaryKey: []string{"id"},
	// Every variable: onlyTags=true would leave all but the tags out, so it
	// is never sent.
	Pagination:    SinglePage,
	ItemsKey:      "variables",
	RatePerSecond: 1,
}))
