package cat

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
	got, err := ParseDockerfile(text)
	if err != nil {
		t.Fatal(err)
	}
	want := &Dockerfile{Directives: map[string]string{"syntax": "docker/dockerfile:1"},
		MetaArgs: []Instruction{{Cmd: "ARG", Args: "GO=1.26", Line: 2}}, Stages: []Stage{
			{Base: "golang:1.26", Name: "build", Platform: "$BUILDPLATFORM", Instr: []Instruction{{Cmd: "RUN", Args: "a    && b", Line: 4}}},
			{Base: "alpine:3.20", Instr: []Instruction{
				{Cmd: "ENV", Args: `A=1 B="two words"`, Line: 9},
				{Cmd: "ENTRYPOINT", Args: `["/bin/x", "--flag"]`, Line: 10},
			}},
		}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}

	for _, bad := range []string{"RUN x\n", "FROM\n", "FROM a b c d\n", "FROM a\nRUN x \\\n"} {
		if _, err := ParseDockerfile(bad); err == nil {
			t.Errorf("ParseDockerfile(%q) succeeded, want an error", bad)
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
		got, ok := ExecForm(c.args)
		if ok != c.ok || !cmp.Equal(got, c.want) {
			t.Errorf("ExecForm(%q) = %q, %v; want %q, %v", c.args, got, ok, c.want, c.ok)
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
		got, err := KeyValues(c.args)
		if err != nil {
			t.Errorf("KeyValues(%q): %v", c.args, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("KeyValues(%q) (-want +got):\n%s", c.args, diff)
		}
	}
	for _, bad := range []string{`A="open`, `=x`, ``} {
		if _, err := KeyValues(bad); err == nil {
			t.Errorf("KeyValues(%q) succeeded, want an error", bad)
		}
	}
}

func TestFinalImage(t *testing.T) {
	cases := []struct {
		name, text string
		want       *Image
	}{
		{"a stage re-declares a meta ARG and gets its default",
			"ARG V=1.2.3\nFROM alpine\nARG V\nLABEL v=$V\n",
			&Image{Labels: map[string]string{"v": "1.2.3"}, Env: map[string]string{}}},
		{"a stage FROM an earlier one inherits its labels, env and entrypoint",
			"FROM alpine AS base\nENV A=1\nLABEL l=x\nENTRYPOINT [\"/a\"]\nFROM golang AS other\nENV A=2\nFROM BASE\nENV B=2\n",
			&Image{Labels: map[string]string{"l": "x"}, Env: map[string]string{"A": "1", "B": "2"}, Entrypoint: []string{"/a"}}},
		{"shell form runs under sh -c",
			"FROM alpine\nENTRYPOINT /bin/app --x\n",
			&Image{Labels: map[string]string{}, Env: map[string]string{}, Entrypoint: []string{"/bin/sh", "-c", "/bin/app --x"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseImage(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("image (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"", "# only a comment\n", "FROM alpine\nLABEL \"open=x\n"} {
		if _, err := ParseImage(bad); err == nil {
			t.Errorf("ParseImage(%q) succeeded, want an error", bad)
		}
	}
}
