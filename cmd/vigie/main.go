// Command vigie watches French public procurement for responsible buying.
// All logic lives under internal/; this only hands over the arguments.
package main

import (
	"os"

	"github.com/vigie-data/vigie/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
