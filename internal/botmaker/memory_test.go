package botmaker

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/source-botmaker/source-botmaker/airbyte"
)

// Memory follows the bytes that arrive, never what the server declares,
// and the size limit counts bytes after decompression. The bound is on
// what the client allocates for one request (runtime.MemStats.TotalAlloc,
// which the in-process server's small writes barely touch).
func TestBodyMemoryFollowsTheBytes(t *testing.T) {
	s := quick
	s.MaxBody = 16 << 20
	s.MaxAttempts = 1
	tests := []struct {
		name     string
		handler  func(w http.ResponseWriter, r *http.Request)
		hint     string
		maxAlloc uint64
	}{
		{"declares just under the limit, sends 10 bytes", func(w http.ResponseWriter, r *http.Request) {
			raw(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n{\"items\":", 15<<20))
		}, "cut short", 3 << 20},
		{"gzip that inflates past the limit", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			_, _ = io.WriteString(zw, `{"items":[`)
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for sent := 0; sent < 1<<30; sent += len(chunk) {
				if _, err := zw.Write(chunk); err != nil {
					return
				}
			}
			_ = zw.Close()
		}, "larger than 16 MiB (counted after decompression)", 3 * 16 << 20},
		{"one item past the limit", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[{"id":"`)
			chunk := []byte(strings.Repeat("a", 64<<10))
			for sent := 0; sent < 200<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "larger than 16 MiB", 3 * 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.handler(w, r) })
			c, _ := newClient(t, srv.URL, s)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := get(t, c, "/messages")
			runtime.ReadMemStats(&after)
			var be *Error
			if !errors.As(err, &be) || !strings.Contains(be.Message, tt.hint) {
				t.Fatalf("err = %v, want one containing %q", err, tt.hint)
			}
			if strings.Contains(tt.hint, "larger") && be.FailureType != airbyte.SystemError {
				t.Errorf("failure type %s", be.FailureType)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > tt.maxAlloc {
				t.Errorf("allocated %d MiB, want at most %d MiB", got>>20, tt.maxAlloc>>20)
			}
		})
	}
}

// A 200 that starts with a UTF-8 byte order mark is read without it; one
// with a raw tab inside a string fails at once as system_error, since
// every attempt would get the same bytes.
func TestBOMAndRawControlCharacters(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // the body read; "" for an error
		requests   int32
	}{
		{"BOM", "\uFEFF" + good, good, 1},
		{"raw tab in a string", `{"items":[{"id":"a` + "\t" + `b"}],"nextPage":null}`, "", 1},
		{"not JSON is still retried", `<html>busy</html>`, "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tt.body) })
			c, _ := newClient(t, srv.URL, quick)
			body, err := get(t, c, "/chats")
			if tt.want != "" {
				if err != nil || string(body) != tt.want {
					t.Fatalf("got %q, %v; want %q", body, err, tt.want)
				}
			} else if err == nil {
				t.Fatal("no error")
			}
			if tt.name == "raw tab in a string" {
				var be *Error
				if !errors.As(err, &be) || be.FailureType != airbyte.SystemError || !strings.Contains(be.Message, "raw control character") {
					t.Errorf("err = %v, want system_error about the control character", err)
				}
			}
			if n := srv.n.Load(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}
