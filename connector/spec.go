package connector

import (
	"github.com/source-botmaker/source-botmaker/airbyte"
	"github.com/source-botmaker/source-botmaker/internal/schemagen"
)

// DocumentationURL is where users read about the connector.
const DocumentationURL = "https://github.com/source-botmaker/source-botmaker/blob/main/docs/integrations/sources/botmaker.md"

// Spec is the SPEC payload: the config struct's schema plus metadata.
func Spec() airbyte.Spec {
	b := schemagen.Generate(&Config{}, schemagen.Options{Title: "Botmaker Source Spec"})
	return airbyte.Spec{
		DocumentationURL:        DocumentationURL,
		ConnectionSpecification: b,
		ProtocolVersion:         airbyte.Version,
	}
}
