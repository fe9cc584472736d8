package connector

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// numberRange is a whole-number option's minimum= and maximum=.
type numberRange struct {
	key    string
	lo, hi int
}

// ranges are the limits of every option whose jsonschema tag sets them, in
// field order. The tags are the one place a range is written: spec prints
// them, and checkRanges enforces them.
var ranges = func() []numberRange {
	var out []numberRange
	t := reflect.TypeFor[Config]()
	for i := 0; i < t.NumField(); i++ {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		lo, hasLo := schemaSetting(key, "minimum")
		hi, hasHi := schemaSetting(key, "maximum")
		if !hasLo && !hasHi {
			continue
		}
		r := numberRange{key: key}
		var errLo, errHi error
		r.lo, errLo = strconv.Atoi(lo)
		r.hi, errHi = strconv.Atoi(hi)
		if t.Field(i).Type.Kind() != reflect.Int || errLo != nil || errHi != nil {
			panic(fmt.Sprintf("Config: %s needs both minimum= and maximum=, whole numbers, on an int field", key))
		}
		out = append(out, r)
	}
	return out
}()

// checkRanges refuses an option outside its range, naming the range and
// the default.
func (c *Config) checkRanges() error {
	got, def := c.options(), defaults.options()
	for _, r := range ranges {
		v := *got[r.key].(*int)
		if v >= r.lo && v <= r.hi {
			continue
		}
		unit := ""
		if strings.HasSuffix(r.key, "_hours") {
			unit = " hours"
		}
		return &ConfigError{r.key, fmt.Sprintf("is %d; it must be between %d and %d%s (default %d)", v, r.lo, r.hi, unit, *def[r.key].(*int))}
	}
	return nil
}
