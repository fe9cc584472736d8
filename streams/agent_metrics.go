package streams

import (
	"net/url"
	"time"
)

// AgentMetric is one row of the agent_metrics stream: one agent's metrics
// in one session (Botmaker's DashboardMetricsResponse). A transferred
// session has a row per agent, so the key is the pair. The metrics are
// strings on the wire and stay strings (a number is written as its text).
//
// A session no agent took has a row too, with agentId null or missing
// (reported by Botmaker's users; the SPEC shows only rows with an agent).
// agentId is nullable, and as a nullable primary-key part it is written as
// "" for such a row (plan.keyFill): the key stays (sessionId, agentId), so
// keys of rows with an agent are unchanged, and the agentless row of a
// session has the complete key (sessionId, "") that a deduplicating
// destination matches on the next sync. A null key part would never match
// (NULL = NULL is not true in SQL), so the row would pile up once per sync.
// "" is no agent id Botmaker issues, and it joins to no agent, as null
// would.
type AgentMetric struct {
	SessionID                         string     `json:"sessionId" jsonschema:"description=Session id."`
	AgentID                           *string    `json:"agentId" jsonschema:"description=Agent id. The empty string for a session no agent took (Botmaker sends null or nothing there): the primary key is never null."`
	ChatID                            *string    `json:"chatId" jsonschema:"description=Chat id."`
	SessionCreationTime               *Timestamp `json:"sessionCreationTime" jsonschema:"description=When the session started."`
	AvgAttendingTime                  *string    `json:"avgAttendingTime" jsonschema:"description=Average attending time."`
	AvgResponseTime                   *string    `json:"avgResponseTime" jsonschema:"description=Average response time."`
	Queue                             *string    `json:"queue" jsonschema:"description=Queue."`
	AgentName                         *string    `json:"agentName" jsonschema:"description=Agent name."`
	Typification                      *string    `json:"typification" jsonschema:"description=Typification."`
	ClosedTime                        *Timestamp `json:"closedTime" jsonschema:"description=When the session closed."`
	OpenSessions                      *string    `json:"openSessions" jsonschema:"description=Open sessions."`
	ClosedSessions                    *string    `json:"closedSessions" jsonschema:"description=Closed sessions."`
	OnHold                            *string    `json:"onHold" jsonschema:"description=On hold."`
	OpResponseTime                    *string    `json:"opResponseTime" jsonschema:"description=Operator response time."`
	OperatorResponses                 *string    `json:"operatorResponses" jsonschema:"description=Operator responses."`
	SessionTransferIn                 *string    `json:"sessionTransferIn" jsonschema:"description=Transfers in."`
	SessionTransferOut                *string    `json:"sessionTransferOut" jsonschema:"description=Transfers out."`
	SessionTransferOutNoMessages      *string    `json:"sessionTransferOutNoMessages" jsonschema:"description=Transfers out without messages."`
	ClosedWithNoMessages              *string    `json:"closedWithNoMessages" jsonschema:"description=Closed without messages."`
	TimeoutNoMessages                 *string    `json:"timeoutNoMessages" jsonschema:"description=Timeouts without messages."`
	AgentTimeout                      *string    `json:"agentTimeout" jsonschema:"description=Agent timeouts."`
	UserTimeout                       *string    `json:"userTimeout" jsonschema:"description=User timeouts."`
	FromQueueAsignToOpAssigned        *string    `json:"fromQueueAsignToOpAssigned" jsonschema:"description=From queue assignment to operator assigned."`
	FromSessionStartToOpFirstResponse *string    `json:"fromSessionStartToOpFirstResponse" jsonschema:"description=From session start to the operator's first response."`
	FromQueueAsignToOpFirstResponse   *string    `json:"fromQueueAsignToOpFirstResponse" jsonschema:"description=From queue assignment to the operator's first response."`
	FromOpAssignedToOpFirstResponse   *string    `json:"fromOpAssignedToOpFirstResponse" jsonschema:"description=From operator assigned to the operator's first response."`
	FromQueueAsignToSessionClosed     *string    `json:"fromQueueAsignToSessionClosed" jsonschema:"description=From queue assignment to session closed."`
	FromOpAssignationToSessionClosed  *string    `json:"fromOpAssignationToSessionClosed" jsonschema:"description=From operator assignment to session closed."`
	SessionTimeout                    *string    `json:"sessionTimeout" jsonschema:"description=Session timeouts."`
	ConversationLink                  *string    `json:"conversationLink" jsonschema:"description=Link to the conversation in Botmaker."`
}

var _ = register(Declare[AgentMetric](Def{
	Name:       "agent_metrics",
	Path:       "/dashboards/agent-metrics",
	PrimaryKey: []string{"sessionId", "agentId"},
	Cursor:     "sessionCreationTime",
	// Assumption, not in the SPEC: from/to filter on the session's
	// creation time, the order the SPEC sorts by. If they did not,
	// windowCheckpoint's order and window checks keep every STATE honest
	// (a row outside its window never moves a bookmark) and the deep
	// lookback catches what a window missed.
	CursorIsFilter: true,
	Pagination:     NextURL,
	Window:         FromTo,
	// session-status is required. Rows of closed sessions are final; rows
	// of open ones still change, so they are read as sessions are: the
	// listing asks for closed rows, the probe for open ones, and the state
	// tracks each open session (tracker.go), so its rows arrive in their
	// final version once it closes.
	Params: func(Options) url.Values { return url.Values{"session-status": {"closed"}} },
	Unsettled: &Unsettled{
		Probe:   url.Values{"session-status": {"open"}},
		Horizon: 7 * 24 * time.Hour,
		IDKey:   "sessionId",
	},
	RatePerSecond: 1,
	Billing:       Billed,
	OptIn:         true,
	PlanGated:     true,
}))
