// Package plural words a count for people: "1 record", "2 records". Log
// lines, errors and the demo's tables all count this way, from this one
// place.
package plural

import "strconv"

// Count is n and noun, the noun with an s unless n is 1. Every noun the
// connector counts takes a plain s.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
