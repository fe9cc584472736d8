// Package rawjson walks JSON objects and arrays without decoding them, handing
// out the exact bytes of each member. Records pass through the connector
// byte-for-byte except for the few fields a stream reshapes, so Botmaker's
// values (including fields this connector does not know yet) reach the
// destination exactly as Botmaker wrote them, and no time is spent decoding
// and re-encoding them.
//
// Callers validate a whole response first (encoding/json.Valid); these
// walkers then only need to find boundaries, but they still refuse
// malformed input rather than read past it.
package rawjson

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// ErrSyntax reports input that is not the JSON shape asked for.
var ErrSyntax = errors.New("malformed JSON")

func syntaxErr(b []byte, i int, what string) error {
	return fmt.Errorf("%w: %s at offset %d of %d bytes", ErrSyntax, what, i, len(b))
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i] == '"'.
// String contents are most of Botmaker's bytes, so it looks at eight bytes at
// a time for a quote or a backslash, and hands long strings to
// bytes.IndexByte (vectorised), where a quote preceded by an odd number of
// backslashes is escaped and the search goes on past it.
func stringEnd(b []byte, i int) (int, error) {
	j := i + 1
	for end := min(len(b)-8, j+64); j <= end; {
		m := quoteOrBackslash(binary.LittleEndian.Uint64(b[j:]))
		if m == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(m) / 8
		if b[j] == '"' {
			return j + 1, nil
		}
		j += 2 // a backslash and the byte it escapes
	}
	for j < len(b) {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
	return 0, syntaxErr(b, i, "unterminated string")
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// quoteOrBackslash has the high bit set in the first byte of x (in memory
// order) that is '"' or '\\'; bits above that one may be set spuriously.
func quoteOrBackslash(x uint64) uint64 {
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return ((q-ones)&^q | (bs-ones)&^bs) & highs
}

// ValueEnd returns the index just past the JSON value starting at b[i].
func ValueEnd(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, syntaxErr(b, i, "missing value")
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, syntaxErr(b, i, "unterminated container")
	default:
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return 0, syntaxErr(b, i, "unexpected character")
				}
				return j, nil
			}
			j++
		}
		return j, nil
	}
}

// ObjectEach calls fn with the raw key (without quotes, still escaped) and the
// raw value of each member of the object in b, in order.
func ObjectEach(b []byte, fn func(key, value []byte) error) error {
	_, _, err := object(b, skipSpace(b, 0), "", nil, fn)
	return err
}

// ObjectEachArray is ObjectEach for a page envelope: when the member named
// arrayKey is an array, its elements go to elem one by one instead of the
// whole array to fn, in a single pass over the input (ObjectEach and then
// ArrayEach would scan the array twice). found reports whether such an
// array was seen; any other value under arrayKey goes to fn.
func ObjectEachArray(b []byte, arrayKey string, elem func(elem []byte) error, fn func(key, value []byte) error) (found bool, err error) {
	_, found, err = object(b, skipSpace(b, 0), arrayKey, elem, fn)
	return found, err
}

// object walks the object at b[i] and returns the index just past it.
func object(b []byte, i int, arrayKey string, elem func([]byte) error, fn func(key, value []byte) error) (end int, found bool, err error) {
	if i >= len(b) || b[i] != '{' {
		return 0, false, syntaxErr(b, i, "expected object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, false, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, found, syntaxErr(b, i, "expected key")
		}
		ke, err := stringEnd(b, i)
		if err != nil {
			return 0, found, err
		}
		key := b[i+1 : ke-1]
		i = skipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return 0, found, syntaxErr(b, i, "expected colon")
		}
		vs := skipSpace(b, i+1)
		var ve int
		if elem != nil && vs < len(b) && b[vs] == '[' && string(key) == arrayKey {
			found = true
			ve, err = array(b, vs, elem)
		} else if ve, err = ValueEnd(b, vs); err == nil {
			err = fn(key, b[vs:ve])
		}
		if err != nil {
			return 0, found, err
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return 0, found, syntaxErr(b, i, "unterminated object")
		}
		if b[i] == '}' {
			return i + 1, found, nil
		}
		if b[i] != ',' {
			return 0, found, syntaxErr(b, i, "expected comma")
		}
		i = skipSpace(b, i+1)
	}
}

// ArrayEach calls fn with the raw bytes of each element of the array in b.
func ArrayEach(b []byte, fn func(elem []byte) error) error {
	_, err := array(b, skipSpace(b, 0), fn)
	return err
}

// array walks the array at b[i] and returns the index just past it.
func array(b []byte, i int, fn func(elem []byte) error) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return 0, syntaxErr(b, i, "expected array")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		e, err := ValueEnd(b, i)
		if err != nil {
			return 0, err
		}
		if err := fn(b[i:e]); err != nil {
			return 0, err
		}
		i = skipSpace(b, e)
		if i >= len(b) {
			return 0, syntaxErr(b, i, "unterminated array")
		}
		if b[i] == ']' {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, syntaxErr(b, i, "expected comma")
		}
		i = skipSpace(b, i+1)
	}
}

// Get returns the raw value of key in object b, or nil when absent.
func Get(b []byte, key string) ([]byte, error) {
	var found []byte
	err := ObjectEach(b, func(k, v []byte) error {
		if found == nil && string(k) == key {
			found = v
		}
		return nil
	})
	return found, err
}

// IsNull reports whether a raw value is the literal null.
func IsNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }
