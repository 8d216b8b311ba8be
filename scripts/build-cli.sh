#!/usr/bin/env bash
# Builds the Terraform or OpenTofu CLI from its own Go module on the Go module proxy, never from a release:
#   scripts/build-cli.sh terraform|tofu VERSION OUTPUT   (e.g. terraform 1.15.0 bin/terraform-1.15.0)
# The module is copied out of the read-only module cache into .tools/ and patched there (never committed):
# the remote-state backends that talk to clouds and databases are dropped from
# internal/backend/init/init.go, as the tests only need local state. That also keeps the build to a few
# minutes, and from Terraform 1.6 on it is needed: those backends are nested modules that the module zip
# leaves out, while go.mod still pulls them in with `replace` directives to local paths, so their lines go
# from go.mod too. Terraform then reports VERSION-dev, as any build but HashiCorp's release build does.
set -euo pipefail

usage="usage: build-cli.sh terraform|tofu VERSION OUTPUT"
cli=${1:?$usage}
version=${2:?$usage}
out=${3:?$usage}
case $cli in
  terraform) module=github.com/hashicorp/terraform main=. ;;
  tofu) module=github.com/opentofu/opentofu main=./cmd/tofu ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac
src=$root/.tools/$cli-$version
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
  alias=$(sed -n "s|^[[:space:]]*\([A-Za-z0-9_]*\) \"$module/internal/backend/remote-state/$backend\"\$|\1|p" "$init")
  nested=$(grep -c -F "$module/internal/backend/remote-state/$backend v" go.mod || true)
  if [ -z "$alias" ]; then
    # Older releases lack some backends altogether (oci is recent); one that go.mod requires is a surprise.
    [ "$nested" = 0 ] || { echo "go.mod requires the $backend backend but $init does not import it; the patch needs a look" >&2; exit 1; }
    continue
  fi
  sed -i -e "\|\"$module/internal/backend/remote-state/$backend\"\$|d" -e "/return $alias\.New(/d" "$init"
  if [ "$nested" != 0 ] && ! test -d "internal/backend/remote-state/$backend"; then
    drop_module "internal/backend/remote-state/$backend"
  fi
  echo "dropped the $backend backend"
done
if ! test -d internal/legacy && grep -q -F "$module/internal/legacy v" go.mod; then
  drop_module internal/legacy
  echo "dropped internal/legacy from go.mod (not in the module zip, only tests import it)"
fi

echo "building $cli $version into $out"
mkdir -p "$(dirname "$out")"
GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out" "$main"
"$out" version
