// Package cat re-implements Airbyte's Connector Acceptance Tests (CAT,
// connector-acceptance-test 3.9.x) for a connector binary, without Docker.
//
// The config types mirror CAT's config.py, the rules mirror test_core.py,
// test_full_refresh.py and test_incremental.py: each rule is a function that
// returns an error naming what broke, so it can be run against the real
// connector (Suite) and against deliberately broken inputs (the package
// tests), which is how we know a green run is not vacuous.
//
// The connector's own tests call these rules rather than keep copies, and
// with them the stream-schema rules it keeps beyond CAT's (strict.go) and
// the repository's one Dockerfile reader (dockerfile.go). The package
// imports none of the connector's packages, so that any of them can
// import it.
package cat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"gopkg.in/yaml.v3"
)

// ConfigFile is the file CAT reads from the connector directory.
const ConfigFile = "acceptance-test-config.yml"

// Strictness is test_strictness_level.
type Strictness string

const (
	StrictnessLow  Strictness = "low"
	StrictnessHigh Strictness = "high"
)

// Config is acceptance-test-config.yml (config.py Config). Every struct
// below forbids unknown keys, as config.py's BaseConfig does (extra =
// "forbid"), except Section, whose pydantic GenericModel ignores them.
type Config struct {
	ConnectorImage             string            `yaml:"connector_image"`
	AcceptanceTests            *AcceptanceTests  `yaml:"acceptance_tests"`
	BasePath                   string            `yaml:"base_path"`
	TestStrictnessLevel        Strictness        `yaml:"test_strictness_level"`
	CustomEnvironmentVariables map[string]string `yaml:"custom_environment_variables"`
}

// AcceptanceTests is AcceptanceTestConfigurations.
type AcceptanceTests struct {
	Spec                   *Section[SpecTest]                   `yaml:"spec"`
	Connection             *Section[ConnectionTest]             `yaml:"connection"`
	Discovery              *Section[DiscoveryTest]              `yaml:"discovery"`
	BasicRead              *Section[BasicReadTest]              `yaml:"basic_read"`
	FullRefresh            *Section[FullRefreshTest]            `yaml:"full_refresh"`
	Incremental            *Section[IncrementalTest]            `yaml:"incremental"`
	ConnectorAttributes    *Section[ConnectorAttributesTest]    `yaml:"connector_attributes"`
	ConnectorDocumentation *Section[ConnectorDocumentationTest] `yaml:"connector_documentation"`
	ClientContainerConfig  *ClientContainerConfig               `yaml:"client_container_config"`
}

// Section is GenericTestConfig: either tests or a bypass_reason.
type Section[T any] struct {
	BypassReason string
	Tests        []T
}

// UnmarshalYAML decodes bypass_reason and tests, ignoring other keys like
// pydantic's GenericModel, but decodes each test strictly.
func (s *Section[T]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a test section must be a mapping with tests or bypass_reason", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "bypass_reason":
			if err := v.Decode(&s.BypassReason); err != nil {
				return err
			}
		case "tests":
			if v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				return fmt.Errorf("line %d: tests must be a list", v.Line)
			}
			for _, item := range v.Content {
				var t T
				if err := strictDecode(item, &t); err != nil {
					return err
				}
				s.Tests = append(s.Tests, t)
			}
		}
	}
	if len(s.Tests) > 0 && s.BypassReason != "" {
		return fmt.Errorf("line %d: you can't set a bypass_reason if tests are set", n.Line)
	}
	return nil
}

// strictDecode decodes a node with unknown keys as errors. yaml.Node.Decode
// has no KnownFields switch, so the node goes through a strict Decoder.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("near line %d: %w", n.Line, err)
	}
	return nil
}

// BackwardCompatibility is BackwardCompatibilityTestsConfig.
type BackwardCompatibility struct {
	PreviousConnectorVersion string `yaml:"previous_connector_version"`
	DisableForVersion        string `yaml:"disable_for_version"`
}

// OAuthTest is OAuthTestConfig.
type OAuthTest struct {
	OAuth        *bool  `yaml:"oauth"`
	BypassReason string `yaml:"bypass_reason"`
}

// SpecTest is SpecTestConfig.
type SpecTest struct {
	SpecPath                        string                 `yaml:"spec_path"`
	ConfigPath                      string                 `yaml:"config_path"`
	TimeoutSeconds                  *int                   `yaml:"timeout_seconds"`
	DeploymentMode                  string                 `yaml:"deployment_mode"`
	BackwardCompatibilityTestConfig *BackwardCompatibility `yaml:"backward_compatibility_tests_config"`
	AuthDefaultMethod               *OAuthTest             `yaml:"auth_default_method"`
}

// ConnectionStatus is ConnectionTestConfig.Status.
type ConnectionStatus string

const (
	StatusSucceed   ConnectionStatus = "succeed"
	StatusFailed    ConnectionStatus = "failed"
	StatusException ConnectionStatus = "exception"
)

// ConnectionTest is ConnectionTestConfig.
type ConnectionTest struct {
	ConfigPath     string           `yaml:"config_path"`
	Status         ConnectionStatus `yaml:"status"`
	TimeoutSeconds *int             `yaml:"timeout_seconds"`
	DeploymentMode string           `yaml:"deployment_mode"`
}

// DiscoveryTest is DiscoveryTestConfig.
type DiscoveryTest struct {
	ConfigPath                      string                 `yaml:"config_path"`
	TimeoutSeconds                  *int                   `yaml:"timeout_seconds"`
	DeploymentMode                  string                 `yaml:"deployment_mode"`
	BackwardCompatibilityTestConfig *BackwardCompatibility `yaml:"backward_compatibility_tests_config"`
	ValidatePrimaryKeysDataType     *bool                  `yaml:"validate_primary_keys_data_type"`
}

// ExpectRecords is ExpectedRecordsConfig.
type ExpectRecords struct {
	BypassReason string `yaml:"bypass_reason"`
	Path         string `yaml:"path"`
	ExactOrder   bool   `yaml:"exact_order"`
}

// NamedBypass is EmptyStreamConfiguration, IgnoredFieldsConfiguration and
// NoPrimaryKeyConfiguration: a name and why it is an exception.
type NamedBypass struct {
	Name         string `yaml:"name"`
	BypassReason string `yaml:"bypass_reason"`
}

// UnsupportedFileType is UnsupportedFileTypeConfig.
type UnsupportedFileType struct {
	Extension    string `yaml:"extension"`
	BypassReason string `yaml:"bypass_reason"`
}

// FileTypes is FileTypesConfig.
type FileTypes struct {
	BypassReason     string                `yaml:"bypass_reason"`
	UnsupportedTypes []UnsupportedFileType `yaml:"unsupported_types"`
	SkipTest         bool                  `yaml:"skip_test"`
}

// ClientContainerConfig is ClientContainerConfig (setup/teardown container).
type ClientContainerConfig struct {
	SecretsPath                   string   `yaml:"secrets_path"`
	ClientContainerDockerfilePath string   `yaml:"client_container_dockerfile_path"`
	SetupCommand                  []string `yaml:"setup_command"`
	TeardownCommand               []string `yaml:"teardown_command"`
	BetweenSyncsCommand           []string `yaml:"between_syncs_command"`
	FinalTeardownCommand          []string `yaml:"final_teardown_command"`
}

// BasicReadTest is BasicReadTestConfig.
type BasicReadTest struct {
	ConfigPath                   string                 `yaml:"config_path"`
	DeploymentMode               string                 `yaml:"deployment_mode"`
	ConfiguredCatalogPath        string                 `yaml:"configured_catalog_path"`
	EmptyStreams                 []NamedBypass          `yaml:"empty_streams"`
	ExpectRecords                *ExpectRecords         `yaml:"expect_records"`
	ValidateSchema               *bool                  `yaml:"validate_schema"`
	ValidateStreamStatuses       *bool                  `yaml:"validate_stream_statuses"`
	ValidateStateMessages        *bool                  `yaml:"validate_state_messages"`
	ValidatePrimaryKeysDataType  *bool                  `yaml:"validate_primary_keys_data_type"`
	FailOnExtraColumns           *bool                  `yaml:"fail_on_extra_columns"`
	ValidateDataPoints           bool                   `yaml:"validate_data_points"`
	ExpectTraceMessageOnFailure  *bool                  `yaml:"expect_trace_message_on_failure"`
	TimeoutSeconds               *int                   `yaml:"timeout_seconds"`
	FileTypes                    *FileTypes             `yaml:"file_types"`
	ClientContainerConfiguration *ClientContainerConfig `yaml:"client_container_config"`
}

// FullRefreshTest is FullRefreshConfig.
type FullRefreshTest struct {
	ConfigPath                   string                   `yaml:"config_path"`
	ConfiguredCatalogPath        string                   `yaml:"configured_catalog_path"`
	TimeoutSeconds               *int                     `yaml:"timeout_seconds"`
	DeploymentMode               string                   `yaml:"deployment_mode"`
	IgnoredFields                map[string][]NamedBypass `yaml:"ignored_fields"`
	ClientContainerConfiguration *ClientContainerConfig   `yaml:"client_container_config"`
}

// CursorFormatStream is FutureStateCursorFormatStreamConfiguration.
type CursorFormatStream struct {
	Name   string `yaml:"name"`
	Format string `yaml:"format"`
}

// CursorFormat is FutureStateCursorFormatConfiguration.
type CursorFormat struct {
	Format  string               `yaml:"format"`
	Streams []CursorFormatStream `yaml:"streams"`
}

// FutureState is FutureStateConfig.
type FutureState struct {
	FutureStatePath string        `yaml:"future_state_path"`
	MissingStreams  []NamedBypass `yaml:"missing_streams"`
	BypassReason    string        `yaml:"bypass_reason"`
	CursorFormat    *CursorFormat `yaml:"cursor_format"`
}

// IncrementalTest is IncrementalConfig.
type IncrementalTest struct {
	ConfigPath                        string                 `yaml:"config_path"`
	ConfiguredCatalogPath             string                 `yaml:"configured_catalog_path"`
	FutureState                       *FutureState           `yaml:"future_state"`
	TimeoutSeconds                    *int                   `yaml:"timeout_seconds"`
	DeploymentMode                    string                 `yaml:"deployment_mode"`
	SkipComprehensiveIncrementalTests bool                   `yaml:"skip_comprehensive_incremental_tests"`
	ClientContainerConfiguration      *ClientContainerConfig `yaml:"client_container_config"`
}

// ConnectorAttributesTest is ConnectorAttributesConfig.
type ConnectorAttributesTest struct {
	TimeoutSeconds           *int          `yaml:"timeout_seconds"`
	ConfigPath               string        `yaml:"config_path"`
	StreamsWithoutPrimaryKey []NamedBypass `yaml:"streams_without_primary_key"`
	AllowedHosts             *struct {
		BypassReason string `yaml:"bypass_reason"`
	} `yaml:"allowed_hosts"`
	SuggestedStreams *struct {
		BypassReason string `yaml:"bypass_reason"`
	} `yaml:"suggested_streams"`
}

// ConnectorDocumentationTest is TestConnectorDocumentationConfig.
type ConnectorDocumentationTest struct {
	TimeoutSeconds *int   `yaml:"timeout_seconds"`
	ConfigPath     string `yaml:"config_path"`
}

// DefaultConfigPath is config.py's config_path default.
const DefaultConfigPath = "secrets/config.json"

// DefaultSpecPath is config.py's spec_path default.
const DefaultSpecPath = "secrets/spec.json"

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// LoadConfig reads dir/acceptance-test-config.yml.
func LoadConfig(dir string) (*Config, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	return ParseConfig(raw)
}

var (
	semverRe     = regexp.MustCompile(`^(0|(?:[1-9]\d*))(?:\.(0|(?:[1-9]\d*))(?:\.(0|(?:[1-9]\d*)))?(?:\-([\w][\w\.\-_]*))?)?$`)
	deploymentRe = regexp.MustCompile(`^(cloud|oss)$`)
)

// ParseConfig decodes and validates the config the way config.py does.
func ParseConfig(raw []byte) (*Config, error) {
	var probe map[string]any
	if err := yaml.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if _, legacy := probe["tests"]; legacy {
		return nil, errors.New("the config uses the legacy format (a root tests: key, before CAT 0.2.12); move the tests under acceptance_tests")
	}
	d := yaml.NewDecoder(bytes.NewReader(raw))
	d.KnownFields(true)
	var c Config
	if err := d.Decode(&c); err != nil {
		return nil, err
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.ConnectorImage == "" {
		bad("connector_image is required")
	}
	if c.AcceptanceTests == nil {
		bad("acceptance_tests is required")
		return nil, errors.Join(errs...)
	}
	switch c.TestStrictnessLevel {
	case "":
		c.TestStrictnessLevel = StrictnessLow
	case StrictnessLow, StrictnessHigh:
	default:
		bad("test_strictness_level %q is not one of high, low", c.TestStrictnessLevel)
	}
	common := func(where string, timeout *int, mode string) {
		if timeout != nil && *timeout < 0 {
			bad("%s: timeout_seconds must be >= 0", where)
		}
		if mode != "" && !deploymentRe.MatchString(mode) {
			bad("%s: deployment_mode %q must be cloud or oss", where, mode)
		}
	}
	compat := func(where string, b *BackwardCompatibility) {
		if b == nil {
			return
		}
		if b.PreviousConnectorVersion != "" && b.PreviousConnectorVersion != "latest" && !semverRe.MatchString(b.PreviousConnectorVersion) {
			bad("%s: previous_connector_version %q is not a version", where, b.PreviousConnectorVersion)
		}
		if b.DisableForVersion != "" && !semverRe.MatchString(b.DisableForVersion) {
			bad("%s: disable_for_version %q is not a version", where, b.DisableForVersion)
		}
	}
	at := c.AcceptanceTests
	if at.Spec != nil {
		for i, t := range at.Spec.Tests {
			w := fmt.Sprintf("spec.tests[%d]", i)
			common(w, t.TimeoutSeconds, t.DeploymentMode)
			compat(w, t.BackwardCompatibilityTestConfig)
			if a := t.AuthDefaultMethod; a != nil && a.OAuth != nil && !*a.OAuth && a.BypassReason == "" {
				bad("%s: auth_default_method.oauth false needs a bypass_reason", w)
			}
		}
	}
	if at.Connection != nil {
		for i, t := range at.Connection.Tests {
			w := fmt.Sprintf("connection.tests[%d]", i)
			common(w, t.TimeoutSeconds, t.DeploymentMode)
			switch t.Status {
			case "":
				at.Connection.Tests[i].Status = StatusSucceed
			case StatusSucceed, StatusFailed, StatusException:
			default:
				bad("%s: status %q is not one of succeed, failed, exception", w, t.Status)
			}
		}
	}
	if at.Discovery != nil {
		for i, t := range at.Discovery.Tests {
			w := fmt.Sprintf("discovery.tests[%d]", i)
			common(w, t.TimeoutSeconds, t.DeploymentMode)
			compat(w, t.BackwardCompatibilityTestConfig)
		}
	}
	if at.BasicRead != nil {
		for i, t := range at.BasicRead.Tests {
			w := fmt.Sprintf("basic_read.tests[%d]", i)
			common(w, t.TimeoutSeconds, t.DeploymentMode)
			if e := t.ExpectRecords; e != nil {
				if e.Path != "" && e.BypassReason != "" {
					bad("%s: expect_records: you can't set a bypass_reason if a path is set", w)
				}
				if e.Path == "" && e.BypassReason == "" {
					bad("%s: expect_records: a path or a bypass_reason must be set", w)
				}
			}
			if f := t.FileTypes; f != nil {
				if f.SkipTest && len(f.UnsupportedTypes) > 0 {
					bad("%s: file_types: you can't set unsupported_types if the test is skipped", w)
				}
				if !f.SkipTest && f.BypassReason != "" {
					bad("%s: file_types: you can't set bypass_reason if the test is not skipped", w)
				}
				for _, u := range f.UnsupportedTypes {
					if len(u.Extension) < 2 || u.Extension[0] != '.' {
						bad("%s: file_types: %q is not a file extension such as .csv", w, u.Extension)
					}
				}
			}
		}
	}
	if at.FullRefresh != nil {
		for i, t := range at.FullRefresh.Tests {
			common(fmt.Sprintf("full_refresh.tests[%d]", i), t.TimeoutSeconds, t.DeploymentMode)
		}
	}
	if at.Incremental != nil {
		for i, t := range at.Incremental.Tests {
			common(fmt.Sprintf("incremental.tests[%d]", i), t.TimeoutSeconds, t.DeploymentMode)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

// Sections lists the six core sections in CAT's order with whether each is
// configured, for the high-strictness "must be configured" rule.
func (c *Config) coreSections() []struct {
	Name       string
	Configured bool
	Bypassed   bool
} {
	at := c.AcceptanceTests
	type s = struct {
		Name       string
		Configured bool
		Bypassed   bool
	}
	return []s{
		{"spec", at.Spec != nil, at.Spec != nil && len(at.Spec.Tests) == 0},
		{"connection", at.Connection != nil, at.Connection != nil && len(at.Connection.Tests) == 0},
		{"discovery", at.Discovery != nil, at.Discovery != nil && len(at.Discovery.Tests) == 0},
		{"basic_read", at.BasicRead != nil, at.BasicRead != nil && len(at.BasicRead.Tests) == 0},
		{"full_refresh", at.FullRefresh != nil, at.FullRefresh != nil && len(at.FullRefresh.Tests) == 0},
		{"incremental", at.Incremental != nil, at.Incremental != nil && len(at.Incremental.Tests) == 0},
	}
}
