// Package redact removes secrets from text in the spellings a server or a
// lower layer may echo them in: as is, in any letter case, reversed,
// percent-encoded, base64-encoded (at any alignment inside a longer base64
// string), JSON-escaped, and cut short to a prefix of at least MinPrefix
// characters. It is the one place that decides what counts as a leaked
// secret; the HTTP client's errors and the stdout writer's messages both
// go through it.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
)

// Mask replaces each secret found.
const Mask = "**********"

// MinPrefix is the shortest piece of a secret that is redacted: shorter
// pieces occur in ordinary text by chance. A secret shorter than MinPrefix
// is redacted only whole, and one shorter than minSecret not at all.
const MinPrefix = 8

// minSecret keeps a tiny "secret" (a test value, a one-letter typo) from
// mangling ordinary output.
const minSecret = 4

// Set is a set of secrets. The zero value is empty and ready; it is safe
// for concurrent use.
type Set struct {
	mu       sync.RWMutex
	patterns []pattern
	seen     map[string]bool
}

// pattern is one spelling of a secret, lower-cased, and the fewest of its
// bytes that count as a leak: the spelling of MinPrefix characters of the
// secret, or all of it when the secret is shorter.
type pattern struct {
	b   []byte
	min int
}

// Add registers secrets. Empty and tiny ones are ignored.
func (s *Set) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for _, sec := range secrets {
		if len(sec) < minSecret || s.seen[sec] {
			continue
		}
		s.seen[sec] = true
		for _, sp := range spellings(sec) {
			n := len(sp.b)
			if len(sec) >= MinPrefix {
				n = min(n, (len(sp.b)*MinPrefix+len(sec)-1)/len(sec))
			}
			if n < minSecret {
				continue
			}
			s.patterns = append(s.patterns, pattern{asciiLower(sp.b), n})
		}
	}
}

// Empty reports whether no secret is registered.
func (s *Set) Empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.patterns) == 0
}

// spelling is one form of a secret.
type spelling struct{ b []byte }

// spellings are the forms of sec looked for.
func spellings(sec string) []spelling {
	raw := []byte(sec)
	out := []spelling{{raw}, {reverse(raw)}}
	add := func(b string) {
		if b != sec {
			out = append(out, spelling{[]byte(b)})
		}
	}
	add(url.QueryEscape(sec))
	add(url.PathEscape(sec))
	var every bytes.Buffer // every byte as %XX, as some encoders do
	for _, c := range raw {
		fmt.Fprintf(&every, "%%%02X", c)
	}
	add(every.String())
	if q, err := json.Marshal(sec); err == nil {
		add(string(q[1 : len(q)-1]))
	}
	// Inside a longer base64 string the secret starts at one of three
	// alignments; the characters at either end mix in its neighbours'
	// bits, so only the stable middle is searched.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := 0; k < 3; k++ {
			b := enc.EncodeToString(append(make([]byte, k), raw...))
			lead := (k*8 + 5) / 6 // characters holding a padding byte's bits
			end := len(b) - 4     // the last quantum may hold padding bits
			if end > lead {
				add(b[lead:end])
			}
		}
	}
	return out
}

func reverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i, c := range b {
		r[len(b)-1-i] = c
	}
	return r
}

// String returns text with every secret spelling replaced by Mask.
func (s *Set) String(text string) string {
	if out, changed := s.redact([]byte(text)); changed {
		return string(out)
	}
	return text
}

// Bytes is String for a byte slice; it returns b itself when nothing is
// found.
func (s *Set) Bytes(b []byte) []byte {
	out, _ := s.redact(b)
	return out
}

func (s *Set) redact(text []byte) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.patterns) == 0 || len(text) < minSecret {
		return text, false
	}
	lower := asciiLower(text)
	// mark[i] says byte i belongs to a secret; marking first and replacing
	// once handles overlapping spellings.
	var mark []bool
	for _, pt := range s.patterns {
		p, head := pt.b, pt.b[:pt.min]
		for from := 0; ; {
			i := bytes.Index(lower[from:], head)
			if i < 0 {
				break
			}
			i += from
			n := len(head)
			for n < len(p) && i+n < len(lower) && lower[i+n] == p[n] {
				n++
			}
			if mark == nil {
				mark = make([]bool, len(text))
			}
			for j := i; j < i+n; j++ {
				mark[j] = true
			}
			from = i + 1
		}
	}
	if mark == nil {
		return text, false
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		if !mark[i] {
			out = append(out, text[i])
			i++
			continue
		}
		out = append(out, Mask...)
		for i < len(text) && mark[i] {
			i++
		}
	}
	return out, true
}

// asciiLower folds ASCII letters only, so that every byte keeps its offset
// (bytes.ToLower may change the length of non-ASCII text).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
