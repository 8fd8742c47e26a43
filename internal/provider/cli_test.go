package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mirrorVersion is the version under which the provider binary is put into a
// filesystem mirror.
const mirrorVersion = "0.99.0"

// mirrored is a provider that scripts/tools.sh put into a filesystem mirror.
type mirrored struct {
	root   string // the mirror, relative to the module's root
	source string // namespace/type
	build  string // the command that makes it
}

// timeMirrored is hashicorp/time in the project's mirror.
var timeMirrored = mirrored{root: ".tools/mirror", source: "hashicorp/time", build: "scripts/tools.sh time"}

// useMirror replaces dev_overrides, which init does not accept, with a filesystem
// mirror holding the provider binary, and hashicorp/time from the project's mirror
// (made by scripts/tools.sh), so that init works offline. The test is skipped
// when the project has no mirror.
func (c *cliRun) useMirror() { c.useMirrorOf(timeMirrored) }

// useMirrorOf makes the CLI install the provider binary, under mirrorVersion, from
// a filesystem mirror of the test's own, and the others from the mirrors
// scripts/tools.sh made. The test is skipped when one of those is not there.
func (c *cliRun) useMirrorOf(others ...mirrored) {
	c.t.Helper()
	mirror := c.t.TempDir()
	roots := []string{mirror}
	for _, o := range others {
		root := filepath.Join("..", "..", o.root)
		if _, err := os.Stat(root); err != nil {
			c.t.Skipf("no filesystem mirror of %s at %s: run %s", o.source, root, o.build)
		}
		roots = append(roots, root)
	}
	mirrorScript(c.t, "put", mirror, "pilotstatus/pilotstatus", mirrorVersion, filepath.Join(c.plugins, "terraform-provider-pilotstatus"))
	config := mirrorScript(c.t, append([]string{"config"}, roots...)...)
	if err := os.WriteFile(c.rc, []byte(config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// mirrorScript runs scripts/mirror.sh, which lays out filesystem mirrors and writes
// the CLI configurations that install from them, and returns what it printed.
func mirrorScript(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", append([]string{filepath.Join("..", "..", "scripts", "mirror.sh")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/mirror.sh %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out)
}

// The version stamped into the binary with -X main.version, as the release build
// does, is the one every request's User-Agent carries.
func TestAccCLI_versionInUserAgent(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	api, url, agents := newUserAgentRecorder(t)
	c := newCLIRun(t, url)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(importConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c.run("apply", dir, []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}, false, "apply", "-auto-approve", "-input=false")
	if got := agents(); len(got) != 1 || got["terraform-provider-pilotstatus/"+cliVersion] == 0 {
		t.Errorf("User-Agents seen: %v, want only terraform-provider-pilotstatus/%s", got, cliVersion)
	}
}
