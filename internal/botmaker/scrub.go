package botmaker

// scrub removes every token and secret the client has held, in every
// spelling internal/redact knows (case, percent-encoding, base64, prefixes),
// from text that may have come from the network or from an error of a
// lower layer. The stdout writer redacts them again; this keeps
// them out of error values themselves, which tests, logs of other tools and
// panics may print.
func (c *Client) scrub(s string) string { return c.auth.secrets.String(s) }
