package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// dataset is a fake API and the connector's config and catalog for it.
type dataset struct {
	srv         *fakebotmaker.Server
	dir         string
	start       time.Time // the config's start_date: where the fake's data begins
	configPath  string
	catalogPath string
	streams     []string
}

// newDataset starts a fake whose data spans exactly [start_date, now), so a
// full sync must read every item it has.
func newDataset(cfg fakebotmaker.Config, names []string, incremental bool) (*dataset, error) {
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().UTC().Truncate(time.Second)
	}
	if cfg.HistoryDays <= 0 {
		cfg.HistoryDays = 90
	}
	dir, err := os.MkdirTemp("", "botmaker-bench-")
	if err != nil {
		return nil, err
	}
	d := &dataset{srv: fakebotmaker.New(cfg), dir: dir, streams: names,
		start: cfg.Now.AddDate(0, 0, -cfg.HistoryDays)}
	d.configPath = filepath.Join(dir, "config.json")
	d.catalogPath = filepath.Join(dir, "catalog.json")
	conf := map[string]any{
		"access_token":     d.srv.Token(),
		"start_date":       streams.FormatTime(d.start),
		"long_term_search": true,
		"base_url":         d.srv.URL(),
	}
	var cat airbyte.ConfiguredCatalog
	for _, name := range names {
		s, _ := streams.Lookup(name)
		cs := airbyte.ConfiguredStream{Stream: s.Catalog(), SyncMode: airbyte.FullRefresh, DestinationSyncMode: "overwrite", PrimaryKey: s.Catalog().SourceDefinedPrimaryKey}
		if incremental && s.Incremental() {
			cs.SyncMode, cs.CursorField, cs.DestinationSyncMode = airbyte.Incremental, []string{s.Cursor}, "append_dedup"
		}
		cat.Streams = append(cat.Streams, cs)
	}
	if err := writeJSON(d.configPath, conf); err != nil {
		d.close()
		return nil, err
	}
	if err := writeJSON(d.catalogPath, cat); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *dataset) close() {
	d.srv.Close()
	os.RemoveAll(d.dir)
}

func (d *dataset) readArgs(statePath string) []string {
	a := []string{"read", "--config", d.configPath, "--catalog", d.catalogPath}
	if statePath != "" {
		a = append(a, "--state", statePath)
	}
	return a
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// pageSize is the most items one response of the endpoint carries at the
// largest limit the API accepts, as the fake's table says (Botmaker's
// documented sizes, and the fake's own where Botmaker documents none).
// It panics for an endpoint the fake lacks, which the streams' cross-check
// test reports first.
func pageSize(endpoint string) int {
	e, ok := fakebotmaker.Lookup(endpoint)
	if !ok {
		panic("bench: the fake has no endpoint " + endpoint)
	}
	if e.PageSize == 0 {
		return math.MaxInt // one page holds everything
	}
	return e.PageSize
}

// need is what any correct sync of one stream must request and return.
type need struct {
	Items int     // items the fake holds in the sync's range
	Pages int     // the fewest requests that fetch them
	Rate  float64 // Botmaker's documented requests per second
	Pace  float64 // the connector's pace for the endpoint, requests per second
}

// Seconds is the time the endpoint's rate limit alone imposes.
func (n need) Seconds() float64 { return float64(n.Pages) / n.Rate }

// PaceSeconds is the time the connector's own pacing imposes.
func (n need) PaceSeconds() float64 { return float64(n.Pages) / n.Pace }

// paces asks the connector's client what pace it keeps for each endpoint's
// documented limit, so the bench follows whatever pacing policy it has.
func paces() map[string]float64 {
	c, err := botmaker.New("http://127.0.0.1", "x", botmaker.DefaultSettings, zerolog.Nop())
	if err != nil {
		panic(err)
	}
	out := map[string]float64{}
	for _, s := range streams.All() {
		c.SetRate(s.Path, s.RatePerSecond)
		out[s.Name] = c.Rate(s.Path)
	}
	return out
}

// needs computes, from the fake's data, the minimum pages each stream takes
// for a full sync from start to now: windowed endpoints must be asked one
// window of at most streams.MaxWindow at a time (Botmaker rejects longer
// spans), and every window costs at least one request even when empty.
func (d *dataset) needs(now time.Time) map[string]need {
	out := map[string]need{}
	pace := paces()
	for _, name := range d.streams {
		s, _ := streams.Lookup(name)
		ep := s.Name // the fake names its endpoints after the streams
		ps := pageSize(ep)
		n := need{Rate: s.RatePerSecond, Pace: pace[name]}
		pages := func(items int) int { return max(1, (items+ps-1)/ps) }
		switch s.Window {
		case streams.FromTo:
			for a := d.start; a.Before(now); a = a.Add(streams.MaxWindow) {
				b := minTime(a.Add(streams.MaxWindow), now)
				k := len(d.srv.IDs(ep, a, b))
				n.Items += k
				n.Pages += pages(k)
			}
		case streams.DaysBeforeNow:
			n.Items = len(d.srv.IDs(ep, d.start, time.Time{}))
			n.Pages = pages(n.Items)
		default:
			n.Items = d.srv.Total(ep)
			n.Pages = pages(n.Items)
		}
		out[name] = n
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
