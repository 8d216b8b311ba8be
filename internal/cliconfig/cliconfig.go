// Package cliconfig writes the Terraform/OpenTofu CLI configuration that every tool of this
// repository runs the CLI with (the demo, the docs and examples checks, the benchmarks): it loads
// the provider built here through dev_overrides, installs nothing else, and never reads the
// caller's own CLI configuration, which may point at a missing file or at mirrors.
package cliconfig

import (
	"fmt"
	"os"
	"strings"
)

// Addresses under which the CLIs look for this provider: Terraform's and OpenTofu's registries.
var Addresses = []string{"registry.terraform.io/entrasync/entrasync", "registry.opentofu.org/entrasync/entrasync"}

// DevOverrides is a CLI configuration that loads each provider address from the binary in dir.
func DevOverrides(dir string, addresses ...string) string {
	var b strings.Builder
	b.WriteString("# Written by entrasync's tools: the provider built in this tree, nothing installed from anywhere.\n")
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, a := range addresses {
		fmt.Fprintf(&b, "    %q = %q\n", a, dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// Write writes DevOverrides(dir, addresses...) to file.
func Write(file, dir string, addresses ...string) error {
	return os.WriteFile(file, []byte(DevOverrides(dir, addresses...)), 0o600)
}
