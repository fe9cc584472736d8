// Package stdout owns the connector's standard output: one Writer through
// which every Airbyte message leaves, batched, counted per stream for
// sourceStats, redacted, and the bridge that turns zerolog events into LOG
// messages. The message types themselves are in package airbyte.
package stdout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/redact"
)

// Redacted replaces a secret wherever it would have been written.
const Redacted = redact.Mask

// Writer is the only thing that writes to stdout. Each message is one line;
// lines from concurrent streams never interleave. It counts records per
// stream so that every STATE carries sourceStats.recordCount = records of that
// stream since its previous STATE, as the Python CDK does. Lines leave in the
// order they were written, so a state can never reach the platform before the
// records it covers; every STATE also flushes, so a checkpoint is not held
// back in the buffer.
type Writer struct {
	mu      sync.Mutex
	out     *bufio.Writer
	secrets [][]byte // exact spellings, looked for in every line
	// every spelling redact knows, looked for in every line but RECORDs:
	// those carry Botmaker's data at volume, not server text about the
	// request, and the full search would cost more than the sync.
	spellings redact.Set
	streams   map[string]*streamOut
	now       func() time.Time
	line      []byte // a RECORD line too long for the buffer's free space
	err       error
}

// streamOut is what the writer keeps per stream: the start of its RECORD
// lines, encoded once, and its records since its previous STATE.
type streamOut struct {
	prefix []byte
	count  float64
}

func (w *Writer) stream(name string) *streamOut {
	s := w.streams[name]
	if s == nil {
		p := append([]byte(`{"type":"RECORD","record":{"stream":`), strconv.Quote(name)...)
		s = &streamOut{prefix: append(p, `,"data":`...)}
		w.streams[name] = s
	}
	return s
}

// NewWriter wraps w (normally os.Stdout) with a 256 KiB buffer.
func NewWriter(w io.Writer) *Writer {
	return &Writer{
		out:     bufio.NewWriterSize(w, 256<<10),
		streams: map[string]*streamOut{},
		now:     time.Now,
	}
}

// SetClock replaces the clock used for emitted_at (tests).
func (w *Writer) SetClock(now func() time.Time) { w.now = now }

// AddSecret makes the writer replace s (and its JSON-escaped form) with
// Redacted in every line, whatever message carries it, and every other
// spelling of it (internal/redact) in every line but RECORDs.
func (w *Writer) AddSecret(s string) {
	if len(s) < 4 { // redacting a tiny string would mangle ordinary output
		return
	}
	w.spellings.Add(s)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.secrets = append(w.secrets, []byte(s))
	if q, _ := json.Marshal(s); len(q) > 2 && string(q[1:len(q)-1]) != s {
		w.secrets = append(w.secrets, q[1:len(q)-1])
	}
}

// NowMillis is the clock in epoch milliseconds.
func (w *Writer) NowMillis() int64 { return w.now().UnixMilli() }

// Record writes a RECORD whose data is an already-encoded, compact JSON object.
// The line is built straight in the output buffer's free space when it fits,
// so a record's bytes are copied once on their way out.
func (w *Writer) Record(stream string, data []byte) error {
	return w.record(stream, data, nil)
}

// RecordNulled writes a RECORD whose fields named in nulled were written as
// null because Botmaker's value could not be converted to the declared
// type; its meta.changes lists them (NULLED, SOURCE_SERIALIZATION_ERROR).
func (w *Writer) RecordNulled(stream string, data []byte, nulled []string) error {
	if len(nulled) == 0 {
		return w.record(stream, data, nil)
	}
	m := airbyte.RecordMeta{Changes: make([]airbyte.Change, len(nulled))}
	for i, f := range nulled {
		m.Changes[i] = airbyte.Change{Field: f, Change: airbyte.ChangeNulled, Reason: airbyte.ReasonSourceSerialization}
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return w.record(stream, data, meta)
}

func (w *Writer) record(stream string, data, meta []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	s := w.stream(stream)
	suffix := len(`,"emitted_at":`) + 20 + len("}}\n")
	if meta != nil {
		suffix += len(`,"meta":`) + len(meta)
	}
	n := len(s.prefix) + len(data) + suffix
	if w.out.Available() < n && w.out.Buffered() > 0 && n <= w.out.Size() {
		if err := w.flushLocked(); err != nil {
			return err
		}
	}
	b := w.out.AvailableBuffer()
	inBuffer := cap(b) >= n
	if !inBuffer {
		b = w.line[:0]
	}
	b = append(b, s.prefix...)
	b = append(b, data...)
	b = append(b, `,"emitted_at":`...)
	b = strconv.AppendInt(b, w.now().UnixMilli(), 10)
	if meta != nil {
		b = append(b, `,"meta":`...)
		b = append(b, meta...)
	}
	b = append(b, "}}\n"...)
	if !inBuffer && cap(b) <= 1<<20 { // a rare huge line is not held for the sync
		w.line = b
	}
	s.count++
	return w.writeLocked(b)
}

// State writes a STREAM state for the stream, stamped with the number
// of records written for it since its previous state, and flushes.
func (w *Writer) State(stream string, state json.RawMessage) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := airbyte.Message{Type: airbyte.TypeState, State: &airbyte.State{
		Type:        airbyte.StateStream,
		Stream:      &airbyte.StreamState{StreamDescriptor: airbyte.StreamDescriptor{Name: stream}, StreamState: state},
		SourceStats: &airbyte.StateStats{RecordCount: airbyte.Float(w.stream(stream).count)},
	}}
	w.stream(stream).count = 0
	if err := w.encodeLocked(&m); err != nil {
		return err
	}
	return w.flushLocked()
}

// Write writes any message.
func (w *Writer) Write(m *airbyte.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.encodeLocked(m); err != nil {
		return err
	}
	// Statuses, logs and errors are rare and are what an operator watches
	// while a request hangs, so they do not wait in the buffer; only
	// RECORD lines are batched.
	return w.flushLocked()
}

// Log writes a LOG message.
func (w *Writer) Log(level airbyte.LogLevel, msg string) error {
	return w.Write(&airbyte.Message{Type: airbyte.TypeLog, Log: &airbyte.Log{Level: level, Message: msg}})
}

// Status writes a STREAM_STATUS trace.
func (w *Writer) Status(stream string, s airbyte.Status) error {
	return w.Write(&airbyte.Message{Type: airbyte.TypeTrace, Trace: &airbyte.Trace{
		Type: airbyte.TraceStreamStatus, EmittedAt: float64(w.NowMillis()),
		StreamStatus: &airbyte.StreamStatus{StreamDescriptor: airbyte.StreamDescriptor{Name: stream}, Status: s},
	}})
}

// RateLimited writes a RUNNING STREAM_STATUS with a RATE_LIMITED reason:
// the stream waits on Botmaker until reset.
func (w *Writer) RateLimited(stream string, reset time.Time) error {
	return w.Write(&airbyte.Message{Type: airbyte.TypeTrace, Trace: &airbyte.Trace{
		Type: airbyte.TraceStreamStatus, EmittedAt: float64(w.NowMillis()),
		StreamStatus: &airbyte.StreamStatus{StreamDescriptor: airbyte.StreamDescriptor{Name: stream}, Status: airbyte.StatusRunning,
			Reasons: []airbyte.StreamStatusReason{{Type: airbyte.ReasonRateLimited, RateLimited: &airbyte.RateLimitedReason{QuotaReset: reset.UnixMilli()}}}},
	}})
}

// Estimate writes a STREAM estimate trace; bytes is left out when 0
// (unknown).
func (w *Writer) Estimate(stream string, rows, bytes int64) error {
	return w.Write(&airbyte.Message{Type: airbyte.TypeTrace, Trace: &airbyte.Trace{
		Type: airbyte.TraceEstimate, EmittedAt: float64(w.NowMillis()),
		Estimate: &airbyte.Estimate{Name: stream, Type: airbyte.EstimateStream, RowEstimate: rows, ByteEstimate: bytes},
	}})
}

// Error writes an ERROR trace; stream may be empty for a sync-level failure.
// internal is left out when message already says it: Airbyte shows both,
// and a repeat only doubles what the user reads.
func (w *Writer) Error(stream string, ft airbyte.FailureType, message, internal string) error {
	if strings.Contains(message, strings.TrimSpace(internal)) {
		internal = ""
	}
	e := &airbyte.ErrorTrace{Message: message, InternalMessage: internal, FailureType: ft}
	if stream != "" {
		e.StreamDescriptor = &airbyte.StreamDescriptor{Name: stream}
	}
	return w.Write(&airbyte.Message{Type: airbyte.TypeTrace, Trace: &airbyte.Trace{Type: airbyte.TraceError, EmittedAt: float64(w.NowMillis()), Error: e}})
}

// Flush pushes buffered lines out. Call it before exit.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) encodeLocked(m *airbyte.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s message: %w", m.Type, err)
	}
	if m.Type != airbyte.TypeControl {
		b = w.spellings.Bytes(b)
	}
	return w.writeLocked(append(b, '\n'))
}

func (w *Writer) writeLocked(line []byte) error {
	if w.err != nil {
		return w.err
	}
	for _, s := range w.secrets {
		if bytes.Contains(line, s) {
			line = bytes.ReplaceAll(line, s, []byte(Redacted))
		}
	}
	if _, err := w.out.Write(line); err != nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) flushLocked() error {
	if w.err != nil {
		return w.err
	}
	if err := w.out.Flush(); err != nil {
		w.err = err
	}
	return w.err
}
