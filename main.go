// Command source-botmaker is an Airbyte source for Botmaker API v2.0.
package main

import (
	"os"

	"github.com/source-botmaker/source-botmaker/connector"
)

func main() {
	connector.TuneMemory()
	os.Exit(connector.Main(os.Args[1:], os.Stdout, os.Stderr))
}
