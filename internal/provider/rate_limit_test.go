package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Against a strict rate limit (20 requests a second, a burst of 5, Retry-After on every 429) and
// with nothing configured, creating and then rotating the keys of 60 numbers succeeds: the provider
// learns the limit from the 429s instead of failing once max_retries is used up, and few requests
// are refused. The limiter is strict: a refused request counts against the limit too.
func TestAccRateLimit_adaptiveRotateAll(t *testing.T) {
	skipUnlessAcc(t)
	const n = 60
	numbers := make([]fakeapi.Number, n)
	ids := make([]string, n)
	for i := range numbers {
		ids[i] = fmt.Sprintf("wn_%02d", i+1)
		numbers[i] = fakeapi.Number{ID: ids[i], Number: fmt.Sprintf("55119%08d", i+1)}
	}
	api, url := newTestAPI(t, numbers...)
	api.SetStrictRateLimit(20, 5)
	config := func(rotation string) string {
		return providerWith("base_url", url, "api_key", api.TenantKey()).add(fmt.Sprintf(`
resource "pilotstatus_number_api_key" "k" {
  count              = %d
  whatsapp_number_id = format("wn_%%02d", count.index + 1)
  keepers            = { rotation = %q }
}
`, n, rotation)).String()
	}
	current := func() []statecheck.StateCheck {
		checks := make([]statecheck.StateCheck, 0, n)
		for i, id := range ids {
			checks = append(checks, keyIsCurrent(api, fmt.Sprintf("pilotstatus_number_api_key.k[%d]", i), id))
		}
		return checks
	}
	var afterCreate int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: config("1"), ConfigStateChecks: current()},
			{
				PreConfig:         func() { afterCreate = api.RateLimited() },
				Config:            config("2"),
				ConfigStateChecks: current(),
			},
		},
	})
	// Learning shows in how few requests the API refuses: without it, about two in three are.
	if limited, total := api.RateLimited(), api.TotalCalls(); 5*limited > total {
		t.Errorf("the API refused %d of %d requests: the provider did not slow down to its limit", limited, total)
	}
	if afterCreate == 0 || api.RateLimited() == afterCreate {
		t.Errorf("429s during the create: %d, during the rotation: %d; want both throttled, or the test proves nothing",
			afterCreate, api.RateLimited()-afterCreate)
	}
}
