package stdout

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// The CONTROL message carries the secrets it exists to hand over, while
// every other line around it stays redacted, and it reaches the output at
// once (after the records written before it).
func TestWriterControl(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SetClock(fixedClock)
	w.AddSecret("old-token-123")
	w.AddSecret("new-token-456")
	_ = w.Record("chats", []byte(`{"x":"new-token-456"}`))
	if err := w.Control(json.RawMessage(`{"access_token":"new-token-456","refresh_token":"r-789"}`)); err != nil {
		t.Fatal(err)
	}
	flushedWithControl := out.String()
	_ = w.Log(airbyte.LogInfo, "now using new-token-456 instead of old-token-123")
	_ = w.Flush()
	want := []string{
		`{"type":"RECORD","record":{"stream":"chats","data":{"x":"**********"},"emitted_at":1700000000123}}`,
		`{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1700000000123,"connectorConfig":{"config":{"access_token":"new-token-456","refresh_token":"r-789"}}}}`,
		`{"type":"LOG","log":{"level":"INFO","message":"now using ********** instead of **********"}}`,
	}
	got := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	var gotS []string
	for _, l := range got {
		gotS = append(gotS, string(l))
	}
	if diff := cmp.Diff(want, gotS); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if flushedWithControl != want[0]+"\n"+want[1]+"\n" {
		t.Errorf("Control did not flush: %q", flushedWithControl)
	}
}
