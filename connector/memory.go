package connector

import (
	"os"
	"runtime/debug"
)

// TuneMemory sets the garbage collector for the connector's allocation
// pattern: one large response body per page and little that lives on, so
// collecting less often costs little memory and saves CPU (README,
// Performance, has make bench's numbers).
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
