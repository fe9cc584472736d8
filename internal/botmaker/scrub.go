package botmaker

import (
	"strings"

	"github.com/source-botmaker/source-botmaker/connector/protocol"
)

// scrub removes every token and secret the client has held from text that
// may have come from the network or from an error of a lower layer. The
// protocol writer redacts them again on stdout; this keeps them out of
// error values themselves, which tests, logs of other tools and panics may
// print.
func (c *Client) scrub(s string) string {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	for _, secret := range c.auth.secrets {
		if len(secret) < 4 { // as protocol.Writer.AddSecret: never mangle ordinary text
			continue
		}
		s = strings.ReplaceAll(s, secret, protocol.Redacted)
	}
	return s
}
