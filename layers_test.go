package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/source-botmaker/source-botmaker"

// protocolPkg holds the Airbyte protocol types, the shared leaf: every
// layer may import it and it imports nothing of ours.
var protocolPkg = module + "/airbyte"

// layer is one rung of the dependency ladder.
type layer struct {
	name string
	// has reports whether a package, as a path relative to the module,
	// belongs here.
	has func(rel string) bool
}

// layers run top to bottom: main and commands → test harnesses →
// connector → streams → the HTTP client → internal leaves → the protocol
// leaf. A package imports only from its own layer or those below, so the
// connector's own code never imports the fake API or the CAT runner that
// check it from outside, and the client and leaves know nothing of streams.
// A package is in the first layer that has it: an internal/* package that
// no earlier layer names is a leaf.
func layers(protocol string) []layer {
	leaf := strings.TrimPrefix(strings.TrimPrefix(protocol, module), "/")
	isLeaf := func(rel string) bool { return rel == leaf }
	under := func(dirs ...string) func(string) bool {
		return func(rel string) bool {
			for _, d := range dirs {
				if rel == d || strings.HasPrefix(rel, d+"/") {
					return true
				}
			}
			return false
		}
	}
	return []layer{
		// Commands and the sync harness drive the connector from outside,
		// as main does.
		{"main and commands", func(rel string) bool {
			return rel == "" || under("internal/cmd", "internal/synctest", "integration_tests")(rel)
		}},
		// What the tests, the demo and the bench check the connector with:
		// the fake Botmaker API, stdout parsing, the CAT runner, goldens.
		{"test harnesses", under("internal/fakebotmaker", "internal/stdoutparse", "internal/cat", "internal/golden", "internal/packaging")},
		{"connector", under("connector")},
		{"streams", under("streams")},
		{"HTTP client", under("internal/botmaker")},
		// Small packages that do one thing (rawjson, redact, schemagen,
		// plural) and import nothing of ours but the protocol leaf.
		{"internal leaves", under("internal")},
		{"protocol leaf", isLeaf},
	}
}

// rank is a package's place in the ladder, 0 at the top, and its layer;
// ok is false for a package of ours that no layer has.
func rank(ls []layer, pkg string) (i int, l layer, ok bool) {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	for i, l := range ls {
		if l.has(rel) {
			return i, l, true
		}
	}
	return 0, layer{}, false
}

func ours(pkg string) bool { return pkg == module || strings.HasPrefix(pkg, module+"/") }

// upwardImports returns every import in graph (package → its imports)
// that does not run down the ladder, and every package of ours that no
// layer has. Imports from outside the module are ignored.
func upwardImports(graph map[string][]string, protocol string) []string {
	ls := layers(protocol)
	var bad []string
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		if !ours(p) {
			continue
		}
		from, fl, ok := rank(ls, p)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is in no layer; add it to layers()", p))
			continue
		}
		for _, imp := range graph[p] {
			if !ours(imp) {
				continue
			}
			to, tl, ok := rank(ls, imp)
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("%s imports %s, which is in no layer", p, imp))
			case to < from:
				bad = append(bad, fmt.Sprintf("%s (%s) imports %s (%s), which is above it", p, fl.name, imp, tl.name))
			}
		}
	}
	return bad
}

// sample is the shape of the repository's graph (package → its imports),
// a part of what `go list` says today: every layer, the protocol leaf
// imported from each. TestSampleIsReal holds it to go list.
var sample = func() map[string][]string {
	m := func(rel string) string { return module + "/" + rel }
	return map[string][]string{
		module:                     {m("connector"), "os"},
		m("internal/cmd/demo"):     {m("connector"), m("streams"), m("internal/fakebotmaker"), m("internal/stdoutparse"), protocolPkg},
		m("internal/synctest"):     {m("connector"), m("streams"), m("internal/botmaker"), m("internal/fakebotmaker"), m("internal/stdoutparse"), protocolPkg},
		m("internal/fakebotmaker"): {"net/http"},
		m("internal/stdoutparse"):  {protocolPkg},
		m("connector"):             {m("connector/stdout"), m("streams"), m("internal/botmaker"), m("internal/plural"), m("internal/schemagen"), protocolPkg, "github.com/rs/zerolog"},
		m("connector/stdout"):      {m("internal/redact"), protocolPkg},
		m("streams"):               {m("internal/plural"), m("internal/schemagen"), protocolPkg},
		m("internal/botmaker"):     {m("internal/plural"), m("internal/redact"), protocolPkg},
		m("internal/plural"):       {"strconv"},
		m("internal/redact"):       {"net/url"},
		protocolPkg:                {"encoding/json"},
	}
}()

func TestUpwardImports(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	with := func(pkg string, imports ...string) map[string][]string {
		g := map[string][]string{}
		for k, v := range sample {
			g[k] = v
		}
		g[pkg] = append(append([]string(nil), g[pkg]...), imports...)
		return g
	}
	cases := []struct {
		name     string
		graph    map[string][]string
		protocol string
		want     []string
	}{
		{"the sample passes", sample, protocolPkg, nil},
		{"streams imports connector", with(m("streams"), m("connector")), protocolPkg,
			[]string{m("streams") + " (streams) imports " + m("connector") + " (connector), which is above it"}},
		{"the client imports streams", with(m("internal/botmaker"), m("streams")), protocolPkg,
			[]string{m("internal/botmaker") + " (HTTP client) imports " + m("streams") + " (streams), which is above it"}},
		{"the client imports the fake API", with(m("internal/botmaker"), m("internal/fakebotmaker")), protocolPkg,
			[]string{m("internal/botmaker") + " (HTTP client) imports " + m("internal/fakebotmaker") + " (test harnesses), which is above it"}},
		{"streams imports stdout parsing", with(m("streams"), m("internal/stdoutparse")), protocolPkg,
			[]string{m("streams") + " (streams) imports " + m("internal/stdoutparse") + " (test harnesses), which is above it"}},
		{"a leaf imports the client", with(m("internal/redact"), m("internal/botmaker")), protocolPkg,
			[]string{m("internal/redact") + " (internal leaves) imports " + m("internal/botmaker") + " (HTTP client), which is above it"}},
		{"a harness imports a command", with(m("internal/fakebotmaker"), m("internal/cmd/demo")), protocolPkg,
			[]string{m("internal/fakebotmaker") + " (test harnesses) imports " + m("internal/cmd/demo") + " (main and commands), which is above it"}},
		{"the leaf imports one of ours", with(protocolPkg, m("internal/plural")), protocolPkg,
			[]string{protocolPkg + " (protocol leaf) imports " + m("internal/plural") + " (internal leaves), which is above it"}},
		{"connector imports main", with(m("connector"), module), protocolPkg,
			[]string{m("connector") + " (connector) imports " + module + " (main and commands), which is above it"}},
		{"a package in no layer", with(m("tools/gen")), protocolPkg,
			[]string{m("tools/gen") + " is in no layer; add it to layers()"}},
		// A leaf kept under a layer's directory belongs to that layer, so
		// importing it from below runs upward: how connector/protocol was
		// before it moved to airbyte/.
		{"connector/protocol counted as part of connector", map[string][]string{
			m("connector"):          {m("streams"), m("connector/protocol")},
			m("streams"):            {m("connector/protocol")},
			m("internal/botmaker"):  {m("connector/protocol")},
			m("connector/protocol"): nil,
		}, m("airbyte"), []string{
			m("internal/botmaker") + " (HTTP client) imports " + m("connector/protocol") + " (connector), which is above it",
			m("streams") + " (streams) imports " + m("connector/protocol") + " (connector), which is above it",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, upwardImports(c.graph, c.protocol)); diff != "" {
				t.Errorf("upwardImports (-want +got):\n%s", diff)
			}
		})
	}
}

// goList is the repository's own graph (package → its imports) as go
// list gives it. Only what a package builds into counts: tests may drive
// their package from above (connector's tests use internal/synctest, which
// imports connector).
func goList(t *testing.T) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "list", "-json=ImportPath,Imports", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	for d := json.NewDecoder(bytes.NewReader(out)); ; {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := d.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list output: %v", err)
		}
		graph[p.ImportPath] = p.Imports
	}
	return graph
}

// TestImportsRunDown checks the repository's own graph.
func TestImportsRunDown(t *testing.T) {
	graph := goList(t)
	if _, ok := graph[protocolPkg]; !ok {
		t.Fatalf("protocolPkg %s is not a package of this module: if it moved, point protocolPkg at it", protocolPkg)
	}
	for _, p := range upwardImports(graph, protocolPkg) {
		t.Error(p)
	}
}

// TestSampleIsReal keeps the sample graph true: each of its packages
// exists and imports what the sample says, and it has a package in every
// layer.
func TestSampleIsReal(t *testing.T) {
	graph := goList(t)
	ls := layers(protocolPkg)
	covered := make([]bool, len(ls))
	for pkg, imports := range sample {
		real, ok := graph[pkg]
		if !ok {
			t.Errorf("the sample has %s, which go list does not: update sample", pkg)
			continue
		}
		for _, imp := range imports {
			if !slices.Contains(real, imp) {
				t.Errorf("the sample says %s imports %s; go list says it does not: update sample", pkg, imp)
			}
		}
		if i, _, ok := rank(ls, pkg); ok {
			covered[i] = true
		}
	}
	for i, l := range ls {
		if !covered[i] {
			t.Errorf("the sample has no package in layer %q", l.name)
		}
	}
}
