package provider

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// handOffConfig keeps the key out of state (store_key = false) and hands it to a consumer through
// the ephemeral resource, tied to the managed key by key_fingerprint. No write-only consumer can
// be built here (the AWS, Vault and Kubernetes 2.x providers are not to be had), so the consumer is
// a terraform_data whose local-exec provisioner receives the ephemeral key in its environment, as
// a write-only argument would, and uses it against the local API. It runs again on every rotation.
const handOffConfig = handOffResource + handOffConsumer

// handOffResource is the managed key of handOffConfig alone.
const handOffResource = providersTF + `
variable "rotation" {
  type    = string
  default = "1"
}

provider "pilotstatus" {
  max_retries = 1
}

resource "pilotstatus_number_api_key" "k" {
  whatsapp_number_id = "wn_1"
  store_key          = false
  keepers            = { rotation = var.rotation }
}
`

// handOffConsumer is the ephemeral key and its consumer of handOffConfig.
const handOffConsumer = `
variable "checker" {
  type = string
}

variable "result" {
  type = string
}

variable "base_url" {
  type = string
}

# The number id is written out, so nothing but key_fingerprint orders the opening after the
# regeneration.
ephemeral "pilotstatus_number_api_key" "k" {
  whatsapp_number_id = "wn_1"
  key_fingerprint    = pilotstatus_number_api_key.k.key_fingerprint
}

resource "terraform_data" "consumer" {
  triggers_replace = pilotstatus_number_api_key.k.key_version

  provisioner "local-exec" {
    command = "\"$CHECKER\" >> \"$RESULT\""
    environment = {
      PILOTSTATUS_TEST_KEY = ephemeral.pilotstatus_number_api_key.k.key
      PILOTSTATUS_TEST_URL = var.base_url
      KEY_VERSION          = pilotstatus_number_api_key.k.key_version
      CHECKER              = var.checker
      RESULT               = var.result
    }
  }
}
`

// buildKeycheck builds the consumer's program (testdata/keycheck) into dir.
func buildKeycheck(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "keycheck")
	build := exec.CommandContext(context.Background(), "go", "build", "-o", bin, "./testdata/keycheck")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building keycheck: %v\n%s", err, out)
	}
	return bin
}

// consumerResults reads what the consumer wrote: one "<key_version> <verdict>" line per run.
func consumerResults(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(b)), " ", "="))
}

// planFileText is every file of a saved plan (a zip archive), for the search.
func planFileText(t *testing.T, path string) string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("opening the saved plan: %v", err)
	}
	defer func() { _ = r.Close() }()
	var b strings.Builder
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(f.Name + "\n" + string(data) + "\n")
	}
	if !strings.Contains(b.String(), "pilotstatus_number_api_key") {
		t.Fatal("the saved plan does not mention the resource: the search would prove nothing")
	}
	return b.String()
}

// stateFileText is a state file with the private state of every object decoded, for the search.
func stateFileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	text := string(b)
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			if in.Private == "" {
				continue
			}
			dec, err := base64.StdEncoding.DecodeString(in.Private)
			if err != nil {
				t.Fatalf("decoding private state: %v", err)
			}
			text += "\n" + string(dec)
		}
	}
	return text
}

// handOff is a working directory for handOffConfig, driven by the real CLI (1.11 and later).
type handOff struct {
	c      *cliRun
	dir    string   // the configuration
	result string   // what the consumer wrote
	env    []string // the tenant key and the consumer's variables
}

func newHandOff(t *testing.T, api *fakeapi.API, url string) *handOff {
	t.Helper()
	c := newCLIRun(t, url)
	if ok, version := cliAtLeast(t, c, 11, 11); !ok {
		t.Skipf("%s has no ephemeral resources in provisioners; needs 1.11", version)
	}
	c.redact = secretMasker(api).mask
	work := t.TempDir()
	h := &handOff{c: c, dir: filepath.Join(work, "config"), result: filepath.Join(work, "consumer.log")}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	h.env = []string{
		"PILOTSTATUS_API_KEY=" + api.TenantKey(),
		"TF_VAR_checker=" + buildKeycheck(t, work),
		"TF_VAR_result=" + h.result,
		"TF_VAR_base_url=" + url,
	}
	h.write(handOffConfig)
	return h
}

// write replaces the configuration.
func (h *handOff) write(config string) {
	h.c.t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, "main.tf"), []byte(config), 0o600); err != nil {
		h.c.t.Fatal(err)
	}
}

// With store_key = false a rotation leaves no key and no key id in the state file, its backup,
// a saved plan or show -json, and the consumer, fed by the ephemeral resource in the same apply,
// receives the new live key, never the one that just died. A key rotated outside Terraform makes
// the tied ephemeral resource refuse to open while the state is stale (-refresh=false), and the
// next apply repairs the key and hands on the new one.
func TestAccCLI_storeKeyFalseHandOff(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	api, url := newTestAPI(t, fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Suporte"})
	h := newHandOff(t, api, url)
	c, dir, result, env := h.c, h.dir, h.result, h.env
	accepted := func(step string, want int) {
		t.Helper()
		got := consumerResults(t, result)
		if len(got) != want {
			t.Fatalf("%s: the consumer ran %d times (%q), want %d", step, len(got), got, want)
		}
		if !strings.HasSuffix(got[want-1], "=accepted") {
			t.Errorf("%s: the consumer's key was %s, want the number's live key", step, got[want-1])
		}
	}

	c.run("create", dir, env, false, "apply", "-auto-approve", "-input=false")
	accepted("create", 1)
	before, _ := api.CurrentKey("wn_1")

	// The rotation, planned to a file, then applied from it.
	planFile := filepath.Join(dir, "rotation.tfplan")
	c.run("rotation plan", dir, env, false, "plan", "-input=false", "-var", "rotation=2", "-out", planFile)
	savedPlan := planFileText(t, planFile)
	planJSON := c.run("show rotation plan", dir, env, false, "show", "-json", planFile)
	if !strings.Contains(planJSON, `"store_key":false`) {
		t.Fatalf("show -json of the saved plan does not show the resource:\n%s", c.redact(planJSON))
	}
	c.run("rotation", dir, env, false, "apply", "-auto-approve", "-input=false", planFile)
	after, _ := api.CurrentKey("wn_1")
	if after.ID == before.ID || keyWorks(t, url, before.Raw) {
		t.Fatal("the rotation did not regenerate the key, or the old key still works")
	}
	// The consumer ran once more, after the regeneration, with the new key: the old one is dead,
	// so only the new one is accepted.
	accepted("rotation", 2)
	stateJSON := c.run("show state", dir, env, false, "show", "-json")

	// The tied ephemeral resource refuses a key other than the managed one.
	rotateOutOfBand(t, api, "wn_1")
	stale := c.run("stale plan", dir, env, true, "plan", "-input=false", "-no-color", "-refresh=false", "-var", "rotation=2")
	if !words("API Key Is Not the Expected Key", `WhatsApp number "wn_1"`, "not the key that key_fingerprint names",
		"No key was opened").MatchString(stale) {
		t.Errorf("the stale plan does not refuse the other key:\n%s", c.redact(stale))
	}
	accepted("stale plan", 2)
	regenerations := api.Calls(regenerateCalls)
	c.run("repair", dir, env, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=2")
	if got := api.Calls(regenerateCalls) - regenerations; got != 1 {
		t.Errorf("the repair regenerated %d keys, want 1", got)
	}
	accepted("repair", 3)
	c.run("quiet plan", dir, env, false, "plan", "-input=false", "-detailed-exitcode", "-var", "rotation=2")

	searched := map[string]string{
		"the state file":               stateFileText(t, filepath.Join(dir, "terraform.tfstate")),
		"the state backup":             stateFileText(t, filepath.Join(dir, "terraform.tfstate.backup")),
		"the saved plan":               savedPlan,
		"show -json of the saved plan": planJSON,
		"show -json of the state":      stateJSON,
	}
	for where, text := range searched {
		if err := noIssuedSecretIn(where, text, api); err != nil {
			t.Error(err)
		}
	}
	// What the CLI printed and logged at TF_LOG=trace holds no key either.
	searchLeaks(t, c.logs, leakSecrets(api))
	// The consumer never wrote a key: only verdicts.
	if b, _ := os.ReadFile(result); noIssuedSecretIn("the consumer's output", string(b), api) != nil {
		t.Error("the consumer's output holds a key")
	}
	// The check discriminates: the key that died is rejected.
	if keyWorks(t, url, before.Raw) || !keyWorks(t, url, func() string { k, _ := api.CurrentKey("wn_1"); return k.Raw }()) {
		t.Error("the local API accepts a dead key or rejects the live one")
	}
}

// A legacy key kept out of state cannot be handed on: its plan warns, a plan with the ephemeral
// resource fails naming the fix, and the fix it names (-replace with -target, then an apply)
// regenerates the key and hands the new one to the consumer.
func TestAccCLI_storeKeyFalseLegacy(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	api, url := newTestAPI(t, fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Legado", Legacy: true})
	legacy, _ := api.CurrentKey("wn_1")
	h := newHandOff(t, api, url)
	c, dir, result, env := h.c, h.dir, h.result, h.env
	const address = "pilotstatus_number_api_key.k"
	// The key is imported and applied before anything hands it on.
	h.write(handOffResource)
	c.run("import", dir, env, false, "import", "-input=false", "-no-color", address, "wn_1")
	c.run("apply after import", dir, env, false, "apply", "-auto-approve", "-input=false")
	quiet := c.run("quiet plan", dir, env, false, "plan", "-input=false", "-no-color")
	if !words("Key Cannot Be Handed On", `"wn_1"`, "legacy key", "-replace=<address of this resource>").MatchString(quiet) {
		t.Errorf("the plan does not warn that the legacy key cannot be handed on:\n%s", c.redact(quiet))
	}
	h.write(handOffConfig)
	plan := c.run("plan", dir, env, true, "plan", "-input=false", "-no-color")
	if !words("API Key Is Not Revealable", `"wn_1"`, "-replace=<its address> -target=<its address>").MatchString(plan) {
		t.Errorf("the plan does not fail naming the fix:\n%s", c.redact(plan))
	}
	if api.Calls(regenerateCalls) != 0 || !keyWorks(t, url, legacy.Raw) {
		t.Fatal("the failed plan regenerated the legacy key")
	}
	c.run("replace", dir, env, false, "apply", "-auto-approve", "-input=false", "-replace="+address, "-target="+address)
	if api.Calls(regenerateCalls) != 1 || keyWorks(t, url, legacy.Raw) {
		t.Fatal("the replace did not regenerate the legacy key once")
	}
	c.run("hand-off", dir, env, false, "apply", "-auto-approve", "-input=false")
	got := consumerResults(t, result)
	if len(got) != 1 || !strings.HasSuffix(got[0], "=accepted") {
		t.Errorf("the consumer's runs: %q, want one with the live key", got)
	}
	if api.Calls(regenerateCalls) != 1 {
		t.Errorf("%d regenerations, want 1", api.Calls(regenerateCalls))
	}
	if err := noIssuedSecretIn("the state file", stateFileText(t, filepath.Join(dir, "terraform.tfstate")), api); err != nil {
		t.Error(err)
	}
	searchLeaks(t, c.logs, leakSecrets(api))
}

// A state written before store_key and key_fingerprint existed keeps working: the plan after it is
// empty (a refresh reads store_key as true and fills the fingerprint), and the next apply records
// both without regenerating.
func TestAccCLI_stateWithoutStoreKey(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	api, url := newTestAPI(t, fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Suporte"})
	c := newCLIRun(t, url)
	c.redact = secretMasker(api).mask
	dir := t.TempDir()
	// handOffResource with store_key unset (true), as every configuration was before it existed.
	config := strings.Replace(handOffResource, "  store_key          = false\n", "", 1)
	if config == handOffResource {
		t.Fatal("the configuration still sets store_key")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}
	c.run("create", dir, env, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=1")
	// The resource as an earlier version wrote it: schema version 0, no store_key, no
	// key_fingerprint, key kept.
	statePath := filepath.Join(dir, "terraform.tfstate")
	attrs := func(edit func(map[string]any)) map[string]any {
		t.Helper()
		b, err := os.ReadFile(statePath)
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		res, _ := st["resources"].([]any)
		r0, _ := res[0].(map[string]any)
		ins, _ := r0["instances"].([]any)
		i0, _ := ins[0].(map[string]any)
		a, _ := i0["attributes"].(map[string]any)
		if edit != nil {
			edit(a)
			// Written before the state had a version: the provider upgrades it once.
			i0["schema_version"] = 0
			out, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(statePath, out, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	cur, _ := api.CurrentKey("wn_1")
	attrs(func(a map[string]any) {
		delete(a, "store_key")
		delete(a, "key_fingerprint")
		a["key"], a["key_id"] = cur.Raw, cur.ID
	})
	c.run("plan", dir, env, false, "plan", "-input=false", "-detailed-exitcode", "-var", "rotation=1")
	c.run("apply", dir, env, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=1")
	a := attrs(nil)
	switch {
	case a["store_key"] != true:
		t.Errorf("store_key %v after the apply, want true", a["store_key"])
	case a["key_fingerprint"] != testFingerprint(cur.Raw):
		t.Error("key_fingerprint is not the fingerprint of the key in state")
	case a["key"] != cur.Raw || a["key_id"] != cur.ID:
		t.Error("the key or its id left state")
	}
	if api.Calls(regenerateCalls) != 1 {
		t.Errorf("%d regenerations, want 1 (the create)", api.Calls(regenerateCalls))
	}
	if b, err := os.ReadFile(statePath); err != nil || !regexp.MustCompile(`"schema_version":\s*1\b`).Match(b) {
		t.Errorf("the state was not upgraded to schema version 1 (%v)", err)
	}
}
