package connector

import (
	"net"
	"net/url"
	"strings"
)

// loopback reports whether host (from url.URL.Hostname) stays on this
// machine: localhost, 127.0.0.0/8 or ::1. Only there may the access token
// travel over plain http, as it does to the fake API in tests and the demo.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cleartext reports whether u would send the token unencrypted off the
// machine.
func cleartext(u *url.URL) bool {
	return u.Scheme == "http" && !loopback(u.Hostname())
}
