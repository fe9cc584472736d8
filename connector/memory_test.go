package connector_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// maxPeakRSS is the bound for the built connector with every stream
// facing hostile servers at once.
const maxPeakRSS = 300 << 20

// hostileBody answers one request the way one of the hostile
// servers did: a Content-Length of 255 MiB with 10 bytes behind it, a gzip
// body that inflates to 1 GiB, or a 200 MB item. Bodies are generated as
// they are sent, so the test process holds none of them.
func hostileBody(kind int, w http.ResponseWriter, r *http.Request) {
	switch kind {
	case 0:
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"items\":", 255<<20)
		_ = buf.Flush()
		_ = conn.Close()
	case 1:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		_, _ = io.WriteString(zw, `{"items":[`)
		chunk := []byte(strings.Repeat(" ", 256<<10))
		for sent := 0; sent < 1<<30; sent += len(chunk) {
			if _, err := zw.Write(chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(zw, `],"nextPage":null}`)
		_ = zw.Close()
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items":[{"id":"x","name":"`)
		chunk := []byte(strings.Repeat("a", 256<<10))
		for sent := 0; sent < 200<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, `"}],"nextPage":null}`)
	}
}

// The built connector's peak RSS (the child's Rusage.Maxrss, not a timing)
// stays under maxPeakRSS while every stream faces the hostile servers, 9
// read at a time (the default max_concurrent_streams; the others wait their
// turn).
func TestPeakRSSWithHostileServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the connector against ~2 GB of hostile responses")
	}
	bin := connectorBinary(t)
	paths := map[string]int{}
	var names []string
	for _, s := range streams.All() {
		names = append(names, s.Path)
	}
	sort.Strings(names)
	for i, p := range names {
		paths[p] = i % 3
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hostileBody(paths[strings.TrimPrefix(r.URL.Path, "/v2.0")], w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", map[string]any{
		"access_token": secret, "start_date": time.Now().UTC().AddDate(0, 0, -20).Format("2006-01-02T15:04:05Z"),
		"base_url": srv.URL + "/v2.0", "max_concurrent_streams": 9,
	})
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
	// Linux starts the child's peak RSS at this test process's own peak
	// (exec records the high-water mark of the memory it replaces, which
	// os/exec's vfork shares with us), so earlier tests in this process
	// that synced all streams in process would count against the
	// connector. Return freed memory and reset our high-water mark first
	// (clear_refs 5, Linux 4.0+); where that fails the bound is only
	// stricter.
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	cmd := exec.Command(bin, "read", "--config", cfg, "--catalog", cat)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	err := cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("the connector did not run: %v", err)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %.1f MB with %d streams facing hostile servers", float64(peak)/1e6, len(names))
	if peak > maxPeakRSS {
		t.Errorf("peak RSS %d MiB, over %d MiB", peak>>20, maxPeakRSS>>20)
	}
	o := synctest.Parse(t, []byte(stdout.String()))
	noSecret(t, []byte(stdout.String()))
	if len(o.Errors) != len(names) {
		t.Errorf("%d error traces, want one per stream (%d): %+v", len(o.Errors), len(names), o.Errors)
	}
}
