// Command cliconfig writes the CLI configuration the repository's scripts run Terraform with:
//
//	go run ./tools/cliconfig FILE DIR [ADDRESS...]
//
// loads the provider binary in DIR under each ADDRESS (default: Terraform's and OpenTofu's
// registry addresses of entrasync) and installs nothing else.
package main

import (
	"fmt"
	"os"

	"github.com/entrasync/terraform-provider-entrasync/internal/cliconfig"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: cliconfig FILE DIR [ADDRESS...]")
		os.Exit(2)
	}
	addresses := os.Args[3:]
	if len(addresses) == 0 {
		addresses = cliconfig.Addresses
	}
	if err := cliconfig.Write(os.Args[1], os.Args[2], addresses...); err != nil {
		fmt.Fprintln(os.Stderr, "cliconfig:", err)
		os.Exit(1)
	}
}
