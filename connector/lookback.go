package connector

import "fmt"

// checkLookbacks validates short_lookback_hours and
// deep_lookback_every_hours (streams/lookback.go says what they do).
func (c *Config) checkLookbacks() error {
	if c.ShortLookbackHours < 0 || c.ShortLookbackHours > 720 {
		return &ConfigError{"short_lookback_hours", fmt.Sprintf("is %d; it must be between 0 and 720 hours (default %d)", c.ShortLookbackHours, DefaultShortLookbackHours)}
	}
	if c.DeepLookbackEvery < 1 || c.DeepLookbackEvery > 720 {
		return &ConfigError{"deep_lookback_every_hours", fmt.Sprintf("is %d; it must be between 1 and 720 hours (default %d)", c.DeepLookbackEvery, DefaultDeepLookbackEvery)}
	}
	return nil
}
