package provider

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// keyOutOfState checks that the resource holds the number's current key by its fingerprint and
// last four characters only: key and key_id are null.
func keyOutOfState(api *fakeapi.API, address, numberID string) statecheck.StateCheck {
	return stateCheckFunc(func(req statecheck.CheckStateRequest) error {
		res, err := findResource(req.State, address)
		if err != nil {
			return err
		}
		cur, ok := api.CurrentKey(numberID)
		if !ok {
			return fmt.Errorf("the local API has no number %s", numberID)
		}
		v := res.AttributeValues
		switch {
		case v["key"] != nil || v["key_id"] != nil:
			return fmt.Errorf("%s: state holds a credential (key set %t, key_id set %t)", address, v["key"] != nil, v["key_id"] != nil)
		case v["store_key"] != false:
			return fmt.Errorf("%s: store_key %v, want false", address, v["store_key"])
		case v["key_fingerprint"] != testFingerprint(cur.Raw):
			return fmt.Errorf("%s: key_fingerprint %v is not the fingerprint of the API's current key of %s", address, v["key_fingerprint"], numberID)
		case v["key_last4"] != cur.Last4:
			return fmt.Errorf("%s: key_last4 %v, want %s", address, v["key_last4"], cur.Last4)
		}
		return nil
	})
}

// stateHoldsNoIssuedSecret checks that no key and no key id the local API ever issued appears
// anywhere in the state (the whole JSON of every resource, sensitive or not).
func stateHoldsNoIssuedSecret(api *fakeapi.API) statecheck.StateCheck {
	return stateCheckFunc(func(req statecheck.CheckStateRequest) error {
		return jsonHoldsNoIssuedSecret("the state", req.State, api)
	})
}

// planHoldsNoIssuedSecret is stateHoldsNoIssuedSecret for the plan.
func planHoldsNoIssuedSecret(api *fakeapi.API) plancheck.PlanCheck {
	return planCheckFunc(func(req plancheck.CheckPlanRequest) error { return jsonHoldsNoIssuedSecret("the plan", req.Plan, api) })
}

// jsonHoldsNoIssuedSecret is noIssuedSecretIn for the JSON of v.
func jsonHoldsNoIssuedSecret(where string, v any, api *fakeapi.API) error {
	return jsonLeak(where, v, numbersSecrets(api), api.TenantKey())
}

// noIssuedSecretIn reports the first key or key id the local API issued for a number that text
// holds (secrettest), naming it by its last four characters.
func noIssuedSecretIn(where, text string, api *fakeapi.API) error {
	return secrettest.Error(where, text, numbersSecrets(api), api.TenantKey())
}

// numbersSecrets is every key and key id the local API issued for a number: leakSecrets without the
// tenant's credentials, which the test configurations carry in the provider block, and a plan
// records.
func numbersSecrets(api *fakeapi.API) []secrettest.Secret {
	return slices.DeleteFunc(leakSecrets(api), func(s secrettest.Secret) bool {
		return s.Value == api.TenantKey() || s.Value == api.TenantKeyID()
	})
}

// With store_key = false the whole life of a key keeps working without the key or its id in
// state: create, import, rotate by keepers, stay quiet, repair and adopt a rotation made outside
// Terraform, and switch store_key on and off in place without regenerating.
func TestAccNumberAPIKey_storeKeyFalse(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	fingerprints := statecheck.CompareValue(compare.ValuesDiffer())
	var first, adopted string
	outOfState := func(regenerations int, more ...statecheck.StateCheck) []statecheck.StateCheck {
		return append([]statecheck.StateCheck{
			keyOutOfState(api, addr, "wn_1"),
			stateHoldsNoIssuedSecret(api),
			apiCalls(api, regenerateCalls, regenerations),
		}, more...)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("1")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.Null()),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_fingerprint")),
					},
				},
				ConfigStateChecks: outOfState(1,
					fingerprints.AddStateValue(addr, tfjsonpath.New("key_fingerprint")),
					captureAttr(addr, "key_fingerprint", &first)),
			},
			{
				// An import finds the same key by its fingerprint, and stores no credential.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           "wn_1",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"keepers", "created_at", "key_version"},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.Null()),
						planHoldsNoIssuedSecret(api),
					},
				},
				ConfigStateChecks: outOfState(2, fingerprints.AddStateValue(addr, tfjsonpath.New("key_fingerprint"))),
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: outOfState(2),
			},
			{
				// Drift: the fingerprint of the number's current key is another, so the plan repairs.
				PreConfig: func() {
					rotateOutOfBand(t, api, "wn_1")
				},
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						planHoldsNoIssuedSecret(api),
					},
				},
				ConfigStateChecks: outOfState(3, fingerprints.AddStateValue(addr, tfjsonpath.New("key_fingerprint"))),
			},
			{
				// Adopt: the new key's fingerprint goes into state, nothing is regenerated.
				PreConfig: func() {
					k := rotateOutOfBand(t, api, "wn_1")
					adopted = testFingerprint(k.Raw)
				},
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2"), `  on_external_rotation = "adopt"`).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.Null()),
						planHoldsNoIssuedSecret(api),
					},
				},
				ConfigStateChecks: outOfState(3, stateCheckFunc(func(req statecheck.CheckStateRequest) error {
					res, err := findResource(req.State, addr)
					if err != nil {
						return err
					}
					if res.AttributeValues["key_fingerprint"] != adopted {
						return fmt.Errorf("key_fingerprint is not the adopted key's")
					}
					return nil
				})),
			},
			{
				// store_key false → true: the key comes from the list, in place, without regenerating.
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("2")).add("\n").String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("store_key"), knownvalue.Bool(true)),
					apiCalls(api, regenerateCalls, 3),
				},
			},
			{
				// store_key true → false: the key leaves state in place, still without regenerating.
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: outOfState(3),
			},
		},
	})
	if first == "" || first == adopted {
		t.Errorf("the first fingerprint was not captured or equals a later one")
	}
}

// on_destroy = "invalidate" with store_key = false: the fingerprint tells the key in state, so a
// destroy kills it, and with create_before_destroy the old object's destroy leaves the new key,
// which has another fingerprint, alone.
func TestAccNumberAPIKey_storeKeyFalseOnDestroy(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	extra := `  on_destroy = "invalidate"
  lifecycle {
    create_before_destroy = true
  }`
	var first, second fakeapi.Key
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:            localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("1"), extra).String(),
				ConfigStateChecks: []statecheck.StateCheck{keyOutOfState(api, addr, "wn_1"), apiCalls(api, regenerateCalls, 1)},
			},
			{
				PreConfig:        func() { first, _ = api.CurrentKey("wn_1") },
				Config:           localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2"), extra).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionCreateBeforeDestroy),
				ConfigStateChecks: []statecheck.StateCheck{
					// The new key works: the destroy of the old object did not regenerate.
					keyOutOfState(api, addr, "wn_1"),
					stateHoldsNoIssuedSecret(api),
					apiCalls(api, regenerateCalls, 2),
				},
			},
			{
				PreConfig:        func() { second, _ = api.CurrentKey("wn_1") },
				Config:           localAPI(url, tenant).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroy),
				// The destroy found its own key by the fingerprint and invalidated it.
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 3)},
			},
		},
	})
	if keyWorks(t, url, first.Raw) {
		t.Error("the key before the replacement still works")
	}
	if keyWorks(t, url, second.Raw) {
		t.Error("the key in state still works after a destroy with on_destroy = \"invalidate\"")
	}
}

// The schedule runs on key_version, which state keeps with store_key = false: a due rotation
// replaces the key.
func TestAccNumberAPIKey_storeKeyFalseSchedule(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	api, url := newClockedAPI(t, clock)
	tenant := api.TenantKey()
	fingerprints := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("1"), `  rotation_period = "30d"`).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					keyOutOfState(api, addr, "wn_1"),
					fingerprints.AddStateValue(addr, tfjsonpath.New("key_fingerprint")),
				},
			},
			{
				PreConfig: func() { clock.Set(createdAt(t, api, "wn_1").Add(30 * 24 * time.Hour)) },
				Config:    localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("1"), `  rotation_period = "30d"`).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyOutOfState(api, addr, "wn_1"),
					stateHoldsNoIssuedSecret(api),
					fingerprints.AddStateValue(addr, tfjsonpath.New("key_fingerprint")),
					apiCalls(api, regenerateCalls, 2),
				},
			},
		},
	})
}

// A legacy key imported with store_key = false stays importable and is told by its last four
// characters; the plan warns that it cannot be handed on and names the fix, and a -replace
// (here a keepers change) makes a key that can.
func TestAccNumberAPIKey_storeKeyFalseLegacy(t *testing.T) {
	api, url := newTestAPI(t, fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Legado", Legacy: true})
	tenant := api.TenantKey()
	legacy, _ := api.CurrentKey("wn_1")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:             localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("")).String(),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      "wn_1",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					return checkImported(states, "", legacy.Last4)
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("")).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_fingerprint"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_id"), knownvalue.Null()),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("")).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:            localAPI(url, tenant).key("test", "wn_1", "store_key = false", rotation("2")).String(),
				ConfigPlanChecks:  planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{keyOutOfState(api, addr, "wn_1"), apiCalls(api, regenerateCalls, 1)},
			},
		},
	})
}
