package streams

import (
	"bytes"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/internal/plural"
	"github.com/source-botmaker/source-botmaker/internal/rawjson"
)

// oddities counts what a read kept going past, so each kind costs one WARN
// per stream per sync however many records it hits, and names one record
// to look at.
type oddities struct {
	nulled, badCursor, skipped, tooLarge, utf8 tally
}

// MaxItem is the largest item written. A larger one is skipped with a
// WARN rather than copied: its record would be another copy as large, and
// the writer's line a third.
const MaxItem = 16 << 20

// keepBuffer is the largest record buffer kept between records; a buffer
// grown for a rare large record is let go instead of held for the sync.
const keepBuffer = 1 << 20

type tally struct {
	n     int
	first string // an id, a field, or what was skipped
}

func (t *tally) add(what string) {
	if t.n == 0 {
		t.first = what
	}
	t.n++
}

// report writes one WARN for each kind that occurred.
func (o *oddities) report(log zerolog.Logger, s *Stream) {
	if o.nulled.n > 0 {
		log.Warn().Msgf("stream %s: %s had a value that could not be converted to the declared type; the value was written as null and listed in the record's meta.changes (NULLED, SOURCE_SERIALIZATION_ERROR); first: %s. Report that record to Botmaker support if you need the value.", s.Name, records(o.nulled.n), o.nulled.first)
	}
	if o.badCursor.n > 0 {
		log.Warn().Msgf("stream %s: %s had a %s that is not a date-time; they were written but do not move the bookmark; first: %s. Report that record to Botmaker support; nothing is lost meanwhile, as later syncs read from the bookmark.", s.Name, records(o.badCursor.n), s.Cursor, o.badCursor.first)
	}
	if o.skipped.n > 0 {
		log.Warn().Msgf("stream %s: skipped %s of Botmaker's listing that were not objects (first: %s). Report it to Botmaker support with the stream's endpoint, %s.", s.Name, plural.Count(o.skipped.n, "item"), o.skipped.first, s.Path)
	}
	if o.tooLarge.n > 0 {
		log.Warn().Msgf("stream %s: skipped %s larger than %d MiB, the most one record may hold (first: %s). Report it to Botmaker support with the stream's endpoint, %s: no sync can write such a record.", s.Name, plural.Count(o.tooLarge.n, "item"), MaxItem>>20, o.tooLarge.first, s.Path)
	}
	if o.utf8.n > 0 {
		log.Warn().Msgf("stream %s: %s held bytes that are not UTF-8; they were replaced with U+FFFD; first: %s. Report that record to Botmaker support if you need the original text.", s.Name, records(o.utf8.n), o.utf8.first)
	}
}

// itemKind says what a skipped item was, without quoting it.
func itemKind(item []byte) string {
	switch {
	case len(item) == 0:
		return "nothing"
	case rawjson.IsNull(item):
		return "null"
	case item[0] == '"':
		return "a string"
	case item[0] == '[':
		return "a list"
	case item[0] == 't' || item[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

// validUTF8 replaces each run of bytes that is not UTF-8 with U+FFFD, as
// Go's JSON encoder does: every destination needs UTF-8 (RFC 8259).
func validUTF8(data []byte) ([]byte, bool) {
	if utf8.Valid(data) {
		return data, false
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD")), true
}
