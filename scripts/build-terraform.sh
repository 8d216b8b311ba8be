#!/usr/bin/env bash
# Builds the Terraform CLI from its own Go module on the Go module proxy, never from a release download:
#   scripts/build-terraform.sh VERSION OUTPUT   (e.g. 1.15.0 bin/terraform-1.15.0)
# The module is copied out of the read-only module cache into .tools/terraform-VERSION and patched there
# (never committed). From v1.6 on, the remote-state backends that talk to clouds and databases are nested
# modules that the module zip leaves out, while go.mod still pulls them in with `replace` directives to
# local paths. Each one that is missing from the copy is dropped from internal/backend/init/init.go and
# from go.mod; the tests only need the local backend. The binary reports VERSION-dev, as any build that
# is not HashiCorp's release build does.
set -euo pipefail

version=${1:?usage: build-terraform.sh VERSION OUTPUT}
out=${2:?usage: build-terraform.sh VERSION OUTPUT}
root=$(cd "$(dirname "$0")/.." && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac
src=$root/.tools/terraform-$version
module=github.com/hashicorp/terraform
backends=(azure consul cos gcs kubernetes oss pg s3 oci)

dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "$module@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
test -n "$dir" || { echo "could not download $module@v$version from the Go module proxy" >&2; exit 1; }
rm -rf "$src"
mkdir -p "$(dirname "$src")"
cp -r "$dir" "$src"
chmod -R u+w "$src"
cd "$src"

# drop_module PATH: removes the require and replace lines of a nested module that the zip left out.
drop_module() {
  local path=$module/$1
  grep -v -F -e "$path v" -e "replace $path =>" go.mod > go.mod.new
  mv go.mod.new go.mod
}

init=internal/backend/init/init.go
for backend in "${backends[@]}"; do
  test -d "internal/backend/remote-state/$backend" && continue
  alias=$(sed -n "s|^[[:space:]]*\([A-Za-z0-9_]*\) \"$module/internal/backend/remote-state/$backend\"\$|\1|p" "$init")
  if [ -z "$alias" ]; then
    # Older releases lack some backends altogether (oci is recent); one that go.mod still requires is a surprise.
    ! grep -q -F "$module/internal/backend/remote-state/$backend v" go.mod ||
      { echo "go.mod requires the $backend backend but $init does not import it; the patch needs a look" >&2; exit 1; }
    continue
  fi
  sed -i -e "\|\"$module/internal/backend/remote-state/$backend\"\$|d" -e "/return $alias\.New(/d" "$init"
  drop_module "internal/backend/remote-state/$backend"
  echo "dropped the $backend backend (not in the module zip)"
done
if ! test -d internal/legacy && grep -q -F "$module/internal/legacy v" go.mod; then
  drop_module internal/legacy
  echo "dropped internal/legacy from go.mod (not in the module zip, only tests import it)"
fi

echo "building Terraform $version into $out"
mkdir -p "$(dirname "$out")"
GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out" .
"$out" version
