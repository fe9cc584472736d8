package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain lets the bench re-execute the test binary as its connector and
// floor children, as it re-executes the bench command.
func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestSmoke runs every scenario on tiny data sets so the bench code keeps
// working. It checks what was counted, never how fast: every record the fake
// holds reaches stdout once (messages exactly; chats at least once), the
// floor copies the same items over the same requests, and every stream
// completes without a 429 or an error.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts connector processes against a rate-limited fake API")
	}
	o := defaultOptions()
	o.smoke()
	o.log = io.Discard
	var out bytes.Buffer
	res, err := bench(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}

	cpu := res.CPU
	if cpu.Want != o.Messages {
		t.Errorf("the CPU-bound fake holds %d messages, want %d", cpu.Want, o.Messages)
	}
	for i, c := range cpu.Connector {
		if got := c.Records["messages"]; got != int64(cpu.Want) {
			t.Errorf("connector run %d: %d records, want %d", i+1, got, cpu.Want)
		}
		if c.MaxRSS <= 0 || c.CPU <= 0 {
			t.Errorf("connector run %d: no resource usage measured (%d bytes, %s)", i+1, c.MaxRSS, c.CPU)
		}
	}
	for i, f := range cpu.Floor {
		if f.Lines != int64(cpu.Want) {
			t.Errorf("floor run %d: %d items, want %d", i+1, f.Lines, cpu.Want)
		}
	}
	if got := res.Mem.Runs[0][0].Records["messages"]; got != int64(o.SmallMsgs) {
		t.Errorf("memory run: %d records, want %d", got, o.SmallMsgs)
	}

	api := res.API
	for name, n := range api.Needs {
		got := api.Full[0].Records[name]
		if got < int64(n.Items) || (name != "chats" && got != int64(n.Items)) {
			t.Errorf("API-bound %s: %d records, the fake holds %d", name, got, n.Items)
		}
		if n.Items == 0 {
			t.Errorf("API-bound %s: the smoke data set has no items", name)
		}
	}
	if n := api.Full[0].total429(); n != 0 {
		t.Errorf("the full sync got %d responses of 429", n)
	}
	if api.Incremental.Records["messages"] < 1000 {
		t.Errorf("the incremental sync read %d messages, want at least the 1,000 added", api.Incremental.Records["messages"])
	}
	h := api.Hourly
	before, _ := reread(h.Before)
	short, _ := reread(h.Short)
	deep, _ := reread(h.Deep)
	if !(short < deep && short < before && 23*short+deep < 24*before) {
		t.Errorf("re-read bytes: short lookback %d, deep %d, 24 hours every sync %d", short, deep, before)
	}
	for _, want := range []string{"1. CPU-bound", "2. Memory", "3. API-bound", "4. Requests per 1,000 records", "5. Re-read on an hourly schedule", "6. Billed per day on an hourly schedule"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output has no %q table:\n%s", want, out.String())
		}
	}
	t.Log("\n" + out.String())
}
