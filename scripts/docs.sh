#!/usr/bin/env bash
# make docs (generate) and make docs-check (check): docs/ rendered by tfplugindocs from the provider's
# schema, templates/ and examples/. Offline: the schema is read with the CLI the Makefile picked
# (terraform on PATH or bin/tofu) and handed to tfplugindocs as a file, so tfplugindocs never looks
# for, or downloads, a Terraform binary of its own.
set -euo pipefail
mode=${1:-generate}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/bin}
tf=${TF_CLI:-terraform}
tfplugindocs_module=${TFPLUGINDOCS:?set TFPLUGINDOCS to the pinned module@version (see GNUmakefile)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tfplugindocs finds a provider's schema under "registry.terraform.io/hashicorp/<name>" only, so the
# schema is read through that address; Terraform and OpenTofu print the same JSON for it.
(cd "$root" && go run ./tools/cliconfig "$work/cli.tfrc" "$bin" registry.terraform.io/hashicorp/entrasync)
mkdir "$work/schema"
cat >"$work/schema/main.tf" <<'HCL'
terraform {
  required_providers {
    entrasync = { source = "registry.terraform.io/hashicorp/entrasync" }
  }
}
HCL
# CLIs before Terraform 1.14 print no action schemas: tools/schemajson adds them from the provider itself.
(cd "$work/schema" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 "$tf" providers schema -json) |
  (cd "$root" && go run ./tools/schemajson -address registry.terraform.io/hashicorp/entrasync) >"$work/schema.json"

# Runs tfplugindocs quietly (it logs every file at debug level on stderr) and shows its log on failure.
tfplugindocs() {
  if ! go run "$tfplugindocs_module" "$@" --provider-name entrasync --providers-schema "$work/schema.json" >"$work/tfplugindocs.log" 2>&1; then
    cat "$work/tfplugindocs.log"
    echo "tfplugindocs $1 failed"
    return 1
  fi
}

case $mode in
generate)
  tfplugindocs generate --provider-dir "$root"
  tfplugindocs validate --provider-dir "$root"
  echo "docs/ regenerated from the schema, templates/ and examples/"
  ;;
check)
  # Render into a copy, so the check never touches the tree, then compare with the committed docs/.
  mkdir "$work/tree"
  cp -r "$root/templates" "$root/examples" "$work/tree/"
  [ -d "$root/docs" ] && cp -r "$root/docs" "$work/tree/"
  tfplugindocs generate --provider-dir "$work/tree"
  if ! diff -ru "$root/docs" "$work/tree/docs" >"$work/docs.diff" 2>&1; then
    cat "$work/docs.diff"
    echo "docs/ is out of date with the schema, templates/ or examples/: run 'make docs' and commit docs/"
    exit 1
  fi
  tfplugindocs validate --provider-dir "$root"
  echo "docs/ is up to date"
  ;;
*)
  echo "usage: $0 generate|check" >&2
  exit 2
  ;;
esac
