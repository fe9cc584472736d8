package integrationtests

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// TestFieldCoverage reads every stream of the registry from the fake and
// checks that every property of its schema, nested ones included, holds a
// value (not null, not an empty list) in at least one record: a stream
// cannot ship a column the fake never fills, which no test would then
// exercise. The session extras are asked for, as a user may.
func TestFieldCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("a full read of every stream")
	}
	srv := fakebotmaker.New(fakebotmaker.Config{Seed: 19, HistoryDays: historyDays})
	defer srv.Close()
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", synctest.Config(srv, srv.Now().Add(-historyDays*24*time.Hour), map[string]any{
		"include_messages": true, "include_events": true, "include_ai_analysis": true,
	}))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := synctest.Run(t, ctx, synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
	if o.Code != 0 || len(o.Errors) > 0 {
		t.Fatalf("read exited %d: %+v", o.Code, o.Errors)
	}
	for _, s := range streams.All() {
		t.Run(s.Name, func(t *testing.T) {
			var schema map[string]any
			if err := json.Unmarshal(s.Schema(), &schema); err != nil {
				t.Fatal(err)
			}
			filled := map[string]bool{}
			for _, raw := range o.Records[s.Name] {
				var rec any
				if err := json.Unmarshal(raw, &rec); err != nil {
					t.Fatal(err)
				}
				markFilled(rec, "", filled)
			}
			var empty []string
			for _, p := range schemaPaths(schema, "") {
				if !filled[p] {
					empty = append(empty, p)
				}
			}
			sort.Strings(empty)
			if len(empty) > 0 {
				t.Errorf("%d records; never filled: %s", len(o.Records[s.Name]), strings.Join(empty, ", "))
			}
		})
	}
}

// schemaPaths lists the paths of a schema's properties: "a.b" for b in
// object a, "a[].b" for b in the objects of list a.
func schemaPaths(schema map[string]any, prefix string) []string {
	var out []string
	props, _ := schema["properties"].(map[string]any)
	for name, sub := range props {
		p := prefix + name
		out = append(out, p)
		m, _ := sub.(map[string]any)
		out = append(out, schemaPaths(m, p+".")...)
		if items, ok := m["items"].(map[string]any); ok {
			out = append(out, schemaPaths(items, p+"[].")...)
		}
	}
	return out
}

// markFilled marks the paths, as schemaPaths writes them, whose value in v
// is neither null nor an empty list.
func markFilled(v any, prefix string, filled map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if sub == nil {
				continue
			}
			if l, ok := sub.([]any); ok && len(l) == 0 {
				continue
			}
			filled[prefix+k] = true
			markFilled(sub, prefix+k+".", filled)
		}
	case []any:
		p := strings.TrimSuffix(prefix, ".") + "[]."
		for _, e := range x {
			markFilled(e, p, filled)
		}
	}
}
