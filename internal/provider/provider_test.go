package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// testNumbers seeds the local API of most tests.
var testNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
}

// newTestAPI starts a local Pilot Status API for one test.
func newTestAPI(t *testing.T, numbers ...fakeapi.Number) (*fakeapi.API, string) {
	t.Helper()
	if len(numbers) == 0 {
		numbers = testNumbers
	}
	api := fakeapi.New(fakeapi.Options{Numbers: numbers})
	url, stop := api.Start()
	t.Cleanup(stop)
	return api, url
}

// fastRetries keeps retry waits and, unless configured, the settle time of an
// unanswered regeneration short, so that error tests finish quickly.
func fastRetries(o *options) {
	o.retryWaitMin = time.Millisecond
	o.retryWaitMax = 20 * time.Millisecond
	o.settleTime = 300 * time.Millisecond
}

// withEnv makes the provider see exactly these environment variables.
func withEnv(env map[string]string) option {
	return func(o *options) {
		o.getenv = func(name string) string { return env[name] }
	}
}

// factories runs the provider in the test process. The environment is empty
// unless a test passes withEnv, so the developer's own variables never leak in.
func factories(opts ...option) map[string]func() (tfprotov6.ProviderServer, error) {
	all := append([]option{fastRetries, withEnv(nil)}, opts...)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"pilotstatus": providerserver.NewProtocol6WithError(newWithOptions("test", all...)()),
	}
}

// providerBlock configures the provider for the local API.
func providerBlock(baseURL, apiKey string) string {
	return hcl("base_url", baseURL, "api_key", apiKey, "max_retries", 2)
}

// skipUnlessAcc skips Terraform-driven tests unless TF_ACC is set, as resource.Test does.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run Terraform-driven tests")
	}
}

// keyIsCurrent checks that the key attribute in state is the number's current key
// at the local API, and that key_id and key_last4 agree with it.
func keyIsCurrent(api *fakeapi.API, address, numberID string) statecheck.StateCheck {
	return keyIsCurrentCheck{api: api, address: address, numberID: numberID}
}

type keyIsCurrentCheck struct {
	api               *fakeapi.API
	address, numberID string
}

func (c keyIsCurrentCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	res, err := findResource(req.State, c.address)
	if err != nil {
		resp.Error = err
		return
	}
	cur, ok := c.api.CurrentKey(c.numberID)
	if !ok {
		resp.Error = fmt.Errorf("the local API has no number %s", c.numberID)
		return
	}
	vals := res.AttributeValues
	switch {
	case vals["key"] != cur.Raw:
		resp.Error = fmt.Errorf("%s: key in state is not the API's current key of %s", c.address, c.numberID)
	case vals["key_id"] != cur.ID:
		resp.Error = fmt.Errorf("%s: key_id %v, the API's current key id is %s", c.address, vals["key_id"], cur.ID)
	case vals["key_last4"] != cur.Last4:
		resp.Error = fmt.Errorf("%s: key_last4 %v, want %s", c.address, vals["key_last4"], cur.Last4)
	}
}

// apiCalls checks how many calls of one endpoint reached the local API so far.
func apiCalls(api *fakeapi.API, endpoint string, want int) statecheck.StateCheck {
	return callsCheck{api: api, endpoint: endpoint, want: want}
}

type callsCheck struct {
	api      *fakeapi.API
	endpoint string
	want     int
}

func (c callsCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if got := c.api.Calls(c.endpoint); got != c.want {
		resp.Error = fmt.Errorf("%s reached the local API %d times, want %d", c.endpoint, got, c.want)
	}
}

func findResource(state *tfjson.State, address string) (*tfjson.StateResource, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("no state")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%s is not in state", address)
}

// keyPath is the key attribute, for CompareValue.
var keyPath = tfjsonpath.New("key")

// keyWorks asks the local API whether it still accepts a key: a dead key gets 401,
// a live number-scoped key 403 on the tenant endpoint.
func keyWorks(t *testing.T, baseURL, raw string) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+"/v1/numbers", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", raw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode != http.StatusUnauthorized
}
