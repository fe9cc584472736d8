package streams

// Ticket is one row of the tickets stream.
type Ticket struct {
	ID                      string     `json:"id" jsonschema:"description=Ticket id."`
	BusinessID              *string    `json:"businessId" jsonschema:"description=Business id."`
	TicketCode              *string    `json:"ticketCode" jsonschema:"description=Human-readable ticket code."`
	State                   *string    `json:"state" jsonschema:"description=Ticket state."`
	LastStateModification   *string    `json:"lastStateModification" jsonschema:"description=When the state last changed."`
	CreationTime            *Timestamp `json:"creationTime" jsonschema:"description=When the ticket was created."`
	LastModificationBy      *JSONText  `json:"lastModificationBy" jsonschema:"description=JSON-encoded last modifier."`
	Subject                 *string    `json:"subject" jsonschema:"description=Ticket subject."`
	Content                 *string    `json:"content" jsonschema:"description=Ticket content."`
	ContentFormat           *string    `json:"contentFormat" jsonschema:"description=Format of the content."`
	SearchableContent       *string    `json:"searchableContent" jsonschema:"description=Searchable content."`
	CompanyID               *int64     `json:"companyId" jsonschema:"description=Company id."`
	AuthorID                *int64     `json:"authorId" jsonschema:"description=Author id."`
	AssignedTo              *JSONText  `json:"assignedTo" jsonschema:"description=JSON-encoded assignee."`
	FollowBy                []int64    `json:"followBy" jsonschema:"description=User ids following the ticket."`
	WaitingQueueIDs         []string   `json:"waitingQueueIds" jsonschema:"description=Queues waiting on the ticket."`
	WaitingAssignationSince *string    `json:"waitingAssignationSince" jsonschema:"description=Since when the ticket is awaiting assignment."`
	AssignedQueueID         *string    `json:"assignedQueueId" jsonschema:"description=Queue the ticket is assigned to."`
	FirstAnswer             *string    `json:"firstAnswer" jsonschema:"description=First answer timestamp."`
	ResolveDate             *string    `json:"resolveDate" jsonschema:"description=Resolution date."`
	FinishedSlasMetrics     *JSONText  `json:"finishedSlasMetrics" jsonschema:"description=JSON-encoded SLA metrics."`
	Attachments             []Object   `json:"attachments" jsonschema:"description=Ticket attachments."`
	ChatIDs                 *JSONText  `json:"chatIds" jsonschema:"description=JSON-encoded related chat ids."`
	FieldValues             []Object   `json:"fieldValues" jsonschema:"description=Custom field values."`
}

var _ = register(Declare[Ticket](Def{
	Name:       "tickets",
	Path:       "/tickets",
	PrimaryKey: []string{"id"},
	Cursor:     "creationTime",
	// Tickets have no from/to: only daysBeforeNow, offset and limit (at most
	// 500), newest first, with the total count.
	Pagination:    OffsetTotal,
	ItemsKey:      "tickets",
	Limit:         500,
	Window:        DaysBeforeNow,
	RatePerSecond: 1, // Botmaker allows 60 per minute
}))
