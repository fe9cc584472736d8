package packaging

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/connector"
	"github.com/source-botmaker/source-botmaker/internal/botmaker"
	"github.com/source-botmaker/source-botmaker/internal/cat"
	"github.com/source-botmaker/source-botmaker/streams"
)

var repoRoot = filepath.Join("..", "..")

// imageWant is what the image must declare, taken from metadata.yaml, and
// the day the check runs on (a base image past its end of support fails).
type imageWant struct {
	Name, Version string
	Today         time.Time
}

// versionVar is the variable main sets from the embedded metadata.yaml;
// a build must not stamp it with -ldflags -X as well.
const versionVar = "github.com/source-botmaker/source-botmaker/connector.Version"

// alpineEnd is when each Alpine branch's main repository stops getting
// security fixes, from alpinelinux.org/releases. A branch missing here
// fails the check, so a bump also records its date.
var alpineEnd = map[string]string{
	"3.20": "2026-04-01",
	"3.21": "2026-11-01",
	"3.22": "2027-05-01",
	"3.23": "2027-11-01",
}

// checkDockerfile returns every way the Dockerfile text falls short of what
// Airbyte needs from a connector image.
func checkDockerfile(text string, want imageWant) []string {
	df, err := cat.ParseDockerfile(text)
	if err != nil {
		return []string{"cannot parse the Dockerfile: " + err.Error()}
	}
	var bad []string
	if len(df.Stages) < 2 {
		bad = append(bad, "not multi-stage: build in one stage and copy only the binary into a small runtime stage")
	}
	if len(df.Stages) == 0 {
		return bad
	}
	if v, ok := df.Directives["syntax"]; ok {
		bad = append(bad, fmt.Sprintf("# syntax=%s makes every build pull that frontend image; nothing here needs it, drop the line", v))
	}
	bad = append(bad, checkBuildStage(df)...)

	final := len(df.Stages) - 1
	base, instr := df.Resolve(final)
	if p := shellLessBase(base); p != "" {
		bad = append(bad, p)
	}
	bad = append(bad, checkSupported(base, text, want.Today)...)
	var (
		user, entry string
		env         = map[string]string{}
		labels      = map[string]string{}
		copied      []string
		runs        []string
	)
	for _, in := range instr {
		switch in.Cmd {
		case "USER":
			user = in.Args
		case "ENTRYPOINT":
			entry = in.Args
		case "RUN":
			runs = append(runs, in.Args)
		case "COPY", "ADD":
			if f := strings.Fields(in.Args); len(f) >= 2 {
				dst := f[len(f)-1]
				if strings.HasSuffix(dst, "/") {
					dst = path.Join(dst, path.Base(f[len(f)-2]))
				}
				copied = append(copied, dst)
			}
		case "ENV", "LABEL":
			kv, err := cat.KeyValues(in.Args)
			if err != nil {
				bad = append(bad, fmt.Sprintf("line %d: cannot read %s: %v", in.Line, in.Cmd, err))
				continue
			}
			dst := env
			if in.Cmd == "LABEL" {
				dst = labels
			}
			for k, v := range kv {
				dst[k] = v
			}
		}
	}
	bad = append(bad, checkUser(user, runs)...)

	args, exec := cat.ExecForm(entry)
	switch {
	case entry == "":
		bad = append(bad, "the final stage has no ENTRYPOINT")
	case !exec:
		bad = append(bad, fmt.Sprintf("ENTRYPOINT %s is shell form; use the exec form [\"/path/to/binary\"] so AIRBYTE_ENTRYPOINT can repeat it", entry))
	case len(args) == 0:
		bad = append(bad, "ENTRYPOINT is an empty array")
	default:
		joined := strings.Join(args, " ")
		if got, ok := env["AIRBYTE_ENTRYPOINT"]; !ok {
			bad = append(bad, fmt.Sprintf("AIRBYTE_ENTRYPOINT is not set; the platform runs `eval \"$AIRBYTE_ENTRYPOINT read ...\"`, set it to %q", joined))
		} else if got != joined {
			bad = append(bad, fmt.Sprintf("AIRBYTE_ENTRYPOINT is %q but the space-joined ENTRYPOINT is %q", got, joined))
		}
		if !slices.Contains(copied, args[0]) {
			bad = append(bad, fmt.Sprintf("ENTRYPOINT runs %s, which no COPY in the final stage puts there", args[0]))
		}
	}
	for _, l := range []struct{ key, want string }{{"io.airbyte.name", want.Name}, {"io.airbyte.version", want.Version}} {
		if got, ok := labels[l.key]; !ok {
			bad = append(bad, fmt.Sprintf("LABEL %s is missing; it must be %q (metadata.yaml)", l.key, l.want))
		} else if got != l.want {
			bad = append(bad, fmt.Sprintf("LABEL %s is %q but metadata.yaml says %q", l.key, got, l.want))
		}
	}
	return bad
}

var shellLess = regexp.MustCompile(`^(scratch|(gcr\.io|mcr\.microsoft\.com)/distroless/.*|cgr\.dev/chainguard/static.*)$`)

// shellLessBase reports a runtime base the platform cannot start: it runs
// connectors through `sh -c`. Unpinned tags make the image unreproducible.
func shellLessBase(base string) string {
	ref := strings.ToLower(base)
	if shellLess.MatchString(ref) && !strings.Contains(ref, ":debug") {
		return fmt.Sprintf("final stage base %s has no /bin/sh; the Airbyte platform starts connectors with sh -c", base)
	}
	if ref == "scratch" {
		return ""
	}
	name, digest, _ := strings.Cut(ref, "@")
	tag := ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		tag = name[i+1:]
	}
	if digest == "" && (tag == "" || tag == "latest") {
		return fmt.Sprintf("final stage base %s is not pinned to a version tag or digest", base)
	}
	return ""
}

var (
	stripFlags = regexp.MustCompile(`-ldflags[= ]["']?-s -w`)
	alpineTag  = regexp.MustCompile(`^alpine:(\d+\.\d+)(\.\d+)?$`)
)

// checkSupported fails an Alpine runtime base that is past its end of
// support on today, or whose end date the Dockerfile does not state (the
// comment is what tells a maintainer when the next bump is due).
func checkSupported(base, text string, today time.Time) []string {
	m := alpineTag.FindStringSubmatch(strings.ToLower(base))
	if m == nil {
		return nil
	}
	end, ok := alpineEnd[m[1]]
	if !ok {
		return []string{fmt.Sprintf("final stage base %s: add Alpine %s's end-of-support date (alpinelinux.org/releases) to alpineEnd", base, m[1])}
	}
	var bad []string
	if day, _ := time.Parse(time.DateOnly, end); !today.Before(day) {
		bad = append(bad, fmt.Sprintf("final stage base %s reached end of support on %s; move to a supported Alpine branch", base, end))
	}
	if !strings.Contains(text, end) {
		bad = append(bad, fmt.Sprintf("the Dockerfile does not say that %s is supported until %s; state it in a comment so the next bump is not missed", base, end))
	}
	return bad
}

// crossVars are the go build settings and stage ARGs that make the build
// stage cross-compile for the platform buildx asks for.
var crossVars = []struct{ env, arg string }{{"GOOS", "TARGETOS"}, {"GOARCH", "TARGETARCH"}}

func checkBuildStage(df *cat.Dockerfile) []string {
	for i := range df.Stages[:len(df.Stages)-1] {
		_, instr := df.Resolve(i)
		cgoOff := false
		for _, in := range instr {
			if in.Cmd == "ENV" {
				if kv, err := cat.KeyValues(in.Args); err == nil {
					if v, ok := kv["CGO_ENABLED"]; ok {
						cgoOff = v == "0"
					}
				}
			}
			if in.Cmd != "RUN" || !strings.Contains(in.Args, "go build") {
				continue
			}
			var bad []string
			if !cgoOff && !strings.Contains(in.Args, "CGO_ENABLED=0") {
				bad = append(bad, fmt.Sprintf("line %d: go build without CGO_ENABLED=0; the binary must be static to run on the runtime base", in.Line))
			}
			if !strings.Contains(in.Args, "-trimpath") {
				bad = append(bad, fmt.Sprintf("line %d: go build without -trimpath", in.Line))
			}
			if !stripFlags.MatchString(in.Args) {
				bad = append(bad, fmt.Sprintf("line %d: go build without -ldflags \"-s -w\"", in.Line))
			}
			if strings.Contains(in.Args, versionVar) {
				bad = append(bad, fmt.Sprintf("line %d: go build stamps %s by hand; the binary reads the version from the metadata.yaml it embeds", in.Line, versionVar))
			}
			if p := df.Stages[i].Platform; p != "$BUILDPLATFORM" && p != "${BUILDPLATFORM}" {
				bad = append(bad, fmt.Sprintf("the build stage is not FROM --platform=$BUILDPLATFORM, so a multi-platform build compiles under emulation (got %q)", p))
			}
			for _, v := range crossVars {
				if !strings.Contains(in.Args, v.env+"=$"+v.arg) && !strings.Contains(in.Args, v.env+"=${"+v.arg+"}") {
					bad = append(bad, fmt.Sprintf("line %d: go build without %s=$%s; the binary would be built for the build machine", in.Line, v.env, v.arg))
				}
				declared := false
				for _, a := range instr {
					declared = declared || (a.Cmd == "ARG" && slices.Contains(strings.Fields(a.Args), v.arg))
				}
				if !declared {
					bad = append(bad, fmt.Sprintf("the build stage does not declare ARG %s, so $%s is empty", v.arg, v.arg))
				}
			}
			return bad
		}
	}
	return []string{"no build stage runs `go build`"}
}

// checkUser wants the final stage to run as uid 1000, the uid Airbyte's
// rootless pods use, either by number or as a user created with that uid.
func checkUser(user string, runs []string) []string {
	name, _, _ := strings.Cut(user, ":")
	switch {
	case user == "":
		return []string{"the final stage has no USER, so the connector runs as root; add USER 1000"}
	case name == "1000":
		return nil
	case regexp.MustCompile(`^[0-9]+$`).MatchString(name):
		return []string{fmt.Sprintf("USER %s: the connector must run as uid 1000", user)}
	}
	created := regexp.MustCompile(`\b(adduser|useradd)\b[^;&|]*(-u|--uid)[ =]1000\b[^;&|]*\s` + regexp.QuoteMeta(name) + `(\s|$)`)
	for _, r := range runs {
		if created.MatchString(r) {
			return nil
		}
	}
	return []string{fmt.Sprintf("USER %s is not created with uid 1000 in the final stage; use USER 1000 or adduser -u 1000 %s", user, name)}
}

// metadata mirrors the parts of Airbyte's ConnectorMetadataDefinitionV0
// this connector uses. Decoding is strict, so a misspelt key fails here
// rather than in Airbyte's registry tooling.
type metadata struct {
	MetadataSpecVersion string `yaml:"metadataSpecVersion"`
	Data                struct {
		Name                  string   `yaml:"name"`
		DefinitionID          string   `yaml:"definitionId"`
		ConnectorType         string   `yaml:"connectorType"`
		ConnectorSubtype      string   `yaml:"connectorSubtype"`
		DockerRepository      string   `yaml:"dockerRepository"`
		DockerImageTag        string   `yaml:"dockerImageTag"`
		DocumentationURL      string   `yaml:"documentationUrl"`
		GithubIssueLabel      string   `yaml:"githubIssueLabel"`
		License               string   `yaml:"license"`
		ReleaseStage          string   `yaml:"releaseStage"`
		ProtocolVersion       string   `yaml:"protocolVersion"`
		SupportsDbt           *bool    `yaml:"supportsDbt"`
		SupportsNormalization *bool    `yaml:"supportsNormalization"`
		Tags                  []string `yaml:"tags"`
		AllowedHosts          struct {
			Hosts []string `yaml:"hosts"`
		} `yaml:"allowedHosts"`
		RegistryOverrides struct {
			OSS   struct{ Enabled bool } `yaml:"oss"`
			Cloud struct{ Enabled bool } `yaml:"cloud"`
		} `yaml:"registryOverrides"`
		SuggestedStreams struct {
			Streams []string `yaml:"streams"`
		} `yaml:"suggestedStreams"`
		MaxSecondsBetweenMessages  int    `yaml:"maxSecondsBetweenMessages"`
		Icon                       string `yaml:"icon"`
		ReleaseDate                string `yaml:"releaseDate"`
		SupportLevel               string `yaml:"supportLevel"`
		ConnectorTestSuitesOptions []struct {
			Suite string `yaml:"suite"`
		} `yaml:"connectorTestSuitesOptions"`
	} `yaml:"data"`
}

func loadMetadata(t *testing.T) metadata {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "metadata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var md metadata
	if err := dec.Decode(&md); err != nil {
		t.Fatalf("metadata.yaml: %v", err)
	}
	return md
}

const (
	// repoURL is where the repository is published.
	repoURL = "https://github.com/source-botmaker/source-botmaker"
	// docsPage is the connector's page in Airbyte's docs layout.
	docsPage = "docs/integrations/sources/botmaker.md"
)

func TestMetadata(t *testing.T) {
	md := loadMetadata(t)
	d := md.Data
	// Every stream is suggested (selected by default) but the opt-in ones.
	var names []string
	for _, s := range streams.All() {
		if !s.OptIn {
			names = append(names, s.Name)
		}
	}
	base, err := url.Parse(connector.DefaultBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	present := func(v string) string {
		if strings.TrimSpace(v) == "" {
			return "is missing"
		}
		return ""
	}
	equal := func(got, want any) string {
		if diff := cmp.Diff(want, got); diff != "" {
			return fmt.Sprintf("(-want +got):\n%s", diff)
		}
		return ""
	}
	checks := []struct {
		field   string
		problem string // empty when the field is right
	}{
		{"metadataSpecVersion", equal(md.MetadataSpecVersion, "1.0")},
		{"data.name", present(d.Name)},
		{"data.connectorType", equal(d.ConnectorType, "source")},
		{"data.dockerRepository", present(d.DockerRepository)},
		{"data.dockerImageTag", present(d.DockerImageTag)},
		{"data.license", present(d.License)},
		{"data.documentationUrl", equal(d.DocumentationURL, connector.DocumentationURL)},
		// The URL shows the docs page of this repository's main branch.
		{"data.documentationUrl", equal(strings.TrimPrefix(d.DocumentationURL, repoURL+"/blob/main/"), docsPage)},
		// The platform fails a sync that stays silent this long: it must
		// outlast one request with all its retries and waits.
		{"data.maxSecondsBetweenMessages", func() string {
			if limit := botmaker.DefaultSettings.MaxElapsed; time.Duration(d.MaxSecondsBetweenMessages)*time.Second <= limit {
				return fmt.Sprintf("is %d s, not longer than one request may take (%s)", d.MaxSecondsBetweenMessages, limit)
			}
			return ""
		}()},
		{"data.icon", equal(d.Icon, "icon.svg")},
		{"data.supportLevel", equal(d.SupportLevel, "community")},
		{"data.githubIssueLabel", present(d.GithubIssueLabel)},
		{"data.protocolVersion", equal(d.ProtocolVersion, airbyte.Version)},
		{"data.supportsDbt", equal(d.SupportsDbt != nil && !*d.SupportsDbt, true)},
		{"data.supportsNormalization", equal(d.SupportsNormalization != nil && !*d.SupportsNormalization, true)},
		{"data.tags", equal(slices.Contains(d.Tags, "language:go"), true)},
		// The platform's network policy only lets the connector reach these
		// hosts, so the default base URL's host must be among them.
		{"data.allowedHosts", equal(slices.Contains(d.AllowedHosts.Hosts, base.Hostname()), true)},
		{"data.suggestedStreams", equal(d.SuggestedStreams.Streams, names)},
	}
	for _, c := range checks {
		t.Run(c.field, func(t *testing.T) {
			if c.problem != "" {
				t.Errorf("metadata.yaml %s %s", c.field, c.problem)
			}
		})
	}
}

func TestDockerfile(t *testing.T) {
	md := loadMetadata(t)
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkDockerfile(string(raw), imageWant{md.Data.DockerRepository, md.Data.DockerImageTag, time.Now()}) {
		t.Error(p)
	}
}

// TestDockerfileCheckerRejects feeds broken variants of a good Dockerfile
// to the same checker, so each rule is shown to fail when it should.
func TestDockerfileCheckerRejects(t *testing.T) {
	const good = `FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" -o /out/app .

# Alpine 3.22 is supported until 2027-05-01.
FROM alpine:3.22
RUN adduser -D -u 1000 airbyte
COPY --from=build /out/app /airbyte/app
USER 1000
ENV AIRBYTE_ENTRYPOINT="/airbyte/app"
ENTRYPOINT ["/airbyte/app"]
LABEL io.airbyte.name=airbyte/source-x
LABEL io.airbyte.version=1.2.3
`
	want := imageWant{"airbyte/source-x", "1.2.3", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if p := checkDockerfile(good, want); len(p) > 0 {
		t.Fatalf("the good Dockerfile is rejected: %q", p)
	}
	type edit struct{ old, new string }
	cases := []struct {
		name    string
		edits   []edit
		problem string // substring of a reported problem; "" = must pass
	}{
		{"single stage", []edit{{good[:strings.Index(good, "# Alpine")], ""}}, "multi-stage"},
		{"cgo enabled", []edit{{"ENV CGO_ENABLED=0\n", ""}}, "CGO_ENABLED=0"},
		{"cgo set to 1", []edit{{"ENV CGO_ENABLED=0\n", "ENV CGO_ENABLED=1\n"}}, "CGO_ENABLED=0"},
		{"cgo inline is fine", []edit{{"ENV CGO_ENABLED=0\nRUN GOOS", "RUN CGO_ENABLED=0 GOOS"}}, ""},
		{"no trimpath", []edit{{"-trimpath ", ""}}, "-trimpath"},
		{"no strip", []edit{{`-ldflags="-s -w"`, `-ldflags=""`}}, "-s -w"},
		{"version stamped by hand", []edit{{`-ldflags="-s -w"`, `-ldflags="-s -w -X github.com/source-botmaker/source-botmaker/connector.Version=1.2.3"`}}, "by hand"},
		{"build under emulation", []edit{{"FROM --platform=$BUILDPLATFORM golang", "FROM golang"}}, "--platform=$BUILDPLATFORM"},
		{"braced platform is fine", []edit{{"$BUILDPLATFORM", "${BUILDPLATFORM}"}}, ""},
		{"no GOOS", []edit{{"GOOS=$TARGETOS ", ""}}, "GOOS=$TARGETOS"},
		{"no GOARCH", []edit{{"GOARCH=$TARGETARCH ", ""}}, "GOARCH=$TARGETARCH"},
		{"braced GOARCH is fine", []edit{{"GOARCH=$TARGETARCH", "GOARCH=${TARGETARCH}"}}, ""},
		{"TARGETARCH not declared", []edit{{"ARG TARGETOS TARGETARCH\n", "ARG TARGETOS\n"}}, "ARG TARGETARCH"},
		{"TARGETARCH declared before FROM only", []edit{{"ARG TARGETOS TARGETARCH\n", "ARG TARGETOS\n"}, {"FROM --platform", "ARG TARGETARCH\nFROM --platform"}}, "ARG TARGETARCH"},
		{"syntax directive", []edit{{"FROM --platform", "# syntax=docker/dockerfile:1\nFROM --platform"}}, "# syntax="},
		{"syntax after a comment is a comment", []edit{{"FROM --platform", "# build\n# syntax=docker/dockerfile:1\nFROM --platform"}}, ""},
		{"alpine past end of support", []edit{{"FROM alpine:3.22", "FROM alpine:3.20"}, {"3.22 is supported until 2027-05-01", "3.20 is supported until 2026-04-01"}}, "reached end of support on 2026-04-01"},
		{"alpine point release", []edit{{"FROM alpine:3.22", "FROM alpine:3.22.2"}}, ""},
		{"alpine branch without a date", []edit{{"FROM alpine:3.22", "FROM alpine:3.99"}}, "alpineEnd"},
		{"end of support not stated", []edit{{"# Alpine 3.22 is supported until 2027-05-01.\n", ""}}, "supported until 2027-05-01"},
		{"no go build", []edit{{"$TARGETARCH go build", "$TARGETARCH make"}}, "go build"},
		{"scratch", []edit{{"FROM alpine:3.22", "FROM scratch"}}, "/bin/sh"},
		{"distroless static", []edit{{"FROM alpine:3.22", "FROM gcr.io/distroless/static-debian12:nonroot"}}, "/bin/sh"},
		{"distroless debug has busybox", []edit{{"FROM alpine:3.22", "FROM gcr.io/distroless/static-debian12:debug"}}, ""},
		{"unpinned base", []edit{{"FROM alpine:3.22", "FROM alpine"}}, "pinned"},
		{"latest base", []edit{{"FROM alpine:3.22", "FROM alpine:latest"}}, "pinned"},
		{"no user", []edit{{"USER 1000\n", ""}}, "root"},
		{"root user", []edit{{"USER 1000", "USER root"}}, "uid 1000"},
		{"uid 0", []edit{{"USER 1000", "USER 0"}}, "uid 1000"},
		{"named user with uid 1000", []edit{{"USER 1000", "USER airbyte"}}, ""},
		{"named user without uid", []edit{{"USER 1000", "USER nobody"}}, "uid 1000"},
		{"uid and gid", []edit{{"USER 1000", "USER 1000:1000"}}, ""},
		{"shell-form entrypoint", []edit{{`ENTRYPOINT ["/airbyte/app"]`, "ENTRYPOINT /airbyte/app"}}, "shell form"},
		{"no entrypoint", []edit{{"ENTRYPOINT [\"/airbyte/app\"]\n", ""}}, "no ENTRYPOINT"},
		{"no AIRBYTE_ENTRYPOINT", []edit{{"ENV AIRBYTE_ENTRYPOINT=\"/airbyte/app\"\n", ""}}, "AIRBYTE_ENTRYPOINT is not set"},
		{"AIRBYTE_ENTRYPOINT differs", []edit{{`ENV AIRBYTE_ENTRYPOINT="/airbyte/app"`, `ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/app"`}}, "space-joined"},
		{"AIRBYTE_ENTRYPOINT legacy form", []edit{{`ENV AIRBYTE_ENTRYPOINT="/airbyte/app"`, `ENV AIRBYTE_ENTRYPOINT "/airbyte/app"`}}, ""},
		{"entrypoint with args joined", []edit{{`ENTRYPOINT ["/airbyte/app"]`, `ENTRYPOINT ["/airbyte/app", "--x"]`}}, "space-joined"},
		{"AIRBYTE_ENTRYPOINT only in the build stage", []edit{{"ENV AIRBYTE_ENTRYPOINT=\"/airbyte/app\"\n", ""}, {"ENV CGO_ENABLED=0\n", "ENV CGO_ENABLED=0 AIRBYTE_ENTRYPOINT=/airbyte/app\n"}}, "AIRBYTE_ENTRYPOINT is not set"},
		{"final stage inherits from a named stage", []edit{{"FROM alpine:3.22\n", "FROM alpine:3.22 AS runtime\nENV AIRBYTE_ENTRYPOINT=/airbyte/app\nFROM runtime\n"}, {"ENV AIRBYTE_ENTRYPOINT=\"/airbyte/app\"\n", ""}}, ""},
		{"binary not copied", []edit{{"COPY --from=build /out/app /airbyte/app", "COPY --from=build /out/app /usr/bin/app"}}, "no COPY"},
		{"binary copied into a directory", []edit{{"COPY --from=build /out/app /airbyte/app", "COPY --from=build /out/app /airbyte/"}}, ""},
		{"wrong version label", []edit{{"io.airbyte.version=1.2.3", "io.airbyte.version=1.2.4"}}, "io.airbyte.version"},
		{"no name label", []edit{{"LABEL io.airbyte.name=airbyte/source-x\n", ""}}, "io.airbyte.name is missing"},
		{"labels on one line", []edit{{"LABEL io.airbyte.name=airbyte/source-x\nLABEL io.airbyte.version=1.2.3", `LABEL io.airbyte.name="airbyte/source-x" \` + "\n  io.airbyte.version=1.2.3"}}, ""},
		{"unterminated continuation", []edit{{"LABEL io.airbyte.version=1.2.3\n", "LABEL io.airbyte.version=1.2.3 \\\n"}}, "cannot parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := good
			for _, e := range c.edits {
				if !strings.Contains(text, e.old) {
					t.Fatalf("test bug: %q is not in the Dockerfile being edited", e.old)
				}
				text = strings.Replace(text, e.old, e.new, 1)
			}
			problems := checkDockerfile(text, want)
			if c.problem == "" {
				if len(problems) > 0 {
					t.Errorf("rejected a valid variant: %q", problems)
				}
				return
			}
			for _, p := range problems {
				if strings.Contains(p, c.problem) {
					return
				}
			}
			t.Errorf("no problem mentioning %q; got %q\n%s", c.problem, problems, text)
		})
	}
}

// TestDockerignoreKeepsMetadata: tree_test.go checks what .dockerignore
// keeps out; this checks it keeps in what the build embeds.
func TestDockerignoreKeepsMetadata(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	// main.go embeds metadata.yaml for the version: the build needs it.
	for _, l := range lines {
		if ok, _ := path.Match(l, "metadata.yaml"); ok {
			t.Errorf(".dockerignore line %q excludes metadata.yaml, which the build embeds", l)
		}
	}
}

// TestIcon: icon.svg is the SVG document Airbyte shows for the connector:
// well-formed XML whose root is a square svg element, nothing executable.
func TestIcon(t *testing.T) {
	raw := readRepoFile(t, loadMetadata(t).Data.Icon)
	dec := xml.NewDecoder(strings.NewReader(raw))
	var root *xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("icon.svg is not well-formed XML: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == nil {
			root = &el
		}
		if strings.EqualFold(el.Name.Local, "script") || strings.EqualFold(el.Name.Local, "foreignObject") {
			t.Errorf("icon.svg holds a <%s> element", el.Name.Local)
		}
		for _, a := range el.Attr {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				t.Errorf("icon.svg: <%s> has an event handler %s", el.Name.Local, a.Name.Local)
			}
		}
	}
	if root == nil || root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("icon.svg's root element is %v, want svg in the SVG namespace", root)
	}
	var viewBox string
	for _, a := range root.Attr {
		if a.Name.Local == "viewBox" {
			viewBox = a.Value
		}
	}
	if f := strings.Fields(viewBox); len(f) != 4 || f[2] != f[3] {
		t.Errorf("icon.svg viewBox is %q, want a square one", viewBox)
	}
}
