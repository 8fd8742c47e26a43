package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

const (
	echoAddr    = "echo.test"
	echoRotated = "echo.after_rotation"
	ownedKeyRes = "pilotstatus_number_api_key.owned"
)

// ephemeralVersions skips CLIs without ephemeral resources (Terraform below 1.10).
var ephemeralVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

// echoFactories adds the echo provider, which carries an ephemeral value into the
// state of echo.test, where a test can check it.
func echoFactories(fs map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	fs["echo"] = echoprovider.NewProviderServer()
	return fs
}

func ephemeralBlock(numberID string) string {
	return fmt.Sprintf(`
ephemeral "pilotstatus_number_api_key" "x" {
  whatsapp_number_id = %q
}
`, numberID)
}

const echoBlock = `
provider "echo" {
  data = ephemeral.pilotstatus_number_api_key.x
}

resource "echo" "test" {}
`

// echoAfterRotation replaces echo.test, which keeps the data it was created with,
// by a new echo resource.
const echoAfterRotation = `
provider "echo" {
  data = ephemeral.pilotstatus_number_api_key.x
}

resource "echo" "after_rotation" {}
`

const ownedBlock = `
resource "pilotstatus_number_api_key" "owned" {
  whatsapp_number_id = "wn_2"
}
`

func echoData(attr string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(attr) }

// The ephemeral resource opens the number's current key, as the API has it now,
// and neither plan nor apply regenerates it: the key keeps working.
func TestAccNumberAPIKeyEphemeral_opensCurrentKey(t *testing.T) {
	api, url := newTestAPI(t)
	seeded, _ := api.CurrentKey("wn_1")
	config := localAPI(url, api.TenantKey()).add(ephemeralBlock("wn_1"), echoBlock).String()
	rotated := localAPI(url, api.TenantKey()).add(ephemeralBlock("wn_1"), echoAfterRotation).String()
	keys := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralVersions,
		ProtoV6ProviderFactories: echoFactories(factories()),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					echoHoldsCurrentKey(api, echoAddr, "wn_1"),
					statecheck.ExpectKnownValue(echoAddr, echoData("key"), knownvalue.StringExact(seeded.Raw)),
					statecheck.ExpectKnownValue(echoAddr, echoData("key_id"), knownvalue.StringExact(seeded.ID)),
					statecheck.ExpectKnownValue(echoAddr, echoData("key_last4"), knownvalue.StringExact(seeded.Last4)),
					statecheck.ExpectKnownValue(echoAddr, echoData("key_prefix"), knownvalue.StringExact("ps_")),
					statecheck.ExpectKnownValue(echoAddr, echoData("number"), knownvalue.StringExact("5511999990001")),
					statecheck.ExpectKnownValue(echoAddr, echoData("display_name"), knownvalue.StringExact("Suporte")),
					statecheck.ExpectKnownValue(echoAddr, echoData("whatsapp_number_id"), knownvalue.StringExact("wn_1")),
					keys.AddStateValue(echoAddr, echoData("key")),
					apiCalls(api, regenerateCalls, 0),
					keyStillWorks(t, url, seeded.Raw),
				},
			},
			{
				// The dashboard regenerates the key: the next run opens the new one.
				PreConfig: func() {
					rotateOutOfBand(t, api, "wn_1")
				},
				Config: rotated,
				ConfigStateChecks: []statecheck.StateCheck{
					echoHoldsCurrentKey(api, echoRotated, "wn_1"),
					keys.AddStateValue(echoRotated, echoData("key")),
					apiCalls(api, regenerateCalls, 0),
				},
			},
			{
				// Opening again on every plan and apply still regenerates nothing.
				Config: rotated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					echoHoldsCurrentKey(api, echoRotated, "wn_1"),
					apiCalls(api, regenerateCalls, 0),
				},
			},
		},
	})
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("the ephemeral resource made %d regenerate calls, want 0", got)
	}
	cur, _ := api.CurrentKey("wn_1")
	if !keyWorks(t, url, cur.Raw) {
		t.Error("the key the ephemeral resource opened stopped working")
	}
}

// Every reason the key cannot be opened is a clear error naming the number, and
// none of them regenerates a key.
func TestAccNumberAPIKeyEphemeral_errors(t *testing.T) {
	skipUnlessAcc(t)
	cases := []struct {
		name     string
		numbers  []fakeapi.Number
		numberID string
		fault    *fakeapi.Fault
		apiKey   func(api *fakeapi.API) string
		want     *regexp.Regexp
	}{
		{
			name:     "legacy key",
			numbers:  []fakeapi.Number{{ID: "wn_1", Number: "5511999990001", Name: "Suporte", Legacy: true}},
			numberID: "wn_1",
			want: words("API Key Is Not Revealable", `WhatsApp number "wn_1"`, "created before Pilot Status stored keys encrypted",
				"Only regenerating it makes it usable", "invalidates the current key", "pilotstatus_number_api_key resource"),
		},
		{
			name:     "unknown number",
			numberID: "wn_missing",
			want:     words("WhatsApp Number Not Found", `No WhatsApp number with id "wn_missing" exists in the tenant`, "whatsapp_number_id"),
		},
		{
			name:     "list refused (fault)",
			numberID: "wn_1",
			fault: &fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 403,
				Code: "NUMBER_SCOPE_NOT_ALLOWED", Message: "Number-scoped keys cannot access this endpoint", Times: 100},
			want: words("Unable to Read API Keys", `WhatsApp number "wn_1"`, "no key was regenerated", "number-scoped key",
				"Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
		},
		{
			name:     "number-scoped provider key",
			numberID: "wn_1",
			apiKey:   func(api *fakeapi.API) string { k, _ := api.CurrentKey("wn_2"); return k.Raw },
			want:     words("Unable to Read API Keys", `WhatsApp number "wn_1"`, "number-scoped key", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, url := newTestAPI(t, tc.numbers...)
			if tc.fault != nil {
				api.AddFault(*tc.fault)
			}
			key := api.TenantKey()
			if tc.apiKey != nil {
				key = tc.apiKey(api)
			}
			before := map[string]fakeapi.Key{}
			for _, id := range []string{"wn_1", "wn_2"} {
				if k, ok := api.CurrentKey(id); ok {
					before[id] = k
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralVersions,
				ProtoV6ProviderFactories: echoFactories(factories()),
				Steps: []resource.TestStep{{
					Config:      localAPI(url, key).add(ephemeralBlock(tc.numberID), echoBlock).String(),
					ExpectError: tc.want,
				}},
			})
			if got := api.Calls(regenerateCalls); got != 0 {
				t.Errorf("%d regenerate calls, want 0", got)
			}
			for id, k := range before {
				if cur, _ := api.CurrentKey(id); cur.ID != k.ID || !keyWorks(t, url, k.Raw) {
					t.Errorf("the key of %s changed or stopped working", id)
				}
			}
		})
	}
}

// With a managed key for wn_2 and the ephemeral key of wn_1 in one configuration,
// the key of wn_1 reaches neither the plan nor the state (only echo.test, when the
// configuration copies it there), and each provider process lists the keys at most
// once, shared by the ephemeral resource and the managed one.
func TestAccNumberAPIKeyEphemeral_staysOutOfStateAndSharesList(t *testing.T) {
	api, url := newTestAPI(t)
	seeded, _ := api.CurrentKey("wn_1")
	calls := &configLog{api: api}
	fs := factories()
	fs["pilotstatus"] = calls.wrap(fs["pilotstatus"])
	base := localAPI(url, api.TenantKey()).add(ephemeralBlock("wn_1"), ownedBlock).String()

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralVersions,
		ProtoV6ProviderFactories: echoFactories(fs),
		Steps: []resource.TestStep{
			{
				Config: base,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						planLacks(api, seeded.Raw),
						calls.opened("plan"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateLacks(api, seeded.Raw, ""),
					keyIsCurrent(api, ownedKeyRes, "wn_2"),
					apiCalls(api, regenerateCalls, 1), // wn_2 only
					keyStillWorks(t, url, seeded.Raw),
				},
			},
			{
				// The same run with echo: the key is where the configuration puts
				// it, so the search above would have found it anywhere else.
				Config: base + echoBlock,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						planLacks(api, seeded.Raw),
						calls.opened("plan"),
						plancheck.ExpectResourceAction(ownedKeyRes, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					calls.opened("apply"),
					statecheck.ExpectKnownValue(echoAddr, echoData("key"), knownvalue.StringExact(seeded.Raw)),
					stateLacks(api, seeded.Raw, echoAddr),
					keyIsCurrent(api, ownedKeyRes, "wn_2"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
		},
	})

	lists := calls.listsPerConfig()
	shared := 0
	for i, n := range lists {
		c := calls.configs[i]
		t.Logf("provider configuration %d: %d list calls, %d opens, %d reads", i, n, c.opens.Load(), c.reads.Load())
		if n > 1 {
			t.Errorf("provider configuration %d listed the keys %d times (%d opens, %d reads), want at most once",
				i, n, c.opens.Load(), c.reads.Load())
		}
		if c.opens.Load() > 0 && c.reads.Load() > 0 && n == 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("no provider configuration both opened the ephemeral key and read the managed one on a single list call (%d configurations)", len(lists))
	}
}

// echoHoldsCurrentKey checks that an echo resource carries the number's current
// key at the local API, with its key id and last four characters.
func echoHoldsCurrentKey(api *fakeapi.API, address, numberID string) statecheck.StateCheck {
	return stateCheckFunc(func(req statecheck.CheckStateRequest) error {
		res, err := findResource(req.State, address)
		if err != nil {
			return err
		}
		data, ok := res.AttributeValues["data"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: data is %T, want an object", address, res.AttributeValues["data"])
		}
		cur, ok := api.CurrentKey(numberID)
		if !ok {
			return fmt.Errorf("the local API has no number %s", numberID)
		}
		switch {
		case data["key"] != cur.Raw:
			return fmt.Errorf("the opened key is not the API's current key of %s", numberID)
		case data["key_id"] != cur.ID:
			return fmt.Errorf("key_id %v, the API's current key id is %s", data["key_id"], cur.ID)
		case data["key_last4"] != cur.Last4:
			return fmt.Errorf("key_last4 %v, want %s", data["key_last4"], cur.Last4)
		}
		return nil
	})
}

// keyStillWorks checks that the local API still accepts raw.
func keyStillWorks(t *testing.T, baseURL, raw string) statecheck.StateCheck {
	return stateCheckFunc(func(statecheck.CheckStateRequest) error {
		if !keyWorks(t, baseURL, raw) {
			return fmt.Errorf("a key that was never meant to change stopped working")
		}
		return nil
	})
}

// stateLacks checks that no resource but except (if any) has raw anywhere in its state, sensitive
// or not. The other keys the local API issued may be there (a managed key stores its own); any
// other ps_ value may not.
func stateLacks(api *fakeapi.API, raw, except string) statecheck.StateCheck {
	secrets := secrettest.Named("the ephemeral key", raw)
	return stateCheckFunc(func(req statecheck.CheckStateRequest) error {
		if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
			return fmt.Errorf("no state")
		}
		others := slices.DeleteFunc(api.IssuedKeys(), func(k string) bool { return k == raw })
		if except == "" {
			return jsonLeak("the state", req.State, secrets, others...)
		}
		for _, r := range req.State.Values.RootModule.Resources {
			if r.Address != except {
				if err := jsonLeak(r.Address, r, secrets, others...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// planLacks checks that raw appears nowhere in the plan; the tenant key of the provider block and
// the other keys the local API issued may (a managed key's prior state holds its own), and no other
// ps_ value.
func planLacks(api *fakeapi.API, raw string) plancheck.PlanCheck {
	return planCheckFunc(func(req plancheck.CheckPlanRequest) error {
		others := slices.DeleteFunc(append(api.IssuedKeys(), api.TenantKey()), func(k string) bool { return k == raw })
		return jsonLeak("the plan", req.Plan, secrettest.Named("the ephemeral key", raw), others...)
	})
}

// opened checks that the ephemeral resource was opened since the previous check
// of the same counter, so that the checks beside it searched a run that held the key.
func (l *configLog) opened(command string) stateAndPlanCheck {
	return stateAndPlanCheck(func() error {
		l.mu.Lock()
		defer l.mu.Unlock()
		var total int64
		for _, p := range l.configs {
			total += p.opens.Load()
		}
		if total <= l.openedSeen {
			return fmt.Errorf("the %s did not open the ephemeral resource", command)
		}
		l.openedSeen = total
		return nil
	})
}

type stateAndPlanCheck func() error

func (f stateAndPlanCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

func (f stateAndPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// configLog records every configuration of the provider, and what reached the
// provider after it. Terraform starts a provider process for each graph walk and
// configures it once; the test harness reuses one process across the walks of a
// command (destroy plans and applies in one command), so a configuration, which
// gets its own key cache, stands for one real provider process. Walks run one
// after another, so the list calls the local API saw between two configurations
// belong to the earlier one.
type configLog struct {
	api        *fakeapi.API
	mu         sync.Mutex
	configs    []*configStats
	openedSeen int64 // opens counted by the last opened check
}

type configStats struct {
	listsBefore int
	opens       atomic.Int64 // OpenEphemeralResource of pilotstatus_number_api_key
	reads       atomic.Int64 // ReadResource of pilotstatus_number_api_key
}

func (l *configLog) wrap(factory func() (tfprotov6.ProviderServer, error)) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		srv, err := factory()
		if err != nil {
			return nil, err
		}
		return countingServer{ProviderServer: srv, log: l}, nil
	}
}

// current returns the stats of the latest configuration.
func (l *configLog) current() *configStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.configs) == 0 {
		// Cannot happen: Terraform configures a provider before using it.
		l.configs = append(l.configs, &configStats{})
	}
	return l.configs[len(l.configs)-1]
}

// listsPerConfig returns how many list calls each configuration made.
func (l *configLog) listsPerConfig() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]int, len(l.configs))
	for i, c := range l.configs {
		next := l.api.Calls(listCalls)
		if i+1 < len(l.configs) {
			next = l.configs[i+1].listsBefore
		}
		out[i] = next - c.listsBefore
	}
	return out
}

type countingServer struct {
	tfprotov6.ProviderServer
	log *configLog
}

func (s countingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	s.log.mu.Lock()
	s.log.configs = append(s.log.configs, &configStats{listsBefore: s.log.api.Calls(listCalls)})
	s.log.mu.Unlock()
	return s.ProviderServer.ConfigureProvider(ctx, req)
}

func (s countingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	if req.TypeName == "pilotstatus_number_api_key" {
		s.log.current().opens.Add(1)
	}
	return s.ProviderServer.OpenEphemeralResource(ctx, req)
}

func (s countingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == "pilotstatus_number_api_key" {
		s.log.current().reads.Add(1)
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

// An ephemeral resource that refers to a pilotstatus_number_api_key of the same
// number opens after that resource regenerated the key, in the same apply, so it
// hands on the new key, as the ephemeral resource's example says.
func TestAccNumberAPIKeyEphemeral_opensKeyRegeneratedInSameApply(t *testing.T) {
	api, url := newTestAPI(t)
	config := func(keepers, echo string) string {
		return localAPI(url, api.TenantKey()).add(fmt.Sprintf(`
resource "pilotstatus_number_api_key" "owned" {
  whatsapp_number_id = "wn_1"
  keepers = {
    generation = %q
  }
}

ephemeral "pilotstatus_number_api_key" "x" {
  whatsapp_number_id = pilotstatus_number_api_key.owned.whatsapp_number_id
}
`, keepers), echo).String()
	}
	keys := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralVersions,
		ProtoV6ProviderFactories: echoFactories(factories()),
		Steps: []resource.TestStep{
			{
				Config: config("1", echoBlock),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, ownedKeyRes, "wn_1"),
					echoHoldsCurrentKey(api, echoAddr, "wn_1"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				Config: config("2", echoAfterRotation),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, ownedKeyRes, "wn_1"),
					echoHoldsCurrentKey(api, echoRotated, "wn_1"),
					keys.AddStateValue(ownedKeyRes, keyPath),
					keys.AddStateValue(echoRotated, echoData("key")),
					apiCalls(api, regenerateCalls, 2),
				},
			},
		},
	})
}
