package connector_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// A host that accepts connections and never answers: once one request has
// spent every attempt without an answer, the other streams stop waiting,
// every stream ends INCOMPLETE, and the sync reports one transient_error.
// The attempts' timeout is injected short; the bound checked is in
// requests (the streams past the first nine never send one), and the run's
// context ends a hang rather than any timer judging speed.
func TestStalledHostEndsTheSyncOnce(t *testing.T) {
	srv := fakebotmaker.New(fakebotmaker.Config{Token: secret, Seed: 7, Counts: small, Quirks: fakebotmaker.Quirks{Stall: true}})
	defer srv.Close()

	rt := synctest.Runtime()
	rt.Settings.Timeout = 200 * time.Millisecond
	rt.Settings.MaxAttempts = 3
	dir := t.TempDir()
	cfg := synctest.File(t, dir, "config.json", config(srv, "", srv.Now().AddDate(0, 0, -2), nil))
	cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(true))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := run(t, ctx, rt, "read", "--config", cfg, "--catalog", cat)
	if ctx.Err() != nil {
		t.Fatal("the sync did not end until the test's deadline")
	}
	if o.Code == 0 {
		t.Error("exit 0")
	}
	if len(o.Errors) != 1 {
		t.Fatalf("%d TRACE ERRORs, want 1: %+v", len(o.Errors), o.Errors)
	}
	if e := o.Errors[0]; e.FailureType != airbyte.TransientError || !strings.Contains(e.Message, "after 3 attempts") || !strings.Contains(e.Message, "stopped waiting on the other streams") {
		t.Errorf("error %+v: want a transient_error naming the attempts and saying the other streams stopped", e)
	}
	for _, s := range streams.All() {
		if st := o.Statuses[s.Name]; len(st) == 0 || st[len(st)-1] != airbyte.StatusIncomplete {
			t.Errorf("%s: statuses %v, want INCOMPLETE last", s.Name, st)
		}
	}
	// Nine streams at a time (the default): the first batch's requests, at
	// most every attempt of each, and none from the streams after it.
	if n, most := srv.Stats().Requests, 9*3; n > most {
		t.Errorf("%d requests reached the stalled host; at most %d when the other streams stop waiting", n, most)
	}
}
