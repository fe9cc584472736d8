package stdout

import (
	"encoding/json"
	"fmt"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// Control writes a CONTROL message that hands Airbyte an updated connector
// config, and flushes it. It is the one line the writer does not redact:
// the config exists to carry the rotated secrets to the platform, which
// keeps it as the source's configuration; redacted, it would replace the
// user's working credentials with asterisks.
func (w *Writer) Control(config json.RawMessage) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	b, err := json.Marshal(&airbyte.Message{Type: airbyte.TypeControl, Control: &airbyte.Control{
		Type: airbyte.ControlConnectorConfigType, EmittedAt: float64(w.now().UnixMilli()),
		ConnectorConfig: &airbyte.ControlConnectorConfig{Config: config},
	}})
	if err != nil {
		return fmt.Errorf("encode CONTROL message: %w", err)
	}
	if _, err := w.out.Write(append(b, '\n')); err != nil {
		w.err = err
		return err
	}
	return w.flushLocked()
}
