package cliconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDevOverrides(t *testing.T) {
	got := DevOverrides(`/tmp/a "b"`, Addresses...)
	want := `# Written by entrasync's tools: the provider built in this tree, nothing installed from anywhere.
provider_installation {
  dev_overrides {
    "registry.terraform.io/entrasync/entrasync" = "/tmp/a \"b\""
    "registry.opentofu.org/entrasync/entrasync" = "/tmp/a \"b\""
  }
  direct {}
}
`
	if got != want {
		t.Errorf("DevOverrides =\n%s\nwant\n%s", got, want)
	}
}

func TestWrite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := Write(file, "/bin", "registry.terraform.io/hashicorp/entrasync"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil || string(got) != DevOverrides("/bin", "registry.terraform.io/hashicorp/entrasync") {
		t.Errorf("file = %q, %v", got, err)
	}
}
