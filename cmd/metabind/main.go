// Command metabind manages Metabind API keys from the terminal.
package main

import (
	"os"

	"github.com/metabind/metabind-cli/internal/app"
)

func main() { os.Exit(app.Main()) }
