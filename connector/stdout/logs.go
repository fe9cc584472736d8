package stdout

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// NewLogger returns a zerolog logger whose events become LOG messages on w.
// Debug events are dropped unless debug is set (the --debug flag, or
// LOG_LEVEL=debug as the Python CDK reads it).
func NewLogger(w *Writer, debug bool) zerolog.Logger {
	lvl := zerolog.InfoLevel
	if debug {
		lvl = zerolog.DebugLevel
	}
	return zerolog.New(LogSink(w)).Level(lvl)
}

// LogSink is where a logger of NewLogger writes its events, for a logger
// that must hold some of them back before they reach w (zerolog's Output).
func LogSink(w *Writer) io.Writer { return logSink{w} }

// logSink turns one zerolog JSON event into "message key=value ..." text.
type logSink struct{ w *Writer }

func (s logSink) Write(p []byte) (int, error) {
	var ev map[string]any
	if err := json.Unmarshal(p, &ev); err != nil {
		return len(p), s.w.Log(airbyte.LogInfo, strings.TrimSpace(string(p)))
	}
	level := airbyte.LogInfo
	switch ev[zerolog.LevelFieldName] {
	case "debug":
		level = airbyte.LogDebug
	case "trace":
		level = airbyte.LogTrace
	case "warn":
		level = airbyte.LogWarn
	case "error":
		level = airbyte.LogError
	case "fatal", "panic":
		level = airbyte.LogFatal
	}
	msg, _ := ev[zerolog.MessageFieldName].(string)
	delete(ev, zerolog.LevelFieldName)
	delete(ev, zerolog.MessageFieldName)
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(msg)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, ev[k])
	}
	return len(p), s.w.Log(level, b.String())
}
