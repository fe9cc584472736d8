package streams

import "time"

// SetWindowMinute sets the time a window's pages should take at the
// endpoint's rate (sizing.go), so a test's small data set makes windows
// that must shrink; it returns the function that restores it.
func SetWindowMinute(d time.Duration) (restore func()) {
	old := windowMinute
	windowMinute = d
	return func() { windowMinute = old }
}
