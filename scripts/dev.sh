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
#   launcher                             a script that runs bin/...
#   mirror/                              the launcher as the provider, laid out by
#                                        scripts/mirror.sh for both registry hosts
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

log "building the provider as pilotstatus/pilotstatus $DEV_VERSION"
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
printf '%s' "#!/bin/sh
# Runs the provider that make dev built.
exec $(shell_quote "$binary") \"\$@\"
" >"$dev/launcher"
"$root/scripts/mirror.sh" put "$dev/mirror" pilotstatus/pilotstatus "$DEV_VERSION" "$dev/launcher"

{
  echo "# Written by make dev: pilotstatus/pilotstatus $DEV_VERSION built from $root,"
  echo "# hashicorp/time from the project's mirror, every other provider from its registry."
  "$root/scripts/mirror.sh" config "$dev/mirror" "$tools/mirror"
} >"$dev/terraformrc"

log "pilotstatus/pilotstatus $DEV_VERSION is ready for Terraform and OpenTofu; use it in this shell with:"
printf 'export TF_CLI_CONFIG_FILE=%s\n' "$(shell_quote "$dev/terraformrc")"
