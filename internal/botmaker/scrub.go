package botmaker

import (
	"strings"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
)

// scrub removes the token from text that may have come from the network or
// from an error of a lower layer. The protocol writer redacts it again on
// stdout; this keeps it out of error values themselves, which tests, logs
// of other tools and panics may print.
func (c *Client) scrub(s string) string {
	if len(c.token) < 4 { // as protocol.Writer.AddSecret: never mangle ordinary text
		return s
	}
	return strings.ReplaceAll(s, c.token, protocol.Redacted)
}
