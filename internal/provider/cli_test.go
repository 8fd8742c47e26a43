package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
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

// What the real CLI prints: the warnings a user sees before a key dies, when it
// was rotated outside Terraform, when its scheduled rotation is due and when
// destroying leaves it valid. That no secret appears in what the CLI prints or
// logs is proved path by path in leak_test.go.
func TestAccCLI_warnings(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	api, url := newTestAPI(t,
		fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
		fakeapi.Number{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
		fakeapi.Number{ID: "wn_3", Number: "5511999990003", Name: "Importado"},
	)
	c := newCLIRun(t, url)
	c.redact = secretMasker(api).mask
	tenant := []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cliKeysConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	importDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(importDir, "main.tf"), []byte(importConfig), 0o600); err != nil {
		t.Fatal(err)
	}

	c.run("create", dir, tenant, false, "apply", "-auto-approve", "-input=false")
	before1, _ := api.CurrentKey("wn_1")
	before2, _ := api.CurrentKey("wn_2")
	// The plan of a replacement, before anything is applied, warns which key is
	// about to die (the CLI prints one of the similar warnings in full).
	rotationPlan := c.run("rotation plan", dir, tenant, false, "plan", "-input=false", "-var", "rotation=2")
	dies := regexp.MustCompile(`(?s)API Key Will Be Regenerated.*("wn_1".*ending in "` + before1.Last4 + `"|"wn_2".*ending in "` + before2.Last4 + `")`)
	if !dies.MatchString(rotationPlan) {
		t.Errorf("the rotation plan does not warn which keys die:\n%s", c.redact(rotationPlan))
	}
	if !words("the destroy makes no API call").MatchString(rotationPlan) {
		t.Errorf("the rotation plan does not say that its destroy step makes no API call:\n%s", c.redact(rotationPlan))
	}
	// The key attribute itself: the sensitive output is shown as (sensitive value) too.
	if !regexp.MustCompile(`\bkey\s+= \(sensitive value\)`).MatchString(rotationPlan) {
		t.Errorf("the rotation plan does not show key as a sensitive value:\n%s", c.redact(rotationPlan))
	}
	c.run("rotation", dir, tenant, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=2")
	api.RotateOutOfBand("wn_1")
	repair := c.run("drift repair", dir, tenant, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=2")
	if !strings.Contains(repair, "Key Rotated Outside Terraform") {
		t.Errorf("the drift repair does not say why it regenerates:\n%s", c.redact(repair))
	}
	// A rotation period the keys have outlived: the plan says the rotation is
	// scheduled and replaces the keys, even without a refresh.
	waitUntilOlder(t, api, time.Second, "wn_1", "wn_2")
	scheduled := c.run("scheduled rotation plan", dir, tenant, false, "plan", "-input=false", "-no-color", "-refresh=false",
		"-var", "rotation=2", "-var", "period=1s")
	if !words("must be replaced", "Scheduled Key Rotation", "is due for its scheduled rotation").MatchString(scheduled) {
		t.Errorf("the plan of a due rotation does not say the rotation is scheduled, or is not a replacement:\n%s", c.redact(scheduled))
	}
	regenerations := api.Calls(regenerateCalls)
	c.run("scheduled rotation", dir, tenant, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=2", "-var", "period=1s")
	if got := api.Calls(regenerateCalls) - regenerations; got != 2 {
		t.Errorf("the scheduled rotation regenerated %d keys, want 2", got)
	}
	c.run("import", importDir, tenant, false, "import", "-input=false", "pilotstatus_number_api_key.imported", "wn_3")
	// The key is regenerated elsewhere before the destroy: the warning says the key in state is
	// dead and the number's current key stays valid, never that the key in state stays valid.
	rotated, _ := api.RotateOutOfBand("wn_3")
	regenerations = api.Calls(regenerateCalls)
	destroy := c.run("destroy", importDir, tenant, false, "destroy", "-auto-approve", "-input=false")
	if !words("Destroying Does Not Invalidate the Key", "no longer works", `now ends in "`+rotated.Last4+`"`, "current key stays valid").MatchString(destroy) ||
		strings.Contains(destroy, "that key stays valid") {
		t.Errorf("the destroy plan does not say that the key in state is dead and the number's current key stays valid:\n%s", c.redact(destroy))
	}
	if got := api.Calls(regenerateCalls); got != regenerations {
		t.Errorf("destroy regenerated %d keys", got-regenerations)
	}
	if cur, _ := api.CurrentKey("wn_3"); !keyWorks(t, url, cur.Raw) {
		t.Error("the key of wn_3 stopped working after destroy")
	}
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
