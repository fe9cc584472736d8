package streams_test

import (
	"testing"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// A window's end is its only checkpoint, so windows are sized from their
// first page to about a minute of requests at the endpoint's rate. With
// that minute made a second, a 30-day window of messages holds far more
// than five pages: windows shrink to hold about five, whatever the order,
// and resuming from any STATE loses nothing.
func TestWindowsSizedFromTheFirstPage(t *testing.T) {
	defer streams.SetWindowMinute(time.Second)()
	for _, order := range []fakebotmaker.Order{fakebotmaker.OldestFirst, fakebotmaker.NewestFirst} {
		t.Run(string(order), func(t *testing.T) {
			f := newFixture(t, fakebotmaker.Config{Counts: fakebotmaker.Counts{"messages": 60000}, Quirks: fakebotmaker.Quirks{Order: fakebotmaker.OrderEvery(order)}})
			o := f.mustRead(nil, true, nil, "messages")
			if l := lost(f.truth("messages"), ids(o, "messages")); len(l) > 0 {
				t.Fatalf("%d messages lost", len(l))
			}
			s, _ := streams.Lookup("messages")
			target := int(s.RatePerSecond) // pages in a second
			var windows []int              // pages per window, in order
			for _, r := range f.srv.Requests() {
				if r.Endpoint != "messages" {
					continue
				}
				if r.Query.Get("page") == "" {
					windows = append(windows, 0)
				}
				windows[len(windows)-1]++
			}
			t.Logf("pages per window (a window asked again shorter shows as one page): %v", windows)
			if len(windows) < 6 {
				t.Errorf("%d windows for %d pages: none was shortened", len(windows), len(f.srv.Requests()))
			}
			for i, n := range windows {
				if n > 3*target {
					t.Errorf("window %d held %d pages, over three times the %d a second at the endpoint's rate", i, n, target)
				}
			}
		})
	}
}
