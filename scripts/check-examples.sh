#!/usr/bin/env bash
# make examples-check: every configuration under examples/ is formatted (fmt -check) and valid
# (validate) against the provider built from this tree, with the CLI the Makefile picked. The
# provider is loaded through dev_overrides: no registry, no init, nothing downloaded. An example that needs
# a newer CLI than TF_CLI is validated with TF_CLI_NEWER when that one is new enough (the Makefile passes
# the Terraform it builds from its Go module), and skipped otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/bin}
tf=${TF_CLI:-terraform}
newer=${TF_CLI_NEWER:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go run ./tools/cliconfig "$work/cli.tfrc" "$bin")
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

echo "== $("$tf" version | head -n 1): fmt -check and validate examples/"
# version_of CLI: its version without a pre-release suffix (a CLI built from source says 1.15.0-dev).
version_of() { "$1" version -json | sed -n 's/^ *"terraform_version": *"\([0-9.]*\).*/\1/p'; }
# at_least NEED HAVE: whether version HAVE is NEED or later.
at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }
cli_version=$(version_of "$tf")
newer_version=
if [ -n "$newer" ]; then
  newer_version=$(version_of "$newer")
fi
failed=0
if ! "$tf" fmt -check -diff -recursive "$root/examples"; then
  echo "FAIL  fmt: run 'make fmt'"
  failed=1
fi

# Each directory with .tf files is one configuration; validate a copy so nothing is written to the tree.
while IFS= read -r dir; do
  rel=${dir#"$root"/}
  copy="$work/$rel"
  mkdir -p "$copy"
  find "$dir" -maxdepth 1 -type f -name '*.tf' -exec cp {} "$copy/" \;
  # An example that needs a newer CLI (actions: Terraform 1.14) says so with required_version = ">= X.Y";
  # an older CLI skips it, and says so, instead of failing on syntax it does not know.
  needs=$(sed -n 's/^ *required_version *= *">= *\([0-9.]*\)".*/\1/p' "$copy"/*.tf | head -n 1)
  cli=$tf
  with=
  if [ -n "$needs" ] && ! at_least "$needs" "$cli_version"; then
    if [ -z "$newer_version" ] || ! at_least "$needs" "$newer_version"; then
      echo "skip  $rel (needs $needs or later; this CLI is $cli_version)"
      continue
    fi
    cli=$newer
    with=" (with $("$newer" version | head -n 1))"
  fi
  # A configuration that also needs another provider (examples/complete reads group members with
  # hashicorp/azuread) cannot be initialised offline: it is formatted-checked above and skipped here.
  others=$(sed -n 's/^ *source *= *"\([^"]*\)".*/\1/p' "$copy"/*.tf | { grep -v 'entrasync/entrasync$' || true; } | sort -u | tr '\n' ' ')
  if [ -n "$others" ]; then
    echo "skip  $rel (needs ${others% }, which cannot be installed offline)"
    continue
  fi
  # Resource and data source examples leave the provider's source to the registry page, as is usual.
  if ! grep -q required_providers "$copy"/*.tf; then
    printf 'terraform {\n  required_providers {\n    entrasync = { source = "entrasync/entrasync" }\n  }\n}\n' >"$copy/zz_required_providers.tf"
  fi
  if out=$(cd "$copy" && "$cli" validate -no-color 2>&1); then
    echo "ok    $rel$with"
  else
    echo "FAIL  $rel$with"
    echo "$out"
    if grep -q "Missing required provider" <<<"$out"; then
      echo "Only the entrasync provider is available here (offline): take other providers' values as variables."
    fi
    failed=1
  fi
done < <(find "$root/examples" -type f -name '*.tf' -printf '%h\n' | sort -u)
exit $failed
