package streams

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every billed stream says so in the schema discover shows (Airbyte's UI
// shows it where the stream is selected), and no other stream does.
func TestBilledStreamsSayItInDiscover(t *testing.T) {
	for _, s := range All() {
		var schema struct {
			Description string `json:"description"`
		}
		if err := json.Unmarshal(s.Catalog().JSONSchema, &schema); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Contains(schema.Description, "Billed by Botmaker"), s.Billing != NotBilled; got != want {
			t.Errorf("stream %s: billing %v, schema description %q", s.Name, s.Billing, schema.Description)
		}
	}
}
