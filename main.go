// Command source-botmaker is an Airbyte source for Botmaker API v2.0.
package main

import (
	_ "embed"
	"os"

	"github.com/source-botmaker/source-botmaker/connector"
)

// metadataYAML is the release's metadata.yaml. It sits next to main.go
// because go:embed cannot reach above the package's directory.
//
//go:embed metadata.yaml
var metadataYAML []byte

func main() {
	// internal/packaging builds the binary and checks --version against
	// metadata.yaml, so an error here cannot ship; "dev" stays as a fallback.
	if v, err := connector.VersionFromMetadata(metadataYAML); err == nil {
		connector.Version = v
	}
	connector.TuneMemory()
	os.Exit(connector.Main(os.Args[1:], os.Stdout, os.Stderr))
}
