package rawjson

import "encoding/binary"

// maxDepth is encoding/json's nesting limit, so that Valid and json.Valid
// agree on every input.
const maxDepth = 10000

// Valid reports whether b is exactly one JSON value, optionally surrounded
// by whitespace: the same answer as encoding/json.Valid (which, like this,
// does not check UTF-8), computed several times faster. It skims string
// contents eight bytes at a time, because strings are most of Botmaker's
// bytes.
func Valid(b []byte) bool {
	var small [64]byte
	stack := small[:0] // open containers: '{' or '['
	i := skipSpace(b, 0)
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return false
		}
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) == maxDepth {
				return false
			}
			stack = append(stack, c)
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 { // '}' or ']'
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				var ok bool
				if i, ok = member(b, i); !ok {
					return false
				}
			}
			continue
		case '"':
			var ok bool
			if i, ok = validString(b, i); !ok {
				return false
			}
		case 't':
			if !hasLit(b, i, "true") {
				return false
			}
			i += 4
		case 'f':
			if !hasLit(b, i, "false") {
				return false
			}
			i += 5
		case 'n':
			if !hasLit(b, i, "null") {
				return false
			}
			i += 4
		default:
			var ok bool
			if i, ok = number(b, i); !ok {
				return false
			}
		}
		// A value ended at b[i]: close containers until one continues.
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			top := stack[len(stack)-1]
			if b[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
			if top == '{' {
				var ok bool
				if i, ok = member(b, i); !ok {
					return false
				}
			}
			break
		}
	}
}

// member checks `"key" :` at b[i] and returns where the value starts.
func member(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	i, ok := validString(b, i)
	if !ok {
		return 0, false
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

func hasLit(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain reports whether none of the eight bytes in x ends a string or needs
// a look: no '"', no '\\', no control character. Each test is the classic
// exact "has a byte less than n" / "has a zero byte" bit trick.
func plain(x uint64) bool {
	lt := (x - ones*0x20) &^ x
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return (lt|((q-ones)&^q)|((bs-ones)&^bs))&highs == 0
}

// validString checks the string starting at b[i] == '"' and returns the
// index just past it.
func validString(b []byte, i int) (int, bool) {
	j := i + 1
	for {
		for j+8 <= len(b) && plain(binary.LittleEndian.Uint64(b[j:])) {
			j += 8
		}
		if j >= len(b) {
			return 0, false
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\':
			if j+1 >= len(b) {
				return 0, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) {
					return 0, false
				}
				for _, h := range b[j+2 : j+6] {
					if !isHex(h) {
						return 0, false
					}
				}
				j += 6
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		default:
			j++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at b[i].
func number(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
