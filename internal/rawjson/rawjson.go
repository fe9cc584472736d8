// Package rawjson walks JSON objects and arrays without decoding them, handing
// out the exact bytes of each member. Records pass through the connector
// byte-for-byte except for the few fields a stream reshapes, so Botmaker's
// values (including fields this connector does not know yet) reach the
// destination exactly as Botmaker wrote them, and no time is spent decoding
// and re-encoding them.
//
// Callers validate a whole response with json.Valid first; these walkers then
// only need to find boundaries, but they still refuse malformed input rather
// than read past it.
package rawjson

import (
	"errors"
	"fmt"
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
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, syntaxErr(b, i, "unterminated string")
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
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return syntaxErr(b, i, "expected object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return syntaxErr(b, i, "expected key")
		}
		ke, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : ke-1]
		i = skipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return syntaxErr(b, i, "expected colon")
		}
		vs := skipSpace(b, i+1)
		ve, err := ValueEnd(b, vs)
		if err != nil {
			return err
		}
		if err := fn(key, b[vs:ve]); err != nil {
			return err
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return syntaxErr(b, i, "unterminated object")
		}
		if b[i] == '}' {
			return nil
		}
		if b[i] != ',' {
			return syntaxErr(b, i, "expected comma")
		}
		i = skipSpace(b, i+1)
	}
}

// ArrayEach calls fn with the raw bytes of each element of the array in b.
func ArrayEach(b []byte, fn func(elem []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return syntaxErr(b, i, "expected array")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for {
		e, err := ValueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(b[i:e]); err != nil {
			return err
		}
		i = skipSpace(b, e)
		if i >= len(b) {
			return syntaxErr(b, i, "unterminated array")
		}
		if b[i] == ']' {
			return nil
		}
		if b[i] != ',' {
			return syntaxErr(b, i, "expected comma")
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
