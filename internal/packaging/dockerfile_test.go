package packaging

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A small Dockerfile reader: enough of the format to check what the image
// will contain (instructions, line continuations, exec-form arrays, ENV and
// LABEL in both their forms), not a build.

type instruction struct {
	Cmd  string // upper-case: FROM, RUN, ENV, ...
	Args string // the text after the instruction word, continuations joined
	Line int    // 1-based line where the instruction starts
}

type stage struct {
	Base     string // image or earlier stage name after FROM
	Name     string // the AS name, if any
	Platform string // FROM --platform=..., if any
	Instr    []instruction
}

type dockerfile struct {
	Stages []stage
	// Directives are the parser directives (# syntax=..., # escape=...)
	// at the top of the file, keyed by lower-case name.
	Directives map[string]string
}

var directive = regexp.MustCompile(`^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$`)

func parseDockerfile(text string) (*dockerfile, error) {
	var (
		df      dockerfile
		cur     strings.Builder
		start   int
		pending bool
	)
	flush := func() error {
		if !pending {
			return nil
		}
		pending = false
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return nil
		}
		word, args, _ := strings.Cut(line, " ")
		if i := strings.IndexAny(word, "\t"); i >= 0 {
			word, args = word[:i], word[i+1:]+" "+args
		}
		in := instruction{Cmd: strings.ToUpper(word), Args: strings.TrimSpace(args), Line: start}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			platform := ""
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				if v, ok := strings.CutPrefix(f[0], "--platform="); ok {
					platform = v
				}
				f = f[1:]
			}
			if len(f) == 0 {
				return fmt.Errorf("line %d: FROM without an image", start)
			}
			st := stage{Base: f[0], Platform: platform}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			} else if len(f) != 1 {
				return fmt.Errorf("line %d: cannot read FROM %q", start, in.Args)
			}
			df.Stages = append(df.Stages, st)
			return nil
		}
		if len(df.Stages) == 0 {
			if in.Cmd == "ARG" {
				return nil // ARGs before the first FROM only parameterise FROM lines
			}
			return fmt.Errorf("line %d: %s before the first FROM", start, in.Cmd)
		}
		s := &df.Stages[len(df.Stages)-1]
		s.Instr = append(s.Instr, in)
		return nil
	}
	// Parser directives are only directives before any other line,
	// comment or instruction; after that they are plain comments.
	inDirectives := true
	for i, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if inDirectives {
			if m := directive.FindStringSubmatch(trimmed); m != nil {
				if df.Directives == nil {
					df.Directives = map[string]string{}
				}
				df.Directives[strings.ToLower(m[1])] = m[2]
				continue
			}
			inDirectives = false
		}
		// Comment lines are dropped even inside a continued instruction, as
		// Docker does; so are blank lines.
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if !pending {
			pending, start = true, i+1
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(raw, " \t\r"), `\`))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(strings.TrimRight(raw, "\r"))
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if pending {
		return nil, fmt.Errorf("line %d: the file ends inside a continued instruction", start)
	}
	return &df, nil
}

// execForm reads a JSON-array argument (ENTRYPOINT ["a", "b"]). Docker
// treats anything that is not a valid JSON string array as shell form.
func execForm(args string) ([]string, bool) {
	if !strings.HasPrefix(strings.TrimSpace(args), "[") {
		return nil, false
	}
	var out []string
	if err := json.Unmarshal([]byte(args), &out); err != nil {
		return nil, false
	}
	return out, true
}

// keyValues reads ENV and LABEL arguments: `K=V K2="v 2"`, or the legacy
// single pair `K V...` where the value is the rest of the line.
func keyValues(args string) (map[string]string, error) {
	words, err := shellWords(args)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("no key")
	}
	out := map[string]string{}
	if !strings.Contains(words[0], "=") {
		key, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
		val, err := unquote(strings.TrimSpace(rest))
		if err != nil {
			return nil, err
		}
		out[key] = val
		return out, nil
	}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", w)
		}
		out[k] = v
	}
	return out, nil
}

// shellWords splits on unquoted whitespace and removes quotes and escapes.
func shellWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inTok bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inTok {
				words = append(words, cur.String())
				cur.Reset()
				inTok = false
			}
			continue
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"' || c == '\'':
			end := i + 1
			for ; end < len(s) && s[end] != c; end++ {
				if c == '"' && s[end] == '\\' && end+1 < len(s) {
					end++
					cur.WriteByte(s[end])
					continue
				}
				cur.WriteByte(s[end])
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated %c quote in %q", c, s)
			}
			i = end
		default:
			cur.WriteByte(c)
		}
		inTok = true
	}
	if inTok {
		words = append(words, cur.String())
	}
	return words, nil
}

// unquote removes quotes and escapes but keeps whitespace, like Docker's
// processing of a legacy `ENV K V` value.
func unquote(s string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			out.WriteByte(s[i])
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return "", fmt.Errorf("unterminated %c quote in %q", c, s)
			}
			out.WriteString(s[i+1 : i+1+end])
			i += end + 1
		default:
			out.WriteByte(c)
		}
	}
	return out.String(), nil
}

func TestParseDockerfile(t *testing.T) {
	text := "# syntax=docker/dockerfile:1\n" +
		"ARG GO=1.26\n" +
		"FROM --platform=$BUILDPLATFORM golang:1.26 AS build\n" +
		"RUN a \\\n" +
		"  # a comment inside the continuation\n" +
		"\n" +
		"  && b\n" +
		"from alpine:3.20\n" +
		"env A=1 B=\"two words\"\n" +
		"ENTRYPOINT [\"/bin/x\", \"--flag\"]\n"
	got, err := parseDockerfile(text)
	if err != nil {
		t.Fatal(err)
	}
	want := &dockerfile{Directives: map[string]string{"syntax": "docker/dockerfile:1"}, Stages: []stage{
		{Base: "golang:1.26", Name: "build", Platform: "$BUILDPLATFORM", Instr: []instruction{{Cmd: "RUN", Args: "a    && b", Line: 4}}},
		{Base: "alpine:3.20", Instr: []instruction{
			{Cmd: "ENV", Args: `A=1 B="two words"`, Line: 9},
			{Cmd: "ENTRYPOINT", Args: `["/bin/x", "--flag"]`, Line: 10},
		}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}

	for _, bad := range []string{"RUN x\n", "FROM\n", "FROM a b c d\n", "FROM a\nRUN x \\\n"} {
		if _, err := parseDockerfile(bad); err == nil {
			t.Errorf("parseDockerfile(%q) succeeded, want an error", bad)
		}
	}
}

func TestExecForm(t *testing.T) {
	cases := []struct {
		args string
		want []string
		ok   bool
	}{
		{`["/airbyte/source-botmaker"]`, []string{"/airbyte/source-botmaker"}, true},
		{`[ "python", "/airbyte/main.py" ]`, []string{"python", "/airbyte/main.py"}, true},
		{`/airbyte/source-botmaker`, nil, false},
		{`['/single/quotes']`, nil, false}, // not JSON: Docker runs it as shell form
	}
	for _, c := range cases {
		got, ok := execForm(c.args)
		if ok != c.ok || !cmp.Equal(got, c.want) {
			t.Errorf("execForm(%q) = %q, %v; want %q, %v", c.args, got, ok, c.want, c.ok)
		}
	}
}

func TestKeyValues(t *testing.T) {
	cases := []struct {
		args string
		want map[string]string
	}{
		{`AIRBYTE_ENTRYPOINT "python /airbyte/main.py"`, map[string]string{"AIRBYTE_ENTRYPOINT": "python /airbyte/main.py"}},
		{`AIRBYTE_ENTRYPOINT /airbyte/source-botmaker`, map[string]string{"AIRBYTE_ENTRYPOINT": "/airbyte/source-botmaker"}},
		{`AIRBYTE_ENTRYPOINT="/airbyte/source-botmaker"`, map[string]string{"AIRBYTE_ENTRYPOINT": "/airbyte/source-botmaker"}},
		{`A=1 B="two words" C=it\'s D='x y'`, map[string]string{"A": "1", "B": "two words", "C": "it's", "D": "x y"}},
		{`io.airbyte.name=airbyte/source-botmaker`, map[string]string{"io.airbyte.name": "airbyte/source-botmaker"}},
	}
	for _, c := range cases {
		got, err := keyValues(c.args)
		if err != nil {
			t.Errorf("keyValues(%q): %v", c.args, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("keyValues(%q) (-want +got):\n%s", c.args, diff)
		}
	}
	for _, bad := range []string{`A="open`, `=x`, ``} {
		if _, err := keyValues(bad); err == nil {
			t.Errorf("keyValues(%q) succeeded, want an error", bad)
		}
	}
}
