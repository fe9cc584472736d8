package fakebotmaker

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// jw is a tiny append-only JSON writer. It tracks whether a separating comma
// is needed before the next value or key, so optional fields can be emitted
// conditionally without manual comma bookkeeping. It never allocates beyond
// growing its buffer, which is pooled between responses.
type jw struct {
	b       []byte
	c       bool   // a value was just written: the next key/value needs a comma
	scratch []byte // reused for generated free text before escaping
}

var jwPool = sync.Pool{New: func() any { return &jw{b: make([]byte, 0, 64<<10), scratch: make([]byte, 0, 16<<10)} }}

func getJW() *jw {
	w := jwPool.Get().(*jw)
	w.b = w.b[:0]
	w.c = false
	return w
}

func putJW(w *jw) {
	if cap(w.b) > 32<<20 { // do not keep pathological buffers alive
		return
	}
	jwPool.Put(w)
}

func (w *jw) sep() {
	if w.c {
		w.b = append(w.b, ',')
	}
}

// key writes "k": ; k must not need escaping.
func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.c = false
}

func (w *jw) obj()    { w.sep(); w.b = append(w.b, '{'); w.c = false }
func (w *jw) endObj() { w.b = append(w.b, '}'); w.c = true }
func (w *jw) arr()    { w.sep(); w.b = append(w.b, '['); w.c = false }
func (w *jw) endArr() { w.b = append(w.b, ']'); w.c = true }

func (w *jw) str(s string) { w.sep(); w.b = appendJSONString(w.b, s); w.c = true }
func (w *jw) strBytes(s []byte) {
	w.sep()
	w.b = appendJSONBytes(w.b, s)
	w.c = true
}
func (w *jw) null() { w.sep(); w.b = append(w.b, "null"...); w.c = true }
func (w *jw) boolean(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	w.c = true
}
func (w *jw) int(v int64) { w.sep(); w.b = strconv.AppendInt(w.b, v, 10); w.c = true }
func (w *jw) time(sec int64) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = appendTime(w.b, sec)
	w.b = append(w.b, '"')
	w.c = true
}

// openStr/closeStr bracket a string value whose content the caller appends
// directly to w.b; the content must not need JSON escaping (ids, digits).
func (w *jw) openStr()  { w.sep(); w.b = append(w.b, '"') }
func (w *jw) closeStr() { w.b = append(w.b, '"'); w.c = true }

func (w *jw) kstr(k, v string)          { w.key(k); w.str(v) }
func (w *jw) kbool(k string, v bool)    { w.key(k); w.boolean(v) }
func (w *jw) kint(k string, v int64)    { w.key(k); w.int(v) }
func (w *jw) ktime(k string, sec int64) { w.key(k); w.time(sec) }
func (w *jw) knull(k string)            { w.key(k); w.null() }

// kstrs writes "k":["a","b",...].
func (w *jw) kstrs(k string, vs ...string) {
	w.key(k)
	w.arr()
	for _, v := range vs {
		w.str(v)
	}
	w.endArr()
}

const hexDigits = "0123456789abcdef"

// needsEscape marks the bytes JSON requires escaping: control characters,
// quote and backslash.
var needsEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// appendJSONString appends s as a JSON string literal. Only the characters
// JSON requires are escaped (quote, backslash, control characters), like a
// Jackson-based Java API would: '<', '>', '&', U+2028 are sent raw. Invalid
// UTF-8 is replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\ufffd")
	}
	return appendQuotedValid(b, s)
}

// appendJSONBytes is appendJSONString for a byte slice (no allocation for
// valid UTF-8).
func appendJSONBytes(b []byte, s []byte) []byte {
	if !utf8.Valid(s) {
		return appendJSONString(b, string(s))
	}
	return appendQuotedValid(b, s)
}

func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"':
		return append(b, '\\', '"')
	case '\\':
		return append(b, '\\', '\\')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendTime appends sec (unix seconds) as RFC 3339 UTC with seconds
// precision, e.g. 2026-11-01T10:00:00Z, without going through time.Time.
func appendTime(b []byte, sec int64) []byte {
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		rem += 86400
		days--
	}
	y, m, d := civilFromDays(days)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, int(rem/3600))
	b = append(b, ':')
	b = append2(b, int(rem/60%60))
	b = append(b, ':')
	b = append2(b, int(rem%60))
	return append(b, 'Z')
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
func append4(b []byte, v int) []byte {
	if v < 0 || v > 9999 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func civilFromDays(z int64) (year, month, day int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func formatTime(sec int64) string { return string(appendTime(nil, sec)) }

// appendQuotedValid writes valid UTF-8 s as a JSON string; one loop serves
// strings and byte slices.
func appendQuotedValid[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsEscape[c] {
			continue
		}
		b = append(b, s[start:i]...)
		b = appendEscape(b, c)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
