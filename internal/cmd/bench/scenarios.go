package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
	"github.com/source-botmaker/source-botmaker/streams"
)

// results are what the scenarios measured, for the smoke test's checks.
type results struct {
	CPU *cpuResult
	Mem *memResult
	API *apiResult
}

func bench(ctx context.Context, o options, out io.Writer) (*results, error) {
	if o.exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.exe = exe
	}
	if o.log == nil {
		o.log = os.Stderr
	}
	fmt.Fprintf(out, "Machine: %d cores (GOMAXPROCS %d), %s, %s %s/%s; load average at start %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadAvg())
	fmt.Fprintln(out, "Values are the median of the runs, with [min–max] when there is more than one run.")
	res := &results{}
	var err error
	if o.Scenarios["cpu"] || o.Scenarios["memory"] {
		if res.CPU, err = cpuBound(ctx, o); err != nil {
			return res, fmt.Errorf("CPU-bound: %w", err)
		}
		if o.Scenarios["cpu"] {
			res.CPU.print(out)
		}
	}
	if o.Scenarios["memory"] {
		if res.Mem, err = memory(ctx, o, res.CPU); err != nil {
			return res, fmt.Errorf("memory: %w", err)
		}
		res.Mem.print(out)
	}
	if o.Scenarios["api"] {
		if res.API, err = apiBound(ctx, o); err != nil {
			return res, fmt.Errorf("API-bound: %w", err)
		}
		res.API.print(out)
	}
	fmt.Fprintf(out, "\nLoad average at the end: %s\n", loadAvg())
	return res, nil
}

// ---- 1. CPU-bound ----------------------------------------------------------

type cpuResult struct {
	Messages, Want, LargeEvery, History int
	Requests                            int // HTTP requests per sync, connector and floor alike
	Windows                             int // of those, first pages of a window
	Connector, Floor                    []*run
}

func cpuBound(ctx context.Context, o options) (*cpuResult, error) {
	d, err := newDataset(fakebotmaker.Config{Seed: 1, HistoryDays: o.CPUHistory,
		Counts: fakebotmaker.Counts{"messages": o.Messages}, LargeTextEvery: o.LargeEvery}, []string{"messages"}, false)
	if err != nil {
		return nil, err
	}
	defer d.close()
	res := &cpuResult{Messages: o.Messages, Want: d.srv.Total("messages"), LargeEvery: o.LargeEvery, History: o.CPUHistory}
	urls := filepath.Join(d.dir, "first-pages.txt")
	// Connector and floor runs alternate, so a change in the machine's load
	// during the bench affects both alike.
	for i := 0; i < o.Runs; i++ {
		fmt.Fprintf(o.log, "CPU-bound: connector run %d/%d (%d messages)\n", i+1, o.Runs, o.Messages)
		d.srv.ResetRequests()
		cs := childSpec{Mode: "connector", Args: d.readArgs(""), Unpaced: true, Validate: o.Smoke}
		if i == 0 {
			cs.CPUProfile = o.CPUProfile
		}
		c, err := runChild(ctx, o.exe, cs)
		if err != nil {
			return nil, err
		}
		if err := checkSync(c, []string{"messages"}, map[string]int{"messages": res.Want}, nil); err != nil {
			return nil, fmt.Errorf("connector run %d: %w", i+1, err)
		}
		reqs := d.srv.Requests()
		if i == 0 {
			// The floor replays the connector's windows: the same first-page
			// URLs, then whatever nextPage says.
			res.Requests = len(reqs)
			var firsts []string
			base := strings.TrimSuffix(d.srv.URL(), "/v2.0")
			for _, r := range reqs {
				if r.Query.Get("page") == "" {
					firsts = append(firsts, base+r.Path+"?"+r.RawQuery)
				}
			}
			res.Windows = len(firsts)
			if err := os.WriteFile(urls, []byte(strings.Join(firsts, "\n")+"\n"), 0o600); err != nil {
				return nil, err
			}
		} else if len(reqs) != res.Requests {
			return nil, fmt.Errorf("connector run %d made %d requests, run 1 made %d", i+1, len(reqs), res.Requests)
		}
		res.Connector = append(res.Connector, c)

		fmt.Fprintf(o.log, "CPU-bound: floor run %d/%d\n", i+1, o.Runs)
		d.srv.ResetRequests()
		f, err := runChild(ctx, o.exe, childSpec{Mode: "floor", Args: []string{"-config", d.configPath, "-urls", urls}, Validate: o.Smoke})
		if err != nil {
			return nil, err
		}
		if f.ExitCode != 0 || len(f.Problems) > 0 {
			return nil, fmt.Errorf("floor run %d: exit %d: %s", i+1, f.ExitCode, strings.Join(f.Problems, "; "))
		}
		// The connector drops the items a window's one-second overlap
		// repeats; the floor copies them.
		if f.Lines < int64(res.Want) || f.Lines > int64(res.Want+res.Windows) {
			return nil, fmt.Errorf("floor run %d wrote %d items, the fake holds %d", i+1, f.Lines, res.Want)
		}
		if n := len(d.srv.Requests()); n != res.Requests {
			return nil, fmt.Errorf("floor run %d made %d requests, the connector %d", i+1, n, res.Requests)
		}
		res.Floor = append(res.Floor, f)
	}
	return res, nil
}

func (r *cpuResult) print(out io.Writer) {
	fmt.Fprintf(out, "\n1. CPU-bound: messages only, %s messages over %d days (every %dth with a ~10 KB text), long-term search, rate limits off; %d requests per sync; %d runs each\n",
		thousands(r.Messages), r.History, r.LargeEvery, r.Requests, len(r.Connector))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\twall s\trecords/s\toutput MB\toutput MB/s\tpeak RSS MB\tCPU s\tfake+reader CPU s\t")
	row := func(name string, runs []*run, recs int) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t\n", name,
			spread(runs, func(r *run) float64 { return r.Wall.Seconds() }, "%.2f"),
			spread(runs, func(r *run) float64 { return float64(recs) / r.Wall.Seconds() }, "%.0f"),
			float64(runs[0].Bytes)/1e6,
			spread(runs, func(r *run) float64 { return float64(r.Bytes) / 1e6 / r.Wall.Seconds() }, "%.1f"),
			spread(runs, func(r *run) float64 { return float64(r.MaxRSS) / (1 << 20) }, "%.1f"),
			spread(runs, func(r *run) float64 { return r.CPU.Seconds() }, "%.2f"),
			spread(runs, func(r *run) float64 { return r.ParentCPU.Seconds() }, "%.2f"))
	}
	row("connector", r.Connector, r.Want)
	row("raw-copy floor", r.Floor, r.Want)
	tw.Flush()
	cw := median(r.Connector, func(r *run) float64 { return r.Wall.Seconds() })
	fw := median(r.Floor, func(r *run) float64 { return r.Wall.Seconds() })
	cc := median(r.Connector, func(r *run) float64 { return r.CPU.Seconds() })
	fc := median(r.Floor, func(r *run) float64 { return r.CPU.Seconds() })
	best := func(runs []*run) float64 { return values(runs, func(r *run) float64 { return r.Wall.Seconds() })[0] }
	fmt.Fprintf(out, "connector/floor: wall time %.2f× (medians; best of each: %.2f×), CPU time %.2f×\n",
		cw/fw, best(r.Connector)/best(r.Floor), cc/fc)
	if ceiling := messagesCeiling(); ceiling > 0 {
		rate := float64(r.Want) / cw
		fmt.Fprintf(out, "headroom: the connector writes %s messages/s, %.1f× the %s/s Botmaker's /messages rate limit lets through (target: ≥ 10×, so the API, not the connector, bounds a sync)\n",
			thousands(int(rate)), rate/ceiling, thousands(int(ceiling)))
	}
}

// messagesCeiling is the most messages a second Botmaker serves: the
// documented request rate times the fullest page (pageSize), both as the
// API-bound scenario's lower bound takes them.
func messagesCeiling() float64 {
	s, ok := streams.Lookup("messages")
	if !ok {
		return 0
	}
	return s.RatePerSecond * float64(pageSize(s.Name))
}

// ---- 2. Memory -------------------------------------------------------------

type memResult struct {
	Sizes []int    // smaller data sets, then the CPU-bound scenario's
	Runs  [][]*run // per size
}

func memory(ctx context.Context, o options, large *cpuResult) (*memResult, error) {
	res := &memResult{}
	for _, n := range []int{o.SmallMsgs, o.SmallMsgs * 10} {
		if n >= large.Messages {
			break
		}
		d, err := newDataset(fakebotmaker.Config{Seed: 1, HistoryDays: o.CPUHistory,
			Counts: fakebotmaker.Counts{"messages": n}, LargeTextEvery: o.LargeEvery}, []string{"messages"}, false)
		if err != nil {
			return nil, err
		}
		want := d.srv.Total("messages")
		var runs []*run
		for i := 0; i < o.Runs; i++ {
			fmt.Fprintf(o.log, "memory: connector run %d/%d (%d messages)\n", i+1, o.Runs, n)
			c, err := runChild(ctx, o.exe, childSpec{Mode: "connector", Args: d.readArgs(""), Unpaced: true, Validate: o.Smoke})
			if err == nil {
				err = checkSync(c, []string{"messages"}, map[string]int{"messages": want}, nil)
			}
			if err != nil {
				d.close()
				return nil, fmt.Errorf("%d messages, run %d: %w", n, i+1, err)
			}
			runs = append(runs, c)
		}
		d.close()
		res.Sizes, res.Runs = append(res.Sizes, n), append(res.Runs, runs)
	}
	res.Sizes, res.Runs = append(res.Sizes, large.Messages), append(res.Runs, large.Connector)
	return res, nil
}

func (r *memResult) print(out io.Writer) {
	fmt.Fprintf(out, "\n2. Memory: connector peak RSS, messages only, rate limits off\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "messages\tpeak RSS MB\tCPU s\t")
	rss := func(r *run) float64 { return float64(r.MaxRSS) / (1 << 20) }
	cpu := func(r *run) float64 { return r.CPU.Seconds() }
	for i, n := range r.Sizes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", thousands(n), spread(r.Runs[i], rss, "%.1f"), spread(r.Runs[i], cpu, "%.2f"))
	}
	tw.Flush()
	last := len(r.Sizes) - 1
	fmt.Fprintf(out, "peak RSS ratio %s/%s messages: %.2f× for %.0f× the records (target: ≤ 64 MB and flat)\n",
		thousands(r.Sizes[last]), thousands(r.Sizes[0]), median(r.Runs[last], rss)/median(r.Runs[0], rss), float64(r.Sizes[last])/float64(r.Sizes[0]))
}

// ---- 3 and 4. API-bound, requests -----------------------------------------

type apiCounts = fakebotmaker.Counts

// defaultAPICounts make messages the slowest endpoint at about a minute and
// keep every other endpoint busy for most of it, so the streams' concurrency
// and the shared CPU both matter.
var defaultAPICounts = apiCounts{"chats": 36_000, "messages": 295_000, "sessions": 120_000, "calls": 55_000,
	"contacts": 12_000, "agents": 2_000, "channels": 6, "intents": 8_000, "tickets": 25_000}

// smokeAPICounts fit each endpoint's first second of requests.
var smokeAPICounts = apiCounts{"chats": 300, "messages": 2500, "sessions": 600, "calls": 300,
	"contacts": 150, "agents": 30, "channels": 6, "intents": 150, "tickets": 400}

// apiHistory puts the data in two 30-day windows.
const apiHistory = 59

type apiResult struct {
	Counts      apiCounts
	Needs       map[string]need
	Bound       float64
	Slowest     string
	PaceBound   float64 // the same bound at the connector's own pace
	PaceSlowest string
	Full        []*syncRun
	Incremental *syncRun
	Added       string
	Hourly      *hourlyResult
}

// syncRun is one connector run with what the fake saw.
type syncRun struct {
	*run
	Requests  map[string]int // per stream
	Status429 map[string]int
	Billed    map[string]int   // billed requests per stream
	BilledKB  map[string]int64 // their response bytes, per stream
}

func (s *syncRun) total429() int {
	n := 0
	for _, v := range s.Status429 {
		n += v
	}
	return n
}

func apiBound(ctx context.Context, o options) (*apiResult, error) {
	var names []string
	for _, s := range streams.All() {
		names = append(names, s.Name)
	}
	d, err := newDataset(fakebotmaker.Config{Seed: 1, HistoryDays: apiHistory, Counts: o.APICounts,
		LargeTextEvery: o.LargeEvery, RateLimits: true}, names, true)
	if err != nil {
		return nil, err
	}
	defer d.close()
	res := &apiResult{Counts: d.srv.Config().Counts, Needs: d.needs(d.srv.Now())}
	for _, name := range sortedKeys(res.Needs) {
		n := res.Needs[name]
		if n.Seconds() > res.Bound {
			res.Bound, res.Slowest = n.Seconds(), name
		}
		if n.PaceSeconds() > res.PaceBound {
			res.PaceBound, res.PaceSlowest = n.PaceSeconds(), name
		}
	}
	want := map[string]int{}
	// A stream whose filter is not its cursor (chats) keeps the overlap
	// between windows rather than dropping it.
	atLeast := map[string]bool{}
	for name, n := range res.Needs {
		want[name] = n.Items
		s, _ := streams.Lookup(name)
		atLeast[name] = s.Window == streams.FromTo && !s.CursorIsFilter
	}
	for i := 0; i < o.APIRuns; i++ {
		if i > 0 {
			// The fake's token buckets refill, as Botmaker's would between syncs.
			time.Sleep(2 * time.Second)
		}
		fmt.Fprintf(o.log, "API-bound: full sync %d/%d (lower bound %.1f s)\n", i+1, o.APIRuns, res.Bound)
		s, err := syncOnce(ctx, o, d, "")
		if err != nil {
			return nil, err
		}
		if err := checkSync(s.run, names, want, atLeast); err != nil {
			return nil, fmt.Errorf("full sync %d: %w", i+1, err)
		}
		res.Full = append(res.Full, s)
	}

	// New activity, then an incremental sync from the last full sync's state.
	d.srv.AddMessages(1000)
	d.srv.TouchChats(100)
	d.srv.AddCalls(100)
	d.srv.AddTickets(50)
	res.Added = "1,000 new messages, 100 chats with new activity, 100 new calls, 50 new tickets"
	time.Sleep(1100 * time.Millisecond) // the new items' second must be over before the sync's end
	var states []json.RawMessage
	for _, name := range names {
		if st, ok := res.Full[len(res.Full)-1].States[name]; ok {
			states = append(states, st)
		}
	}
	statePath := filepath.Join(d.dir, "state.json")
	if err := writeJSON(statePath, states); err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	fmt.Fprintln(o.log, "API-bound: incremental sync")
	inc, err := syncOnce(ctx, o, d, statePath)
	if err != nil {
		return nil, err
	}
	if err := checkSync(inc.run, names, nil, atLeast); err != nil {
		return nil, fmt.Errorf("incremental sync: %w", err)
	}
	res.Incremental = inc
	fmt.Fprintln(o.log, "API-bound: one sync of each kind an hourly schedule makes")
	if res.Hourly, err = hourlySchedule(ctx, o, d, res.Full[len(res.Full)-1].States); err != nil {
		return nil, fmt.Errorf("hourly schedule: %w", err)
	}
	return res, nil
}

func syncOnce(ctx context.Context, o options, d *dataset, statePath string) (*syncRun, error) {
	d.srv.ResetRequests()
	r, err := runChild(ctx, o.exe, childSpec{Mode: "connector", Args: d.readArgs(statePath), Validate: o.Smoke})
	if err != nil {
		return nil, err
	}
	s := &syncRun{run: r, Requests: map[string]int{}, Status429: map[string]int{}, Billed: map[string]int{}, BilledKB: map[string]int64{}}
	for _, q := range d.srv.Requests() {
		name := q.Endpoint
		s.Requests[name]++
		if q.Status == 429 {
			s.Status429[name]++
		}
		if st, ok := streams.Lookup(name); ok && q.Status == 200 && st.Billing.Bills(q.Query) {
			s.Billed[name]++
			s.BilledKB[name] += int64(q.Bytes)
		}
	}
	// The connector's own billed-traffic counts must say what the fake saw.
	if r.Traffic == nil && r.ExitCode == 0 {
		return nil, errors.New("the connector child finished its read without reporting its billed traffic")
	}
	for name, b := range r.Traffic {
		if b.Requests != int64(s.Billed[name]) || b.Bytes != s.BilledKB[name] {
			return nil, fmt.Errorf("stream %s: the connector counted %d billed requests and %d bytes, the fake served %d and %d", name, b.Requests, b.Bytes, s.Billed[name], s.BilledKB[name])
		}
	}
	return s, nil
}

func (r *apiResult) print(out io.Writer) {
	fmt.Fprintf(out, "\n3. API-bound: all %d streams, rate limits on (Botmaker's documented per-endpoint limits), %d days of history, long-term search; %d full syncs\n", len(streams.All()), apiHistory, len(r.Full))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "stream\tlimit req/s\titems\tfewest pages\tbound s\tpace req/s\tat pace s\t")
	for i := range r.Full {
		fmt.Fprintf(tw, "requests #%d\t429s #%d\t", i+1, i+1)
	}
	fmt.Fprintln(tw)
	for _, name := range sortedKeys(r.Needs) {
		n := r.Needs[name]
		fmt.Fprintf(tw, "%s\t%g\t%d\t%d\t%.1f\t%.3g\t%.1f\t", name, n.Rate, n.Items, n.Pages, n.Seconds(), n.Pace, n.PaceSeconds())
		for _, f := range r.Full {
			fmt.Fprintf(tw, "%d\t%d\t", f.Requests[name], f.Status429[name])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for i, f := range r.Full {
		fmt.Fprintf(out, "full sync #%d: wall %.1f s vs lower bound %.1f s (%s) = %.3f×; %d responses of 429; connector CPU %.1f s, peak RSS %.1f MB; %d warnings logged\n",
			i+1, f.Wall.Seconds(), r.Bound, r.Slowest, f.Wall.Seconds()/r.Bound, f.total429(), f.CPU.Seconds(), float64(f.MaxRSS)/(1<<20), len(f.Warnings))
	}
	fmt.Fprintf(out, "(target: ≤ 1.10× the lower bound, 0 responses of 429.) At the connector's own pace the bound is %.1f s (%s): pacing alone accounts for %.3f×.\n",
		r.PaceBound, r.PaceSlowest, r.PaceBound/r.Bound)

	fmt.Fprintf(out, "\n4. Requests per 1,000 records (full sync #1, and an incremental sync from its state after %s)\n", r.Added)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stream\tfull records\trequests\tper 1,000\tincr. records\trequests\tper 1,000\tbilled\t")
	full, inc := r.Full[0], r.Incremental
	per := func(req int, recs int64) string {
		if recs == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", float64(req)*1000/float64(recs))
	}
	for _, name := range sortedKeys(r.Needs) {
		billed := "no"
		switch st, _ := streams.Lookup(name); st.Billing {
		case streams.Billed:
			billed = "yes"
		case streams.BilledLongTerm:
			billed = "with LTS"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t\n", name,
			full.Records[name], full.Requests[name], per(full.Requests[name], full.Records[name]),
			inc.Records[name], inc.Requests[name], per(inc.Requests[name], inc.Records[name]), billed)
	}
	tw.Flush()
	billed := func(s *syncRun) string {
		kb := func(n int64) string { return thousands(int((n + 500) / 1000)) }
		var requests int
		var bytes int64
		var each []string
		for _, name := range billedNames() {
			requests += s.Billed[name]
			bytes += s.BilledKB[name]
			label := name
			if st, _ := streams.Lookup(name); st.Billing == streams.BilledLongTerm {
				label += " with long-term search"
			}
			each = append(each, fmt.Sprintf("%s %d, %s KB", label, s.Billed[name], kb(s.BilledKB[name])))
		}
		return fmt.Sprintf("%d requests, %s KB (%s)", requests, kb(bytes), strings.Join(each, "; "))
	}
	fmt.Fprintf(out, "Botmaker-billed: full sync %s; incremental sync (short lookback, as on an hourly schedule) %s; incremental wall %.1f s\n", billed(full), billed(inc), inc.Wall.Seconds())
	r.Hourly.print(out)
	r.Hourly.printPerDay(out)
}

// ---- checks and formatting --------------------------------------------------

// checkSync verifies a connector run: exit 0, no error, every stream
// COMPLETE with a STATE, and the expected record counts (at least the count
// for the streams in atLeast). A nil atLeast also refuses warnings: only the
// rate-limited syncs may log one (a 429 retried), and those are counted.
func checkSync(r *run, names []string, want map[string]int, atLeast map[string]bool) error {
	if r.ExitCode != 0 || len(r.Problems) > 0 {
		return fmt.Errorf("exit %d: %s", r.ExitCode, strings.Join(r.Problems, "; "))
	}
	if len(r.Warnings) > 0 && atLeast == nil {
		// Without rate limits nothing should need retrying or explaining.
		return fmt.Errorf("warnings: %s", strings.Join(r.Warnings, "; "))
	}
	for _, name := range names {
		if r.Status[name] != airbyte.StatusComplete {
			return fmt.Errorf("stream %s ended %q, not COMPLETE", name, r.Status[name])
		}
		if r.StateCount[name] == 0 {
			return fmt.Errorf("stream %s emitted no STATE", name)
		}
		w, ok := want[name]
		if !ok {
			continue
		}
		got := r.Records[name]
		if got != int64(w) && !(atLeast[name] && got > int64(w)) {
			return fmt.Errorf("stream %s: %d records, the fake holds %d", name, got, w)
		}
	}
	return nil
}

func values(runs []*run, f func(*run) float64) []float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return v
}

func median(runs []*run, f func(*run) float64) float64 {
	v := values(runs, f)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// spread is "median [min–max]".
func spread(runs []*run, f func(*run) float64, format string) string {
	v := values(runs, f)
	s := fmt.Sprintf(format, median(runs, f))
	if len(v) > 1 {
		s += fmt.Sprintf(" ["+format+"–"+format+"]", v[0], v[len(v)-1])
	}
	return s
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for name := range m {
		k = append(k, name)
	}
	slices.Sort(k)
	return k
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
