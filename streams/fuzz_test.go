package streams

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

// Response decoding must survive anything a server sends: no panic, no
// hang, and what it accepts is well-formed. The seed corpora under
// testdata/fuzz hold real pages of every endpoint (from the fake API) and
// the shapes that broke parsers before; `make fuzz` explores from them.

var fuzzReq, _ = url.Parse("https://api.botmaker.com/v2.0/chats?from=2025-01-01T00%3A00%3A00Z&to=2025-01-31T00%3A00%3A00Z")

// FuzzParsePage feeds one response body to every stream's envelope parser.
// The client hands parsePage only bodies that are valid JSON, so that is
// where the items must come out valid; any other body must merely not
// crash it.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte(`{"items":[{"id":"a"},{"id":"b"}],"nextPage":"https://api.botmaker.com/v2.0/chats?page=2"}`))
	f.Add([]byte(`{"tickets":[{"id":"t1"}],"total":3}`))
	f.Add([]byte(`{"items":null,"nextPage":null}`))
	f.Add([]byte("{\n\t\"items\": [\n\t\t{\"id\": \"a\"}\n\t],\n\t\"nextPage\": \"tok\"\n}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		valid := json.Valid(body)
		for _, s := range All() {
			p, err := s.parsePage(bytes.Clone(body), fuzzReq) // parsePage may compact it in place
			if err != nil || !valid {
				continue
			}
			for _, it := range p.items {
				if !json.Valid(it) {
					t.Fatalf("%s: item %q of a valid body is not JSON", s.Name, it)
				}
				if bytes.ContainsAny(it, "\r\n") {
					t.Fatalf("%s: item %q holds a newline; records are one per line", s.Name, it)
				}
			}
			if p.next != nil && s.Pagination == NextURL && p.next.String() == "" {
				t.Fatalf("%s: empty next URL", s.Name)
			}
		}
	})
}

// FuzzCompactInPlace checks the in-place compaction against json.Compact.
func FuzzCompactInPlace(f *testing.F) {
	f.Add([]byte("{\n \"a\" : [ 1 , \"x \\\" \\n y\" ]\r\n}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var want bytes.Buffer
		if json.Compact(&want, b) != nil {
			_ = compactInPlace(bytes.Clone(b)) // must not panic
			return
		}
		if got := compactInPlace(bytes.Clone(b)); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("compactInPlace(%q) = %q, want %q", b, got, want.Bytes())
		}
	})
}

// FuzzTransform feeds one item to every stream's record transform. An item
// that parsePage could hand out (valid JSON, no newline) must become a
// valid JSON object on one line, or an error; nothing may panic.
func FuzzTransform(f *testing.F) {
	f.Add([]byte(`{"id":"a","creationTime":"2025-01-01T00:00:00Z","variables":{"a":1},"chat":{"chatId":"c","channelId":"ch"}}`))
	f.Add([]byte(`{"creationTime":1735689600000,"lastUserMessageDatetime":null,"additionalInfo":[1,2]}`))
	f.Add([]byte(`{"chat":null,"contact":{"contactId":"x"},"creationDatetime":"2025-01-01T00:00:00.123Z"}`))
	f.Add([]byte(`{"chat_id":"TOP","chat":{"chatId":"C1"},"tok\u0065n":"x","endDatetime":-1,"chat\u005fid":1}`))
	f.Fuzz(func(t *testing.T, item []byte) {
		inPage := json.Valid(item) && !bytes.ContainsAny(item, "\r\n")
		for _, s := range All() {
			out, _, err := s.plan.transform(nil, item, nil)
			if err != nil || !inPage {
				continue
			}
			if !json.Valid(out) || out[0] != '{' {
				t.Fatalf("%s: item %q gave record %q, which is not a JSON object", s.Name, item, out)
			}
			if bytes.ContainsAny(out, "\r\n") {
				t.Fatalf("%s: record %q spans lines", s.Name, out)
			}
			if uniqueKeys(item) && !uniqueKeys(out) {
				t.Fatalf("%s: item %q gave record %q, which repeats a key", s.Name, item, out)
			}
		}
	})
}

// FuzzParseTime checks the RFC 3339 reader against Go's: it accepts all Go
// accepts, with the same instant, and what it accepts writes back as a
// date-time it reads again as the same instant (to FormatTime's
// millisecond).
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-01-01T00:00:00Z", "2025-01-01t00:00:00.5z", "2016-12-31T23:59:60Z", "2016-12-31T18:59:60.25-05:00", "2025-01-01T00:00:00", "9999-12-31T23:59:60+23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if want, gerr := time.Parse(time.RFC3339Nano, s); gerr == nil && (err != nil || !got.Equal(want)) {
			t.Fatalf("ParseTime(%q) = %v, %v; time.Parse says %v", s, got, err, want)
		}
		if err != nil {
			return
		}
		back, err := ParseTime(FormatTime(got))
		if err != nil || !back.Equal(got.Truncate(time.Millisecond)) {
			t.Fatalf("ParseTime(%q) = %v, which writes as %q and reads back as %v, %v", s, got, FormatTime(got), back, err)
		}
	})
}

// uniqueKeys says no top-level key of the JSON object b repeats, comparing
// decoded keys.
func uniqueKeys(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		k, _ := tok.(string)
		if seen[k] {
			return false
		}
		seen[k] = true
		var v json.RawMessage
		if d.Decode(&v) != nil {
			return false
		}
	}
	return true
}
