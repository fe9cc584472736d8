package streams

// The record writer every read strategy shares: one wire item in, one
// record out to the sink, with what it kept going past tallied for one
// WARN each (oddities.go) and what it cost counted for the bill.

import (
	"fmt"
	"time"
)

type recordWriter struct {
	s   *Stream
	env Env // its Sink receives the records; its Traffic, when set, the bill
	// rereadUpTo is the bookmark the sync started from: a record at or
	// before it was read by an earlier sync. Zero while nothing counts as
	// re-read (a first sync, a pending_backfill walk).
	rereadUpTo time.Time
	written    int64    // records written so far in this read
	bytes      int64    // their data's bytes, as handed to the Sink (estimates' byte_estimate)
	buf        []byte   // the record being built, reused
	nulled     []string // the current record's nulled fields
	odd        oddities // reported once, when the read returns
	prog       progress // the progress lines of a long read (progress.go)
}

func newRecordWriter(s *Stream, env Env) *recordWriter {
	return &recordWriter{s: s, env: env, buf: make([]byte, 0, 4096), prog: progress{due: env.Now().Add(progressEvery)}}
}

// write transforms and writes one item, returning its cursor time. An item
// whose cursor is before since (when since is set) is skipped.
func (w *recordWriter) write(item []byte, since time.Time) (t time.Time, written bool, err error) {
	s := w.s
	if len(item) == 0 || item[0] != '{' {
		w.odd.skipped.add(itemKind(item))
		return t, false, nil
	}
	if len(item) > MaxItem {
		w.odd.tooLarge.add(fmt.Sprintf("%d MiB", len(item)>>20))
		return t, false, nil
	}
	w.nulled = w.nulled[:0]
	data, cur, err := s.plan.transform(w.buf[:0], item, &w.nulled)
	w.buf = data[:0]
	if err != nil {
		return t, false, fmt.Errorf("stream %s: a Botmaker item could not be read: %w", s.Name, err)
	}
	if cur != "" {
		if t, err = ParseTime(cur); err != nil {
			// Written, but a zero time leaves the bookmark where it was.
			t = time.Time{}
			w.odd.badCursor.add(s.recordID(data))
		}
	}
	if !t.IsZero() && t.Before(since) {
		return t, false, nil
	}
	if err := w.emit(data); err != nil {
		return t, false, err
	}
	w.written++
	return t, true, nil
}

// emit hands one record to the sink, valid UTF-8 and with its nulled
// fields.
func (w *recordWriter) emit(data []byte) error {
	if cap(w.buf) > keepBuffer {
		defer func() { w.buf = nil }()
	}
	if fixed, changed := validUTF8(data); changed {
		data = fixed
		w.odd.utf8.add(w.s.recordID(data))
	}
	w.bytes += int64(len(data))
	if len(w.nulled) == 0 {
		return w.env.Sink.Record(w.s.Name, data, nil)
	}
	w.odd.nulled.add(w.s.recordID(data) + " (" + w.nulled[0] + ")")
	return w.env.Sink.Record(w.s.Name, data, w.nulled)
}

// writeItems writes a page's items (dropping those before since), tells cp
// each one's cursor, hands each written one to written (nil: nothing more
// to do), which says whether it is the finished version of a record
// tracked open, and counts it for the bill.
func (w *recordWriter) writeItems(items [][]byte, since time.Time, cp *windowCheckpoint, written func(it []byte) (finished bool)) error {
	for _, it := range items {
		t, ok, err := w.write(it, since)
		if err != nil {
			return err
		}
		cp.item(t, ok)
		if !ok {
			continue
		}
		finished := written != nil && written(it)
		w.count(t, it, finished)
	}
	return nil
}

// count files one written record on the bill as updated (finished: the
// finished version of a record tracked while open, tracker.go), re-read or
// new.
func (w *recordWriter) count(t time.Time, item []byte, finished bool) {
	tr := w.env.Traffic
	switch {
	case tr == nil:
	case finished:
		tr.Updated++
	case !w.rereadUpTo.IsZero() && !t.IsZero() && !t.After(w.rereadUpTo):
		tr.Reread++
		tr.RereadBytes += int64(len(item))
	default:
		tr.New++
	}
}
