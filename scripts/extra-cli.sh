#!/usr/bin/env bash
# Finds the CLIs scripts/test.sh runs the Terraform-driven tests on.
#
#   scripts/extra-cli.sh identity BIN
#       prints "Terraform 1.11.4" or "OpenTofu 1.12.6", read from the line of
#       "BIN version" that names the CLI; fails when BIN is neither.
#
#   scripts/extra-cli.sh find IDENTITY...
#       the third CLI: the one TF_ACC_EXTRA_CLI names (a path or a command on
#       PATH), else the first terraform or tofu on PATH whose identity is none of
#       IDENTITY... (the CLIs already tested: .tools/ may come first on PATH, so
#       the version decides, not the path). Prints "BIN<TAB>IDENTITY<TAB>WHERE"
#       when there is one; otherwise prints nothing and says why on stderr. Fails
#       only when TF_ACC_EXTRA_CLI names something that is not Terraform or
#       OpenTofu.
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
  local bin id candidate
  if [[ -n ${TF_ACC_EXTRA_CLI:-} ]]; then
    bin=$(command -v -- "$TF_ACC_EXTRA_CLI") ||
      { echo "TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI: no such executable" >&2; return 1; }
    id=$(identity "$bin") ||
      { echo "TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI: \"$bin version\" names neither Terraform nor OpenTofu" >&2; return 1; }
    if tested "$id" "$@"; then
      echo "no third CLI: TF_ACC_EXTRA_CLI=$TF_ACC_EXTRA_CLI is $id, which is already tested" >&2
      return 0
    fi
    printf '%s\t%s\t%s\n' "$bin" "$id" "named by TF_ACC_EXTRA_CLI"
    return 0
  fi
  local candidates=()
  mapfile -t candidates < <(type -ap terraform tofu || true)
  for candidate in "${candidates[@]}"; do
    if id=$(identity "$candidate") && ! tested "$id" "$@"; then
      printf '%s\t%s\t%s\n' "$candidate" "$id" "found on PATH"
      return 0
    fi
  done
  local list
  list=$(printf ', %s' "$@")
  echo "no third CLI: no terraform or tofu on PATH other than ${list#, } (TF_ACC_EXTRA_CLI can name one)" >&2
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
