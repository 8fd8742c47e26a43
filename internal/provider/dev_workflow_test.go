//go:build unix

package provider

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// readmeTrySection is the README section that the test below runs.
const readmeTrySection = "Try it with your own configuration"

// readmeBlock is one fenced code block of the README.
type readmeBlock struct {
	lang, text string
}

// readmeBlocks returns the fenced code blocks of the README section titled title, in order, and
// the section's prose.
func readmeBlocks(t *testing.T, readme, title string) ([]readmeBlock, string) {
	t.Helper()
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks []readmeBlock
		prose  strings.Builder
		in     bool
		cur    *readmeBlock
		body   strings.Builder
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			cur.text = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "## "):
			in = strings.TrimPrefix(line, "## ") == title
		case in && strings.HasPrefix(line, "```"):
			cur = &readmeBlock{lang: strings.TrimPrefix(line, "```")}
			body.Reset()
		case in:
			prose.WriteString(line + "\n")
		}
	}
	if len(blocks) == 0 {
		t.Fatalf("README.md has no section %q with code blocks", title)
	}
	return blocks, prose.String()
}

// The README's way from make dev to an applied configuration, run as written on the CLI of
// TF_ACC_TERRAFORM_PATH (as "terraform" and "tofu" on PATH): the local API started by its first
// block, make dev and the exports, a configuration that needs hashicorp/time as main.tf, then
// init, plan and apply. Only the local API's port is changed, to a free one. Then the provider is
// rebuilt after a code change (one more file in package main, through go build -overlay) with a
// second make dev: init and plan in the same directory must work, run the new build, and change
// nothing.
//
// make dev writes .tools/dev/, which no other test uses; the test does not run in parallel and
// leaves a build of the checkout's own code there.
func TestAccReadme_tryItWithYourOwnConfiguration(t *testing.T) {
	skipUnlessAcc(t)
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	blocks, prose := readmeBlocks(t, filepath.Join(root, "README.md"), readmeTrySection)

	// The local API's address in the README, replaced by a free port.
	const readmeAddr = "127.0.0.1:8080"
	addr := freeLocalAddr(t)
	server := ""
	script := []string{"set -euo pipefail"}
	for _, b := range blocks {
		text := strings.ReplaceAll(b.text, readmeAddr, addr)
		switch {
		case b.lang == "sh" && server == "" && strings.Contains(text, "pilotstatus-localapi"):
			server = text
		case b.lang == "sh":
			script = append(script, text)
		case b.lang == "hcl":
			if !strings.Contains(prose, "as `main.tf`") {
				t.Fatalf("the section's configuration block is no longer introduced as `main.tf`")
			}
			script = append(script, "cat >main.tf <<'README_HCL'\n"+text+"README_HCL")
		default:
			t.Fatalf("unexpected %q block in the README section:\n%s", b.lang, b.text)
		}
	}
	if server == "" {
		t.Fatal("the README section has no block that starts pilotstatus-localapi")
	}
	m := regexp.MustCompile(`-tenant-key (\S+)`).FindStringSubmatch(server)
	if m == nil {
		t.Fatal("the README's local API command has no -tenant-key")
	}
	tenantKey := m[1]
	for _, want := range []string{"make dev", "terraform init", "terraform plan", "terraform apply", "hashicorp/time"} {
		if !strings.Contains(strings.Join(script, "\n"), want) {
			t.Fatalf("the README section no longer has %q", want)
		}
	}
	for _, want := range []string{"(unauthenticated)", "Incomplete lock file information for providers"} {
		if !strings.Contains(prose, want) {
			t.Fatalf("the README section no longer explains %q", want)
		}
	}

	// The commands run as a user's shell would: this CLI as terraform and tofu, a clean
	// environment without the test's CLI settings, mktemp -d inside the test's directory.
	shims := t.TempDir()
	for _, name := range []string{"terraform", "tofu"} {
		if err := os.Symlink(cli, filepath.Join(shims, name)); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp, "CHECKPOINT_DISABLE=1"}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TF_"), strings.HasPrefix(name, "PILOTSTATUS_"), strings.HasPrefix(name, "PILOT_STATUS_"),
			name == "TMPDIR", name == "GOFLAGS":
		case name == "PATH":
			env = append(env, "PATH="+shims+string(os.PathListSeparator)+value)
		default:
			env = append(env, kv)
		}
	}

	startReadmeServer(t, root, env, server)
	baseURL := "http://" + addr
	before := localKeyLast4(t, baseURL, tenantKey, "wn_1")

	// Afterwards .tools/dev holds a build of this checkout's code, not the changed one below.
	t.Cleanup(func() {
		cmd := exec.CommandContext(context.Background(), "make", "--no-print-directory", "dev")
		cmd.Dir, cmd.Env = root, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("make dev to restore .tools/dev: %v\n%s", err, out)
		}
	})

	dirFile := filepath.Join(tmp, "config-dir")
	script = append(script, fmt.Sprintf("pwd -P >%q", dirFile))
	out := runBash(t, root, env, strings.Join(script, "\n"))

	// make dev printed the line that the README exports.
	exported := regexp.MustCompile(`(?m)^export TF_CLI_CONFIG_FILE='([^']+)'$`).FindStringSubmatch(out)
	if exported == nil {
		t.Fatalf("make dev printed no export TF_CLI_CONFIG_FILE line:\n%s", out)
	}
	rc := filepath.Join(root, ".tools", "dev", "terraformrc")
	if resolved, err := filepath.EvalSymlinks(rc); err != nil || resolved != exported[1] {
		t.Errorf("make dev printed %s, the README exports %s (%s, %v)", exported[1], rc, resolved, err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Install(ing|ed) pilotstatus/pilotstatus v0\.99\.0`),
		regexp.MustCompile(`Install(ing|ed) hashicorp/time v`),
		regexp.MustCompile(`Apply complete! Resources: 2 added, 0 changed, 0 destroyed`),
		// What the README says init prints for a filesystem mirror.
		regexp.MustCompile(`Installed pilotstatus/pilotstatus v0\.99\.0 \(unauthenticated\)`),
		regexp.MustCompile(`Incomplete lock file information for providers`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the README's commands printed nothing matching %s:\n%s", want, out)
		}
	}
	after := localKeyLast4(t, baseURL, tenantKey, "wn_1")
	if after == before {
		t.Errorf("the apply did not regenerate wn_1's key (last four %q before and after)", before)
	}
	if !strings.Contains(out, fmt.Sprintf("%q", after)) {
		t.Errorf("terraform output did not print wn_1's current key_last4 %q:\n%s", after, out)
	}

	dirBytes, err := os.ReadFile(dirFile)
	if err != nil {
		t.Fatal(err)
	}
	config := strings.TrimSpace(string(dirBytes))
	userEnv := append(append([]string{}, env...),
		"TF_CLI_CONFIG_FILE="+rc, "PILOTSTATUS_BASE_URL="+baseURL, "PILOTSTATUS_API_KEY="+tenantKey)

	// A build of the changed code writes marker when the provider starts; this one does not.
	marker := filepath.Join(tmp, "new-build-ran")
	markerEnv := append(append([]string{}, userEnv...), "PILOTSTATUS_TEST_NEW_BUILD_MARKER="+marker)
	runIn(t, config, markerEnv, cli, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the marker exists before the code changed")
	}

	binary := filepath.Join(root, ".tools", "dev", "bin", "terraform-provider-pilotstatus")
	oldBinary, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	overlay := codeChangeOverlay(t, root)
	rebuild := exec.CommandContext(t.Context(), "make", "--no-print-directory", "dev")
	rebuild.Dir, rebuild.Env = root, append(append([]string{}, env...), "GOFLAGS=-overlay="+overlay)
	if out, err := rebuild.CombinedOutput(); err != nil {
		t.Fatalf("second make dev: %v\n%s", err, out)
	}
	if newBinary, err := os.ReadFile(binary); err != nil || bytes.Equal(newBinary, oldBinary) {
		t.Fatalf("the second make dev did not replace the binary (%v)", err)
	}
	// Without init, then after one: the lock file written by the first init still holds.
	for _, initFirst := range []bool{false, true} {
		if initFirst {
			runIn(t, config, userEnv, cli, "init", "-input=false", "-no-color")
		}
		_ = os.Remove(marker)
		runIn(t, config, markerEnv, cli, "plan", "-input=false", "-no-color", "-detailed-exitcode")
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("plan after the second make dev (init first: %t) did not run the new build: %v", initFirst, err)
		}
	}
}

// startReadmeServer runs the README's local API command in its own process group, waits until
// it answers, and stops the group when the test ends.
func startReadmeServer(t *testing.T, root string, env []string, command string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), "bash", "-c", command)
	cmd.Dir, cmd.Env = root, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// done closes when the command has ended; waitErr is then how it ended.
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	m := regexp.MustCompile(`-listen (\S+)`).FindStringSubmatch(command)
	if m == nil {
		t.Fatal("the README's local API command has no -listen")
	}
	deadline := time.Now().Add(3 * time.Minute) // go run compiles first
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", m[1])
		if err == nil {
			_ = conn.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("the local API stopped: %v\n%s", waitErr, out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done // out is complete, and no longer written to
			t.Fatalf("the local API did not listen on %s within 3 minutes:\n%s", m[1], out.String())
		}
	}
}

// runBash runs script with bash in dir and returns what it printed; it fails the test when the
// script fails.
func runBash(t *testing.T, dir string, env []string, script string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's commands failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

// runIn runs one CLI command in dir and fails the test when it fails (for plan
// -detailed-exitcode: also when it plans a change).
func runIn(t *testing.T, dir string, env []string, cli string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), cli, args...) //nolint:gosec // G702: the CLI under test, from TF_ACC_TERRAFORM_PATH
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), err, out)
	}
}

// codeChangeOverlay writes a go build -overlay file that adds one source file to package main:
// it writes the file named by PILOTSTATUS_TEST_NEW_BUILD_MARKER when the provider starts.
func codeChangeOverlay(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "marker.go")
	code := `package main

import "os"

func init() {
	if p := os.Getenv("PILOTSTATUS_TEST_NEW_BUILD_MARKER"); p != "" {
		_ = os.WriteFile(p, []byte("new build"), 0o600)
	}
}
`
	if err := os.WriteFile(src, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	json := fmt.Sprintf(`{"Replace": {%q: %q}}`, filepath.Join(root, "zz_test_new_build_marker.go"), src)
	if err := os.WriteFile(overlay, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	return overlay
}

// localKeyLast4 lists the keys at the local API and returns the last four characters of
// numberID's current key.
func localKeyLast4(t *testing.T, baseURL, tenantKey, numberID string) string {
	t.Helper()
	c, err := pilotstatus.New(pilotstatus.Config{BaseURL: baseURL, APIKey: tenantKey})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListAPIKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.NumberID == numberID {
			return k.KeyLast4
		}
	}
	t.Fatalf("the local API lists no key for %s", numberID)
	return ""
}
