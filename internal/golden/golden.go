// Package golden compares generated JSON with a committed golden file, or
// rewrites the file when the test runs with -update (`make golden`). Files
// are compared as parsed JSON, so formatting is free and a diff names the
// field that changed.
package golden

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// JSON checks got against the file at path, or writes it there when update
// is set.
func JSON(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make golden` to create it)", err)
	}
	if diff := cmp.Diff(parse(t, path, want), parse(t, "the generated JSON", got)); diff != "" {
		t.Errorf("%s is stale (-file +code); if the change is intended run `make golden`:\n%s", path, diff)
	}
}

func parse(t testing.TB, what string, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s is not JSON: %v", what, err)
	}
	return v
}
