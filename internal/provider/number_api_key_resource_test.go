package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// The whole life of a key: create, import, rotate by keepers, stay quiet, repair a
// rotation made outside Terraform, destroy without an API call.
func TestAccNumberAPIKey_lifecycle(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	seeded, _ := api.CurrentKey("wn_1")
	keys := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("wn_1")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					statecheck.ExpectSensitiveValue(addr, keyPath),
					keys.AddStateValue(addr, keyPath),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("wn_1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_prefix"), knownvalue.StringExact("ps_")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(rfc3339))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("keepers"), knownvalue.MapExact(map[string]knownvalue.Check{
						"rotation": knownvalue.StringExact("1"),
					})),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				// The old key died when the resource was created.
				PreConfig: func() {
					if keyWorks(t, url, seeded.Raw) {
						t.Error("the key wn_1 had before the create still works")
					}
				},
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "wn_1",
				ImportStateVerify: true,
				// An import stores no credential (store_key is false until the next apply).
				ImportStateVerifyIgnore: []string{"keepers", "created_at", "key_version", "key", "key_id", "store_key"},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					keys.AddStateValue(addr, keyPath),
					apiCalls(api, regenerateCalls, 2), // the import regenerated nothing
				},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 2)},
			},
			{
				// The dashboard regenerates the key: the next plan replaces it.
				PreConfig: func() {
					rotateOutOfBand(t, api, "wn_1")
				},
				Config:           localAPI(url, tenant).key("test", "wn_1", rotation("2")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					keys.AddStateValue(addr, keyPath),
					apiCalls(api, regenerateCalls, 3),
				},
			},
			{
				// Destroy: no API call, the key stays valid.
				Config:            localAPI(url, tenant).String(),
				Destroy:           false,
				ConfigPlanChecks:  planAction(plancheck.ResourceActionDestroy),
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 3)},
			},
		},
		CheckDestroy: nil,
	})
	cur, _ := api.CurrentKey("wn_1")
	if !keyWorks(t, url, cur.Raw) {
		t.Error("the key Terraform last held stopped working after destroy")
	}
}

// Null and {} keepers are the same value: switching between them changes nothing.
func TestAccNumberAPIKey_emptyKeepersEqualNull(t *testing.T) {
	api, url := newTestAPI(t)
	withEmpty := localAPI(url, api.TenantKey()).key("test", "wn_1", "keepers = {}").String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: localAPI(url, api.TenantKey()).key("test", "wn_1").String()},
			{
				Config: withEmpty,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: localAPI(url, api.TenantKey()).key("test", "wn_1").String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1)},
			},
		},
	})
}

// Importing a key that was never managed: the key comes from the list, nothing is
// regenerated, the first keepers are recorded in place, later ones rotate.
func TestAccNumberAPIKey_importExisting(t *testing.T) {
	api, url := newTestAPI(t)
	seeded, _ := api.CurrentKey("wn_2")
	tenant := api.TenantKey()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:             localAPI(url, tenant).key("test", "wn_2").String(),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      "wn_2",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					return checkImported(states, seeded.Raw, seeded.Last4)
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_2", rotation("1")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_2"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.StringExact(seeded.ID)),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_2", rotation("2")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_2"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
		},
	})
	if keyWorks(t, url, seeded.Raw) {
		t.Error("the imported key still works after the keepers rotation")
	}
}

// An import block plans an import with keepers as an in-place update: no replacement.
func TestAccNumberAPIKey_importBlock(t *testing.T) {
	api, url := newTestAPI(t)
	seeded, _ := api.CurrentKey("wn_1")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:             localAPI(url, api.TenantKey()).key("test", "wn_1", rotation("1")).String(),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ImportStateId:      "wn_1",
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						// The import stores no credential; the apply takes the key from the list.
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_fingerprint"), knownvalue.StringExact(testFingerprint(seeded.Raw))),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_id")),
					},
				},
			},
		},
	})
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("an import block plan regenerated %d keys", got)
	}
}

// A legacy key cannot be revealed: the import succeeds with a null key.
func TestAccNumberAPIKey_importLegacy(t *testing.T) {
	api, url := newTestAPI(t, fakeapi.Number{ID: "wn_old", Number: "5511999990009", Name: "Legado", Legacy: true})
	legacy, _ := api.CurrentKey("wn_old")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:             localAPI(url, api.TenantKey()).key("test", "wn_old").String(),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      "wn_old",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					return checkImported(states, "", legacy.Last4)
				},
			},
			{
				// The first keepers after an import are recorded without regenerating.
				Config:           localAPI(url, api.TenantKey()).key("test", "wn_old", rotation("1")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.StringExact(legacy.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("store_key"), knownvalue.Bool(true)),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				// A keepers change regenerates: now the key is usable.
				Config:            localAPI(url, api.TenantKey()).key("test", "wn_old", rotation("2")).String(),
				ConfigPlanChecks:  planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{keyIsCurrent(api, addr, "wn_old")},
			},
		},
	})
}

// A number removed outside Terraform leaves state on refresh, and the plan that
// would create its key again fails naming the number, without a regeneration.
func TestAccNumberAPIKey_numberRemoved(t *testing.T) {
	api, url := newTestAPI(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: localAPI(url, api.TenantKey()).key("test", "wn_1").String()},
			{
				PreConfig: func() {
					if !api.RemoveNumber("wn_1") {
						t.Fatal("removing wn_1 failed")
					}
				},
				Config:      localAPI(url, api.TenantKey()).key("test", "wn_1").String(),
				ExpectError: words("WhatsApp Number Not Found", `no WhatsApp number "wn_1"`, "nothing was regenerated"),
			},
		},
	})
	if got := api.Calls(regenerateCalls); got != 1 {
		t.Errorf("the API saw %d regenerations, want 1 (the create)", got)
	}
}

// Refreshing many keys costs one list call.
func TestAccNumberAPIKey_oneListCallPerRun(t *testing.T) {
	const n = 100
	numbers := make([]fakeapi.Number, n)
	for i := range numbers {
		numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%02d", i), Number: fmt.Sprintf("55119000%05d", i), Name: "n"}
	}
	api, url := newTestAPI(t, numbers...)
	config := localAPI(url, api.TenantKey()).add(fmt.Sprintf(`
resource "pilotstatus_number_api_key" "all" {
  count              = %d
  whatsapp_number_id = format("wn_%%02d", count.index)
}
`, n)).String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: api.ResetCalls,
				Config:    config,
				PlanOnly:  true,
			},
			{
				// The plan-only step before refreshed every key in one provider process.
				PreConfig: func() {
					if got := api.Calls(listCalls); got != 1 {
						t.Errorf("refreshing %d keys made %d list calls, want 1", n, got)
					}
					if got := api.Calls(regenerateCalls); got != 0 {
						t.Errorf("a no-op plan regenerated %d keys", got)
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// Two resources for one number would invalidate each other's key: the plan fails,
// names the number, and nothing is regenerated.
func TestAccNumberAPIKey_duplicateNumberGuard(t *testing.T) {
	api, url := newTestAPI(t)
	config := localAPI(url, api.TenantKey()).key("a", "wn_1").key("b", "wn_1").String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: words("Duplicate WhatsApp Number", `"wn_1"`, "Nothing was regenerated"),
			},
		},
	})
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("the API saw %d regenerations of wn_1, want 0", got)
	}
}

// Importing a number the tenant does not have fails, and a blank id is refused
// before any API call; neither regenerates anything.
func TestAccNumberAPIKey_importErrors(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	cases := []struct {
		name, id string
		want     *regexp.Regexp
	}{
		{"unknown number", "wn_missing", words("non-existent remote object")},
		{"blank id", " ", words("Invalid Import ID", "WhatsApp number id is empty")},
		{"id with white space", "wn_1 ", words("Invalid Import ID", "leading or trailing white space")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:        localAPI(url, api.TenantKey()).key("test", "wn_1").String(),
					ResourceName:  addr,
					ImportState:   true,
					ImportStateId: tc.id,
					ExpectError:   tc.want,
				}},
			})
		})
	}
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("failed imports regenerated %d keys", got)
	}
	if got := api.Calls(listCalls); got != 1 {
		t.Errorf("the imports made %d list calls, want 1 (only the unknown number reaches the API)", got)
	}
}

// A time_rotating id in keepers rotates the key when its time comes. When the rotation time has
// passed, hashicorp/time's own refresh removes the time_rotating from state and the next plan
// creates it again, with an id known only after apply; the key is replaced in that same plan.
// The test cannot move hashicorp/time's clock, so it has Terraform re-create the time_rotating
// with a taint, which plans it the same way, rather than wait for a rotation time to pass.
func TestAccNumberAPIKey_timeRotating(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	config := localAPI(url, api.TenantKey()).key("test", "wn_1", "keepers = { rotation = time_rotating.schedule.id }").
		add(block(`resource "time_rotating" "schedule"`, "rotation_days = 30")).String()
	keys := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		ExternalProviders: map[string]resource.ExternalProvider{
			"time": {Source: "registry.terraform.io/hashicorp/time", VersionConstraint: "0.14.2"},
		},
		Steps: []resource.TestStep{
			{
				// Before the rotation time the plan after apply is empty (the step fails otherwise).
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					keys.AddStateValue(addr, keyPath),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				Taint:  []string{"time_rotating.schedule"},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("time_rotating.schedule", plancheck.ResourceActionReplace),
						plancheck.ExpectUnknownValue("time_rotating.schedule", tfjsonpath.New("id")),
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					keys.AddStateValue(addr, keyPath),
					apiCalls(api, regenerateCalls, 2),
				},
			},
		},
	})
}
