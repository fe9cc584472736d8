package streams

import "time"

// Chat is one row of the chats stream: a chat's current state. The API
// nests the chat's ids in "chat"; the record flattens them.
type Chat struct {
	ChatID                      string     `json:"chat_id" wire:"chat.chatId" jsonschema:"description=Botmaker chat id."`
	ChannelID                   *string    `json:"channel_id" wire:"chat.channelId" jsonschema:"description=Channel id of the chat."`
	ContactID                   *string    `json:"contact_id" wire:"chat.contactId" jsonschema:"description=Contact id (for example the user's phone number on WhatsApp)."`
	CreationTime                *Timestamp `json:"creationTime" jsonschema:"description=When the chat was created."`
	LastSessionCreationTime     *string    `json:"lastSessionCreationTime" jsonschema:"description=Start time of the last session."`
	ExternalID                  *string    `json:"externalId" jsonschema:"description=External identifier for the chat user."`
	FirstName                   *string    `json:"firstName" jsonschema:"description=User's first name."`
	LastName                    *string    `json:"lastName" jsonschema:"description=User's last name."`
	Country                     *string    `json:"country" jsonschema:"description=User's country."`
	Email                       *string    `json:"email" jsonschema:"description=User's email."`
	WhatsAppWindowCloseDatetime *Timestamp `json:"whatsAppWindowCloseDatetime" jsonschema:"description=When the WhatsApp 24-hour window closes."`
	Variables                   *JSONText  `json:"variables" jsonschema:"description=JSON-encoded chat variables."`
	Tags                        []string   `json:"tags" jsonschema:"description=Tags applied to the chat."`
	QueueID                     *string    `json:"queueId" jsonschema:"description=Queue the chat is assigned to."`
	AgentID                     *string    `json:"agentId" jsonschema:"description=Agent currently assigned."`
	OnHoldAgentID               *string    `json:"onHoldAgentId" jsonschema:"description=Agent the chat is on hold for."`
	LastUserMessageDatetime     *Timestamp `json:"lastUserMessageDatetime" jsonschema:"description=Timestamp of the last user message."`
	ListMessagesURL             *string    `json:"listMessagesURL" jsonschema:"description=API URL to list this chat's messages."`
	IsBanned                    *bool      `json:"isBanned" jsonschema:"description=Whether the user is banned."`
	IsTester                    *bool      `json:"isTester" jsonschema:"description=Whether the user is a tester."`
	IsBotMuted                  *bool      `json:"isBotMuted" jsonschema:"description=Whether the bot is muted for this chat."`
}

var _ = register(Declare[Chat](Def{
	Name:       "chats",
	Path:       "/chats",
	PrimaryKey: []string{"chat_id"},
	// Botmaker filters chats by last activity, which the last user message
	// only approximates, so overlap records are kept rather than dropped.
	Cursor:     "lastUserMessageDatetime",
	Pagination: NextURL,
	Window:     FromTo,
	Recent:     7 * 24 * time.Hour,
	// The SPEC says seven days; one of Botmaker's users reports about
	// one. Without long-term search a read still asks for seven days (not
	// billed), but what is older than one day and was not read before
	// stays pending until long-term search reads it; with it, a window
	// older than one day that holds unread time is a long-term search.
	RecentSure:     24 * time.Hour,
	LongTermSearch: true,
	RatePerSecond:  3,
	Billing:        BilledLongTerm,
}))
