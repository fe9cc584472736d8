package connector

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Version is this release of the connector. main sets it from the
// metadata.yaml embedded in the binary (VersionFromMetadata), so `go build`,
// `go install`, `make build` and the image all report the dockerImageTag a
// release bumps, and nothing stamps it by hand. Code that runs the connector
// without main (tests) sees "dev".
var Version = "dev"

// VersionFromMetadata returns data.dockerImageTag of a metadata.yaml.
func VersionFromMetadata(metadataYAML []byte) (string, error) {
	var md struct {
		Data struct {
			DockerImageTag string `yaml:"dockerImageTag"`
		} `yaml:"data"`
	}
	if err := yaml.Unmarshal(metadataYAML, &md); err != nil {
		return "", fmt.Errorf("metadata.yaml: %w", err)
	}
	if md.Data.DockerImageTag == "" {
		return "", errors.New("metadata.yaml has no data.dockerImageTag")
	}
	return md.Data.DockerImageTag, nil
}
