package cat

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const minimalHigh = `connector_image: airbyte/source-x:dev
test_strictness_level: high
acceptance_tests:
  spec:
    tests:
      - spec_path: spec.json
  connection:
    tests:
      - status: failed
        config_path: integration_tests/invalid_config.json
  discovery:
    bypass_reason: "no discovery"
  basic_read:
    tests:
      - expect_records:
          path: integration_tests/expected_records.jsonl
        empty_streams:
          - name: s
            bypass_reason: sandbox has none
  full_refresh:
    tests:
      - ignored_fields:
          s:
            - name: updated_at
              bypass_reason: changes
  incremental:
    tests:
      - future_state:
          future_state_path: integration_tests/abnormal_state.json
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(minimalHigh))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{string(c.TestStrictnessLevel), string(c.AcceptanceTests.Connection.Tests[0].Status), c.AcceptanceTests.Discovery.BypassReason,
		c.AcceptanceTests.BasicRead.Tests[0].EmptyStreams[0].BypassReason, c.AcceptanceTests.FullRefresh.Tests[0].IgnoredFields["s"][0].Name}
	if diff := cmp.Diff([]string{"high", "failed", "no discovery", "sandbox has none", "updated_at"}, got); diff != "" {
		t.Errorf("decoded config (-want +got):\n%s", diff)
	}

	tests := []struct {
		name, from, to, want string
	}{
		{"unknown root key", "test_strictness_level: high", "test_strictness_level: high\nextra_key: 1", "field extra_key not found"},
		{"unknown test key", "      - spec_path: spec.json", "      - spec_path: spec.json\n        spec_pth: x", "field spec_pth not found"},
		{"unknown expect_records key", "          path: integration_tests/expected_records.jsonl", "          path: integration_tests/expected_records.jsonl\n          extra_records: false", "field extra_records not found"},
		{"plain-string ignored_fields", "            - name: updated_at\n              bypass_reason: changes", "            - updated_at", "cannot unmarshal"},
		{"bad strictness", "test_strictness_level: high", "test_strictness_level: medium", "not one of high, low"},
		{"bad status", "      - status: failed", "      - status: maybe", "not one of succeed, failed, exception"},
		{"path and bypass", "          path: integration_tests/expected_records.jsonl", "          path: x.jsonl\n          bypass_reason: y", "can't set a bypass_reason if a path is set"},
		{"tests and bypass", "  discovery:\n    bypass_reason: \"no discovery\"", "  discovery:\n    bypass_reason: x\n    tests:\n      - config_path: a.json", "can't set a bypass_reason if tests are set"},
		{"no image", "connector_image: airbyte/source-x:dev\n", "", "connector_image is required"},
		{"legacy", "acceptance_tests:", "tests:", "legacy format"},
		{"bad deployment mode", "      - status: failed", "      - status: failed\n        deployment_mode: mars", "cloud or oss"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(minimalHigh, tc.from) {
				t.Fatalf("test text %q not in the config", tc.from)
			}
			_, err := ParseConfig([]byte(strings.Replace(minimalHigh, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSectionUnknownKeysIgnored(t *testing.T) {
	// GenericTestConfig is a pydantic GenericModel, which ignores extras.
	cfg := strings.Replace(minimalHigh, "  spec:\n    tests:", "  spec:\n    note: ignored like CAT does\n    tests:", 1)
	if _, err := ParseConfig([]byte(cfg)); err != nil {
		t.Fatal(err)
	}
}

func TestHighStrictnessNeedsAllSections(t *testing.T) {
	cfg := strings.Replace(minimalHigh, "  incremental:\n    tests:\n      - future_state:\n          future_state_path: integration_tests/abnormal_state.json\n", "", 1)
	c, err := ParseConfig([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Config: c}
	results := map[string]string{}
	for _, cs := range r.Suite() {
		if !strings.HasSuffix(cs.Name, "/configured_for_strictness") {
			continue
		}
		err := cs.Run(context.Background())
		switch _, skip := IsSkip(err); {
		case skip:
			results[cs.Name] = "skip"
		case err != nil:
			results[cs.Name] = "fail"
		}
	}
	want := map[string]string{"discovery/configured_for_strictness": "skip", "incremental/configured_for_strictness": "fail"}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("strictness cases (-want +got):\n%s", diff)
	}
}
