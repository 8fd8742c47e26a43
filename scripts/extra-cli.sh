#!/usr/bin/env bash
# Identifies the CLIs scripts/test.sh runs the Terraform-driven tests on, and
# finds the extra one a developer may ask for.
#
#   scripts/extra-cli.sh identity BIN
#       prints "Terraform 1.16.3" or "OpenTofu 1.12.6", read from the line of
#       "BIN version" that names the CLI; fails when BIN is neither.
#
#   scripts/extra-cli.sh find IDENTITY...
#       the extra CLI, opt-in: the one TF_ACC_EXTRA_CLI names (a path or a
#       command on PATH). A terraform or tofu that is merely on PATH is never
#       taken. Prints "BIN<TAB>IDENTITY" when TF_ACC_EXTRA_CLI names a CLI whose
#       identity is none of IDENTITY... (the CLIs already tested); otherwise
#       prints nothing and says why on stderr. Fails only when TF_ACC_EXTRA_CLI
#       names something that is not Terraform or OpenTofu.
set -euo pipefail

export CHECKPOINT_DISABLE=1

identity() {
  local out line
  out=$("$1" version 2>/dev/null) || true
  # OpenTofu may print warnings about the CLI configuration before the version.
  while IFS= read -r line; do
    if [[ $line =~ ^(Terraform|OpenTofu)\ v([0-9][^[:space:]]*)$ ]]; then
      printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      return 0
    fi
  done <<<"$out"
  return 1
}

# tested ID IDENTITY...: true when ID is one of IDENTITY...
tested() {
  local id=$1 known
  shift
  for known in "$@"; do [[ $id == "$known" ]] && return 0; done
  return 1
}

find_extra() {
  local bin id
  if [[ -z ${TF_ACC_EXTRA_CLI:-} ]]; then
    echo "no extra CLI: TF_ACC_EXTRA_CLI is not set (it can name one, by path or command)" >&2
    return 0
  fi
  bin=$(command -v -- "$TF_ACC_EXTRA_CLI") ||
    { echo "TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI: no such executable" >&2; return 1; }
  id=$(identity "$bin") ||
    { echo "TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI: \"$bin version\" names neither Terraform nor OpenTofu" >&2; return 1; }
  if tested "$id" "$@"; then
    echo "no extra CLI: TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI is $id, which is already tested" >&2
    return 0
  fi
  printf '%s\t%s\n' "$bin" "$id"
}

case "${1:-}" in
  identity)
    [[ $# -eq 2 ]] || { echo "usage: $0 identity BIN" >&2; exit 2; }
    identity "$2" || { echo "\"$2 version\" names neither Terraform nor OpenTofu" >&2; exit 1; }
    ;;
  find)
    shift
    find_extra "$@"
    ;;
  *)
    echo "usage: $0 identity BIN | find IDENTITY..." >&2
    exit 2
    ;;
esac
