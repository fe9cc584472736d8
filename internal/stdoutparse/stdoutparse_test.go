package stdoutparse

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReaderLines(t *testing.T) {
	long := strings.Repeat("x", 3<<20) // longer than the reader's buffer
	cases := []struct {
		name  string
		in    string
		want  []string
		bytes int64
	}{
		{"empty", "", nil, 0},
		{"ends with a line break", "a\nb\n", []string{"a", "b"}, 4},
		{"last line unterminated", "a\nb", []string{"a", "b"}, 3},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}, 6},
		{"blank line kept", "a\n\nb\n", []string{"a", "", "b"}, 5},
		{"line over the buffer", "a\n" + long + "\nb\n", []string{"a", long, "b"}, int64(len(long)) + 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(c.in))
			var got []string
			for {
				line, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(line))
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if r.Lines() != len(c.want) || r.Bytes() != c.bytes {
				t.Errorf("Lines, Bytes = %d, %d; want %d, %d", r.Lines(), r.Bytes(), len(c.want), c.bytes)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	cases := []struct {
		line string
		ok   bool
	}{
		{`{"type":"RECORD","record":{"stream":"chats","data":{"chat_id":"1"},"emitted_at":1}}`, true},
		{`{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"chats"}}}}`, true},
		{`{"type":"LOG","log":{"level":"INFO","message":"hi"}}`, true},
		{`{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"x"}}}`, true},
		{``, false},
		{`not json`, false},
		{`{"type":"LOG","log":{"level":"INFO","message":"hi"}} {}`, false},
		{`{"type":"RECORD"}`, false},
		{`{"type":"RECORD","record":{"stream":"chats","data":[1],"emitted_at":1}}`, false},
		{`{"type":"NOPE"}`, false},
		{`{}`, false},
	}
	for _, c := range cases {
		if _, err := Message([]byte(c.line)); (err == nil) != c.ok {
			t.Errorf("Message(%s) error = %v, want ok=%v", c.line, err, c.ok)
		}
	}
}
