package streams

// Call is one row of the calls stream.
type Call struct {
	ID               string            `json:"id" jsonschema:"description=Call id."`
	ChatID           *string           `json:"chat_id" wire:"chat.chatId" jsonschema:"description=Botmaker chat id."`
	ChannelID        *string           `json:"channel_id" wire:"chat.channelId" jsonschema:"description=Channel id of the chat."`
	ContactID        *string           `json:"contact_id" wire:"chat.contactId" jsonschema:"description=Contact id of the chat."`
	AgentID          *string           `json:"agentId" jsonschema:"description=Agent involved in the call."`
	CreationDatetime *Timestamp        `json:"creationDatetime" jsonschema:"description=When the call record was created."`
	StartDatetime    *Timestamp        `json:"startDatetime" jsonschema:"description=When the call started."`
	EndDatetime      *Timestamp        `json:"endDatetime" jsonschema:"description=When the call ended."`
	Recording        *CallRecording    `json:"recording" jsonschema:"description=Call recording (id and url)."`
	Type             *string           `json:"type" jsonschema:"description=Call type (audio or video)."`
	Participants     []CallParticipant `json:"participants" jsonschema:"description=Call participants and their join and leave times."`
}

// CallRecording is Botmaker's Recording object.
type CallRecording struct {
	ID  *string `json:"id"`
	URL *string `json:"url"`
}

// CallParticipant is Botmaker's CallParticipantDTO.
type CallParticipant struct {
	ParticipantID   *string `json:"participantId"`
	InitiatedByType *string `json:"initiatedByType"`
	AssignedTs      *string `json:"assignedTs"`
	SupportTeamID   *string `json:"supportTeamId"`
	JoinedDatetime  *string `json:"joinedDatetime"`
	LeftDatetime    *string `json:"leftDatetime"`
}

var _ = register(Declare[Call](Def{
	Name:           "calls",
	Path:           "/calls",
	PrimaryKey:     []string{"id"},
	Cursor:         "creationDatetime",
	CursorIsFilter: true,
	Pagination:     NextURL,
	Window:         FromTo,
	// Botmaker's spec gives /calls no long-term-search parameter and no
	// recent-window limit.
	RatePerSecond: 5,
}))
