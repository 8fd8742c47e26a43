#!/usr/bin/env bash
# Builds the provider from this checkout and serves it to Terraform and OpenTofu
# as pilotstatus/pilotstatus 0.99.0, a fixed local version that satisfies the
# "~> 0.1" constraint of the examples, from a filesystem mirror in .tools/dev/.
# hashicorp/time comes from the project's own mirror (scripts/tools.sh time).
# Prints the one line that makes the CLIs use it:
#
#   export TF_CLI_CONFIG_FILE=<this checkout>/.tools/dev/terraformrc
#
# What it writes, all under .tools/dev/:
#   bin/terraform-provider-pilotstatus   the provider just built
#   mirror/<host>/pilotstatus/pilotstatus/0.99.0/<os>_<arch>/
#                                        a launcher that runs bin/..., for
#                                        registry.terraform.io and registry.opentofu.org
#   terraformrc                          the CLI configuration
#
# The mirror holds a launcher rather than the binary because "init" records the
# checksum of the mirror's package in .terraform.lock.hcl, and "plan" refuses a
# provider whose package no longer matches it. The launcher only names the
# binary, so it is the same after every rebuild: the lock file stays valid, and
# plan and apply run the new build without another init.
#
# Usage: scripts/dev.sh   (make dev)
set -euo pipefail

readonly DEV_VERSION=0.99.0
readonly HOSTS=(registry.terraform.io registry.opentofu.org)

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

log() { printf '==> %s\n' "$*" >&2; }

"$root/scripts/tools.sh" time

# .tools/ may be a symbolic link shared by several checkouts: the configuration
# names every path by its physical location, valid from any of them.
mkdir -p "$root/.tools/dev"
tools=$(cd "$root/.tools" && pwd -P)
dev="$tools/dev"
binary="$dev/bin/terraform-provider-pilotstatus"
platform="$(go env GOOS)_$(go env GOARCH)"

log "building the provider as pilotstatus/pilotstatus $DEV_VERSION ($platform)"
mkdir -p "$dev/bin"
# Built beside its final name and renamed, so a CLI running meanwhile starts
# either the old build or the new one, never half a file.
partial=$(mktemp "$dev/bin/.build-XXXXXX")
trap 'rm -f "$partial"' EXIT
go build -trimpath -ldflags "-X main.version=$DEV_VERSION" -o "$partial" .
mv -f "$partial" "$binary"

# shell_quote VALUE: VALUE as one single-quoted word for sh.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Its text depends only on where the binary is: the same after every rebuild.
launcher="#!/bin/sh
# Runs the provider that make dev built.
exec $(shell_quote "$binary") \"\$@\"
"
for host in "${HOSTS[@]}"; do
  dir="$dev/mirror/$host/pilotstatus/pilotstatus/$DEV_VERSION/$platform"
  mkdir -p "$dir"
  # Stale files would change the package checksum: the directory holds the launcher only.
  find "$dir" -mindepth 1 -not -name "terraform-provider-pilotstatus_v$DEV_VERSION" -delete
  printf '%s' "$launcher" >"$dir/terraform-provider-pilotstatus_v$DEV_VERSION"
  chmod 0755 "$dir/terraform-provider-pilotstatus_v$DEV_VERSION"
done

pilotstatus_sources='"registry.terraform.io/pilotstatus/pilotstatus", "registry.opentofu.org/pilotstatus/pilotstatus"'
time_sources='"registry.terraform.io/hashicorp/time", "registry.opentofu.org/hashicorp/time"'
cat >"$dev/terraformrc" <<RC
# Written by make dev: pilotstatus/pilotstatus $DEV_VERSION built from $root,
# hashicorp/time from the project's mirror, every other provider from its registry.
provider_installation {
  filesystem_mirror {
    path    = "$dev/mirror"
    include = [$pilotstatus_sources]
  }
  filesystem_mirror {
    path    = "$tools/mirror"
    include = [$time_sources]
  }
  direct {
    exclude = [$pilotstatus_sources, $time_sources]
  }
}
RC

log "pilotstatus/pilotstatus $DEV_VERSION is ready for Terraform and OpenTofu; use it in this shell with:"
printf 'export TF_CLI_CONFIG_FILE=%s\n' "$(shell_quote "$dev/terraformrc")"
