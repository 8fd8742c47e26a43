package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Running the real Terraform or OpenTofu CLI: the provider binary built once per
// test process, a CLI configuration, working directories and the environment,
// the commands, what CLI version runs, and reading the state the CLI wrote. The
// filesystem mirrors a test installs providers from are in cli_test.go.

// cliRun drives the real Terraform or OpenTofu CLI (TF_ACC_TERRAFORM_PATH) with the
// provider binary built from this module, through dev_overrides, at TF_LOG=trace.
// It keeps everything the CLI printed and logged, to search it for secrets.
type cliRun struct {
	t       *testing.T
	bin     string
	env     []string
	logs    map[string]string // what each command printed and logged, by name
	logFile string
	rc      string // the CLI configuration file
	plugins string // the directory of the provider binary
	// redact, when set, masks secrets in the CLI output that a failure prints.
	redact func(string) string
}

// providerBuild is the provider binary that every CLI test runs: built once per
// test process, into a directory that TestMain removes.
var providerBuild struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain stops the Kubernetes API servers an earlier test process left
// running, and after the tests stops this process's servers and removes the
// shared provider binary.
func TestMain(m *testing.M) {
	if runDir, err := filepath.Abs(filepath.Join(kubeDir, "run")); err == nil {
		stopLeftoverKubeServers(runDir)
	}
	code := m.Run()
	stopKubeServers()
	if providerBuild.dir != "" {
		_ = os.RemoveAll(providerBuild.dir)
	}
	os.Exit(code)
}

// builtProvider returns the directory of the provider binary, building it on the
// first call. The binary is only read and run afterwards, so tests share it.
func builtProvider(t *testing.T) string {
	t.Helper()
	providerBuild.once.Do(func() { providerBuild.dir, providerBuild.err = buildProvider() })
	if providerBuild.err != nil {
		t.Fatalf("building the provider: %v", providerBuild.err)
	}
	return providerBuild.dir
}

// buildProvider builds the provider into a new directory that outlives every
// test (a test's TempDir would not): TestMain removes it.
func buildProvider() (string, error) {
	dir, err := os.MkdirTemp("", "pilotstatus-cli-provider-")
	if err != nil {
		return "", err
	}
	// Stamped the way releases stamp it (.goreleaser.yml, make build).
	build := exec.CommandContext(context.Background(), "go", "build", "-ldflags", "-X main.version="+cliVersion,
		"-o", filepath.Join(dir, "terraform-provider-pilotstatus"), "github.com/pilotstatus/terraform-provider-pilotstatus")
	if out, err := build.CombinedOutput(); err != nil {
		return dir, fmt.Errorf("%w\n%s", err, out)
	}
	return dir, nil
}

func newCLIRun(t *testing.T, baseURL string) *cliRun {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set")
	}
	pluginDir := builtProvider(t)
	rc := filepath.Join(t.TempDir(), "cli.tfrc")
	writeCLIConfig(t, rc, pluginDir)
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "PILOTSTATUS_") || strings.HasPrefix(kv, "PILOT_STATUS_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_LOG=trace",
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"PILOTSTATUS_BASE_URL="+baseURL,
	)
	return &cliRun{t: t, bin: bin, env: env, logs: map[string]string{}, logFile: filepath.Join(t.TempDir(), "tf.log"),
		rc: rc, plugins: pluginDir}
}

// cliVersion is the version stamped into the provider binary the CLI tests build.
const cliVersion = "9.8.7-clitest"

// writeCLIConfig writes a CLI configuration that takes the provider from pluginDir
// (dev_overrides).
func writeCLIConfig(t *testing.T, rc, pluginDir string) {
	t.Helper()
	config := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/pilotstatus/pilotstatus" = %q
    "registry.opentofu.org/pilotstatus/pilotstatus" = %q
  }
  direct {}
}
`, pluginDir, pluginDir)
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs one CLI command in dir; wantErr says whether it must fail.
func (c *cliRun) run(name, dir string, extraEnv []string, wantErr bool, args ...string) string {
	c.t.Helper()
	_ = os.Remove(c.logFile)
	cmd := exec.CommandContext(c.t.Context(), c.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(append([]string{}, c.env...), "TF_LOG_PATH="+c.logFile), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	logged, _ := os.ReadFile(c.logFile)
	c.logs[name] = out.String() + "\n" + string(logged)
	if (err != nil) != wantErr {
		printed := out.String()
		if c.redact != nil {
			printed = c.redact(printed)
		}
		c.t.Fatalf("%s: error %v, want error %t\n%s", name, err, wantErr, printed)
	}
	return out.String()
}

// applyArgs and planArgs make the commands with the arguments every command of
// these tests takes.
func applyArgs(extra ...string) []string {
	return append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, extra...)
}

func planArgs(extra ...string) []string {
	return append([]string{"plan", "-input=false", "-no-color"}, extra...)
}

// cliSupportsEphemeral reports whether the CLI under test has ephemeral
// resources (Terraform 1.10, OpenTofu 1.11), and what it is.
func cliSupportsEphemeral(t *testing.T, c *cliRun) (bool, string) {
	t.Helper()
	return cliAtLeast(t, c, 10, 11)
}

// cliSupportsIdentity reports whether the CLI under test imports by resource
// identity (Terraform 1.12, OpenTofu 1.12), and what it is.
func cliSupportsIdentity(t *testing.T, c *cliRun) (bool, string) {
	t.Helper()
	return cliAtLeast(t, c, 12, 12)
}

// cliAtLeast reports whether the CLI under test is at least Terraform 1.<terraform>
// or OpenTofu 1.<tofu>, and what it is.
func cliAtLeast(t *testing.T, c *cliRun, terraform, tofu int) (bool, string) {
	t.Helper()
	v, err := versionOf(t.Context(), c.bin, c.env)
	if err != nil {
		t.Fatal(err)
	}
	return v.atLeast(terraform, tofu), v.line
}

// cliRelease is what a CLI's version command says: which CLI it is and its version.
type cliRelease struct {
	name         string // Terraform or OpenTofu
	major, minor int
	line         string // "Terraform v1.16.3"
}

// atLeast reports whether the CLI is at least Terraform 1.<terraform> or OpenTofu 1.<tofu>.
func (v cliRelease) atLeast(terraform, tofu int) bool {
	need := map[string]int{"Terraform": terraform, "OpenTofu": tofu}[v.name]
	return v.major > 1 || (v.major == 1 && v.minor >= need)
}

// versionOf runs the version command of the CLI at bin with env.
func versionOf(ctx context.Context, bin string, env []string) (cliRelease, error) {
	cmd := exec.CommandContext(ctx, bin, "version") //nolint:gosec // G702: running the CLI under test is this test's job
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return cliRelease{}, fmt.Errorf("%s version: %w", bin, err)
	}
	m := regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\d+)\.(\d+)\.\S+`).FindStringSubmatch(string(out))
	if m == nil {
		return cliRelease{}, fmt.Errorf("%s version printed no version:\n%s", bin, out)
	}
	major, _ := strconv.Atoi(m[2])
	minor, _ := strconv.Atoi(m[3])
	return cliRelease{name: m[1], major: major, minor: minor, line: m[0]}, nil
}

// cliSupportsQuery reports whether the CLI under test has terraform query, and what it is.
func cliSupportsQuery(t *testing.T, c *cliRun) (bool, string) {
	t.Helper()
	ok, what, err := queryCommandIn(t.Context(), c.bin, c.env)
	if err != nil {
		t.Fatal(err)
	}
	return ok, what
}

// noQueryCommand is what OpenTofu (1.12.6 at least) answers to "tofu query".
const noQueryCommand = `no command named "query"`

// queryCommandIn reports whether the CLI at bin has a query command with list resources, and what
// it is: Terraform has it from 1.14; OpenTofu is asked, as OpenTofu 1.12.6 has none.
func queryCommandIn(ctx context.Context, bin string, env []string) (bool, string, error) {
	v, err := versionOf(ctx, bin, env)
	if err != nil || v.name == "Terraform" {
		return v.atLeast(14, 0), v.line, err
	}
	cmd := exec.CommandContext(ctx, bin, "query", "-help") //nolint:gosec // G702: running the CLI under test is this test's job
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), noQueryCommand) {
		return false, v.line, nil
	}
	return err == nil, v.line, nil
}

// cliState reads the state of dir with show -json.
func cliState(t *testing.T, c *cliRun, dir string, env []string) *tfjson.State {
	t.Helper()
	out := c.run("show", dir, env, false, "show", "-json")
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var st tfjson.State
		if err := json.Unmarshal([]byte(line), &st); err != nil {
			t.Fatalf("reading the state: %v", err)
		}
		return &st
	}
	t.Fatalf("show -json printed no state:\n%s", out)
	return nil
}

// checkState runs state checks against a state read outside terraform-plugin-testing.
func checkState(t *testing.T, st *tfjson.State, checks ...statecheck.StateCheck) {
	t.Helper()
	for _, check := range checks {
		var resp statecheck.CheckStateResponse
		check.CheckState(context.Background(), statecheck.CheckStateRequest{State: st}, &resp)
		if resp.Error != nil {
			t.Error(resp.Error)
		}
	}
}

// freeLocalAddr returns a loopback address with a port that was free a moment ago.
func freeLocalAddr(t *testing.T) string {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// closedPort is a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	return "http://" + freeLocalAddr(t)
}

// Configurations for the real CLI.

// providersTF makes a snippet from examples/resources or examples/data-sources,
// or a test's resources, a complete configuration.
const providersTF = `
terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
  }
}
`

// cliKeysConfig manages the keys of wn_1 and wn_2; variables choose the paths.
// The keys also reach a sensitive output.
const cliKeysConfig = providersTF + `
provider "pilotstatus" {
  max_retries = 1
}

variable "rotation" {
  type    = string
  default = "1"
}

variable "period" {
  type    = string
  default = null
}

variable "on_destroy" {
  type    = string
  default = "keep"
}

variable "on_external_rotation" {
  type    = string
  default = "regenerate"
}

resource "pilotstatus_number_api_key" "k" {
  for_each             = toset(["wn_1", "wn_2"])
  whatsapp_number_id   = each.key
  keepers              = { rotation = var.rotation }
  rotation_period      = var.period
  on_destroy           = var.on_destroy
  on_external_rotation = var.on_external_rotation
}

output "last4" {
  value = { for id, k in pilotstatus_number_api_key.k : id => k.key_last4 }
}

output "keys" {
  value     = { for id, k in pilotstatus_number_api_key.k : id => k.key }
  sensitive = true
}
`

// importConfig is the resource of wn_3, for import.
const importConfig = providersTF + `
resource "pilotstatus_number_api_key" "imported" {
  whatsapp_number_id = "wn_3"
}
`
