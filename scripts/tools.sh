#!/usr/bin/env bash
# Installs the CLIs and tools the tests, the demo and the docs need into .tools/
# (git-ignored). Each tool is rebuilt only when the installed version differs from
# the pinned one, so a second run costs seconds.
#
# Usage: scripts/tools.sh [terraform] [tofu] [time] [tfplugindocs] [golangci-lint] [goreleaser] [actionlint] [all]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

TERRAFORM_VERSION=1.5.7
OPENTOFU_VERSION=1.12.6
TIME_PROVIDER_VERSION=0.14.2
TFPLUGINDOCS_VERSION=0.25.0
GOLANGCI_LINT_VERSION=2.15.0
GORELEASER_VERSION=2.12.7
ACTIONLINT_VERSION=1.7.12

log() { printf '==> %s\n' "$*" >&2; }

# stamp NAME VERSION: true when .tools/NAME.version holds VERSION and the binary exists.
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

# tfplugindocs renders docs/ from the provider schema, templates/ and examples/.
install_tfplugindocs() {
  local dest="$bin/tfplugindocs"
  if stamped tfplugindocs "$dest" "$TFPLUGINDOCS_VERSION"; then return; fi
  log "building tfplugindocs $TFPLUGINDOCS_VERSION from the Go module proxy"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v$TFPLUGINDOCS_VERSION"
  stamp tfplugindocs "$TFPLUGINDOCS_VERSION"
}

# golangci-lint runs the linters of .golangci.yml (make lint).
install_golangci_lint() {
  local dest="$bin/golangci-lint"
  if stamped golangci-lint "$dest" "$GOLANGCI_LINT_VERSION"; then return; fi
  log "building golangci-lint $GOLANGCI_LINT_VERSION from the Go module proxy"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$GOLANGCI_LINT_VERSION"
  stamp golangci-lint "$GOLANGCI_LINT_VERSION"
}

# goreleaser builds releases from .goreleaser.yml; CI runs goreleaser check.
install_goreleaser() {
  local dest="$bin/goreleaser"
  if stamped goreleaser "$dest" "$GORELEASER_VERSION"; then return; fi
  log "building goreleaser $GORELEASER_VERSION from the Go module proxy (a few minutes, once)"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION"
  stamp goreleaser "$GORELEASER_VERSION"
}

# actionlint checks the GitHub Actions workflows in .github/workflows (make test).
install_actionlint() {
  local dest="$bin/actionlint"
  if stamped actionlint "$dest" "$ACTIONLINT_VERSION"; then return; fi
  log "building actionlint $ACTIONLINT_VERSION from the Go module proxy"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
  stamp actionlint "$ACTIONLINT_VERSION"
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
  local host dir
  for host in registry.terraform.io registry.opentofu.org; do
    dir="$tools/mirror/$host/hashicorp/time/$TIME_PROVIDER_VERSION/linux_amd64"
    mkdir -p "$dir"
    cp -f "$built" "$dir/terraform-provider-time_v$TIME_PROVIDER_VERSION"
  done
  cat >"$tools/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$tools/mirror"
    include = ["registry.terraform.io/hashicorp/time", "registry.opentofu.org/hashicorp/time"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/time", "registry.opentofu.org/hashicorp/time"]
  }
}
RC
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    terraform) install_terraform ;;
    tofu) install_tofu ;;
    time) install_time ;;
    tfplugindocs) install_tfplugindocs ;;
    golangci-lint) install_golangci_lint ;;
    goreleaser) install_goreleaser ;;
    actionlint) install_actionlint ;;
    all) install_terraform; install_tofu; install_time; install_tfplugindocs; install_golangci_lint; install_goreleaser; install_actionlint ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
