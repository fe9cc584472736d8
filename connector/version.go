package connector

// Version is this release of the connector. Builds stamp it with
// -ldflags "-X github.com/source-botmaker/source-botmaker/connector.Version=..."
// from metadata.yaml's dockerImageTag (Makefile, Dockerfile), the one place a
// release bumps it; a plain `go build` says "dev" rather than guess.
var Version = "dev"
