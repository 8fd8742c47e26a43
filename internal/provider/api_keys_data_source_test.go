package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

const apiKeysAddr = "data.pilotstatus_api_keys.all"

const apiKeysData = `
data "pilotstatus_api_keys" "all" {}
`

// Numbers whose API order (by id) is the reverse of their order by phone number
// and by name; wn_b has a legacy key.
var apiKeysNumbers = []fakeapi.Number{
	{ID: "wn_a", Number: "5511999990003", Name: "Suporte"},
	{ID: "wn_b", Number: "5511999990002", Name: "Legado", Legacy: true},
	{ID: "wn_c", Number: "5511999990001", Name: "Cobrança", Provider: "META"},
}

// Every field maps, in the API's order; a legacy key is not revealable; the
// objects have no attribute for the key.
func TestAccAPIKeysDataSource_fields(t *testing.T) {
	api, url := newTestAPI(t, apiKeysNumbers...)
	entry := func(id string, revealable bool) knownvalue.Check {
		var n fakeapi.Number
		for _, candidate := range apiKeysNumbers {
			if candidate.ID == id {
				n = candidate
			}
		}
		k, ok := api.CurrentKey(id)
		if !ok {
			t.Fatalf("the local API has no number %s", id)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"number_id":    knownvalue.StringExact(id),
			"number":       knownvalue.StringExact(n.Number),
			"display_name": knownvalue.StringExact(n.Name),
			"key_id":       knownvalue.StringExact(k.ID),
			"key_last4":    knownvalue.StringExact(k.Last4),
			"revealable":   knownvalue.Bool(revealable),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, api.TenantKey()).add(apiKeysData).String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(apiKeysAddr, tfjsonpath.New("keys"), knownvalue.ListExact([]knownvalue.Check{
					entry("wn_a", true),
					entry("wn_b", false),
					entry("wn_c", true),
				})),
				apiCalls(api, fakeapi.EndpointRegenerate, 0),
			},
		}},
	})
}

// The API reveals every revealable key in its list; none of them, nor any other
// ps_ value, reaches the data source's state.
func TestAccAPIKeysDataSource_noKeyInState(t *testing.T) {
	api, url := newTestAPI(t, apiKeysNumbers...)
	var raws []string
	for _, n := range apiKeysNumbers {
		k, ok := api.CurrentKey(n.ID)
		if !ok {
			t.Fatalf("the local API has no number %s", n.ID)
		}
		raws = append(raws, k.Raw)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            localAPI(url, api.TenantKey()).add(apiKeysData).String(),
			ConfigStateChecks: []statecheck.StateCheck{noKeyIn(apiKeysAddr, append(raws, api.TenantKey()), len(apiKeysNumbers))},
		}},
	})
}

// noKeyIn checks a state object: no raw key (nor a half of one), and no ps_ value at all
// (secrettest). It also checks that it saw the key_last4 of wantEntries entries, so that it cannot
// pass by walking nothing.
func noKeyIn(address string, raws []string, wantEntries int) statecheck.StateCheck {
	return stateCheckFunc(func(req statecheck.CheckStateRequest) error {
		res, err := findResource(req.State, address)
		if err != nil {
			return err
		}
		if err := jsonLeak(address, res.AttributeValues, secrettest.Named("a raw key", raws...)); err != nil {
			return err
		}
		if n := countMembers(res.AttributeValues, "key_last4"); n != wantEntries {
			return fmt.Errorf("%s: walked %d entries with key_last4, want %d", address, n, wantEntries)
		}
		return nil
	})
}

// countMembers counts the members named name in v, a decoded JSON value, at any depth.
func countMembers(v any, name string) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k == name {
				n++
			}
			n += countMembers(e, name)
		}
	case []any:
		for _, e := range v {
			n += countMembers(e, name)
		}
	}
	return n
}

const apiKeysCLIConfig = providersTF + `
provider "pilotstatus" {
  max_retries = 1
}

data "pilotstatus_api_keys" "all" {}

resource "pilotstatus_number_api_key" "each" {
  for_each           = toset(["wn_a", "wn_b", "wn_c"])
  whatsapp_number_id = each.key
}
`

// The data source and the resources of one run share one GET /v1/api-keys, and
// no key reaches the CLI's output or its trace log. The real CLI runs here
// because one CLI command is one run; a terraform-plugin-testing step is several.
func TestAccAPIKeysDataSource_oneListCallPerRun(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t, apiKeysNumbers...)
	c := newCLIRun(t, url)
	tenant := []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(apiKeysCLIConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	listCallsOf := func(run string, want int) {
		t.Helper()
		if got := api.Calls(fakeapi.EndpointListKeys); got != want {
			t.Errorf("%s: %d calls of GET /v1/api-keys, want %d", run, got, want)
		}
		api.ResetCalls()
	}

	c.run("create", dir, tenant, false, "apply", "-auto-approve", "-input=false")
	api.ResetCalls()

	// One plan is one run: three resources refresh their key and the data source
	// reads every key.
	c.run("refresh plan", dir, tenant, false, "plan", "-input=false", "-detailed-exitcode")
	listCallsOf("a refresh plan", 1)

	// The same, and each resource also names the key its replacement would invalidate.
	replaceAll := []string{
		"-replace", `pilotstatus_number_api_key.each["wn_a"]`,
		"-replace", `pilotstatus_number_api_key.each["wn_b"]`,
		"-replace", `pilotstatus_number_api_key.each["wn_c"]`,
	}
	c.run("replace plan", dir, tenant, false, append([]string{"plan", "-input=false"}, replaceAll...)...)
	if got := api.Calls(fakeapi.EndpointRegenerate); got != 0 {
		t.Errorf("a plan regenerated %d keys", got)
	}
	listCallsOf("a plan replacing three keys", 1)

	c.run("replace apply", dir, tenant, false, append([]string{"apply", "-auto-approve", "-input=false"}, replaceAll...)...)
	if got := api.Calls(fakeapi.EndpointRegenerate); got != 3 {
		t.Errorf("replacing three keys made %d regenerations", got)
	}
	c.run("refresh after replace", dir, tenant, false, "apply", "-refresh-only", "-auto-approve", "-input=false")

	st := cliState(t, c, dir, tenant)
	checkState(t, st,
		noKeyIn(apiKeysAddr, api.IssuedKeys(), len(apiKeysNumbers)),
		statecheck.ExpectKnownValue(apiKeysAddr, tfjsonpath.New("keys"), knownvalue.ListSizeExact(len(apiKeysNumbers))),
	)
	for _, id := range []string{"wn_a", "wn_b", "wn_c"} {
		checkState(t, st, keyIsCurrent(api, fmt.Sprintf("pilotstatus_number_api_key.each[%q]", id), id))
	}

	secrets := append(api.IssuedKeys(), api.TenantKey())
	for run, text := range c.logs {
		if run == "show" {
			continue // show -json prints the state, where the resources hold their keys by design
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s: a key (ending in %q) appears in the CLI's output or log", run, s[len(s)-4:])
			}
		}
	}
	if !strings.Contains(c.logs["refresh plan"], "Listed API key metadata") {
		t.Error("the refresh plan's log lacks the data source's own entry: provider logs were not captured")
	}
}

// A failing list call gives an error that names the operation, says what was
// retried and shows the API's answer.
func TestAccAPIKeysDataSource_listError(t *testing.T) {
	api, url := newTestAPI(t)
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 500, Times: 10})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, api.TenantKey()).add(apiKeysData).String(),
			ExpectError: words("Unable to Read API Keys", "GET /v1/api-keys", "server error", "tried 3 times",
				"(HTTP 500)"),
		}},
	})
	if got := api.Calls(fakeapi.EndpointListKeys); got != 3 {
		t.Errorf("the list was tried %d times, want 3 (max_retries = 2)", got)
	}
}

// A number-scoped key gets 403 NUMBER_SCOPE_NOT_ALLOWED: the error says which key is needed.
func TestAccAPIKeysDataSource_numberScopedKey(t *testing.T) {
	api, url := newTestAPI(t)
	numberKey, _ := api.CurrentKey("wn_1")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, numberKey.Raw).add(apiKeysData).String(),
			ExpectError: words("Unable to Read API Keys", "number-scoped key", "tenant-scoped key",
				"NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
		}},
	})
}
