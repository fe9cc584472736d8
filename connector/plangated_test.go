package connector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/internal/synctest"
	"github.com/source-botmaker/source-botmaker/streams"
)

// A 403 on one endpoint while the token works on the others: on a stream
// Botmaker sells only on some plans (Def.PlanGated) it fails that stream
// alone, INCOMPLETE, saying the plan may lack it; on any other stream it is
// still the token's fault. Every stream is tried, from the registry, while
// the fake answers 403 on its endpoint only.
func TestForbiddenEndpointFailsOnlyItsStream(t *testing.T) {
	for _, s := range streams.All() {
		t.Run(s.Name, func(t *testing.T) {
			srv := fakebotmaker.New(fakebotmaker.Config{Seed: 7, Counts: small, HistoryDays: 60,
				Quirks: fakebotmaker.Quirks{Forbidden: map[string]bool{s.Name: true}}})
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			start := srv.Now().AddDate(0, 0, -20)
			cfg := synctest.File(t, dir, "config.json", synctest.Config(srv, start, nil))
			cat := synctest.File(t, dir, "catalog.json", synctest.Catalog(false))
			o := synctest.Run(t, context.Background(), synctest.Runtime(), "read", "--config", cfg, "--catalog", cat)
			if o.Code == 0 || len(o.Errors) != 1 {
				t.Fatalf("code %d, errors %+v; want one stream's error", o.Code, o.Errors)
			}
			e := o.Errors[0]
			if e.StreamDescriptor == nil || e.StreamDescriptor.Name != s.Name || e.FailureType != airbyte.ConfigError {
				t.Errorf("error %+v, want a config_error of stream %s", e, s.Name)
			}
			want := "rejected the access token"
			if s.PlanGated {
				want = "plan may not include"
			}
			if !strings.Contains(e.Message, want) {
				t.Errorf("message %q does not say %q", e.Message, want)
			}
			for _, other := range streams.All() {
				wantStatus := airbyte.StatusComplete
				if other.Name == s.Name {
					wantStatus = airbyte.StatusIncomplete
				}
				got := o.Statuses[other.Name]
				if diff := cmp.Diff(wantStatus, got[len(got)-1]); diff != "" {
					t.Errorf("stream %s's last status (-want +got):\n%s", other.Name, diff)
				}
			}
		})
	}
}
