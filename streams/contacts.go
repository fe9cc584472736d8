package streams

// Contact is one row of the contacts stream.
type Contact struct {
	ID             string         `json:"id" jsonschema:"description=Contact id."`
	FirstName      *string        `json:"firstName" jsonschema:"description=Contact's first name."`
	LastName       *string        `json:"lastName" jsonschema:"description=Contact's last name."`
	Birthday       *string        `json:"birthday" jsonschema:"description=Contact's birthday."`
	PictureURL     *string        `json:"pictureUrl" jsonschema:"description=Profile picture URL."`
	Language       *string        `json:"language" jsonschema:"description=Preferred language."`
	Country        *string        `json:"country" jsonschema:"description=Country."`
	CompanyID      *string        `json:"companyId" jsonschema:"description=Associated company id."`
	JobTitle       *string        `json:"jobTitle" jsonschema:"description=Job title."`
	PhoneNumbers   []ContactField `json:"phoneNumbers" jsonschema:"description=Phone numbers (value and label)."`
	Emails         []ContactField `json:"emails" jsonschema:"description=Email addresses (value and label)."`
	Addresses      []ContactField `json:"addresses" jsonschema:"description=Addresses (value and label)."`
	Websites       []ContactField `json:"websites" jsonschema:"description=Websites (value and label)."`
	InstagramIDs   []string       `json:"instagramIds" jsonschema:"description=Linked Instagram ids."`
	FacebookIDs    []string       `json:"facebookIds" jsonschema:"description=Linked Facebook ids."`
	TwitterIDs     []string       `json:"twitterIds" jsonschema:"description=Linked Twitter ids."`
	Notes          []string       `json:"notes" jsonschema:"description=Free-text notes."`
	Chats          []ContactChat  `json:"chats" jsonschema:"description=Chats linked to this contact."`
	WhatsappBsuids []string       `json:"whatsappBsuids" jsonschema:"description=Linked WhatsApp business user ids."`
}

// ContactField is Botmaker's {value, label} pair.
type ContactField struct {
	Value *string `json:"value"`
	Label *string `json:"label"`
}

// ContactChat is Botmaker's ChatEntry.
type ContactChat struct {
	ID                *string `json:"id"`
	PlatformContactID *string `json:"platformContactId"`
	ChatChannelID     *string `json:"chatChannelId"`
	Bsuid             *string `json:"bsuid"`
}

var _ = register(Declare[Contact](Def{
	Name:       "contacts",
	Path:       "/contacts",
	PrimaryKey: []string{"id"},
	// Botmaker's nextPage for contacts is an opaque token by the SPEC,
	// and has been reported as the whole next URL too: both are followed
	// (nextURL), a URL only within base_url's origin.
	Pagination:    NextToken,
	TokenParam:    "next-page-token",
	RatePerSecond: 3,
}))
