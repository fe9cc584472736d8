package streams

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

// The fake API's table (internal/fakebotmaker/table.go) is what we believe
// about Botmaker, written without reading the streams; each stream's Def
// must agree with its row, so that neither drifts alone and the tests that
// read the fake exercise the declarations the connector ships.
func TestDefsMatchFakeAPI(t *testing.T) {
	paging := map[Pagination]fakebotmaker.Paging{
		SinglePage: fakebotmaker.SinglePage, NextURL: fakebotmaker.NextURL,
		NextToken: fakebotmaker.NextToken, OffsetTotal: fakebotmaker.OffsetTotal,
	}
	filter := map[Window]fakebotmaker.TimeFilter{
		NoWindow: fakebotmaker.NoFilter, FromTo: fakebotmaker.FromTo, DaysBeforeNow: fakebotmaker.DaysBeforeNow,
		BillingPeriod: fakebotmaker.BillingPeriod,
	}
	type endpoint struct {
		Path           string
		RatePerSecond  float64
		Limit          int
		ItemsKey       string
		Paging         fakebotmaker.Paging
		TokenParam     string
		Filter         fakebotmaker.TimeFilter
		Recent         string
		LongTermSearch bool
	}
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			e, ok := fakebotmaker.Lookup(s.Name)
			if !ok {
				t.Fatalf("stream %s has no endpoint in the fake API: add its row to internal/fakebotmaker/table.go", s.Name)
			}
			want := endpoint{e.Path, e.Rate, e.Limit, e.ItemsKey, e.Paging, e.TokenParam, e.Filter, e.Recent.String(), e.LongTermSearch}
			got := endpoint{s.Path, s.RatePerSecond, s.Limit, s.ItemsKey, paging[s.Pagination], s.TokenParam, filter[s.Window], s.Recent.String(), s.LongTermSearch}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stream %s's Def differs from the fake's row (-fake +Def):\n%s", s.Name, diff)
			}
		})
	}
}
