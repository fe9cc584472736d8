package cat

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// This is the repository's one Dockerfile reader: CAT's image rules read
// the final stage through it (CAT inspects the built image; without Docker
// the Dockerfile stands in for it), and internal/packaging checks the build
// with it. It lives here because cat imports nothing of the connector's, so
// packaging can import cat and not the other way round. It reads enough of
// the format to know what the image will contain (instructions, line
// continuations, exec-form arrays, ENV and LABEL in both their forms), not
// a build.

// Instruction is one Dockerfile instruction, continuations joined.
type Instruction struct {
	Cmd  string // upper-case: FROM, RUN, ENV, ...
	Args string // the text after the instruction word, continuations joined
	Line int    // 1-based line where the instruction starts
}

// Stage is one FROM and the instructions after it.
type Stage struct {
	Base     string // image or earlier stage name after FROM
	Name     string // the AS name, if any
	Platform string // FROM --platform=..., if any
	Instr    []Instruction
}

// Dockerfile is a parsed Dockerfile.
type Dockerfile struct {
	// MetaArgs are the ARGs before the first FROM: Docker lets a stage
	// re-declare them to use their defaults.
	MetaArgs []Instruction
	Stages   []Stage
	// Directives are the parser directives (# syntax=..., # escape=...)
	// at the top of the file, keyed by lower-case name.
	Directives map[string]string
}

var directive = regexp.MustCompile(`^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$`)

// ParseDockerfile splits a Dockerfile into stages and instructions. It
// refuses what Docker refuses to build: an instruction other than ARG
// before the first FROM, a FROM it cannot read, a file that ends inside a
// continued instruction.
func ParseDockerfile(text string) (*Dockerfile, error) {
	var (
		df      Dockerfile
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
		in := Instruction{Cmd: strings.ToUpper(word), Args: strings.TrimSpace(args), Line: start}
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
			st := Stage{Base: f[0], Platform: platform}
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
				df.MetaArgs = append(df.MetaArgs, in)
				return nil
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

// parent is the index of the earlier stage that stage i is built FROM, or
// -1 when it starts from an external image.
func (df *Dockerfile) parent(i int) int {
	for j := i - 1; j >= 0; j-- {
		if df.Stages[j].Name != "" && strings.EqualFold(df.Stages[j].Name, df.Stages[i].Base) {
			return j
		}
	}
	return -1
}

// Resolve follows FROM <earlier stage> links back to an external image and
// returns that image and every instruction stage i inherits, in order.
func (df *Dockerfile) Resolve(i int) (string, []Instruction) {
	j := df.parent(i)
	if j < 0 {
		return df.Stages[i].Base, df.Stages[i].Instr
	}
	base, instr := df.Resolve(j)
	return base, append(slices.Clip(instr), df.Stages[i].Instr...)
}

// ExecForm reads a JSON-array argument (ENTRYPOINT ["a", "b"]). Docker
// treats anything that is not a valid JSON string array as shell form.
func ExecForm(args string) ([]string, bool) {
	if !strings.HasPrefix(strings.TrimSpace(args), "[") {
		return nil, false
	}
	var out []string
	if err := json.Unmarshal([]byte(args), &out); err != nil {
		return nil, false
	}
	return out, true
}

// KeyValues reads ENV and LABEL arguments: `K=V K2="v 2"`, or the legacy
// single pair `K V...` where the value is the rest of the line.
func KeyValues(args string) (map[string]string, error) {
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

// Image is what a Dockerfile's final stage sets.
type Image struct {
	Labels     map[string]string
	Env        map[string]string
	Entrypoint []string
}

// ParseImage reads the final stage's LABELs, ENVs and ENTRYPOINT.
func ParseImage(text string) (*Image, error) {
	df, err := ParseDockerfile(text)
	if err != nil {
		return nil, err
	}
	return df.FinalImage()
}

type stageState struct {
	labels, env map[string]string
	entry       []string
}

// FinalImage folds the final stage's LABELs, ENVs and ENTRYPOINT, resolving
// ARG defaults and stages built FROM an earlier stage. A stage FROM an
// external image starts empty: what the base image sets is unknown without
// Docker.
func (df *Dockerfile) FinalImage() (*Image, error) {
	if len(df.Stages) == 0 {
		return nil, errors.New("no FROM instruction")
	}
	// ARGs are read in file order across stages, which is looser than
	// Docker's per-stage scope.
	args := map[string]string{}
	arg := func(in Instruction) {
		k, v, _ := strings.Cut(in.Args, "=")
		if _, set := args[k]; !set || v != "" {
			args[k] = strings.Trim(v, `"'`)
		}
	}
	expand := func(s string) string {
		return expandVars(s, func(k string) string { return args[k] })
	}
	for _, in := range df.MetaArgs {
		arg(in)
	}
	states := make([]*stageState, len(df.Stages))
	for i, s := range df.Stages {
		st := &stageState{labels: map[string]string{}, env: map[string]string{}}
		if j := df.parent(i); j >= 0 {
			for k, v := range states[j].labels {
				st.labels[k] = v
			}
			for k, v := range states[j].env {
				st.env[k] = v
			}
			st.entry = states[j].entry
		}
		for _, in := range s.Instr {
			switch in.Cmd {
			case "ARG":
				arg(in)
			case "LABEL", "ENV":
				kv, err := KeyValues(in.Args)
				if err != nil {
					return nil, fmt.Errorf("line %d: %s %s: %w", in.Line, in.Cmd, in.Args, err)
				}
				dst := st.env
				if in.Cmd == "LABEL" {
					dst = st.labels
				}
				for k, v := range kv {
					dst[k] = expand(v)
				}
			case "ENTRYPOINT":
				if exec, ok := ExecForm(in.Args); ok {
					st.entry = exec
				} else {
					st.entry = []string{"/bin/sh", "-c", in.Args}
				}
			}
		}
		states[i] = st
	}
	final := states[len(states)-1]
	return &Image{Labels: final.labels, Env: final.env, Entrypoint: final.entry}, nil
}

var varRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expandVars substitutes $VAR and ${VAR}.
func expandVars(s string, f func(string) string) string {
	return varRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRe.FindStringSubmatch(m)
		if sub[1] != "" {
			return f(sub[1])
		}
		return f(sub[2])
	})
}
