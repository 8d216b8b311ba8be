#!/usr/bin/env bash
# make demo: run the provider end to end against the fake Graph service on loopback.
# No tenant, no network: Terraform loads the freshly built provider through dev_overrides.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/bin}
tf=${TF_CLI:-terraform}

work=$(mktemp -d)
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The fake prints one line with its URL when it is ready: wait for that line, not for time.
mkfifo "$work/fake.out"
"$bin/fakegraph" -addr 127.0.0.1:0 -rate-requests 5 -rate-interval 10s >"$work/fake.out" 2>"$work/fake.log" &
fake_pid=$!
exec 3<"$work/fake.out"
line=""
read -r -t 30 -u 3 line || true
url=${line#fakegraph listening on }
[ -n "$line" ] && [ "$url" != "$line" ] || { echo "the fake Graph service did not start"; cat "$work/fake.log"; exit 1; }

# Our own CLI config: the caller's TF_CLI_CONFIG_FILE may point at a file that does not exist.
(cd "$root" && go run ./tools/cliconfig "$work/demo.tfrc" "$bin")
export TF_CLI_CONFIG_FILE="$work/demo.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export ENTRASYNC_GRAPH_ENDPOINT="$url" ENTRASYNC_ACCESS_TOKEN="demo-token"
# The token the fake's SCIM target accepts (fakegraph.SCIMSecretToken), for from_nothing.tf.
export TF_VAR_scim_token="fake-scim-token-6d1f0c9a"

cp "$root"/examples/demo/*.tf "$work/"
cd "$work"
echo "== fake Graph at $url; Terraform: $("$tf" version | head -n 1)"
echo "== terraform apply examples/demo"
"$tf" apply -auto-approve -no-color -input=false
echo
echo "== what happened to each subject"
"$tf" output -raw -no-color summary
echo
echo "== the Payments team: 8 members in calls of at most 5"
"$tf" output -raw -no-color team
echo

# --- from nothing to provisioned (examples/demo/from_nothing.tf) ---
echo "== the job stood up from its template, with write-only credentials"
"$tf" output -raw -no-color new_app
echo
if grep -q "$TF_VAR_scim_token" terraform.tfstate; then echo "the secret token is in the state"; exit 1; fi
echo "(the secret token is nowhere in terraform.tfstate)"
echo
# --- end of from nothing to provisioned ---
echo "== terraform plan again: reads only, nothing to do"
"$tf" plan -no-color -input=false -detailed-exitcode >/dev/null && echo "no changes"

# --- Mappings as code: one object mapping in HCL, one mapping changed, its expression test passing at plan.
echo
echo "== mappings as code: terraform apply examples/demo/mappings (displayName = Join(\" \", [givenName], [surname]))"
mkdir "$work/mappings"
cp "$root"/examples/demo/mappings/*.tf "$work/mappings/"
cd "$work/mappings"
"$tf" apply -auto-approve -no-color -input=false | grep -E '^(Plan|Apply complete)'
echo "== change one mapping: separator \".\"; the plan shows that mapping only, and its test (expect \"Ada.Park\") passes at plan"
"$tf" plan -no-color -input=false -var separator=. | grep -E '^\s+~ |Plan:'
"$tf" apply -auto-approve -no-color -input=false -var separator=. | grep -E '^(Apply complete)'
echo
echo "== provisioning right after an assignment: Kai is assigned now, seen by provisioning 15s later"
curl -fsS -X POST "$url/_fake/assignments" -H 'Content-Type: application/json' \
  -d '{"servicePrincipalId":"8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34","jobId":"scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10","objectId":"1a6e9c3f-4d8b-4f27-b5e0-8c2d7a1f9e64","effectiveAfter":"15s"}' >/dev/null
mkdir "$work/assign"
cp "$root"/examples/demo/assign-then-provision/*.tf "$work/assign/"
cd "$work/assign"
TF_LOG_PROVIDER=INFO "$tf" apply -auto-approve -no-color -input=false 2>"$work/assign.log" | grep -v '^$' | tail -n 3
echo "attempts: $(grep -c 'provisioning on demand' "$work/assign.log") (retry_skipped_for = \"2m\"; each skip is logged)"
