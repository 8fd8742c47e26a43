package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// identityIs checks the identity in state: the number id, and nothing else.
func identityIs(address, numberID string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(address, map[string]knownvalue.Check{
		"whatsapp_number_id": knownvalue.StringExact(numberID),
	})
}

// identityCLIs skips CLIs without resource identity (Terraform 1.5.7 of make test's three).
var identityCLIs = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// Import by identity takes the number's current key from the key list, as import by
// id does: nothing is regenerated, the import stores no credential and the apply
// stores the key in place, the identity is recorded in state, the plan after it is
// empty, the first keepers are recorded in place and later ones rotate.
func TestAccNumberAPIKey_importByIdentity(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	seeded, _ := api.CurrentKey("wn_2")
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityCLIs,
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_2").add(block("import",
					"to = pilotstatus_number_api_key.test",
					`identity = { whatsapp_number_id = "wn_2" }`)).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						// The import stores no credential; the apply takes the key from the list, in place.
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						importedByIdentity(addr, map[string]any{"whatsapp_number_id": "wn_2"}),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_fingerprint"), knownvalue.StringExact(testFingerprint(seeded.Raw))),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					identityIs(addr, "wn_2"),
					keyIsCurrent(api, addr, "wn_2"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.StringExact(seeded.Raw)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("wn_2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("on_destroy"), knownvalue.StringExact(onDestroyKeep)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("on_external_rotation"), knownvalue.StringExact(onExternalRotationRegenerate)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.Null()),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_2").String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{identityIs(addr, "wn_2"), apiCalls(api, regenerateCalls, 0)},
			},
			{
				// The first keepers after the import are recorded without regenerating.
				Config:           localAPI(url, tenant).key("test", "wn_2", rotation("1")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					identityIs(addr, "wn_2"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.StringExact(seeded.ID)),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_2", rotation("2")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					identityIs(addr, "wn_2"),
					keyIsCurrent(api, addr, "wn_2"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				// The library's own round trip: an import block with the identity in state
				// plans an import with the same identity, again without regenerating.
				// With keepers in the configuration, the import records them in place.
				ResourceName:       addr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithResourceIdentity,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						importedByIdentity(addr, map[string]any{"whatsapp_number_id": "wn_2"}),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_last4"), knownvalue.NotNull()),
					},
				},
			},
		},
	})
	if got := api.Calls(regenerateCalls); got != 1 {
		t.Errorf("the API saw %d regenerations, want 1 (the keepers change)", got)
	}
}

// A resource created by Terraform carries its identity from the first apply, and
// an import by identity of a legacy key succeeds with a null key, as by id.
func TestAccNumberAPIKey_identityOfCreatedAndLegacyKeys(t *testing.T) {
	api, url := newTestAPI(t, append([]fakeapi.Number{{ID: "wn_old", Number: "5511999990009", Name: "Legado", Legacy: true}},
		testNumbers...)...)
	tenant := api.TenantKey()
	legacy, _ := api.CurrentKey("wn_old")
	legacyAddr := "pilotstatus_number_api_key.legacy"
	config := localAPI(url, tenant).key("test", "wn_1", rotation("1")).key("legacy", "wn_old").String()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityCLIs,
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1")).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					identityIs(addr, "wn_1"),
					statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("whatsapp_number_id")),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				Config: config + `
import {
  to       = pilotstatus_number_api_key.legacy
  identity = { whatsapp_number_id = "wn_old" }
}
`,
				ExpectNonEmptyPlan: false,
				ConfigStateChecks: []statecheck.StateCheck{
					identityIs(legacyAddr, "wn_old"),
					statecheck.ExpectKnownValue(legacyAddr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(legacyAddr, tfjsonpath.New("key_id"), knownvalue.StringExact(legacy.ID)),
					identityIs(addr, "wn_1"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
		},
	})
}

// An identity that cannot name a number is refused before any API call; one that
// names a number the tenant does not have fails the import; neither regenerates.
func TestAccNumberAPIKey_importByIdentityErrors(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	cases := []struct {
		name, identity string
		want           *regexp.Regexp
		// readsList: only a well-formed number id reaches the API, to find the number.
		readsList bool
	}{
		{"empty", `{ whatsapp_number_id = "" }`, words("Invalid Import Identity", "WhatsApp number id is empty", `identity = { whatsapp_number_id = "wn_1" }`), false},
		{"white space", `{ whatsapp_number_id = " wn_1" }`, words("Invalid Import Identity", "leading or trailing white space"), false},
		{"null", `{ whatsapp_number_id = null }`, words("Invalid Import Identity", "whatsapp_number_id is null"), false},
		{"misnamed attribute", `{ number_id = "wn_1" }`, words(`attribute "whatsapp_number_id" is required`), false},
		{"missing attribute", `{}`, words(`attribute "whatsapp_number_id" is required`), false},
		{"unknown number", `{ whatsapp_number_id = "wn_missing" }`, words("non-existent remote object"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lists := api.Calls(listCalls)
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   identityCLIs,
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config: localAPI(url, api.TenantKey()).key("test", "wn_1").add(fmt.Sprintf(`
import {
  to       = pilotstatus_number_api_key.test
  identity = %s
}
`, tc.identity)).String(),
					ExpectError: tc.want,
				}},
			})
			if read := api.Calls(listCalls) > lists; read != tc.readsList {
				t.Errorf("the import read the key list: %t, want %t", read, tc.readsList)
			}
		})
	}
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("failed imports by identity regenerated %d keys", got)
	}
}

// importedByIdentity checks that the plan imports address by this identity, not by id.
func importedByIdentity(address string, identity map[string]any) plancheck.PlanCheck {
	return importedByIdentityCheck{address: address, identity: identity}
}

type importedByIdentityCheck struct {
	address  string
	identity map[string]any
}

func (c importedByIdentityCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		switch {
		case rc.Change == nil || rc.Change.Importing == nil:
			resp.Error = fmt.Errorf("%s is not imported by the plan", c.address)
		case rc.Change.Importing.ID != "":
			resp.Error = fmt.Errorf("%s is imported by id %q, want by identity", c.address, rc.Change.Importing.ID)
		case !reflect.DeepEqual(rc.Change.Importing.Identity, c.identity):
			resp.Error = fmt.Errorf("%s is imported by identity %v, want %v", c.address, rc.Change.Importing.Identity, c.identity)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}
