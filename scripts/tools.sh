#!/usr/bin/env bash
# Installs the CLIs and tools the tests, the demo and the docs need into .tools/
# (git-ignored). Each tool is rebuilt only when the installed version differs from
# the pinned one, so a second run costs seconds.
#
# Usage: scripts/tools.sh [terraform] [terraform-current] [tofu] [time] [k8s] [tfplugindocs] [golangci-lint] [goreleaser] [actionlint] [all]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/.tools/bin"
# .tools/ may be a symbolic link shared by several checkouts: the CLI
# configuration names the mirror by its physical path, valid from any of them.
tools=$(cd "$root/.tools" && pwd -P)
bin="$tools/bin"

TERRAFORM_VERSION=1.5.7
# The current Terraform release (BUSL-licensed: a test tool only, built from
# tools/terraform; the provider never imports it).
TERRAFORM_CURRENT_VERSION=1.16.3
OPENTOFU_VERSION=1.12.6
TIME_PROVIDER_VERSION=0.14.2
TFPLUGINDOCS_VERSION=0.25.0
GOLANGCI_LINT_VERSION=2.15.0
GORELEASER_VERSION=2.12.7
ACTIONLINT_VERSION=1.7.12
# The real secret store of the hand-off tests; each pinned by its tools module.
ETCD_VERSION=3.6.5
KUBE_APISERVER_VERSION=1.34.3
KUBERNETES_PROVIDER_VERSION=1.13.4

log() { printf '==> %s\n' "$*" >&2; }

# stamped NAME FILE VERSION: true when .tools/NAME.version holds VERSION and FILE
# is an executable. stamp NAME VERSION records VERSION in .tools/NAME.version.
stamped() { [[ -x "$2" && -f "$tools/$1.version" && "$(cat "$tools/$1.version")" == "$3" ]]; }
stamp() { printf '%s' "$2" >"$tools/$1.version"; }

install_terraform() {
  local dest="$tools/terraform-$TERRAFORM_VERSION/terraform"
  if stamped terraform "$dest" "$TERRAFORM_VERSION"; then return; fi
  log "building Terraform $TERRAFORM_VERSION from the Go module proxy"
  mkdir -p "$(dirname "$dest")"
  GOBIN="$(dirname "$dest")" CGO_ENABLED=0 go install -trimpath "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
  stamp terraform "$TERRAFORM_VERSION"
}

install_tofu() {
  local dest="$bin/tofu"
  if stamped tofu "$dest" "$OPENTOFU_VERSION"; then return; fi
  log "building OpenTofu $OPENTOFU_VERSION from tools/opentofu"
  (cd "$root/tools/opentofu" && CGO_ENABLED=0 go build -mod=readonly -trimpath \
    -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
    -o "$dest" github.com/opentofu/opentofu/cmd/tofu)
  stamp tofu "$OPENTOFU_VERSION"
}

# go_tool NAME VERSION PACKAGE [NOTE]: go install PACKAGE@vVERSION into .tools/bin
# as NAME, unless that version is already there.
go_tool() {
  local name=$1 version=$2 pkg=$3 note=${4:-}
  if stamped "$name" "$bin/$name" "$version"; then return; fi
  log "building $name $version from the Go module proxy$note"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "$pkg@v$version"
  stamp "$name" "$version"
}

# tfplugindocs renders docs/ from the provider schema, templates/ and examples/.
install_tfplugindocs() {
  go_tool tfplugindocs "$TFPLUGINDOCS_VERSION" github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs
}

# golangci-lint runs the linters of .golangci.yml (make lint).
install_golangci_lint() {
  go_tool golangci-lint "$GOLANGCI_LINT_VERSION" github.com/golangci/golangci-lint/v2/cmd/golangci-lint
}

# goreleaser builds releases from .goreleaser.yml; CI runs goreleaser check.
install_goreleaser() {
  go_tool goreleaser "$GORELEASER_VERSION" github.com/goreleaser/goreleaser/v2 " (a few minutes, once)"
}

# actionlint checks the GitHub Actions workflows in .github/workflows (make test).
install_actionlint() {
  go_tool actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint
}

# The hashicorp/time provider, served from a filesystem mirror to both CLIs.
install_time() {
  local built="$tools/providers/terraform-provider-time"
  if ! stamped time "$built" "$TIME_PROVIDER_VERSION"; then
    log "building hashicorp/time $TIME_PROVIDER_VERSION"
    mkdir -p "$tools/providers"
    GOBIN="$tools/providers" CGO_ENABLED=0 go install -trimpath "github.com/hashicorp/terraform-provider-time@v$TIME_PROVIDER_VERSION"
    stamp time "$TIME_PROVIDER_VERSION"
  fi
  "$root/scripts/mirror.sh" put "$tools/mirror" hashicorp/time "$TIME_PROVIDER_VERSION" "$built"
  # Replaced only when it changes, and by a rename: CLIs of running tests read it.
  local rc
  rc=$(mktemp "$tools/.terraformrc-XXXXXX")
  "$root/scripts/mirror.sh" config "$tools/mirror" >"$rc" || { rm -f "$rc"; exit 1; }
  if cmp -s "$rc" "$tools/terraformrc"; then rm -f "$rc"; else mv -f "$rc" "$tools/terraformrc"; fi
}

# build_tools_module NAME VERSION MODULE_DIR PACKAGE DEST [LDFLAGS]: builds PACKAGE
# from the committed tools module (go.mod and go.sum pin every dependency) unless
# DEST already holds VERSION, and says how long the build took. LDFLAGS are added
# to "-s -w".
build_tools_module() {
  local name=$1 version=$2 module=$3 pkg=$4 dest=$5 ldflags="-s -w${6:+ $6}"
  if stamped "$name" "$dest" "$version"; then return; fi
  log "building $pkg $version from tools/$module"
  mkdir -p "$(dirname "$dest")"
  local started=$SECONDS
  (cd "$root/tools/$module" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$dest" "$pkg")
  stamp "$name" "$version"
  log "built $(basename "$dest") $version in $((SECONDS - started)) s"
}

# write_backend_stubs writes the stub of every remote-state backend that
# tools/terraform/go.mod replaces with ./stubs/<name>, from the one template in
# tools/terraform/stubs (the folders are generated, not committed).
write_backend_stubs() {
  local stubs="$root/tools/terraform/stubs" name
  for name in $(sed -n 's|.*/internal/backend/remote-state/\([a-z0-9]*\) => ./stubs/\1$|\1|p' "$root/tools/terraform/go.mod"); do
    mkdir -p "$stubs/$name"
    sed "s/NAME/$name/g" "$stubs/backend.go.tmpl" >"$stubs/$name/backend.go"
    sed "s/NAME/$name/g; s/TERRAFORM_VERSION/v$TERRAFORM_CURRENT_VERSION/" "$stubs/go.mod.tmpl" >"$stubs/$name/go.mod"
  done
}

# The current Terraform, from tools/terraform: Terraform's own module with its
# remote-state backends replaced by stubs (the module zip lacks them). Without
# version.dev=no, "terraform version" would say -dev.
install_terraform_current() {
  write_backend_stubs
  build_tools_module terraform-current "$TERRAFORM_CURRENT_VERSION" terraform github.com/hashicorp/terraform \
    "$tools/terraform-$TERRAFORM_CURRENT_VERSION/terraform" "-X github.com/hashicorp/terraform/version.dev=no"
}

# etcd, kube-apiserver and the hashicorp/kubernetes provider for the hand-off
# tests, all under .tools/k8s/. The provider is served from a filesystem mirror
# for both registry hosts.
install_k8s() {
  local k8s="$tools/k8s"
  mkdir -p "$k8s/run"
  build_tools_module k8s/etcd "$ETCD_VERSION" etcd go.etcd.io/etcd/server/v3 "$k8s/bin/etcd"
  build_tools_module k8s/kube-apiserver "$KUBE_APISERVER_VERSION" kube-apiserver \
    k8s.io/kubernetes/cmd/kube-apiserver "$k8s/bin/kube-apiserver"
  local built="$k8s/providers/terraform-provider-kubernetes"
  build_tools_module k8s/kubernetes-provider "$KUBERNETES_PROVIDER_VERSION" kubernetes-provider \
    github.com/hashicorp/terraform-provider-kubernetes "$built"
  "$root/scripts/mirror.sh" put "$k8s/mirror" hashicorp/kubernetes "$KUBERNETES_PROVIDER_VERSION" "$built"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    terraform) install_terraform ;;
    terraform-current) install_terraform_current ;;
    tofu) install_tofu ;;
    time) install_time ;;
    k8s) install_k8s ;;
    tfplugindocs) install_tfplugindocs ;;
    golangci-lint) install_golangci_lint ;;
    goreleaser) install_goreleaser ;;
    actionlint) install_actionlint ;;
    all) install_terraform; install_terraform_current; install_tofu; install_time; install_k8s; install_tfplugindocs; install_golangci_lint; install_goreleaser; install_actionlint ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
