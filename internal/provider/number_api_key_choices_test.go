package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// keyIDConsumer is a consumer whose input is the key's id.
const keyIDConsumer = `resource "terraform_data" "consumer" {
  input = pilotstatus_number_api_key.test.key_id
}
`

// on_destroy = "invalidate" kills the key on destroy, and in a replacement that
// destroys first it kills the old key before the new one is made: the key in state
// works, the one before it does not.
func TestAccNumberAPIKey_onDestroyInvalidate(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	invalidate := `  on_destroy = "invalidate"`
	var first, second string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1"), invalidate).add(keyIDConsumer).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					captureAttr(addr, "key", &first),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("on_destroy"), knownvalue.StringExact("invalidate")),
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_1", rotation("2"), invalidate).add(keyIDConsumer).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					captureAttr(addr, "key", &second),
					// The destroy invalidated the old key, then the create made the new one.
					apiCalls(api, regenerateCalls, 3),
				},
			},
			{
				PreConfig: func() {
					if keyWorks(t, url, first) {
						t.Error("the key before the replacement still works")
					}
				},
				Config:            localAPI(url, tenant).String(),
				ConfigPlanChecks:  planAction(plancheck.ResourceActionDestroy),
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 4)},
			},
		},
	})
	if keyWorks(t, url, second) {
		t.Error("the key Terraform held still works after a destroy with on_destroy = \"invalidate\"")
	}
}

// With create_before_destroy the new key is made first; destroying the old object
// then finds that the number's current key is no longer its key and leaves the new
// key alone.
func TestAccNumberAPIKey_onDestroyInvalidateCreateBeforeDestroy(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	extra := `  on_destroy = "invalidate"
  lifecycle {
    create_before_destroy = true
  }`
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1"), extra).add(keyIDConsumer).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					captureAttr(addr, "key", &first),
				},
			},
			{
				Config:           localAPI(url, tenant).key("test", "wn_1", rotation("2"), extra).add(keyIDConsumer).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionCreateBeforeDestroy),
				ConfigStateChecks: []statecheck.StateCheck{
					// The new key works: the destroy of the old object did not regenerate.
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 2),
				},
			},
			{
				// Someone regenerates the key; destroying must not kill their key.
				PreConfig: func() {
					if keyWorks(t, url, first) {
						t.Error("the key before the replacement still works")
					}
					rotateOutOfBand(t, api, "wn_1")
				},
				Config:             localAPI(url, tenant).String(),
				ConfigStateChecks:  []statecheck.StateCheck{apiCalls(api, regenerateCalls, 2)},
				ExpectNonEmptyPlan: false,
			},
		},
	})
	cur, _ := api.CurrentKey("wn_1")
	if !keyWorks(t, url, cur.Raw) {
		t.Error("the key made outside Terraform stopped working when the resource was destroyed")
	}
}

// on_external_rotation = "adopt" takes a key regenerated outside Terraform into
// state without regenerating, and what uses it updates; a key the API does not
// reveal cannot be adopted, so it is regenerated.
func TestAccNumberAPIKey_adoptExternalRotation(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	adopt := `  on_external_rotation = "adopt"`
	versions := statecheck.CompareValue(compareIncreasing{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1"), adopt).add(keyIDConsumer).String(),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					versions.AddStateValue(addr, tfjsonpath.New("key_version")),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				PreConfig: func() {
					rotateOutOfBand(t, api, "wn_1")
				},
				Config: localAPI(url, tenant).key("test", "wn_1", rotation("1"), adopt).add(keyIDConsumer).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("terraform_data.consumer", plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					versions.AddStateValue(addr, tfjsonpath.New("key_version")),
					apiCalls(api, regenerateCalls, 1),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.Null()),
				},
			},
			{
				// Rotated outside again, to a key the API does not reveal: regenerate.
				PreConfig: func() {
					if _, ok := api.RotateOutOfBand("wn_1"); !ok || !api.MakeLegacy("wn_1") {
						t.Fatal("rotating wn_1 to a legacy key at the local API failed")
					}
				},
				Config:           localAPI(url, tenant).key("test", "wn_1", rotation("1"), adopt).add(keyIDConsumer).String(),
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					versions.AddStateValue(addr, tfjsonpath.New("key_version")),
					apiCalls(api, regenerateCalls, 2),
				},
			},
		},
	})
}

// A destroy that cannot invalidate the key fails and keeps the resource in state,
// with the key still working; the next destroy invalidates it. A regeneration whose
// answer was lost counts as done when the key list shows the key changed.
func TestAccNumberAPIKey_onDestroyInvalidateErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault fakeapi.Fault
		// fails: the first destroy fails, with want; otherwise it succeeds at once.
		fails bool
		want  *regexp.Regexp
		// posts: the regeneration requests up to the destroy that succeeds.
		posts int
	}{
		{
			// The API's own 500 through every retry: the key list shows the key unchanged after
			// each, so nothing was regenerated and the key still works.
			name: "the API's server error", fault: fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 500, Times: 3}, fails: true,
			want: words("Unable to Invalidate API Key", `"wn_1"`, `on_destroy = "invalidate"`, nothingRegenerated), posts: 4,
		},
		{
			// A gateway's 502 may have been carried out: two requests, each settled on the key
			// list, no change: nothing more is sent.
			name: "gateway error", fault: fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 502, Times: 3}, fails: true,
			want: words("Unable to Invalidate API Key", `"wn_1"`, `on_destroy = "invalidate"`, lostAnswer), posts: 3,
		},
		{name: "answer lost", fault: fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultDropAfterWork, Times: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, url := newTestAPI(t)
			tenant := api.TenantKey()
			var held string
			steps := []resource.TestStep{
				{
					Config:            localAPI(url, tenant).key("test", "wn_1", rotation("1"), `  on_destroy = "invalidate"`).add(keyIDConsumer).String(),
					ConfigStateChecks: []statecheck.StateCheck{captureAttr(addr, "key", &held)},
				},
			}
			if tc.fails {
				steps = append(steps, resource.TestStep{
					PreConfig:   func() { api.AddFault(tc.fault) },
					Config:      localAPI(url, tenant).String(),
					ExpectError: tc.want,
				}, resource.TestStep{
					// Still in state, and the key still works.
					PreConfig: func() {
						api.ClearFaults()
						if !keyWorks(t, url, held) {
							t.Error("the key stopped working although the destroy failed")
						}
					},
					Config:            localAPI(url, tenant).key("test", "wn_1", rotation("1"), `  on_destroy = "invalidate"`).add(keyIDConsumer).String(),
					ConfigPlanChecks:  planAction(plancheck.ResourceActionNoop),
					ConfigStateChecks: []statecheck.StateCheck{keyIsCurrent(api, addr, "wn_1"), apiCalls(api, regenerateCalls, tc.posts)},
				})
			}
			steps = append(steps, resource.TestStep{
				PreConfig: func() {
					if !tc.fails {
						api.AddFault(tc.fault)
					}
				},
				Config: localAPI(url, tenant).String(),
			})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps:                    steps,
			})
			if keyWorks(t, url, held) {
				t.Error("the key Terraform held still works after the destroy")
			}
		})
	}
}
