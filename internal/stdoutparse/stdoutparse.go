// Package stdoutparse reads what the connector prints on stdout: one
// Airbyte message a line. The test harness (internal/synctest), the demo and
// the bench read it with this package; internal/cat has its own reader on
// purpose (see there).
package stdoutparse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// Reader splits stdout into lines of any length.
type Reader struct {
	br    *bufio.Reader
	long  []byte // a line longer than br's buffer, so far
	lines int
	bytes int64
}

// NewReader reads r with a 1 MiB buffer; a longer line is gathered whole.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<20)}
}

// Next returns the next line without its line break (\n or \r\n), or io.EOF
// after the last one. The line is valid until the next call. A last line
// without a line break counts; an empty end of output does not.
func (r *Reader) Next() ([]byte, error) {
	for {
		chunk, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			r.long = append(r.long, chunk...)
			continue
		}
		line := chunk
		if r.long != nil {
			line = append(r.long, chunk...)
			r.long = nil
		}
		if len(line) == 0 {
			if err == nil {
				err = io.EOF
			}
			return nil, err
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		r.lines++
		r.bytes += int64(len(line))
		line = bytes.TrimSuffix(line, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

// Lines is the number of lines Next has returned.
func (r *Reader) Lines() int { return r.lines }

// Bytes is the number of bytes those lines held, line breaks included.
func (r *Reader) Bytes() int64 { return r.bytes }

// Message decodes one line: exactly one JSON object, an Airbyte message
// carrying the payload its type names (a RECORD's data an object).
// Anything else on stdout breaks Airbyte's reader.
func Message(line []byte) (*airbyte.Message, error) {
	var m airbyte.Message
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not an Airbyte message (%v): %.200q", err, line)
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value on the line: %.200q", line)
	}
	if !hasPayload(&m) {
		return nil, fmt.Errorf("type %q without its payload: %.200q", m.Type, line)
	}
	return &m, nil
}

func hasPayload(m *airbyte.Message) bool {
	switch m.Type {
	case airbyte.TypeRecord:
		return m.Record != nil && m.Record.Stream != "" && len(m.Record.Data) > 0 && m.Record.Data[0] == '{'
	case airbyte.TypeState:
		return m.State != nil
	case airbyte.TypeLog:
		return m.Log != nil
	case airbyte.TypeSpec:
		return m.Spec != nil
	case airbyte.TypeConnectionStatus:
		return m.ConnectionStatus != nil
	case airbyte.TypeCatalog:
		return m.Catalog != nil
	case airbyte.TypeTrace:
		return m.Trace != nil
	case airbyte.TypeControl:
		return m.Control != nil
	}
	return false
}
