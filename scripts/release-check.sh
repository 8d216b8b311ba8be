#!/usr/bin/env bash
# make release-check: `goreleaser check` of .goreleaser.yml, then the same release as a snapshot for
# linux/amd64 only, unsigned and unpublished, into dist/; then checks the registry layout of what it made.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
goreleaser=${GORELEASER:?set GORELEASER to the goreleaser binary (see GNUmakefile)}
cd "$root"

"$goreleaser" check

# The release configuration with one target: drop every other line of the build's target list.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -E '/^ +- [a-z0-9]+_[a-z0-9]+$/{/ linux_amd64$/!d}' .goreleaser.yml >"$work/goreleaser.yml"
grep -qE '^ +- linux_amd64$' "$work/goreleaser.yml" || { echo "no linux_amd64 target in .goreleaser.yml"; exit 1; }

"$goreleaser" release --snapshot --clean --skip=sign,publish --parallelism 2 --config "$work/goreleaser.yml"

# What a registry needs: the zip with the versioned binary, SHA256SUMS covering it and the manifest.
cd dist
sums=$(basename ./*_SHA256SUMS)
version=${sums#terraform-provider-entrasync_}
version=${version%_SHA256SUMS}
zip=terraform-provider-entrasync_${version}_linux_amd64.zip
manifest=terraform-provider-entrasync_${version}_manifest.json
for f in "$zip" "$manifest"; do
  grep -q "  $f\$" "$sums" || { echo "$f is missing from $sums"; exit 1; }
done
# The release uploads the manifest under this name (release.extra_files); a snapshot does not copy it.
cp ../terraform-registry-manifest.json "$manifest"
sha256sum --check --quiet "$sums"
unzip -l "$zip" | grep -q " terraform-provider-entrasync_v${version}\$" || { echo "$zip does not hold terraform-provider-entrasync_v${version}"; exit 1; }
unzip -l "$zip" | grep -q " LICENSE\$" || { echo "$zip does not hold LICENSE"; exit 1; }
echo "release-check: dist/$zip, $sums and $manifest are in the registry layout (unsigned snapshot)"
