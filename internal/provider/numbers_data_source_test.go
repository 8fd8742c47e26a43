package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

const numbersAddr = "data.pilotstatus_numbers.all"

// Every field of every number maps, and the list keeps the API's order (by id at
// the local API), which here is the reverse of the order by phone number and by name.
func TestAccNumbersDataSource_fields(t *testing.T) {
	created := time.Date(2026, 3, 1, 10, 0, 0, 123_000_000, time.UTC)
	updated := created.Add(90 * time.Minute)
	var (
		mu  sync.Mutex
		now = created
	)
	api := fakeapi.New(fakeapi.Options{
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		},
		Numbers: []fakeapi.Number{
			{ID: "wn_a", Number: "5511999990003", Name: "Suporte", Provider: "META", State: "OPEN"},
			{ID: "wn_b", Number: "5511999990002", Name: "Financeiro", Provider: "PILOT_STATUS", State: "CLOSED"},
			{ID: "wn_c", Number: "5511999990001", Name: "Cobrança", State: "CONNECTING"},
		},
	})
	mu.Lock()
	now = updated
	mu.Unlock()
	rotateOutOfBand(t, api, "wn_b")
	url, stop := api.Start()
	t.Cleanup(stop)

	number := func(id, phone, name, provider, state string, connected bool, updatedAt time.Time) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                 knownvalue.StringExact(id),
			"number":             knownvalue.StringExact(phone),
			"name":               knownvalue.StringExact(name),
			"provider":           knownvalue.StringExact(provider),
			"state":              knownvalue.StringExact(state),
			"is_fully_connected": knownvalue.Bool(connected),
			"created_at":         knownvalue.StringExact("2026-03-01T10:00:00.123Z"),
			"updated_at":         knownvalue.StringExact(updatedAt.Format(time.RFC3339Nano)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, api.TenantKey()).add(`
data "pilotstatus_numbers" "all" {}
`).String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(numbersAddr, tfjsonpath.New("numbers"), knownvalue.ListExact([]knownvalue.Check{
					number("wn_a", "5511999990003", "Suporte", "META", "OPEN", true, created),
					number("wn_b", "5511999990002", "Financeiro", "PILOT_STATUS", "CLOSED", false, updated),
					number("wn_c", "5511999990001", "Cobrança", "PILOT_STATUS", "CONNECTING", false, created),
				})),
				apiCalls(api, fakeapi.EndpointRegenerate, 0),
			},
		}},
	})
}

// A tenant without numbers gives an empty list, not null, so for_each over it works.
func TestAccNumbersDataSource_empty(t *testing.T) {
	api := fakeapi.New(fakeapi.Options{})
	url, stop := api.Start()
	t.Cleanup(stop)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, api.TenantKey()).add(`
data "pilotstatus_numbers" "all" {}
`).String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(numbersAddr, tfjsonpath.New("numbers"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// The rotate-all-numbers example, run by the real CLI (terraform-plugin-testing
// cannot hold for_each instances in state): for_each over the data source owns
// every number's key, the first apply regenerates each key once, a rotation
// variable change regenerates all of them, and then the plan is empty.
func TestAccNumbersDataSource_forEachRotatesEveryKey(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t,
		fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
		fakeapi.Number{ID: "wn_2", Number: "5511999990002", Name: "Vendas", Provider: "META"},
		fakeapi.Number{ID: "wn_3", Number: "5511999990003", Name: "Legado", Legacy: true},
	)
	ids := []string{"wn_1", "wn_2", "wn_3"}
	seeded := map[string]string{}
	for _, id := range ids {
		k, _ := api.CurrentKey(id)
		seeded[id] = k.Raw
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "rotate-all-numbers", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), example, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCLIRun(t, url)
	tenant := []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}
	address := func(id string) string { return fmt.Sprintf("pilotstatus_number_api_key.this[%q]", id) }
	keysNow := func() map[string]string {
		st := cliState(t, c, dir, tenant)
		out := map[string]string{}
		for _, id := range ids {
			checkState(t, st, keyIsCurrent(api, address(id), id))
			if res, err := findResource(st, address(id)); err == nil {
				out[id], _ = res.AttributeValues["key"].(string)
			}
		}
		checkState(t, st, statecheck.ExpectKnownValue(numbersAddr, tfjsonpath.New("numbers"), knownvalue.ListSizeExact(len(ids))))
		if n := len(st.Values.RootModule.Resources); n != len(ids)+1 {
			t.Errorf("state holds %d objects, want the data source and %d keys", n, len(ids))
		}
		return out
	}

	c.run("create", dir, tenant, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=1")
	if got := api.Calls(fakeapi.EndpointRegenerate); got != len(ids) {
		t.Errorf("the first apply regenerated %d keys, want %d", got, len(ids))
	}
	first := keysNow()
	for _, id := range ids {
		if keyWorks(t, url, seeded[id]) {
			t.Errorf("the key %s had before the first apply still works", id)
		}
	}

	c.run("rotation", dir, tenant, false, "apply", "-auto-approve", "-input=false", "-var", "rotation=2")
	if got := api.Calls(fakeapi.EndpointRegenerate); got != 2*len(ids) {
		t.Errorf("after the rotation %d keys were regenerated in all, want %d", got, 2*len(ids))
	}
	second := keysNow()
	for _, id := range ids {
		if second[id] == first[id] {
			t.Errorf("the rotation left the key of %s unchanged", id)
		}
		if keyWorks(t, url, first[id]) {
			t.Errorf("the key %s had before the rotation still works", id)
		}
	}

	// -detailed-exitcode exits 2 when the plan has changes.
	c.run("plan", dir, tenant, false, "plan", "-input=false", "-detailed-exitcode", "-var", "rotation=2")
	if got := api.Calls(fakeapi.EndpointRegenerate); got != 2*len(ids) {
		t.Errorf("a plan regenerated %d keys", got-2*len(ids))
	}
}

// A number-scoped key cannot list numbers: the error names the operation and says
// which key is needed.
func TestAccNumbersDataSource_listError(t *testing.T) {
	api, url := newTestAPI(t)
	api.AddFault(fakeapi.Fault{
		Endpoint: fakeapi.EndpointListNumbers, Kind: fakeapi.FaultStatus,
		Status: 403, Code: "NUMBER_SCOPE_NOT_ALLOWED", Times: 10,
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: localAPI(url, api.TenantKey()).add(`
data "pilotstatus_numbers" "all" {}
`).String(),
			ExpectError: words("Unable to List WhatsApp Numbers", "GET /v1/numbers", "tenant-scoped key",
				"Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
		}},
	})
}

func TestNumberFromAPI(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 28, 7, 0, 0, 5_000_000, time.FixedZone("BRT", -3*3600))
	cases := []struct {
		name string
		in   pilotstatus.Number
		want numberModel
	}{
		{
			name: "every field",
			in: pilotstatus.Number{
				ID: "wn_1", Number: "5511999999999", Name: "Suporte", Provider: "META",
				State: "CLOSE", IsFullyConnected: true, CreatedAt: at, UpdatedAt: at.Add(time.Second),
			},
			want: numberModel{
				ID: types.StringValue("wn_1"), Number: types.StringValue("5511999999999"), Name: types.StringValue("Suporte"),
				Provider: types.StringValue("META"), State: types.StringValue("CLOSE"), IsFullyConnected: types.BoolValue(true),
				CreatedAt: types.StringValue("2026-06-28T10:00:00.005Z"), UpdatedAt: types.StringValue("2026-06-28T10:00:01.005Z"),
			},
		},
		{
			name: "times the API did not give are null",
			in:   pilotstatus.Number{ID: "wn_2", State: "OPEN"},
			want: numberModel{
				ID: types.StringValue("wn_2"), Number: types.StringValue(""), Name: types.StringValue(""),
				Provider: types.StringValue(""), State: types.StringValue("OPEN"), IsFullyConnected: types.BoolValue(false),
				CreatedAt: types.StringNull(), UpdatedAt: types.StringNull(),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := numberFromAPI(tc.in); got != tc.want {
				t.Errorf("numberFromAPI:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
