package connector

import (
	"os"
	"runtime/debug"
)

// TuneMemory sets the garbage collector for the connector's allocation
// pattern: one large response body per page (about 0.75 MB of messages)
// and little that lives on. At Go's default GOGC of 100 a 1,000,000-message
// sync spends about a sixth of its CPU collecting; at 400 it collects a
// quarter as often and peaks near 30 MB instead of 20 MB (make bench).
// The soft limit makes the collector work harder rather than let an
// unusually large response take the process far past that. GOGC and
// GOMEMLIMIT in the environment still win. main calls it; so does the
// benchmark's connector child, to measure what ships.
func TuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(32 << 20)
	}
}
