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

// layers run top to bottom: main → connector → streams → internal/* → the
// protocol leaf. A package imports only from its own layer or those below.
// Commands and the test harnesses sit with main: like main, they drive the
// connector from outside.
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
		{"main and commands", func(rel string) bool {
			return rel == "" || under("internal/cmd", "internal/synctest", "integration_tests")(rel)
		}},
		{"connector", under("connector")},
		{"streams", under("streams")},
		{"internal", under("internal")},
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

func TestUpwardImports(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	// today is the shape of the real graph, the protocol leaf imported
	// from every layer.
	today := map[string][]string{
		module:                 {m("connector"), "os"},
		m("connector"):         {m("streams"), m("internal/botmaker"), protocolPkg, "github.com/rs/zerolog"},
		m("streams"):           {m("internal/botmaker"), m("internal/rawjson"), protocolPkg},
		m("internal/botmaker"): {m("internal/rawjson"), protocolPkg},
		m("internal/rawjson"):  nil,
		m("internal/cmd/demo"): {m("streams"), m("internal/fakebotmaker"), protocolPkg},
		m("internal/synctest"): {m("connector"), m("streams")},
		protocolPkg:            {"encoding/json"},
	}
	with := func(pkg string, imports ...string) map[string][]string {
		g := map[string][]string{}
		for k, v := range today {
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
		{"today's shape passes", today, protocolPkg, nil},
		{"streams imports connector", with(m("streams"), m("connector")), protocolPkg,
			[]string{m("streams") + " (streams) imports " + m("connector") + " (connector), which is above it"}},
		{"internal imports streams", with(m("internal/botmaker"), m("streams")), protocolPkg,
			[]string{m("internal/botmaker") + " (internal) imports " + m("streams") + " (streams), which is above it"}},
		{"the leaf imports one of ours", with(protocolPkg, m("internal/rawjson")), protocolPkg,
			[]string{protocolPkg + " (protocol leaf) imports " + m("internal/rawjson") + " (internal), which is above it"}},
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
			m("internal/botmaker") + " (internal) imports " + m("connector/protocol") + " (connector), which is above it",
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

// TestImportsRunDown checks the repository's own graph. Only what a
// package builds into counts: tests may drive their package from above
// (connector's tests use internal/synctest, which imports connector).
func TestImportsRunDown(t *testing.T) {
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
	if _, ok := graph[protocolPkg]; !ok {
		t.Fatalf("protocolPkg %s is not a package of this module: if it moved, point protocolPkg at it", protocolPkg)
	}
	for _, p := range upwardImports(graph, protocolPkg) {
		t.Error(p)
	}
}
