package streams

import "time"

// Message is one row of the messages stream.
type Message struct {
	ID                  string            `json:"id" jsonschema:"description=Message id."`
	CreationTime        *Timestamp        `json:"creationTime" jsonschema:"description=When the message was created."`
	From                *string           `json:"from" jsonschema:"description=Sender of the message (bot or user or agent)."`
	AgentID             *string           `json:"agentId" jsonschema:"description=Agent who sent the message if any."`
	QueueID             *string           `json:"queueId" jsonschema:"description=Queue associated with the message."`
	Content             *MessageContent   `json:"content" jsonschema:"description=Message content (type and text and buttons and media and location and call and template)."`
	EncryptionParams    *EncryptionParams `json:"encryptionParams" jsonschema:"description=Encryption metadata when applicable."`
	SessionCreationTime *Timestamp        `json:"sessionCreationTime" jsonschema:"description=Start time of the session the message belongs to."`
	SessionID           *string           `json:"sessionId" jsonschema:"description=Session id."`
	ChatID              *string           `json:"chat_id" wire:"chat.chatId" jsonschema:"description=Botmaker chat id."`
	ChannelID           *string           `json:"channel_id" wire:"chat.channelId" jsonschema:"description=Channel id of the chat."`
	ContactID           *string           `json:"contact_id" wire:"chat.contactId" jsonschema:"description=Contact id of the chat."`
}

// MessageContent is Botmaker's Content object.
type MessageContent struct {
	Type                 *string  `json:"type"`
	Text                 *string  `json:"text"`
	Buttons              []string `json:"buttons"`
	SelectedButton       *string  `json:"selectedButton"`
	CarouselItems        []string `json:"carouselItems"`
	Media                *Object  `json:"media"`
	Location             *Object  `json:"location"`
	Call                 *Object  `json:"call"`
	WhatsAppTemplateName *string  `json:"whatsAppTemplateName"`
	OriginalText         *string  `json:"originalText"`
	OriginalAudioURL     *string  `json:"originalAudioUrl"`
}

// EncryptionParams is Botmaker's EncryptionParams object.
type EncryptionParams struct {
	Version      *string `json:"version"`
	ConfigID     *string `json:"configId"`
	Timestamp    *string `json:"timestamp"`
	EncryptedKey *string `json:"encryptedKey"`
}

var _ = register(Declare[Message](Def{
	Name:           "messages",
	Path:           "/messages",
	PrimaryKey:     []string{"id"},
	Cursor:         "creationTime",
	CursorIsFilter: true,
	Pagination:     NextURL,
	// Botmaker accepts limit 250..1500 and caps a response at 1000 items;
	// asking for the maximum never costs an extra request.
	Limit:          1500,
	Window:         FromTo,
	Recent:         3 * 24 * time.Hour,
	LongTermSearch: true,
	RatePerSecond:  5,
	Billing:        Billed,
}))
