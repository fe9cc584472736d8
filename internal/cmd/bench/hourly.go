package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/streams"
)

// The bytes an hourly schedule re-reads in a day, before and after the two
// lookbacks (streams/lookback.go): every sync re-reading 24 hours, against
// 23 syncs re-reading the short lookback and one deep re-read, which
// reaches back 24 hours plus the day since the previous one. Each kind of
// sync runs once, on the billed streams, from the full sync's state; the
// state only says which kind it is. Re-read records are those at or before
// that state's bookmark, so the activity added since counts as new and
// leaves the re-read bytes alone.

// The billed records and bytes a day of hourly syncs costs, per billed
// stream, are 23 short syncs and one deep one (which also reads the open
// billing months, due once a day at billing_refresh_hours' default).

// hourlyResult is one sync of each kind.
type hourlyResult struct {
	Before, Short, Deep *syncRun
}

// billedNames are the streams whose bytes Botmaker bills.
func billedNames() []string {
	var out []string
	for _, s := range streams.All() {
		if s.Billing != streams.NotBilled {
			out = append(out, s.Name)
		}
	}
	return out
}

func hourlySchedule(ctx context.Context, o options, d *dataset, from map[string]json.RawMessage) (*hourlyResult, error) {
	names := billedNames()
	cat := filepath.Join(d.dir, "billed-catalog.json")
	if err := writeJSON(cat, billedCatalog(names)); err != nil {
		return nil, err
	}
	res := &hourlyResult{}
	var err error
	day := time.Now().UTC().Add(-24 * time.Hour)
	for _, k := range []struct {
		dst  **syncRun
		edit func(map[string]any)
	}{
		{&res.Before, func(st map[string]any) { delete(st, "last_deep_lookback") }},
		{&res.Short, nil},
		{&res.Deep, func(st map[string]any) {
			st["last_deep_lookback"] = streams.FormatTime(day)
			// The day's one read of the open billing months
			// (billing_refresh_hours, default 24) falls in this sync.
			if _, ok := st["months_read_at"]; ok {
				st["months_read_at"] = streams.FormatTime(day)
			}
		}},
	} {
		time.Sleep(2 * time.Second) // the fake's token buckets refill
		if *k.dst, err = d.billedSync(ctx, o, cat, from, k.edit); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func billedCatalog(names []string) airbyte.ConfiguredCatalog {
	var cat airbyte.ConfiguredCatalog
	for _, name := range names {
		s, _ := streams.Lookup(name)
		c := s.Catalog()
		cat.Streams = append(cat.Streams, airbyte.ConfiguredStream{Stream: c, SyncMode: airbyte.Incremental,
			CursorField: []string{s.Cursor}, DestinationSyncMode: "append_dedup", PrimaryKey: c.SourceDefinedPrimaryKey})
	}
	return cat
}

// billedSync runs an incremental sync of the billed streams from states,
// each stream_state changed by edit (nil: unchanged).
func (d *dataset) billedSync(ctx context.Context, o options, catalog string, states map[string]json.RawMessage, edit func(map[string]any)) (*syncRun, error) {
	var in []airbyte.State
	for _, name := range billedNames() {
		var st airbyte.State
		if err := json.Unmarshal(states[name], &st); err != nil {
			return nil, fmt.Errorf("state of %s: %w", name, err)
		}
		st.SourceStats = nil
		if edit != nil {
			var m map[string]any
			if err := json.Unmarshal(st.Stream.StreamState, &m); err != nil {
				return nil, err
			}
			edit(m)
			st.Stream.StreamState, _ = json.Marshal(m)
		}
		in = append(in, st)
	}
	statePath := filepath.Join(d.dir, "billed-state.json")
	if err := writeJSON(statePath, in); err != nil {
		return nil, err
	}
	saved := d.catalogPath
	d.catalogPath = catalog
	defer func() { d.catalogPath = saved }()
	s, err := syncOnce(ctx, o, d, statePath)
	if err != nil {
		return nil, err
	}
	if err := checkSync(s.run, billedNames(), nil, map[string]bool{}); err != nil {
		return nil, err
	}
	return s, nil
}

// reread sums a sync's re-read bytes and records over the streams billed
// on every request (chats re-read within the recent window are not
// billed).
func reread(s *syncRun) (bytes, records int64) {
	for name, b := range s.Traffic {
		if st, _ := streams.Lookup(name); st.Billing == streams.Billed {
			bytes += b.RereadBytes
			records += b.Reread
		}
	}
	return bytes, records
}

func (h *hourlyResult) print(out io.Writer) {
	fmt.Fprintln(out, "\n5. Re-read on an hourly schedule (messages and sessions, billed on every request; one sync of each kind from the full sync's state)")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "sync\tre-read records\tre-read KB\t")
	kb := func(n int64) string { return thousands(int((n + 500) / 1000)) }
	var before, short, deep int64
	for _, k := range []struct {
		name string
		s    *syncRun
		dst  *int64
	}{
		{"before: every sync re-reads 24 h", h.Before, &before},
		{"short lookback (1 h)", h.Short, &short},
		{"deep re-read (24 h + a day)", h.Deep, &deep},
	} {
		b, n := reread(k.s)
		*k.dst = b
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", k.name, n, kb(b))
	}
	tw.Flush()
	perDayBefore, perDayAfter := 24*before, 23*short+deep
	fmt.Fprintf(out, "Re-read per day, hourly syncs: before %s KB (24 × 24 h); after %s KB (23 short + 1 deep), %.1f%% of before.\n",
		kb(perDayBefore), kb(perDayAfter), 100*float64(perDayAfter)/float64(max(perDayBefore, 1)))
}

// perDay is what a day of hourly syncs bills for one stream: 23 syncs like
// the short one and one like the deep one.
func (h *hourlyResult) perDay(name string) (records, bytes int64) {
	short, deep := h.Short.Traffic[name], h.Deep.Traffic[name]
	return 23*written(short) + written(deep), 23*short.Bytes + deep.Bytes
}

// written is every record a sync wrote for a stream.
func written(b connector.BilledTraffic) int64 { return b.New + b.Updated + b.Reread }

// printPerDay prints, per billed stream, the short sync's split of its
// records (new: no earlier sync wrote it; updated: the finished version of
// a record tracked open; re-read) and what a day of hourly syncs bills.
func (h *hourlyResult) printPerDay(out io.Writer) {
	fmt.Fprintln(out, "\n6. Billed per day on an hourly schedule, per billed stream (23 short syncs and 1 deep one, which also reads the open billing months, each hour adding what section 4 added; records written, response KB billed)")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stream\thourly sync: new\tupdated\tre-read\tbilled KB\tper day: records\tbilled KB\t")
	kb := func(n int64) string { return thousands(int((n + 500) / 1000)) }
	var recs, bytes int64
	for _, name := range billedNames() {
		b := h.Short.Traffic[name]
		r, n := h.perDay(name)
		recs, bytes = recs+r, bytes+n
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t\n", name, b.New, b.Updated, b.Reread, kb(b.Bytes), thousands(int(r)), kb(n))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t%s\t%s\t\n", thousands(int(recs)), kb(bytes))
	tw.Flush()
}
