package stdout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

func fixedClock() time.Time { return time.UnixMilli(1_700_000_000_123) }

func lines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line is not JSON: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestWriterMessages(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer) error
		want  string
	}{
		{"record", func(w *Writer) error { return w.Record("chats", []byte(`{"chat_id":"A"}`)) },
			`{"type":"RECORD","record":{"stream":"chats","data":{"chat_id":"A"},"emitted_at":1700000000123}}`},
		{"state counts records since previous state", func(w *Writer) error {
			_ = w.Record("s", []byte(`{}`))
			_ = w.Record("other", []byte(`{}`))
			_ = w.Record("s", []byte(`{}`))
			_ = w.State("s", json.RawMessage(`{"c":"x"}`))
			return w.State("s", json.RawMessage(`{"c":"y"}`))
		}, `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{"c":"y"}},"sourceStats":{"recordCount":0.0}}}`},
		{"log", func(w *Writer) error { return w.Log(airbyte.LogWarn, "careful") },
			`{"type":"LOG","log":{"level":"WARN","message":"careful"}}`},
		{"status", func(w *Writer) error { return w.Status("calls", airbyte.StatusRunning) },
			`{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1700000000123,"stream_status":{"stream_descriptor":{"name":"calls"},"status":"RUNNING"}}}`},
		{"rate limited", func(w *Writer) error { return w.RateLimited("calls", time.UnixMilli(1700000060123)) },
			`{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1700000000123,"stream_status":{"stream_descriptor":{"name":"calls"},"status":"RUNNING","reasons":[{"type":"RATE_LIMITED","rate_limited":{"quota_reset":1700000060123}}]}}}`},
		{"error with stream", func(w *Writer) error { return w.Error("calls", airbyte.TransientError, "m", "") },
			`{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000123,"error":{"message":"m","failure_type":"transient_error","stream_descriptor":{"name":"calls"}}}}`},
		{"error internal_message that the message says is left out", func(w *Writer) error {
			return w.Error("", airbyte.ConfigError, "Stream calls failed: Botmaker rejected the access token.", "Botmaker rejected the access token.")
		}, `{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000123,"error":{"message":"Stream calls failed: Botmaker rejected the access token.","failure_type":"config_error"}}}`},
		{"error internal_message that adds something is kept", func(w *Writer) error {
			return w.Error("", airbyte.SystemError, "internal error", "panic: x\ngoroutine 1")
		}, `{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000123,"error":{"message":"internal error","internal_message":"panic: x\ngoroutine 1","failure_type":"system_error"}}}`},
		{"estimate", func(w *Writer) error { return w.Estimate("tickets", 42, 21000) },
			`{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1700000000123,"estimate":{"name":"tickets","type":"STREAM","row_estimate":42,"byte_estimate":21000}}}`},
		{"estimate without a byte basis", func(w *Writer) error { return w.Estimate("tickets", 42, 0) },
			`{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1700000000123,"estimate":{"name":"tickets","type":"STREAM","row_estimate":42}}}`},
		{"secret redacted everywhere", func(w *Writer) error {
			w.AddSecret("tok-123456")
			return w.Log(airbyte.LogError, "bad header tok-123456 in reason")
		}, `{"type":"LOG","log":{"level":"ERROR","message":"bad header ********** in reason"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf)
			w.SetClock(fixedClock)
			if err := tt.write(w); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if diff := cmp.Diff(tt.want, got[len(got)-1]); diff != "" {
				t.Errorf("last line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStateRecordCountIsPerStream(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := 0; i < 3; i++ {
		_ = w.Record("a", []byte(`{}`))
	}
	_ = w.Record("b", []byte(`{}`))
	_ = w.State("a", json.RawMessage(`{}`))
	_ = w.State("b", json.RawMessage(`{}`))
	_ = w.Flush()
	var counts []float64
	for _, m := range lines(t, buf.Bytes()) {
		if m["type"] == "STATE" {
			counts = append(counts, m["state"].(map[string]any)["sourceStats"].(map[string]any)["recordCount"].(float64))
		}
	}
	if diff := cmp.Diff([]float64{3, 1}, counts); diff != "" {
		t.Error(diff)
	}
}

// Concurrent streams must never interleave bytes within a line.
func TestWriterConcurrentLinesStayWhole(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				_ = w.Record("s", []byte(`{"text":"`+strings.Repeat("x", g*37)+`"}`))
				if i%50 == 0 {
					_ = w.State("s", json.RawMessage(`{}`))
				}
			}
		}(g)
	}
	wg.Wait()
	_ = w.Flush()
	if got := len(lines(t, buf.Bytes())); got != 8*500+8*10 {
		t.Errorf("got %d lines", got)
	}
}

func TestLoggerBecomesLogMessages(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	log := NewLogger(w, false)
	log.Debug().Msg("hidden")
	log.Warn().Str("stream", "chats").Int("n", 2).Msg("slow")
	_ = w.Flush()
	got := lines(t, buf.Bytes())
	want := []map[string]any{{"type": "LOG", "log": map[string]any{"level": "WARN", "message": "slow n=2 stream=chats"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// Everything but RECORD lines reaches stdout at once; records wait for the
// buffer or the next non-record message, which never overtakes them.
func TestWriterFlushesAllButRecords(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	_ = w.Record("s", []byte(`{}`))
	if buf.Len() != 0 {
		t.Fatalf("a record was flushed on its own: %q", buf.String())
	}
	_ = w.Status("s", airbyte.StatusRunning)
	got := lines(t, buf.Bytes())
	if len(got) != 2 || got[0]["type"] != "RECORD" || got[1]["type"] != "TRACE" {
		t.Fatalf("after a status: %v", got)
	}
}

// Records are built in the output buffer's free space when they fit and
// aside when they do not; either way every line comes out whole, in order,
// with secrets redacted, across buffer boundaries and for records larger
// than the whole buffer.
func TestWriterRecordsOfEverySize(t *testing.T) {
	const secret = "tok-abcdef-123"
	sizes := []int{0, 10, 1000, 200 << 10, 60 << 10, 300 << 10, 5, 256<<10 - 80, 256 << 10, 3, 100 << 10, 100 << 10, 100 << 10}
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SetClock(fixedClock)
	w.AddSecret(secret)
	var want strings.Builder
	for i, n := range sizes {
		text := strings.Repeat("x", n)
		if i%3 == 1 {
			text = text[:n/2] + secret + text[n/2:]
		}
		stream := []string{"messages", "chats", `odd "name"`}[i%3]
		data := `{"i":` + strconv.Itoa(i) + `,"text":"` + text + `"}`
		if err := w.Record(stream, []byte(data)); err != nil {
			t.Fatal(err)
		}
		q, _ := json.Marshal(stream)
		fmt.Fprintf(&want, `{"type":"RECORD","record":{"stream":%s,"data":%s,"emitted_at":1700000000123}}`+"\n", q, strings.ReplaceAll(data, secret, Redacted))
		if i == 6 {
			if err := w.State("chats", json.RawMessage(`{}`)); err != nil {
				t.Fatal(err)
			}
			want.WriteString(`{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"chats"},"stream_state":{}},"sourceStats":{"recordCount":2.0}}}` + "\n")
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != want.String() {
		gl, wl := strings.Split(got, "\n"), strings.Split(want.String(), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs: got %.120q..., want %.120q...", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}

// Messages other than RECORDs lose every spelling of a secret; RECORDs
// carry the nulled fields in meta.changes.
func TestWriterRedactsSpellingsAndWritesChanges(t *testing.T) {
	const secret = "tok-Secret-7f3a9c1e5b2d"
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SetClock(fixedClock)
	w.AddSecret(secret)
	for _, text := range []string{strings.ToUpper(secret), secret[:10] + "...", strings.ReplaceAll(secret, "-", "%2D")} {
		if err := w.Log(airbyte.LogWarn, "Botmaker said "+text); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.RecordNulled("calls", []byte(`{"id":"K","endDatetime":null}`), []string{"endDatetime"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if l := strings.ToLower(out.String()); strings.Contains(l, strings.ToLower(secret[:8])) {
		t.Errorf("a spelling of the secret is in the output:\n%s", out.String())
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := `{"type":"RECORD","record":{"stream":"calls","data":{"id":"K","endDatetime":null},"emitted_at":1700000000123,"meta":{"changes":[{"field":"endDatetime","change":"NULLED","reason":"SOURCE_SERIALIZATION_ERROR"}]}}}`
	if diff := cmp.Diff(want, got[len(got)-1]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
