package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// terraform query, run by terraform-plugin-testing, which runs query -json only: what the list
// resource lists, with what identity and display name, from how many key list calls, and that no
// secret is in what it prints. Generating configuration from it and adopting the keys is proved
// with the real CLI in number_api_key_list_resource_cli_test.go.

// queryCLIs skips CLIs without terraform query: Terraform before 1.14, and OpenTofu, which has no
// query command (OpenTofu 1.12.6 answers `tofu query` with `no command named "query"`).
var queryCLIs = []tfversion.TerraformVersionCheck{queryCommandCheck{}, tfversion.SkipBelow(tfversion.Version1_14_0)}

// queryCommandCheck skips the test when the CLI under test has no query command, saying which CLI
// it is: tfversion only knows version numbers, and OpenTofu's would be taken for Terraform's.
type queryCommandCheck struct{}

func (queryCommandCheck) CheckTerraformVersion(ctx context.Context, _ tfversion.CheckTerraformVersionRequest,
	resp *tfversion.CheckTerraformVersionResponse) {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		return
	}
	ok, what, err := queryCommandIn(ctx, bin, os.Environ())
	switch {
	case err != nil:
		resp.Error = err
	case !ok:
		resp.Skip = what + " has no query command (terraform query needs Terraform 1.14 or later; OpenTofu 1.12.6 has none)"
	}
}

// queryAPIView checks, from a query step, what the local API saw since calls was last set: one key
// list call and nothing else, so no regeneration; and that no key or key id the local API ever
// issued is in what the query printed, the resource objects included.
type queryAPIView struct {
	api   *fakeapi.API
	calls *int // the API's calls before the step; set in PreConfig
}

func (c queryAPIView) CheckQuery(_ context.Context, req querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	if got := c.api.TotalCalls() - *c.calls; got != 1 || c.api.Calls(regenerateCalls) != 0 {
		resp.Error = fmt.Errorf("the query made %d API calls and %d regenerations, want one key list call and none",
			got, c.api.Calls(regenerateCalls))
		return
	}
	printed, err := json.Marshal(req.Query)
	if err != nil {
		resp.Error = err
		return
	}
	if resp.Error = secrettest.Error("the query", string(printed), leakSecrets(c.api)); resp.Error != nil {
		return
	}
	if len(req.Query) == 0 {
		resp.Error = fmt.Errorf("the query printed no result: there was nothing to search")
	}
}

// byNumber filters query results by their identity.
func byNumber(numberID string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact(numberID)})
}

// listedObject checks the resource object of a listed number, as query -json prints it.
func listedObject(address, numberID, last4 string) querycheck.QueryResultCheck {
	checks := []querycheck.KnownValueCheck{
		{Path: tfjsonpath.New("whatsapp_number_id"), KnownValue: knownvalue.StringExact(numberID)},
		{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(numberID)},
		{Path: tfjsonpath.New("store_key"), KnownValue: knownvalue.Bool(true)},
		{Path: tfjsonpath.New("key_last4"), KnownValue: knownvalue.StringExact(last4)},
	}
	for _, name := range []string{"key", "key_id", "rotation_anchor", "key_fingerprint", "keepers"} {
		checks = append(checks, querycheck.KnownValueCheck{Path: tfjsonpath.New(name), KnownValue: knownvalue.Null()})
	}
	return querycheck.ExpectResourceKnownValues(address, byNumber(numberID), checks)
}

// Three list blocks in one query: every number (with resource objects), the numbers whose name
// matches a regular expression, and two numbers by id. Each lists what it should, with the number
// id as identity and the phone number and name as display name; the legacy key of wn_3 is listed
// like the others. The three blocks share one key list call, and nothing printed holds a secret.
func TestAccNumberAPIKeyList_query(t *testing.T) {
	api, url := newTestAPI(t, queryNumbers...)
	calls := 0
	last4Of := func(id string) string {
		k, _ := api.CurrentKey(id)
		return k.Last4
	}
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("pilotstatus_number_api_key.all", len(queryNumbers)),
		querycheck.ExpectLength("pilotstatus_number_api_key.support", 2),
		querycheck.ExpectIdentity("pilotstatus_number_api_key.support", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_1")}),
		querycheck.ExpectIdentity("pilotstatus_number_api_key.support", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_7")}),
		querycheck.ExpectLength("pilotstatus_number_api_key.picked", 2),
		querycheck.ExpectIdentity("pilotstatus_number_api_key.picked", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_2")}),
		querycheck.ExpectIdentity("pilotstatus_number_api_key.picked", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_6")}),
		queryAPIView{api: api, calls: &calls},
	}
	for id, name := range map[string]string{
		"wn_1": "+5511999990001 (Suporte)", "wn_3": "+5511999990003 (Legado)", "wn_4": "+5511999990004", "wn_5": "Loja 5", "wn_6": "wn_6",
	} {
		checks = append(checks,
			querycheck.ExpectIdentity("pilotstatus_number_api_key.all", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact(id)}),
			querycheck.ExpectResourceDisplayName("pilotstatus_number_api_key.all", byNumber(id), knownvalue.StringExact(name)),
			listedObject("pilotstatus_number_api_key.all", id, last4Of(id)))
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryCLIs,
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			// A query runs in a configuration: this one configures the provider and manages nothing.
			{Config: localAPI(url, api.TenantKey()).String()},
			{
				PreConfig: func() { calls = api.TotalCalls() },
				Query:     true,
				Config: `
list "pilotstatus_number_api_key" "all" {
  provider         = pilotstatus
  include_resource = true
}

list "pilotstatus_number_api_key" "support" {
  provider = pilotstatus
  config {
    name_regex = "Suporte"
  }
}

list "pilotstatus_number_api_key" "picked" {
  provider = pilotstatus
  config {
    whatsapp_number_ids = ["wn_6", "wn_2"]
  }
}
`,
				QueryResultChecks: checks,
			},
		},
	})
}

// Terraform's default limit is 100 results per list block: a tenant with 120 numbers gets the
// first 100 unless the list block sets a limit, and all of them with limit = 150. Each query reads
// the key list once.
func TestAccNumberAPIKeyList_limit(t *testing.T) {
	numbers := make([]fakeapi.Number, 120)
	for i := range numbers {
		numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%03d", i), Number: fmt.Sprintf("55119%08d", i), Name: fmt.Sprintf("Loja %d", i)}
	}
	api, url := newTestAPI(t, numbers...)
	calls := 0
	query := func(limit string) string {
		return block(`list "pilotstatus_number_api_key" "all"`, "provider = pilotstatus", limit)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryCLIs,
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: localAPI(url, api.TenantKey()).String()},
			{
				PreConfig: func() { calls = api.TotalCalls() },
				Query:     true,
				Config:    query(""),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("pilotstatus_number_api_key.all", 100),
					querycheck.ExpectIdentity("pilotstatus_number_api_key.all", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_099")}),
					querycheck.ExpectNoIdentity("pilotstatus_number_api_key.all", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_100")}),
					queryAPIView{api: api, calls: &calls},
				},
			},
			{
				PreConfig: func() { calls = api.TotalCalls() },
				Query:     true,
				Config:    query("limit = 150"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("pilotstatus_number_api_key.all", 120),
					querycheck.ExpectIdentity("pilotstatus_number_api_key.all", map[string]knownvalue.Check{"whatsapp_number_id": knownvalue.StringExact("wn_119")}),
					queryAPIView{api: api, calls: &calls},
				},
			},
		},
	})
}
