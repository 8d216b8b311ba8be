# shellcheck shell=bash
# Sourced by scripts that run the Terraform CLI against the provider built in this tree.
# write_dev_overrides FILE DIR ADDRESS...: a CLI config that loads ADDRESS... from DIR (no registry, no init)
# and installs nothing else; the caller's own CLI config is never read.
write_dev_overrides() {
  local file=$1 dir=$2 address
  shift 2
  {
    echo 'provider_installation {'
    echo '  dev_overrides {'
    for address in "$@"; do
      echo "    \"$address\" = \"$dir\""
    done
    echo '  }'
    echo '  direct {}'
    echo '}'
  } >"$file"
}
