#!/usr/bin/env bash
# Runs every test: static checks (gofmt, go vet, golangci-lint, goreleaser check,
# actionlint, terraform fmt, generated docs), unit and client tests, then the Terraform-driven
# tests against the local Pilot Status API on Terraform 1.5.7 (the oldest
# supported), Terraform 1.16.3 (the current release) and OpenTofu 1.12.6, and on
# a fourth CLI only when TF_ACC_EXTRA_CLI names one (a terraform or tofu on PATH
# is never picked up by itself).
# Installs what it needs into .tools/ first (reused on later runs).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/tools.sh" terraform terraform-current tofu time k8s golangci-lint goreleaser actionlint

# The hand-off tests start etcd and kube-apiserver and record their pids in
# .tools/k8s/run/<test process>-<server>.pid. A test process that died without
# cleaning up (a go test -timeout panic) leaves them running: stop those whose
# test process is gone, and only while the pid still runs one of our binaries.
stop_leftover_kube_servers() {
  local f owner pid exe data
  for f in "$root"/.tools/k8s/run/*.pid; do
    [[ -e "$f" ]] || continue
    owner=$(basename "$f"); owner=${owner%%-*}
    if [[ "$owner" =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null; then continue; fi
    pid=$(sed -n 1p "$f"); data=$(sed -n 2p "$f")
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    if [[ -n "$exe" && ( "$exe" == "$(readlink -f "$root/.tools/k8s/bin/etcd")" ||
      "$exe" == "$(readlink -f "$root/.tools/k8s/bin/kube-apiserver")" ) ]]; then
      echo "==> stopping $(basename "$exe") (pid $pid), left running by an earlier test run"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    [[ "$(basename "$data")" == kube-* ]] && rm -rf "$data"
    rm -f "$f"
  done
}
stop_leftover_kube_servers

terraform_bin="$root/.tools/terraform-1.5.7/terraform"
terraform_current_bin="$root/.tools/terraform-1.16.3/terraform"
tofu_bin="$root/.tools/bin/tofu"

# The CLIs read only the project's own configuration (a filesystem mirror for
# hashicorp/time); never the user's, never the network.
export TF_CLI_CONFIG_FILE="$root/.tools/terraformrc"
export TF_ACC_TEMP_DIR="$root/.tools/tmp"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
mkdir -p "$TF_ACC_TEMP_DIR"
unset TF_LOG TF_LOG_PATH TF_LOG_CORE TF_LOG_PROVIDER TF_ACC_LOG TF_ACC_LOG_PATH
unset PILOTSTATUS_API_KEY PILOT_STATUS_API_KEY PILOTSTATUS_API_KEY_ID PILOTSTATUS_BASE_URL

parallel=${TEST_PARALLEL:-4}

# The CLIs of the Terraform-driven tests, identified first: a TF_ACC_EXTRA_CLI
# that names no Terraform or OpenTofu fails the run before anything else
# (scripts/extra-cli.sh).
terraform_id=$("$root/scripts/extra-cli.sh" identity "$terraform_bin")
terraform_current_id=$("$root/scripts/extra-cli.sh" identity "$terraform_current_bin")
tofu_id=$("$root/scripts/extra-cli.sh" identity "$tofu_bin")
extra=$("$root/scripts/extra-cli.sh" find "$terraform_id" "$terraform_current_id" "$tofu_id")
IFS=$'\t' read -r extra_bin extra_id <<<"$extra" || true
clis="$terraform_id, $terraform_current_id, $tofu_id"
if [[ -n ${extra_bin:-} ]]; then clis+=" and $extra_id ($extra_bin, named by TF_ACC_EXTRA_CLI)"; fi
echo "==> the Terraform-driven tests will run on $clis"

echo "==> gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [[ -n "$unformatted" ]]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "==> go vet"
go vet ./...

echo "==> golangci-lint"
"$root/.tools/bin/golangci-lint" run ./...

echo "==> goreleaser check"
"$root/.tools/bin/goreleaser" check

echo "==> actionlint (.github/workflows)"
"$root/.tools/bin/actionlint" -no-color

echo "==> terraform fmt -check examples/"
"$terraform_bin" fmt -check -recursive examples/

echo "==> generated docs are current (tfplugindocs generate + validate)"
make --no-print-directory docs-check >"$TF_ACC_TEMP_DIR/docs.log" 2>&1 || { cat "$TF_ACC_TEMP_DIR/docs.log"; exit 1; }

echo "==> unit, client and local API tests (race detector)"
go test -race -count=1 ./...

# acc_tests BIN IDENTITY [NOTE]: the Terraform-driven tests on the CLI at BIN.
acc_tests() {
  local provider_env=()
  if [[ $2 == OpenTofu\ * ]]; then
    provider_env=(TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp)
  fi
  echo "==> Terraform-driven tests on $2${3:+ ($1, $3)}"
  env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$1" "${provider_env[@]}" \
    go test -count=1 -parallel "$parallel" -timeout 40m -run '^TestAcc' ./internal/provider/
}

acc_tests "$terraform_bin" "$terraform_id"
acc_tests "$terraform_current_bin" "$terraform_current_id"
acc_tests "$tofu_bin" "$tofu_id"
if [[ -n ${extra_bin:-} ]]; then
  acc_tests "$extra_bin" "$extra_id" "named by TF_ACC_EXTRA_CLI"
fi
echo "==> the Terraform-driven tests ran on $clis"
