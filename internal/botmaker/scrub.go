package botmaker

import (
	"encoding/json"
	"strings"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
)

// scrub renders err without the token, whatever layer put it there.
func scrub(err error, token string) string {
	s := err.Error()
	if token != "" {
		s = strings.ReplaceAll(s, token, protocol.Redacted)
	}
	return s
}

func jsonValid(b []byte) bool { return json.Valid(b) }
