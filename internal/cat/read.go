package cat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
)

// Basic read rules: TestBasicRead.test_read and its helpers in test_core.py
// and conftest.py.

// RecordsPresent is test_read's first assertion.
func RecordsPresent(out *Output) error {
	if len(out.Records()) == 0 {
		return fmt.Errorf("at least one record should be read using provided catalog (exit %d)%s", out.ExitCode, errorTraces(out))
	}
	return nil
}

// EmptyStreams is _validate_empty_streams: every configured stream has a
// record unless it is declared empty.
func EmptyStreams(records []*RecordMessage, cat *ConfiguredCatalog, allowed []NamedBypass) error {
	have := map[string]bool{}
	for _, r := range records {
		have[r.Stream] = true
	}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a.Name] = true
	}
	var missing []string
	for _, s := range cat.Streams {
		if !have[s.Stream.Name] && !ok[s.Stream.Name] {
			missing = append(missing, s.Stream.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("all streams should return some records, streams without records: %s", strings.Join(missing, ", "))
	}
	return nil
}

// HighStrictnessBypassReasons is the conftest rule that every declared
// exception (empty stream, ignored field, missing future-state stream)
// carries a bypass_reason in high strictness.
func HighStrictnessBypassReasons(what string, items []NamedBypass) error {
	for _, it := range items {
		if it.BypassReason == "" {
			return fmt.Errorf("high strictness level error: a bypass_reason must be filled in for all %s (%s has none)", what, it.Name)
		}
	}
	return nil
}

// pkValue is _extract_primary_key_value for one key path.
func pkValue(data map[string]any, path []string) any {
	var v any = data
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func pkKey(data map[string]any, pk [][]string) string {
	m := map[string]any{}
	for _, p := range pk {
		m[strings.Join(p, "\x00")] = pkValue(data, p)
	}
	return canonical(m)
}

// PrimaryKeyValues is _validate_primary_keys_data_type: no key part is an
// object or array, and not every part is null.
func PrimaryKeyValues(records []*RecordMessage, cat *ConfiguredCatalog) error {
	pks := map[string][][]string{}
	for _, s := range cat.Streams {
		if len(s.Stream.SourceDefinedPrimaryKey) > 0 {
			pks[s.Stream.Name] = s.Stream.SourceDefinedPrimaryKey
		}
	}
	for _, r := range records {
		pk := pks[r.Stream]
		if pk == nil {
			continue
		}
		nonNull := false
		for _, p := range pk {
			v := pkValue(r.Data, p)
			if v != nil {
				nonNull = true
			}
			switch v.(type) {
			case map[string]any:
				return fmt.Errorf("stream %s contains primary key with forbidden type of 'object'", r.Stream)
			case []any:
				return fmt.Errorf("stream %s contains primary key with forbidden type of 'array'", r.Stream)
			}
		}
		if !nonNull {
			return fmt.Errorf("stream %s contains primary key with null values in all its parts", r.Stream)
		}
	}
	return nil
}

var oneOfIndexRe = regexp.MustCompile(`\([0-9]*\)`)

// DataPoints is _validate_field_appears_at_least_once: every schema path
// occurs (as a key, even with a null value) in some record of the stream.
func DataPoints(records []*RecordMessage, cat *ConfiguredCatalog) error {
	var msgs []string
	for _, s := range cat.Streams {
		expected := map[string]bool{}
		for _, p := range expectedSchemaStructure(s.Stream.JSONSchema, true) {
			expected[p] = true
		}
		for _, r := range records {
			if r.Stream != s.Stream.Name {
				continue
			}
			present := map[string]bool{}
			for _, p := range objectStructure(anyMap(r.Data)) {
				present[p] = true
			}
			var remove []string
			for p := range expected {
				if present[oneOfIndexRe.ReplaceAllString(p, "")] {
					remove = append(remove, p)
				}
			}
			for _, p := range remove {
				parts := oneOfIndexRe.Split(p, -1)
				if len(parts) > 1 {
					for q := range expected {
						if strings.Contains(q, parts[0]) {
							delete(expected, q)
						}
					}
				}
				delete(expected, p)
			}
		}
		if len(expected) > 0 {
			var list []string
			for p := range expected {
				list = append(list, p)
			}
			sort.Strings(list)
			msgs = append(msgs, fmt.Sprintf("%s stream has %v empty fields", s.Stream.Name, list))
		}
	}
	if len(msgs) > 0 {
		return errors.New("following streams have records with fields that are not present in any output record:\n" + strings.Join(msgs, "\n"))
	}
	return nil
}

// LoadExpectedRecords parses an expected_records.jsonl (one
// AirbyteRecordMessage per line) grouped by stream.
func LoadExpectedRecords(raw []byte) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			return nil, fmt.Errorf("line %d is empty, not an AirbyteRecordMessage", n)
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(line, &probe); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		for _, k := range []string{"stream", "data", "emitted_at"} {
			if v, ok := probe[k]; !ok || string(v) == "null" {
				return nil, fmt.Errorf("line %d: AirbyteRecordMessage needs %s", n, k)
			}
		}
		var r RecordMessage
		if err := decodeJSON(line, &r); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if _, err := r.EmittedAt.Int64(); err != nil {
			return nil, fmt.Errorf("line %d: emitted_at must be an integer", n)
		}
		out[r.Stream] = append(out[r.Stream], r.Data)
	}
	return out, sc.Err()
}

// NotSeededStreams is find_not_seeded_streams: configured streams, not
// declared empty, that have no expected records.
func NotSeededStreams(cat *ConfiguredCatalog, empty []NamedBypass, expected map[string][]map[string]any) []string {
	skip := map[string]bool{}
	for _, e := range empty {
		skip[e.Name] = true
	}
	var out []string
	for _, s := range cat.Streams {
		if !skip[s.Stream.Name] && len(expected[s.Stream.Name]) == 0 {
			out = append(out, s.Stream.Name)
		}
	}
	return out
}

// ExpectedRecords is _validate_expected_records / compare_records: for a
// stream with a primary key the expected keys are a subset of the actual
// ones (or, with exact_order, a prefix in order); without one, there are at
// least as many actual records as expected.
func ExpectedRecords(records []*RecordMessage, expected map[string][]map[string]any, exactOrder bool, cat *ConfiguredCatalog) error {
	actual := map[string][]map[string]any{}
	for _, r := range records {
		actual[r.Stream] = append(actual[r.Stream], r.Data)
	}
	names := make([]string, 0, len(expected))
	for n := range expected {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		var cs *ConfiguredStream
		for i := range cat.Streams {
			if cat.Streams[i].Stream.Name == name {
				if cs != nil {
					return fmt.Errorf("expected exactly one stream matching name %s", name)
				}
				cs = &cat.Streams[i]
			}
		}
		if cs == nil {
			return fmt.Errorf("expected exactly one stream matching name %s but got 0", name)
		}
		exp, act := expected[name], actual[name]
		if pk := cs.Stream.SourceDefinedPrimaryKey; len(pk) > 0 {
			var ek, ak []string
			for _, d := range exp {
				ek = append(ek, pkKey(d, pk))
			}
			for _, d := range act {
				ak = append(ak, pkKey(d, pk))
			}
			if exactOrder {
				if len(ak) < len(ek) || strings.Join(ak[:len(ek)], "\n") != strings.Join(ek, "\n") {
					return fmt.Errorf("expected to see those primary keys in order in the actual response for stream %s", name)
				}
				continue
			}
			have := map[string]bool{}
			for _, k := range ak {
				have[k] = true
			}
			var missing []string
			for _, k := range ek {
				if !have[k] {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("expected to see those primary keys in the actual response for stream %s but they were not found: %s", name, clip(strings.Join(missing, ", "), 500))
			}
		} else if len(exp) > len(act) {
			return fmt.Errorf("expected to have at least as many records than expected for stream %s (%d expected, %d read)", name, len(exp), len(act))
		}
	}
	return nil
}

func nsKey(ns *string, name string) string {
	n := "None"
	if ns != nil {
		n = *ns
	}
	return n + "-" + name
}

// StreamStatuses is _validate_stream_statuses: every configured stream, and
// only those, reports STARTED, then RUNNING at least once, then COMPLETE.
func StreamStatuses(msgs []Message, cat *ConfiguredCatalog) error {
	byStream := map[string][]string{}
	var order []string
	for _, m := range msgs {
		if m.Type != "TRACE" || m.Trace == nil || m.Trace.Type != "STREAM_STATUS" || m.Trace.StreamStatus == nil {
			continue
		}
		d := m.Trace.StreamStatus.StreamDescriptor
		k := nsKey(d.Namespace, d.Name)
		if _, ok := byStream[k]; !ok {
			order = append(order, k)
		}
		byStream[k] = append(byStream[k], m.Trace.StreamStatus.Status)
	}
	want := map[string]bool{}
	for _, s := range cat.Streams {
		want[nsKey(s.Stream.Namespace, s.Stream.Name)] = true
	}
	same := len(want) == len(byStream)
	for k := range want {
		if _, ok := byStream[k]; !ok {
			same = false
		}
	}
	if !same {
		var got []string
		for k := range byStream {
			got = append(got, k)
		}
		sort.Strings(got)
		return fmt.Errorf("all streams must emit status; streams with statuses: %v, configured: %d streams", got, len(want))
	}
	for _, k := range order {
		l := byStream[k]
		if len(l) < 3 {
			return fmt.Errorf("stream %s statuses should be emitted in the order STARTED, RUNNING, ... COMPLETE; got %v", k, l)
		}
		if l[0] != "STARTED" || l[len(l)-1] != "COMPLETE" {
			return fmt.Errorf("stream %s statuses must start with STARTED and end with COMPLETE; got %v", k, l)
		}
		for _, s := range l[1 : len(l)-1] {
			if s != "RUNNING" {
				return fmt.Errorf("stream %s statuses between STARTED and COMPLETE must all be RUNNING; got %v", k, l)
			}
		}
	}
	return nil
}

// StateMessages is _validate_state_messages: at least one STATE per
// configured stream, each a per-stream (not LEGACY) state with sourceStats.
func StateMessages(msgs []Message, cat *ConfiguredCatalog) error {
	var states []Message
	for _, m := range msgs {
		if m.Type == "STATE" {
			states = append(states, m)
		}
	}
	if len(states) < len(cat.Streams) {
		return fmt.Errorf("at least one state message should be emitted for each configured stream: %d states for %d streams", len(states), len(cat.Streams))
	}
	for i, m := range states {
		s := m.State
		if s == nil || s.Stream == nil {
			return fmt.Errorf("state %d has no stream (CAT reads state.stream.stream_descriptor.name and fails on GLOBAL or LEGACY states)", i)
		}
		if s.Type == "LEGACY" {
			return fmt.Errorf("state %d of stream %s is LEGACY; emit STREAM or GLOBAL states", i, s.Stream.StreamDescriptor.Name)
		}
		if s.SourceStats == nil {
			return fmt.Errorf("state %d of stream %s has no sourceStats; source stats should be in state message", i, s.Stream.StreamDescriptor.Name)
		}
	}
	return nil
}

// InvalidCatalog is the catalog test_airbyte_trace_message_on_failure reads.
var InvalidCatalog = json.RawMessage(`{"streams":[{"stream":{"name":"__AIRBYTE__stream_that_does_not_exist","json_schema":{"type":"object","properties":{"f1":{"type":"string"}}},"supported_sync_modes":["full_refresh"],"source_defined_cursor":null,"default_cursor_field":null,"source_defined_primary_key":null,"namespace":null,"is_resumable":null},"sync_mode":"INVALID","destination_sync_mode":"INVALID"}]}`)

// TraceOnFailure is test_airbyte_trace_message_on_failure's assertion.
func TraceOnFailure(out *Output) error {
	for _, m := range out.Filter("TRACE") {
		if m.Trace.Type == "ERROR" {
			return nil
		}
	}
	return fmt.Errorf("connector should emit at least one error trace message for an invalid catalog (exit %d)", out.ExitCode)
}

// ---- full refresh (test_full_refresh.py) ---------------------------------

// EmittedAtIncreases is assert_emitted_at_increase_on_subsequent_runs.
func EmittedAtIncreases(first, second []*RecordMessage) error {
	if len(first) == 0 {
		return errors.New("at least one record should be read using provided catalog")
	}
	if len(second) == 0 {
		return errors.New("the second read returned no records (min() of an empty sequence in CAT)")
	}
	maxFirst, minSecond := first[0].EmittedAt, second[0].EmittedAt
	for _, r := range first {
		if numCmp(r.EmittedAt, maxFirst) > 0 {
			maxFirst = r.EmittedAt
		}
	}
	for _, r := range second {
		if numCmp(r.EmittedAt, minSecond) < 0 {
			minSecond = r.EmittedAt
		}
	}
	if numCmp(maxFirst, minSecond) >= 0 {
		return fmt.Errorf("emitted_at should increase on subsequent runs: max of the first read %s >= min of the second %s", maxFirst, minSecond)
	}
	return nil
}

// SequentialReadsSubset is the earlier CAT's
// assert_two_sequential_reads_produce_same_or_subset_records: per stream, the
// first read's records are a subset of the second's, compared by the
// configured primary key, else by the whole record minus ignored fields.
func SequentialReadsSubset(first, second []*RecordMessage, cat *ConfiguredCatalog, ignored map[string][]NamedBypass) error {
	pks := map[string][][]string{}
	for _, s := range cat.Streams {
		pks[s.Stream.Name] = s.PrimaryKey
	}
	key := func(stream string, data map[string]any) string {
		if pk := pks[stream]; len(pk) > 0 {
			return pkKey(data, pk)
		}
		d := map[string]any{}
		skip := map[string]bool{}
		for _, f := range ignored[stream] {
			skip[f.Name] = true
		}
		for k, v := range data {
			if !skip[k] {
				d[k] = v
			}
		}
		return canonical(d)
	}
	second2 := map[string]map[string]bool{}
	for _, r := range second {
		if second2[r.Stream] == nil {
			second2[r.Stream] = map[string]bool{}
		}
		second2[r.Stream][key(r.Stream, r.Data)] = true
	}
	missing := map[string]int{}
	for _, r := range first {
		if !second2[r.Stream][key(r.Stream, r.Data)] {
			missing[r.Stream]++
		}
	}
	if len(missing) > 0 {
		var l []string
		for s, n := range missing {
			l = append(l, fmt.Sprintf("%s (%d records)", s, n))
		}
		sort.Strings(l)
		return fmt.Errorf("the two sequential reads should produce either equal set of records or one of them is a strict subset of the other; records of the first read missing from the second: %s", strings.Join(l, ", "))
	}
	return nil
}

// ---- incremental (test_incremental.py) -----------------------------------

// IncrementalCatalog is configured_catalog_for_incremental: incremental
// streams only, each with a cursor_field (defaulting to default_cursor_field).
func IncrementalCatalog(c *ConfiguredCatalog) (*ConfiguredCatalog, error) {
	out := IncrementalOnly(c)
	for i, s := range out.Streams {
		if len(s.CursorField) == 0 {
			if len(s.Stream.DefaultCursorField) == 0 {
				return nil, fmt.Errorf("all incremental streams should either have cursor_field declared in the configured_catalog or default_cursor_field specified in the catalog output by discover; stream %s has neither", s.Stream.Name)
			}
			out.Streams[i].CursorField = append([]string(nil), s.Stream.DefaultCursorField...)
		}
	}
	return out, nil
}

// StateInput is a state file's content: a list of STREAM state messages.
type StateInput []map[string]any

func streamStateEntry(name string, ns any, state any) map[string]any {
	d := map[string]any{"name": name}
	if ns != nil {
		d["namespace"] = ns
	}
	return map[string]any{"type": "STREAM", "stream": map[string]any{"stream_descriptor": d, "stream_state": state}}
}

// LatestStateInput is what test_two_sequential_reads passes to the second
// read: with per-stream states, the latest stream_state of each stream;
// otherwise the last state's legacy data.
func LatestStateInput(msgs []Message) any {
	var states []Message
	for _, m := range msgs {
		if m.Type == "STATE" && m.State != nil {
			states = append(states, m)
		}
	}
	if len(states) == 0 {
		return nil
	}
	if last := states[len(states)-1].State; last.Type != "STREAM" {
		return last.Data
	}
	latest := map[string]any{}
	var order []string
	for _, m := range states {
		if m.State.Type != "STREAM" || m.State.Stream == nil {
			continue
		}
		n := m.State.Stream.StreamDescriptor.Name
		if _, ok := latest[n]; !ok {
			order = append(order, n)
		}
		st := m.State.Stream.StreamState
		if st == nil {
			st = map[string]any{}
		}
		latest[n] = st
	}
	in := StateInput{}
	for _, n := range order {
		st := latest[n]
		in = append(in, streamStateEntry(n, asMap(st)["stream_namespace"], st))
	}
	return in
}

// RecordsDiffer is naive_diff_records (DeepDiff with ignore_order, which
// also ignores repetitions): the two reads' record data differ as sets.
func RecordsDiffer(a, b []*RecordMessage) bool {
	set := func(rs []*RecordMessage) map[string]bool {
		m := map[string]bool{}
		for _, r := range rs {
			m[canonical(anyMap(r.Data))] = true
		}
		return m
	}
	x, y := set(a), set(b)
	if len(x) != len(y) {
		return true
	}
	for k := range x {
		if !y[k] {
			return true
		}
	}
	return false
}

// Checkpoint is one state chosen by test_read_sequential_slices, with the
// number of records a read from it must at least return.
type Checkpoint struct {
	State    *StateMessage
	Expected float64
}

func recordCount(s *StateMessage) (float64, error) {
	if s.SourceStats == nil || s.SourceStats.RecordCount == nil {
		name := ""
		if s.Stream != nil {
			name = s.Stream.StreamDescriptor.Name
		}
		return 0, fmt.Errorf("state of stream %s has no sourceStats.recordCount (CAT fails with an AttributeError)", name)
	}
	f, _, err := big.ParseFloat(string(*s.SourceStats.RecordCount), 10, 64, big.ToNearestEven)
	if err != nil {
		return 0, err
	}
	v, _ := f.Float64()
	return v, nil
}

func stateValue(s *StateMessage) any {
	if s.Stream == nil {
		return toTree(s)
	}
	return s.Stream.StreamState
}

// SliceCheckpoints is _state_messages_selector: consecutive states with
// the same stream_state collapse into the first (summing recordCount), states
// with a zero count are dropped, each keeps the count of records after it,
// and then either the last one (fewer than three) or a sample skipping the
// first and the last is chosen. It ports CAT's loop as written.
func SliceCheckpoints(states []*StateMessage) ([]Checkpoint, error) {
	counts := make([]float64, len(states))
	for i, s := range states {
		c, err := recordCount(s)
		if err != nil {
			return nil, err
		}
		counts[i] = c
	}
	type uniq struct {
		s     *StateMessage
		count float64
	}
	var unique []uniq
	if len(states) <= 1 {
		var out []Checkpoint
		for i, s := range states {
			if counts[i] != 0 {
				out = append(out, Checkpoint{s, 0})
			}
		}
		return out, nil
	}
	cur := 0
	for cur < len(states)-1 {
		next := cur + 1
		for jsonEqual(stateValue(states[cur]), stateValue(states[next])) && next < len(states)-1 {
			next++
		}
		sum := 0.0
		for i := cur; i < next; i++ {
			sum += counts[i]
		}
		counts[cur] = sum
		unique = append(unique, uniq{states[cur], sum})
		if next == len(states)-1 && !jsonEqual(stateValue(states[cur]), stateValue(states[next])) {
			unique = append(unique, uniq{states[next], counts[next]})
		}
		cur = next
	}
	var nonZero []uniq
	total := 0.0
	for _, u := range unique {
		if u.count != 0 {
			nonZero = append(nonZero, u)
			total += u.count
		}
	}
	all := make([]Checkpoint, len(nonZero))
	cum := 0.0
	for i, u := range nonZero {
		cum += u.count
		all[i] = Checkpoint{u.s, total - cum}
	}
	if len(all) < 3 {
		if len(all) == 0 {
			return nil, nil
		}
		return all[len(all)-1:], nil
	}
	rate := len(all) / 5
	if rate == 0 {
		rate = 1
	}
	var out []Checkpoint
	for i, c := range all {
		if i == 0 || i%rate != 0 || i == len(all)-1 {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// AccumulateState is get_next_state_input: the latest non-empty
// stream_state of every stream seen so far, without namespaces.
func AccumulateState(s *StateMessage, acc map[string]any, order *[]string) StateInput {
	if s != nil && s.Type == "STREAM" && s.Stream != nil && truthy(s.Stream.StreamState) {
		n := s.Stream.StreamDescriptor.Name
		if _, ok := acc[n]; !ok {
			*order = append(*order, n)
		}
		acc[n] = s.Stream.StreamState
	}
	in := StateInput{}
	for _, n := range *order {
		in = append(in, streamStateEntry(n, nil, acc[n]))
	}
	return in
}

// FutureStateCoversStreams is the high-strictness check of the
// future_state fixture: every incremental stream has a state in the file or
// is a missing_stream with a bypass_reason.
func FutureStateCoversStreams(states any, cat *ConfiguredCatalog, missing []NamedBypass) error {
	if err := HighStrictnessBypassReasons("missing_streams", missing); err != nil {
		return err
	}
	list, ok := states.([]any)
	if !ok {
		return errors.New("the future state file must be a JSON list of state messages")
	}
	have := map[string]bool{}
	for i, s := range list {
		n, ok := get(s, []string{"stream", "stream_descriptor", "name"})
		if !ok {
			return fmt.Errorf("future state entry %d has no stream.stream_descriptor.name", i)
		}
		have[fmt.Sprint(n)] = true
	}
	for _, m := range missing {
		have[m.Name] = true
	}
	var undeclared []string
	for _, s := range cat.Streams {
		for _, m := range s.Stream.SupportedSyncModes {
			if m == "incremental" && !have[s.Stream.Name] {
				undeclared = append(undeclared, s.Stream.Name)
			}
		}
	}
	if len(undeclared) > 0 {
		return fmt.Errorf("high test strictness level error: %s streams are missing in your future_state file, please declare a state for those streams or fill-in a valid bypass_reason", strings.Join(undeclared, ", "))
	}
	return nil
}

// FutureStateResult is test_state_with_abnormally_large_values' assertion.
func FutureStateResult(out *Output) error {
	if rs := out.Records(); len(rs) > 0 {
		return fmt.Errorf("the sync should produce no records when run with the state with abnormally large values; got %d, first from stream %s", len(rs), rs[0].Stream)
	}
	if len(out.Filter("STATE")) == 0 {
		return fmt.Errorf("the sync should produce at least one STATE message (exit %d)%s", out.ExitCode, errorTraces(out))
	}
	return nil
}
