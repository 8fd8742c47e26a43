#!/usr/bin/env bash
# The provider against the local Pilot Status API, no account needed: builds the
# provider into a local filesystem mirror, starts the local API with two numbers,
# plans and applies examples/quickstart, rotates the keys by changing a keeper,
# proves that the keys in state are the API's current keys, then stops the API.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.demo"
rm -rf "$work"
mkdir -p "$work/bin" "$work/config"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if command -v terraform >/dev/null 2>&1; then
  tf=$(command -v terraform)
else
  "$root/scripts/tools.sh" terraform
  tf="$root/.tools/terraform-1.5.7/terraform"
fi

# The version the provider is installed under: it satisfies the "~> 0.1" that
# examples/quickstart asks for.
version=0.99.0

step "Building the provider ($version) and the local Pilot Status API"
(cd "$root" && go build -trimpath -ldflags "-X main.version=$version" -o "$work/bin/terraform-provider-pilotstatus" . \
  && go build -o "$work/bin/pilotstatus-localapi" ./cmd/pilotstatus-localapi \
  && go build -o "$work/bin/demo-verify" ./scripts/demo-verify)
"$root/scripts/mirror.sh" put "$work/mirror" pilotstatus/pilotstatus "$version" "$work/bin/terraform-provider-pilotstatus"

# The local API's tenant key: made up here, known only to this demo.
tenant_key="ps_demo$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PILOTSTATUS_LOCAL_TENANT_KEY="$tenant_key"

step "Starting the local Pilot Status API (numbers wn_1 and wn_2)"
"$work/bin/pilotstatus-localapi" -listen 127.0.0.1:0 -addr-file "$work/addr" \
  -numbers "wn_1=5511999990001:Suporte,wn_2=5511999990002:Vendas" &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [[ -s "$work/addr" ]] && break; sleep 0.1; done
[[ -s "$work/addr" ]] || { echo "the local API did not start" >&2; exit 1; }
base_url=$(cat "$work/addr")

# regenerations prints how many regenerations (POST /v1/api-keys) the local API
# has received, from its unauthenticated GET /_admin/calls.
regenerations() {
  local hostport=${base_url#http://} answer
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
  printf 'GET /_admin/calls HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3
  answer=$(cat <&3)
  exec 3<&-
  sed -n 's/.*"POST \/v1\/api-keys": *\([0-9]*\).*/\1/p' <<<"$answer"
}

# The CLI installs the provider just built from a local filesystem mirror, like a
# registry release: no registry, no network.
"$root/scripts/mirror.sh" config "$work/mirror" >"$work/config/terraformrc"
export TF_CLI_CONFIG_FILE="$work/config/terraformrc"
export CHECKPOINT_DISABLE=1
export PILOTSTATUS_API_KEY="$tenant_key"
export PILOTSTATUS_BASE_URL="$base_url"

cp "$root/examples/quickstart/main.tf" "$work/main.tf"
cd "$work"

step "terraform init ($("$tf" version | head -n1))"
"$tf" init -input=false >"$work/init.log" || { cat "$work/init.log" >&2; exit 1; }
echo "installed pilotstatus/pilotstatus $version from the local mirror"

step "terraform plan: what applying examples/quickstart does"
"$tf" plan -input=false -out=create.tfplan

step "terraform apply: regenerate the keys of wn_1 and wn_2"
"$tf" apply -input=false -compact-warnings create.tfplan

step "Checking the keys in state against the API"
"$tf" output -json keys | "$work/bin/demo-verify" -base-url "$base_url"

step "terraform plan: rotate every key by changing a keeper (rotation = \"2\")"
"$tf" plan -input=false -var rotation=2 -out=rotate.tfplan

step "terraform apply: the rotation"
before=$("$tf" output -json key_last4)
sent_before=$(regenerations)
"$tf" apply -input=false -compact-warnings rotate.tfplan
sent=$(( $(regenerations) - sent_before ))
after=$("$tf" output -json key_last4)
echo "key_last4 before: $before"
echo "key_last4 after:  $after"
[[ "$before" != "$after" ]] || { echo "the keys did not change" >&2; exit 1; }
echo "the API received $sent regenerations, one per key: each \"Destroying...\" step made no API call (on_destroy = \"keep\")"
[[ "$sent" == 2 ]] || { echo "expected 2 regenerations" >&2; exit 1; }

step "Checking the rotated keys in state against the API"
"$tf" output -json keys | "$work/bin/demo-verify" -base-url "$base_url"

step "A plan now changes nothing"
"$tf" plan -detailed-exitcode -input=false -var rotation=2 >/dev/null && echo "no changes"

step "Done: stopping the local API"
