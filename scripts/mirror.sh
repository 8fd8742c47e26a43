#!/usr/bin/env bash
# Filesystem mirrors of providers, for Terraform and OpenTofu: the one place that
# knows their layout and the CLI configuration that installs from them. Used by
# tools.sh, dev.sh, demo.sh, the benchmark (scripts/bench) and the CLI tests.
#
#   scripts/mirror.sh put ROOT SOURCE VERSION EXECUTABLE
#       puts EXECUTABLE into the mirror at ROOT as provider SOURCE
#       (NAMESPACE/TYPE) at VERSION, for this machine's platform (go env GOOS
#       GOARCH), under registry.terraform.io and registry.opentofu.org:
#         ROOT/<host>/NAMESPACE/TYPE/VERSION/<os>_<arch>/terraform-provider-TYPE_vVERSION
#       Each of those directories then holds that file only: "init" records the
#       checksum of the whole directory in .terraform.lock.hcl. The file is
#       replaced only when it changes, and by a rename, so a CLI running
#       meanwhile reads the old file or the new one, never half of one.
#
#   scripts/mirror.sh config ROOT...
#       prints a CLI configuration that installs each provider the mirrors at
#       ROOT... hold from its mirror, and every other provider from its
#       registry. The mirrors are named by their physical paths, so the
#       configuration holds wherever it is read from and whatever symbolic
#       links lead to ROOT.
set -euo pipefail

readonly HOSTS=(registry.terraform.io registry.opentofu.org)

usage() {
  sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

put() {
  [[ $# -eq 4 ]] || usage
  local root=$1 source=$2 version=$3 executable=$4
  [[ $source =~ ^[^/]+/[^/]+$ ]] || { echo "mirror.sh: SOURCE $source is not NAMESPACE/TYPE" >&2; exit 2; }
  [[ -f $executable ]] || { echo "mirror.sh: no file $executable" >&2; exit 1; }
  local platform name host dir partial
  platform="$(go env GOOS)_$(go env GOARCH)"
  name="terraform-provider-${source#*/}_v$version"
  for host in "${HOSTS[@]}"; do
    dir="$root/$host/$source/$version/$platform"
    mkdir -p "$dir"
    find "$dir" -mindepth 1 -not -name "$name" -exec rm -rf {} +
    cmp -s "$executable" "$dir/$name" && continue
    # Beside the platform directory, which would otherwise hold a second file meanwhile.
    partial=$(mktemp "$dir/../.put-XXXXXX")
    cp "$executable" "$partial" && chmod 0755 "$partial" && mv -f "$partial" "$dir/$name" ||
      { rm -f "$partial"; exit 1; }
  done
}

# join ITEM...: the ITEMs separated by ", ".
join() {
  local out="" item
  for item in "$@"; do out+="${out:+, }$item"; done
  printf '%s' "$out"
}

# hcl_string VALUE: VALUE as an HCL quoted string, no template sequence in it.
hcl_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//\$\{/\$\$\{}
  s=${s//%\{/%%\{}
  printf '"%s"' "$s"
}

config() {
  [[ $# -gt 0 ]] || usage
  local root physical held all=() host dir
  local blocks=""
  for root in "$@"; do
    physical=$(cd "$root" 2>/dev/null && pwd -P) || { echo "mirror.sh: no mirror at $root" >&2; exit 1; }
    held=()
    for host in "${HOSTS[@]}"; do
      for dir in "$physical/$host"/*/*/; do
        [[ -d $dir ]] || continue
        dir=${dir%/}
        held+=("$(hcl_string "${dir#"$physical/"}")")
      done
    done
    [[ ${#held[@]} -gt 0 ]] || { echo "mirror.sh: the mirror at $root holds no provider" >&2; exit 1; }
    blocks+="  filesystem_mirror {
    path    = $(hcl_string "$physical")
    include = [$(join "${held[@]}")]
  }
"
    all+=("${held[@]}")
  done
  printf 'provider_installation {\n%s  direct {\n    exclude = [%s]\n  }\n}\n' "$blocks" "$(join "${all[@]}")"
}

case "${1:-}" in
  put) shift; put "$@" ;;
  config) shift; config "$@" ;;
  *) usage ;;
esac
