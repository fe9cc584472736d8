package streams

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/internal/golden"
)

func TestTransform(t *testing.T) {
	tests := []struct {
		stream     string
		wire       string
		want       string
		wantCursor string
	}{
		{"chats",
			`{"chat":{"chatId":"C1","channelId":"wa-1","contactId":"549"},"creationTime":"2025-01-01T00:00:00Z","variables":{"a":"1","b":"x\"y"},"tags":["t"],"lastUserMessageDatetime":"2025-02-01T10:00:00.5Z","isBanned":false,"newField":{"kept":true}}`,
			`{"chat_id":"C1","channel_id":"wa-1","contact_id":"549","creationTime":"2025-01-01T00:00:00Z","variables":"{\"a\":\"1\",\"b\":\"x\\\"y\"}","tags":["t"],"lastUserMessageDatetime":"2025-02-01T10:00:00.5Z","isBanned":false,"newField":{"kept":true}}`,
			"2025-02-01T10:00:00.5Z"},
		{"chats", `{"chat":null,"variables":null}`, `{"variables":null}`, ""},
		{"messages",
			`{"id":"M1","creationTime":1735689600,"from":"user","content":{"type":"text","text":"hola\nchau"},"chat":{"chatId":"C1","channelId":"wa-1","contactId":"549"},"sessionId":"C1_2025"}`,
			`{"id":"M1","creationTime":"2025-01-01T00:00:00Z","from":"user","content":{"type":"text","text":"hola\nchau"},"chat_id":"C1","channel_id":"wa-1","contact_id":"549","sessionId":"C1_2025"}`,
			"2025-01-01T00:00:00Z"},
		{"messages", `{"id":"M2","creationTime":1735689600123}`, `{"id":"M2","creationTime":"2025-01-01T00:00:00.123Z"}`, "2025-01-01T00:00:00.123Z"},
		{"sessions", `{"id":"S1","creationTime":"2025-01-01T00:00:00Z","chat":{"chat":{"chatId":"C1"},"firstName":"Ana"}}`,
			`{"id":"S1","creationTime":"2025-01-01T00:00:00Z","chat":{"chat":{"chatId":"C1"},"firstName":"Ana"}}`, "2025-01-01T00:00:00Z"},
		{"calls", `{"id":"K1","chat":{"chatId":"C1"},"creationDatetime":"2025-01-01T00:00:00Z","recording":{"id":"r","url":"u"}}`,
			`{"id":"K1","chat_id":"C1","creationDatetime":"2025-01-01T00:00:00Z","recording":{"id":"r","url":"u"}}`, "2025-01-01T00:00:00Z"},
		{"agents", `{"id":"A1","additionalInfo":{"team":{"x":[1,2]}},"slots":3}`, `{"id":"A1","additionalInfo":"{\"team\":{\"x\":[1,2]}}","slots":3}`, ""},
		{"channels", `{"id":"tg","platform":"telegram","token":"123:SECRET","name":"Bot"}`, `{"id":"tg","platform":"telegram","name":"Bot"}`, ""},
		// WhatsApp accounts carry no credential by the SPEC; any token-like
		// member one gained would be dropped, by its decoded name too.
		{"whatsapp_accounts", `{"number":"5491140000001","alias":"Ventas","templateNamespace":"abc_12","wabaId":"1906385232743451","token":"EAAG-SECRET","accessToken":"EAAG-SECRET","access_tok\u0065n":"x","systemUserToken":"y","quality":"GREEN"}`,
			`{"number":"5491140000001","alias":"Ventas","templateNamespace":"abc_12","wabaId":"1906385232743451","quality":"GREEN"}`, ""},
		// Strings stay strings (orderInUserInfo), objects pass through whole
		// (permissions, validOptions), unknown members are kept.
		{"variables", `{"id":"V1","name":"plan","orderInUserInfo":"3","visibleInUserInfo":true,"extra":[1]}`, `{"id":"V1","name":"plan","orderInUserInfo":"3","visibleInUserInfo":true,"extra":[1]}`, ""},
		{"roles", `{"id":"R1","slots":30,"priority":"high","permissions":{"home":true,"chats":{"view":true,"AssignToAgent":false},"newSection":{"x":true}}}`,
			`{"id":"R1","slots":30,"priority":"high","permissions":{"home":true,"chats":{"view":true,"AssignToAgent":false},"newSection":{"x":true}}}`, ""},
		{"ticket_field_definitions", `{"id":"F1","type":"select","validOptions":[{"value":"alta","label":"Alta"}]}`, `{"id":"F1","type":"select","validOptions":[{"value":"alta","label":"Alta"}]}`, ""},
		{"campaigns", `{"id":"C1","name":"Black Friday","goal":"sales","active":true}`, `{"id":"C1","name":"Black Friday","goal":"sales","active":true}`, ""},
		{"typifications", `{"id":"T1","displayName":"Reclamo","groups":[],"queues":["ventas"]}`, `{"id":"T1","displayName":"Reclamo","groups":[],"queues":["ventas"]}`, ""},
		{"tickets", `{"id":"T1","creationTime":"2025-03-01T00:00:00Z","assignedTo":{"id":7},"chatIds":{"a":"b"},"lastModificationBy":"already text","finishedSlasMetrics":{}}`,
			`{"id":"T1","creationTime":"2025-03-01T00:00:00Z","assignedTo":"{\"id\":7}","chatIds":"{\"a\":\"b\"}","lastModificationBy":"already text","finishedSlasMetrics":"{}"}`, "2025-03-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			s, ok := Lookup(tt.stream)
			if !ok {
				t.Fatalf("no stream %s", tt.stream)
			}
			got, cur, err := s.plan.transform(nil, []byte(tt.wire), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not JSON: %s", got)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			if cur != tt.wantCursor {
				t.Errorf("cursor = %q, want %q", cur, tt.wantCursor)
			}
		})
	}
}

// A value that cannot be converted to its declared type is written as null
// and listed, and the record is kept; only an item that is not an object is
// an error.
func TestTransformNullsBadValues(t *testing.T) {
	tests := []struct {
		stream, wire, want string
		nulled             []string
		cursor             string
	}{
		{"messages", `{"id":"x","creationTime":true}`, `{"id":"x","creationTime":null}`, []string{"creationTime"}, ""},
		{"messages", `{"id":"x","creationTime":1e400}`, `{"id":"x","creationTime":null}`, []string{"creationTime"}, ""},
		{"messages", `{"id":"x","creationTime":{"a":1}}`, `{"id":"x","creationTime":null}`, []string{"creationTime"}, ""},
		{"calls", `{"id":"S","creationDatetime":"2025-01-01T00:00:00Z","endDatetime":-1,"startDatetime":true}`,
			`{"id":"S","creationDatetime":"2025-01-01T00:00:00Z","endDatetime":null,"startDatetime":null}`, []string{"endDatetime", "startDatetime"}, "2025-01-01T00:00:00Z"},
		{"chats", `{"chat":"C1","lastUserMessageDatetime":"2025-01-01T00:00:00Z"}`,
			`{"chat_id":null,"channel_id":null,"contact_id":null,"lastUserMessageDatetime":"2025-01-01T00:00:00Z"}`, []string{"chat_id", "channel_id", "contact_id"}, "2025-01-01T00:00:00Z"},
		{"chats", `{"chat":{"chatId":7,"channelId":"wa"}}`, `{"chat_id":"7","channel_id":"wa"}`, nil, ""},
		{"chats", `{"chat":{"chatId":[7],"channelId":"wa"}}`, `{"chat_id":null,"channel_id":"wa"}`, []string{"chat_id"}, ""},
		{"chats", `{"isBanned":"no","tags":"t","firstName":3}`, `{"isBanned":null,"tags":null,"firstName":"3"}`, []string{"isBanned", "tags"}, ""},
		// A number where a string is declared is kept as its exact text
		// (reported for metric values); what is not a number is nulled.
		{"agent_metrics", `{"sessionId":"S","agentId":"A","avgResponseTime":12.50,"onHold":-1.5e3,"queue":0,"agentName":{"n":1},"typification":[1],"openSessions":true}`,
			`{"sessionId":"S","agentId":"A","avgResponseTime":"12.50","onHold":"-1.5e3","queue":"0","agentName":null,"typification":null,"openSessions":null}`, []string{"agentName", "typification", "openSessions"}, ""},
		// The flattened chat.chatId wins over a top-level chat_id, in any
		// order and however the key is escaped: never a duplicate key.
		{"chats", `{"chat_id":"TOP","chat":{"chatId":"C1"}}`, `{"chat_id":"C1"}`, nil, ""},
		{"chats", `{"chat":{"chatId":"C1"},"chat\u005fid":"TOP"}`, `{"chat_id":"C1"}`, nil, ""},
		// A nullable primary-key part (agent_metrics' agentId) is "" when
		// Botmaker sends null or nothing, so the key is never null.
		{"agent_metrics", `{"sessionId":"S","agentId":null,"queue":"q"}`, `{"sessionId":"S","agentId":"","queue":"q"}`, nil, ""},
		{"agent_metrics", `{"sessionId":"S","queue":"q"}`, `{"sessionId":"S","queue":"q","agentId":""}`, nil, ""},
		{"agent_metrics", `{"sessionId":"S","agentId":"A"}`, `{"sessionId":"S","agentId":"A"}`, nil, ""},
		{"agent_metrics", `{"sessionId":"S","agent\u0049d":7}`, `{"sessionId":"S","agent\u0049d":"7"}`, nil, ""},
		{"agent_metrics", `{"sessionId":"S","agentId":{"id":"A"}}`, `{"sessionId":"S","agentId":""}`, []string{"agentId"}, ""},
		// The Telegram token is dropped whatever the key's escapes.
		{"channels", `{"id":"tg","tok\u0065n":"123:SECRET","\u0074oken":"x","name":"Bot"}`, `{"id":"tg","name":"Bot"}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			s, _ := Lookup(tt.stream)
			var nulled []string
			got, cur, err := s.plan.transform(nil, []byte(tt.wire), &nulled)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.nulled, nulled); diff != "" {
				t.Errorf("nulled (-want +got):\n%s", diff)
			}
			if cur != tt.cursor {
				t.Errorf("cursor %q, want %q", cur, tt.cursor)
			}
		})
	}
	s, _ := Lookup("messages")
	for _, wire := range []string{`{"id":`, `[1]`, `null`, `"x"`} {
		if _, _, err := s.plan.transform(nil, []byte(wire), nil); err == nil {
			t.Errorf("%s: want an error", wire)
		}
	}
}

// Every stream declaration is checked at init; this pins what discover
// says of each, in testdata/catalog.json (`make golden` rewrites it).
func TestCatalogEntriesGolden(t *testing.T) {
	type entry struct {
		Name   string
		Modes  []string
		PK     [][]string
		Cursor []string
		Pages  string
		// DefinedCursor is source_defined_cursor, set for every resumable
		// stream (the protocol asks it of synthetic cursors too).
		DefinedCursor bool
		Resumable     bool
	}
	pages := map[Pagination]string{SinglePage: "SinglePage", NextURL: "NextURL", NextToken: "NextToken", OffsetTotal: "OffsetTotal"}
	var got []entry
	for _, s := range All() {
		c := s.Catalog()
		var modes []string
		for _, m := range c.SupportedSyncModes {
			modes = append(modes, string(m))
		}
		p, ok := pages[s.Pagination]
		if !ok {
			t.Fatalf("%s: pagination %d has no name here", s.Name, s.Pagination)
		}
		got = append(got, entry{c.Name, modes, c.SourceDefinedPrimaryKey, c.DefaultCursorField, p, c.SourceDefinedCursor, c.IsResumable})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, filepath.Join("testdata", "catalog.json"), append(b, '\n'), *update)
}

// A JSON-encoded field whose wire value has whitespace between tokens (a
// tab survives parsePage, which only compacts bodies with newlines) still
// yields a valid, compact JSON string.
func TestTransformJSONTextIsCompact(t *testing.T) {
	tests := []struct{ stream, item, want string }{
		{"chats", "{\"variables\":{\"a\":\t1}}", `{"variables":"{\"a\":1}"}`},
		{"chats", "{\"variables\":[1,\t2 , \"x y\\t\\\"z\"]}", `{"variables":"[1,2,\"x y\\t\\\"z\"]"}`},
		{"agents", "{\"additionalInfo\":{\"a\" :\t1}}", `{"additionalInfo":"{\"a\":1}"}`},
	}
	for _, tt := range tests {
		s, _ := Lookup(tt.stream)
		out, _, err := s.plan.transform(nil, []byte(tt.item), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("%q is not JSON", out)
		}
		if diff := cmp.Diff(tt.want, string(out)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.item, diff)
		}
	}
}

// An error message quotes a server value in at most a few dozen bytes: a
// 2 MB total once made a 4 MB TRACE line.
func TestPageErrorsClipServerValues(t *testing.T) {
	huge := strings.Repeat("9", 2<<20)
	tickets, _ := Lookup("tickets")
	chats, _ := Lookup("chats")
	for _, tt := range []struct {
		s    *Stream
		body string
	}{
		{tickets, `{"tickets":[],"total":` + huge + `.5}`},
		{chats, `{"items":[],"nextPage":"http://[` + huge + `"}`},
	} {
		_, err := tt.s.parsePage([]byte(tt.body), fuzzReq)
		if err == nil {
			t.Fatalf("%s: no error", tt.s.Name)
		}
		if n := len(err.Error()); n > 200 {
			t.Errorf("%s: error of %d bytes", tt.s.Name, n)
		}
	}
}

// A bare response (no envelope) is a list of items, one object that is the
// only item, or null or nothing for none; anything else fails the stream.
func TestParseBare(t *testing.T) {
	s, _ := Lookup("ticket_field_definitions")
	tests := []struct {
		name, body string
		want       []string
		err        string
	}{
		{"list", `[{"id":"a"},{"id":"b","validOptions":[{"v":"1"}]}]`, []string{`{"id":"a"}`, `{"id":"b","validOptions":[{"v":"1"}]}`}, ""},
		{"list with whitespace", " [\n {\"id\": \"a\"}\n]\n", []string{`{"id":"a"}`}, ""},
		{"empty list", `[]`, nil, ""},
		{"one object", `{"id":"a","active":true}`, []string{`{"id":"a","active":true}`}, ""},
		{"null", `null`, nil, ""},
		{"string", `"a"`, nil, "neither a list nor an object"},
		{"object and more", `{"id":"a"} {"id":"b"}`, nil, "not one JSON object"},
		// 204 or a 200 without a body: an empty result (issue 21).
		{"empty body", ``, nil, ""},
		{"blank body", " \n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.parsePage([]byte(tt.body), nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.items {
				got = append(got, string(it))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if p.next != nil {
				t.Errorf("next page %v", p.next)
			}
		})
	}
}

// An empty body (the client's answer to a 204, or a 200 without a body)
// is an empty last page on every stream, whatever its envelope.
func TestEmptyBodyIsAnEmptyPage(t *testing.T) {
	req, _ := url.Parse("https://api.botmaker.com/v2.0/x")
	for _, s := range All() {
		for _, body := range []string{"", " \r\n"} {
			p, err := s.parsePage([]byte(body), req)
			if err != nil || len(p.items) != 0 || p.next != nil {
				t.Errorf("%s: body %q gave %d items, next %v, err %v; want an empty last page", s.Name, body, len(p.items), p.next, err)
			}
		}
	}
}
