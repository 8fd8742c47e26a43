package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Secrets never leak: each test below drives one path of the provider with the
// real CLI at TF_LOG=trace, against its own local API, and searches everything
// the CLI printed and logged (core and provider logs) for every key the API ever
// issued, the credentials and any wrong credential the test passed. Each test
// also proves that it searched something real: the provider's trace logs were
// captured, and the path's own evidence (the API call it makes, the warning or
// error it shows) is there.

// Create: the first apply regenerates both keys, prints the plan with key as
// (sensitive value) and stores the new keys.
func TestAccLeak_create(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	out := p.run("create", applyArgs()...)
	p.expectRegenerations("the first apply", 0, 2)
	p.keyShownSensitive("create", out)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("create", "Regenerated API key", "path=/v1/api-keys", "method=POST", keyFieldMasked, "keys = <sensitive>")
}

// Refresh: a plan, refresh and apply -refresh-only each read every key from the
// key list (whose answer holds the keys) and regenerate nothing.
func TestAccLeak_refresh(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	for _, cmd := range []struct {
		name string
		args []string
	}{
		{"refresh plan", planArgs("-detailed-exitcode")},
		{"refresh", []string{"refresh", "-input=false", "-no-color"}},
		{"apply -refresh-only", applyArgs("-refresh-only")},
	} {
		lists, regenerations := p.api.Calls(fakeapi.EndpointListKeys), p.regenerations()
		p.run(cmd.name, cmd.args...)
		if p.api.Calls(fakeapi.EndpointListKeys) == lists {
			t.Errorf("%s did not read the key list", cmd.name)
		}
		p.expectRegenerations(cmd.name, regenerations, 0)
		p.searchedAPI(cmd.name, "method=GET", "Called provider defined Resource Read", keyFieldMasked)
	}
	p.holdsCurrentKeys("wn_1", "wn_2")
}

// Import by command: the import finds the current key in the key list without
// regenerating it and stores no credential; the next apply stores the key
// (store_key defaults to true), regenerating nothing either.
func TestAccLeak_importCommand(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig)
	out := p.run("import", "import", "-input=false", "-no-color", "pilotstatus_number_api_key.imported", "wn_3")
	if !strings.Contains(out, "Import successful") {
		t.Errorf("the import does not say it succeeded:\n%s", p.c.redact(out))
	}
	if held := p.stateKeys(); held["wn_3"] != "" {
		t.Error("the import stored the key in state")
	}
	p.run("plan after import", planArgs()...)
	p.run("apply after import", applyArgs()...)
	p.expectRegenerations("the import and the apply after it", 0, 0)
	p.holdsCurrentKeys("wn_3")
	p.searchedAPI("import", "Imported the number's current API key", keyFieldMasked)
	p.searchedAPI("plan after import", "Called provider defined Resource Read")
	p.searchedAPI("apply after import", "Storing the number's current API key in state")
}

// Import by an import block: the plan shows the import, and the key it stores in
// place as (sensitive value), and the apply imports the key without regenerating it.
func TestAccLeak_importBlock(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig+`
import {
  to = pilotstatus_number_api_key.imported
  id = "wn_3"
}
`)
	// The import stores no credential, so the plan also stores the key in place (store_key = true).
	p.importBlock(importAndStore)
}

// Import by identity: the same path with an identity, and the identity in state is
// the number id alone.
func TestAccLeak_importIdentity(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig+`
import {
  to       = pilotstatus_number_api_key.imported
  identity = { whatsapp_number_id = "wn_3" }
}
`)
	ok, version := cliSupportsIdentity(t, p.c)
	if !ok {
		t.Skipf("%s cannot import by identity (Terraform and OpenTofu 1.12 or later can)", version)
	}
	// OpenTofu shows the identity in the plan; Terraform in the line that prepares the import.
	shows := []string{"imported using resource identity", `"whatsapp_number_id": "wn_3"`}
	if strings.HasPrefix(version, "Terraform ") {
		shows = []string{"Preparing import... [identity=whatsapp_number_id=wn_3]"}
	}
	p.importBlock(append([]string{importAndStore}, shows...)...)
	if got := p.stateIdentities()["pilotstatus_number_api_key.imported"]; got != `{"whatsapp_number_id":"wn_3"}` {
		t.Errorf("the state records the identity %s, want {\"whatsapp_number_id\":\"wn_3\"}", got)
	}
}

// importAndStore is how a plan counts an import followed, in place, by storing the key.
const importAndStore = "1 to import, 0 to add, 1 to change"

// importBlock plans and applies the import block of importConfig: the plan shows
// the import (each of shows) with key as (sensitive value), and the apply imports
// wn_3's key without regenerating it.
func (p *leakPath) importBlock(shows ...string) {
	p.t.Helper()
	plan := p.run("import plan", planArgs()...)
	for _, want := range shows {
		if !strings.Contains(plan, want) {
			p.t.Errorf("the plan does not show the import (%q):\n%s", want, p.c.redact(plan))
		}
	}
	p.keyShownSensitive("import plan", plan)
	out := p.run("import apply", applyArgs()...)
	if !strings.Contains(out, "1 imported") {
		p.t.Errorf("the apply does not say it imported:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("the import block", 0, 0)
	p.holdsCurrentKeys("wn_3")
	for _, name := range []string{"import plan", "import apply"} {
		p.searchedAPI(name, "Imported the number's current API key", keyFieldMasked)
	}
}

// Rotation: a keepers change plans a replacement that names the key about to die
// and shows key as (sensitive value); the apply regenerates both keys.
func TestAccLeak_rotation(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	before, _ := p.api.CurrentKey("wn_1")
	before2, _ := p.api.CurrentKey("wn_2")
	plan := p.run("rotation plan", planArgs("-var", "rotation=2")...)
	if !words("must be replaced", "API Key Will Be Regenerated").MatchString(plan) {
		t.Errorf("the plan of a keepers change is not a replacement that warns of the regeneration:\n%s", p.c.redact(plan))
	}
	// Before anything is applied, the warning names a key about to die (the CLI prints one of the
	// similar warnings in full) and says the destroy step makes no API call.
	dies := regexp.MustCompile(`(?s)API Key Will Be Regenerated.*("wn_1".*ending in "` + before.Last4 + `"|"wn_2".*ending in "` + before2.Last4 + `")`)
	if !dies.MatchString(plan) || !words("the destroy makes no API call").MatchString(plan) {
		t.Errorf("the rotation plan does not name a key about to die, or what its destroy step does:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("rotation plan", plan)
	regenerations := p.regenerations()
	out := p.run("rotation", applyArgs("-var", "rotation=2")...)
	p.expectRegenerations("the rotation", regenerations, 2)
	p.keyShownSensitive("rotation", out)
	p.holdsCurrentKeys("wn_1", "wn_2")
	if keyWorks(t, p.url, before.Raw) {
		t.Error("the key of wn_1 from before the rotation still works")
	}
	p.searchedAPI("rotation plan", "Called provider defined Resource ModifyPlan")
	p.searchedAPI("rotation", "Regenerated API key", "method=POST", keyFieldMasked)
}

// Scheduled rotation: once the keys are older than rotation_period, the plan says
// the rotation is due and replaces them, and the apply regenerates them.
func TestAccLeak_scheduledRotation(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	waitUntilOlder(t, p.api, time.Second, "wn_1", "wn_2")
	plan := p.run("scheduled rotation plan", planArgs("-var", "period=1s")...)
	if !words("must be replaced", "Scheduled Key Rotation", "is due for its scheduled rotation").MatchString(plan) {
		t.Errorf("the plan of a due rotation does not say the rotation is scheduled, or is not a replacement:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("scheduled rotation plan", plan)
	regenerations := p.regenerations()
	p.run("scheduled rotation", applyArgs("-var", "period=1s")...)
	p.expectRegenerations("the scheduled rotation", regenerations, 2)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("scheduled rotation plan", "method=GET", keyFieldMasked)
	p.searchedAPI("scheduled rotation", "Regenerated API key", "method=POST", keyFieldMasked)
}

// Adoption: with on_external_rotation = "adopt", a key regenerated outside
// Terraform is read from the key list into state, without regenerating.
func TestAccLeak_adoption(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	adopt := []string{"-var", "on_external_rotation=adopt"}
	p.run("create", applyArgs(adopt...)...)
	p.api.RotateOutOfBand("wn_1")
	regenerations := p.regenerations()
	plan := p.run("adoption plan", planArgs(adopt...)...)
	if !words("Adopted Key Rotated Outside Terraform", "taken into state without regenerating").MatchString(plan) {
		t.Errorf("the plan does not say the key was adopted:\n%s", p.c.redact(plan))
	}
	p.run("adoption", applyArgs(adopt...)...)
	p.expectRegenerations("the adoption", regenerations, 0)
	p.holdsCurrentKeys("wn_1", "wn_2")
	for _, name := range []string{"adoption plan", "adoption"} {
		p.searchedAPI(name, "adopting the new key", keyFieldMasked)
	}
}

// Drift repair: a key regenerated outside Terraform is recorded by a refresh-only
// apply (in private state), then replaced by the next apply, which says why.
func TestAccLeak_driftRepair(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	p.api.RotateOutOfBand("wn_1")
	// A refresh-only apply writes what the refresh observed to the state file,
	// private state included, where the search reads it.
	p.run("drift refresh", applyArgs("-refresh-only")...)
	observed := `the private state of pilotstatus_number_api_key.k["wn_1"] in terraform.tfstate`
	if _, ok := p.privateStates()[observed]; !ok {
		t.Errorf("the refresh that saw the rotation left no private state for wn_1: the search of private state found nothing to search")
	}
	plan := p.run("drift plan", planArgs()...)
	if !words("must be replaced", "Key Rotated Outside Terraform").MatchString(plan) {
		t.Errorf("the plan does not replace the key rotated outside Terraform:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("drift plan", plan)
	regenerations := p.regenerations()
	out := p.run("drift repair", applyArgs()...)
	if !strings.Contains(out, "Key Rotated Outside Terraform") {
		t.Errorf("the drift repair does not say why it regenerates:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("the drift repair", regenerations, 1)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("drift refresh", "API key was regenerated outside Terraform", keyFieldMasked)
	p.searchedAPI("drift plan", "API key was regenerated outside Terraform", keyFieldMasked)
	p.searchedAPI("drift repair", "Regenerated API key", "method=POST", keyFieldMasked)
}

// Destroy with on_destroy = "invalidate": destroying regenerates both keys and
// discards the new ones, so the keys in state stop working.
func TestAccLeak_destroyInvalidate(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	invalidate := []string{"-var", "on_destroy=invalidate"}
	p.run("create", applyArgs(invalidate...)...)
	held := p.stateKeys()
	regenerations := p.regenerations()
	out := p.run("destroy", append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, invalidate...)...)
	if !strings.Contains(out, "Destroying Invalidates the Key") {
		t.Errorf("the destroy plan does not say it invalidates the keys:\n%s", p.c.redact(out))
	}
	p.keyShownSensitive("destroy", out)
	p.expectRegenerations("the destroy", regenerations, 2)
	for _, id := range []string{"wn_1", "wn_2"} {
		if keyWorks(t, p.url, held[id]) {
			t.Errorf("the key of %s still works after destroy", id)
		}
	}
	p.searchedAPI("destroy", "Invalidated the API key; the new key was discarded", "method=POST", keyFieldMasked)
}

// Destroy with on_destroy = "keep" after the key was regenerated outside Terraform: the destroy
// makes no API call, and its warning says the key in state no longer works and names the number's
// current key, which stays valid; it never says the key in state stays valid.
func TestAccLeak_destroyKeep(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig)
	p.run("import", "import", "-input=false", "-no-color", "pilotstatus_number_api_key.imported", "wn_3")
	rotated, _ := p.api.RotateOutOfBand("wn_3")
	regenerations := p.regenerations()
	out := p.run("destroy", "destroy", "-auto-approve", "-input=false", "-no-color")
	if !words("Destroying Does Not Invalidate the Key", "no longer works", `now ends in "`+rotated.Last4+`"`, "current key stays valid").MatchString(out) ||
		strings.Contains(out, "that key stays valid") {
		t.Errorf("the destroy plan does not say that the key in state is dead and the number's current key stays valid:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("the destroy", regenerations, 0)
	if cur, _ := p.api.CurrentKey("wn_3"); !keyWorks(t, p.url, cur.Raw) {
		t.Error("the key of wn_3 stopped working after destroy")
	}
	p.searchedAPI("destroy", "Removed the API key from state without an API call")
}

// The pilotstatus_numbers data source lists the tenant's numbers.
func TestAccLeak_numbersDataSource(t *testing.T) {
	t.Parallel()
	applyDataSource(t, "pilotstatus_numbers", "numbers", fakeapi.EndpointListNumbers, "Listed WhatsApp numbers", "path=/v1/numbers")
}

// The pilotstatus_api_keys data source lists every number's key metadata from the
// key list, whose answer holds the keys themselves.
func TestAccLeak_apiKeysDataSource(t *testing.T) {
	t.Parallel()
	applyDataSource(t, "pilotstatus_api_keys", "keys", fakeapi.EndpointListKeys, "Listed API key metadata", "path=/v1/api-keys",
		keyFieldMasked)
}

// applyDataSource applies the data source typ alone, with an output of the length
// of its list attr: the command says it listed the 3 entries of leakNumbers, it
// called endpoint, and its capture holds the provider's logs and each of logged.
func applyDataSource(t *testing.T, typ, attr, endpoint string, logged ...any) {
	t.Helper()
	p := newLeakPath(t, providersTF+fmt.Sprintf(`
data %q "all" {}

output %q {
  value = length(data.%s.all.%s)
}
`, typ, attr, typ, attr))
	out := p.run(attr, applyArgs()...)
	if !strings.Contains(out, attr+" = 3") {
		t.Errorf("the data source does not list the 3 %s:\n%s", attr, p.c.redact(out))
	}
	if p.api.Calls(endpoint) == 0 {
		t.Errorf("the data source did not call %s", endpoint)
	}
	p.searchedAPI(attr, logged...)
}

// show and output print a sensitive output, and the keys in state, as sensitive.
// (output NAME prints the raw value by design, in both CLIs, so it is not a
// path here.)
func TestAccLeak_showAndOutput(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	show := p.run("show", "show", "-no-color")
	if !strings.Contains(show, `resource "pilotstatus_number_api_key" "k"`) || !regexp.MustCompile(`keys\s+=\s+\(sensitive value\)`).MatchString(show) {
		t.Errorf("show does not print the resources and the sensitive output:\n%s", p.c.redact(show))
	}
	p.keyShownSensitive("show", show)
	out := p.run("output", "output", "-no-color")
	if !regexp.MustCompile(`keys\s+=\s+<sensitive>`).MatchString(out) || !strings.Contains(out, "last4") {
		t.Errorf("output does not print the outputs, the keys as <sensitive>:\n%s", p.c.redact(out))
	}
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("create", "Regenerated API key")
}

// The ephemeral resource opens the current key of wn_1 on every plan and apply,
// without regenerating it, and hands it to a local-exec provisioner, which checks
// what it received without printing it.
func TestAccLeak_ephemeral(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, "")
	if ok, version := cliSupportsEphemeral(t, p.c); !ok {
		t.Skipf("%s has no ephemeral resources (they need Terraform 1.10 or later, or OpenTofu 1.11 or later): "+
			"the ephemeral resource's path runs on the CLIs that have them", version)
	}
	cur, _ := p.api.CurrentKey("wn_1")
	p.write(providersTF + `
ephemeral "pilotstatus_number_api_key" "k" {
  whatsapp_number_id = "wn_1"
}

locals {
  key = ephemeral.pilotstatus_number_api_key.k.key
}

resource "terraform_data" "handed_on" {
  provisioner "local-exec" {
    # Succeeds only when the key received is a ps_ key ending in wn_1's last four.
    command     = "case \"$PS_KEY\" in ps_*` + cur.Last4 + `) exit 0 ;; *) exit 1 ;; esac"
    environment = { PS_KEY = local.key }
  }
}
`)
	plan := p.run("ephemeral plan", planArgs()...)
	out := p.run("ephemeral apply", applyArgs()...)
	if !strings.Contains(out, "Provisioning with 'local-exec'") || !strings.Contains(out, "terraform_data.handed_on: Creation complete") {
		t.Errorf("the key was not handed to the provisioner:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("opening the ephemeral resource", 0, 0)
	if st, err := os.ReadFile(filepath.Join(p.dir, "terraform.tfstate")); err != nil || strings.Contains(string(st), cur.Raw) {
		t.Errorf("the state file is unreadable (%v) or holds the opened key", err)
	}
	// OpenTofu says "Open complete", Terraform "Opening complete".
	opened := regexp.MustCompile(`ephemeral\.pilotstatus_number_api_key\.k: (Open|Opening) complete`)
	for name, text := range map[string]string{"ephemeral plan": plan, "ephemeral apply": out} {
		if !opened.MatchString(text) {
			t.Errorf("%s did not open the ephemeral resource:\n%s", name, p.c.redact(text))
		}
		p.searchedAPI(name, "Opened the number's current API key", keyFieldMasked)
	}
}

// errorConfig manages the key of one number, with extra provider arguments.
// What the provider logs while it settles an unknown outcome, and when the key
// list then reveals the key.
const (
	settleLogged    = "regeneration outcome unknown; watching the key list"
	recoveredLogged = "The key list shows the key that the unanswered regeneration made"
	disprovedLogged = "The key list shows the key unchanged: the failed regeneration did nothing"
)

// Every error path: the command fails with the diagnostic the path is about, the
// API saw the calls (or, for a credential refused before any call, none), and no
// secret appears in what the CLI printed or logged, neither the keys, nor the
// credential, nor a wrong credential passed in. Where the error may have killed
// the key, the next apply repairs it.
func TestAccLeak_errors(t *testing.T) {
	t.Parallel()
	const (
		wrongKey   = "ps_wrongWRONGwrong0000000000000000000000"
		wrongKeyID = "k_not_a_key_id"
		badFormat  = "pilotstatus-key-WITHOUT-the-prefix-0123456789"
	)
	cases := []struct {
		name     string
		numberID string // wn_1 when empty
		extra    string // provider arguments
		// env is the credential; the tenant key when nil. passed are the wrong
		// values it hands to the provider.
		env    func(api *fakeapi.API) []string
		passed []secrettest.Secret
		fault  *fakeapi.Fault // switched on before the failing command
		// refresh: the key is created first, then a plan fails.
		refresh bool
		want    *regexp.Regexp // in the failing command's output
		logged  []any          // in the failing command's capture
		// endpoint must have been called by the failing command; none when empty.
		endpoint string
		repairs  bool // the next apply, without the fault, stores a working key
		// recovers: the command succeeds, the key taken from the key list after the
		// regeneration's answer was lost or spoiled, with one regeneration.
		recovers bool
	}{
		// Credentials the API refuses and unknown numbers fail the plan, on the list.
		{
			name:     "401 wrong key",
			env:      func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY=" + wrongKey} },
			passed:   []secrettest.Secret{{What: "the wrong key passed", Value: wrongKey}},
			want:     words("Unable to Read API Keys", `number "wn_1"`, "nothing was regenerated", "rejected the credentials (401)", "(HTTP 401)"),
			logged:   []any{"status=401"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "401 wrong key id",
			env:      func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY_ID=" + wrongKeyID} },
			passed:   []secrettest.Secret{{What: "the wrong key id passed", Value: wrongKeyID}},
			want:     words("Unable to Read API Keys", "rejected the credentials (401)", "(HTTP 401)"),
			logged:   []any{"status=401"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name: "403 number-scoped key",
			env: func(api *fakeapi.API) []string {
				k, _ := api.CurrentKey("wn_3")
				return []string{"PILOTSTATUS_API_KEY=" + k.Raw}
			},
			want:     words("Unable to Read API Keys", "number-scoped key", "Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
			logged:   []any{"status=403"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name: "403 number-scoped key id",
			env: func(api *fakeapi.API) []string {
				k, _ := api.CurrentKey("wn_3")
				return []string{"PILOTSTATUS_API_KEY_ID=" + k.ID}
			},
			want:     words("Unable to Read API Keys", "number-scoped key", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
			logged:   []any{"status=403"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "unknown number",
			numberID: "wn_404",
			want:     words("WhatsApp Number Not Found", `no WhatsApp number "wn_404"`, "nothing was regenerated"),
			logged:   []any{"status=200"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "404 unknown number from the regeneration",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 404, Code: "NUMBER_NOT_FOUND", Message: "Number not found"},
			want:     words("Unable to Regenerate API Key", `no WhatsApp number with id "wn_1"`, "(HTTP 404)"),
			logged:   []any{"status=404"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "400 validation",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 400, Code: "VALIDATION_ERROR", Message: "Validation error"},
			want:     words("Unable to Regenerate API Key", "rejected the request as invalid (400)", "(HTTP 400)"),
			logged:   []any{"status=400"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "429 exhausted",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultRateLimit, Times: 2, RetryAfter: "0"},
			want:     words("Unable to Regenerate API Key", "429 Too Many Requests", "tried 2 times", "(HTTP 429)"),
			logged:   []any{"status=429", "Pilot Status API request failed, retrying"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		// The API's own 500: the key list, read after each, shows the key unchanged, and
		// the error says nothing was regenerated.
		{
			name:     "the API's 500 through every retry",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 500, Times: 2},
			want:     words("Unable to Regenerate API Key", "server error", nothingRegenerated, "(HTTP 500)"),
			logged:   []any{"status=500", disprovedLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		// A gateway's 502 may have regenerated: the list is watched before the second
		// request, and there is no third.
		{
			name:     "gateway 502 twice",
			extra:    `regeneration_settle_time = "1s"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 502, Times: 2},
			want:     words("Unable to Regenerate API Key", "server error", "tried once", lostAnswer, "(HTTP 502)", "2 regeneration requests"),
			logged:   []any{"status=502", settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "HTML error page",
			extra:    `regeneration_settle_time = "1s"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultHTMLError, Times: 2},
			want:     words("Unable to Regenerate API Key", "server error", lostAnswer, "(HTTP 502)"),
			logged:   []any{"status=502", "502 Bad Gateway", settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "timeout",
			extra:    `request_timeout = "300ms"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDelay, Delay: 3 * time.Second, Times: 2},
			want:     words("Unable to Regenerate API Key", "did not complete (network failure or timeout)", "request_timeout", lostAnswer),
			logged:   []any{settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		// An answer lost or spoiled after the work: the key list reveals the key.
		{
			name:     "lost answer on regenerate",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDropAfterWork, Times: 2},
			logged:   []any{settleLogged, recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:     "malformed JSON",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultMalformedJSON},
			logged:   []any{"this is not JSON", recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:     "missing key field",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultMissingKey},
			logged:   []any{"keyLast4", recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			// The first half of the answer, which ends in the first part of the key:
			// the key member is masked to the end of the body, with nothing after it.
			name:     "truncated body",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultTruncatedBody},
			logged:   []any{regexp.MustCompile(`\\?"key\\?":\\?"\*\*\*\\?"(?:[^,]|$)`), recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:   "invalid credential format",
			env:    func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY=" + badFormat} },
			passed: []secrettest.Secret{{What: "the malformed credential passed", Value: badFormat}},
			want:   words("Invalid Pilot Status Credential", "PILOTSTATUS_API_KEY", `does not start with "ps_"`),
			logged: []any{"Called provider defined Provider Configure"},
		},
		{
			name:     "refresh error",
			refresh:  true,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 500, Times: 10},
			want:     words("Unable to Read API Keys", `number "wn_1"`, "state was left as it was", "(HTTP 500)"),
			logged:   []any{"status=500", "Called provider defined Resource Read"},
			endpoint: fakeapi.EndpointListKeys,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			numberID := tc.numberID
			if numberID == "" {
				numberID = "wn_1"
			}
			p := newLeakPath(t, providerWith("max_retries", 1).providerLines(tc.extra).add(providersTF).key("k", numberID).String())
			p.passed = tc.passed
			env := p.tenant
			if tc.env != nil {
				env = tc.env(p.api)
			}
			args := applyArgs()
			if tc.refresh {
				p.run("create", applyArgs()...)
				args = planArgs()
			}
			if tc.fault != nil {
				p.api.AddFault(*tc.fault)
			}
			calls, total := 0, p.api.TotalCalls()
			if tc.endpoint != "" {
				calls = p.api.Calls(tc.endpoint)
			}
			if tc.recovers {
				p.run("failing command", args...)
				p.expectRegenerations("the recovered regeneration", calls, 1)
				p.holdsCurrentKeys(numberID)
			} else if out := p.fail("failing command", env, args...); !tc.want.MatchString(out) {
				t.Errorf("the error does not match %q:\n%s", tc.want, p.c.redact(out))
			}
			switch tc.endpoint {
			case "":
				if got := p.api.TotalCalls() - total; got != 0 {
					t.Errorf("%d calls reached the API, want none", got)
				}
				p.searched("failing command", append([]any{providerTrace}, tc.logged...)...)
			default:
				if p.api.Calls(tc.endpoint) == calls {
					t.Errorf("the failing command made no %s call", tc.endpoint)
				}
				p.searchedAPI("failing command", tc.logged...)
			}
			if tc.repairs {
				p.api.ClearFaults()
				p.run("repair", applyArgs()...)
				p.holdsCurrentKeys(numberID)
				p.searchedAPI("repair", "Regenerated API key", keyFieldMasked)
			}
		})
	}
}
