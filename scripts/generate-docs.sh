#!/usr/bin/env bash
# Regenerates docs/ from the provider schema, templates/ and examples/ with
# tfplugindocs, then validates the result. Never edit docs/ by hand.
#
# The schema is exported with Terraform 1.16.3, the current release: Terraform
# 1.5.7's export knows no ephemeral resources and no write-only arguments, and
# OpenTofu 1.12.6's no list resources. The provider is built into a temporary
# directory and reached through dev_overrides, so neither a registry nor "init"
# is needed. Terraform exports the schema under
# "registry.terraform.io/pilotstatus/pilotstatus", but tfplugindocs looks it up
# only under "pilotstatus" or "registry.terraform.io/hashicorp/pilotstatus", so
# the key is renamed first (scripts/schema-rename).
#
# Installs what it needs into .tools/ first (reused on later runs); needs no
# credentials and no network beyond the Go module proxy on the first run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/tools.sh" tfplugindocs

terraform_current_bin="$root/.tools/terraform-1.16.3/terraform"
if [ ! -x "$terraform_current_bin" ]; then
  echo "Terraform 1.16.3 is not installed at $terraform_current_bin; the schema export needs it" >&2
  exit 1
fi
tfplugindocs_bin="$root/.tools/bin/tfplugindocs"
provider_name=pilotstatus
schema_key="registry.terraform.io/hashicorp/$provider_name"

# tfplugindocs runs a binary named "terraform" from PATH when it has no
# --providers-schema; make sure that would be the pinned one, never another.
export PATH="$(dirname "$terraform_current_bin"):$PATH"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
# The schema export needs no credentials and no logs: keep both out of it.
unset TF_LOG TF_LOG_PATH TF_LOG_CORE TF_LOG_PROVIDER TF_DATA_DIR TF_WORKSPACE
unset PILOTSTATUS_API_KEY PILOT_STATUS_API_KEY PILOTSTATUS_API_KEY_ID PILOTSTATUS_BASE_URL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilotstatus-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/plugins" "$tmp/work"

echo "==> building the provider"
go build -trimpath -o "$tmp/plugins/terraform-provider-$provider_name" .

# Only the provider just built; nothing from the user's CLI configuration.
cat >"$tmp/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/pilotstatus/$provider_name" = "$tmp/plugins"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc"
cat >"$tmp/work/main.tf" <<'HCL'
terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
  }
}
HCL

echo "==> exporting the provider schema ($("$terraform_current_bin" version | sed -n 1p))"
if ! (cd "$tmp/work" && "$terraform_current_bin" providers schema -json) \
  >"$tmp/schema.terraform.json" 2>"$tmp/schema.stderr"; then
  cat "$tmp/schema.stderr" >&2
  echo "exporting the provider schema failed" >&2
  exit 1
fi
go run ./scripts/schema-rename -name "$provider_name" -to "$schema_key" \
  <"$tmp/schema.terraform.json" >"$tmp/schema.json"

echo "==> tfplugindocs generate"
"$tfplugindocs_bin" generate \
  --provider-dir "$root" \
  --provider-name "$provider_name" \
  --rendered-provider-name "Pilot Status" \
  --providers-schema "$tmp/schema.json"

echo "==> tfplugindocs validate"
"$tfplugindocs_bin" validate \
  --provider-dir "$root" \
  --provider-name "$provider_name" \
  --providers-schema "$tmp/schema.json"
