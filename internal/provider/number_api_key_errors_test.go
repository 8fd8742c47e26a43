package provider

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Every error class of a regeneration ends in a diagnostic with advice, and a
// regeneration whose answer may have been lost is repaired by the next apply. A
// credential or number the API refuses fails the plan, before anything is sent; an
// answer lost or spoiled after the work is recovered from the key list.
func TestAccNumberAPIKey_regenerateErrors(t *testing.T) {
	skipUnlessAcc(t)
	cases := []struct {
		name     string
		fault    *fakeapi.Fault // switched on before the apply
		apiKey   func(api *fakeapi.API) string
		numberID string
		extra    string // provider arguments
		want     *regexp.Regexp
		repairs  bool // the next apply, without the fault, stores a working key
		// recovers: the apply succeeds with one regeneration, its key taken from the list.
		recovers bool
	}{
		{
			name:   "401 wrong key",
			apiKey: func(*fakeapi.API) string { return "ps_not_the_tenant_key" },
			want: words("Unable to Read API Keys", `number "wn_1"`, "nothing was regenerated", "rejected the credentials (401)",
				"the key from the provider argument api_key.", "(HTTP 401)"),
		},
		{
			name:   "403 number-scoped key",
			apiKey: func(api *fakeapi.API) string { k, _ := api.CurrentKey("wn_2"); return k.Raw },
			want:   words("Unable to Read API Keys", "number-scoped key", "Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
		},
		{
			name:     "unknown number",
			numberID: "wn_missing",
			want:     words("WhatsApp Number Not Found", `"wn_missing"`, "nothing was regenerated", "Check whatsapp_number_id"),
		},
		{
			name:    "404 unknown number from the regeneration",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 404, Code: "NUMBER_NOT_FOUND", Message: "Number not found"},
			want:    words(`no WhatsApp number with id "wn_1"`, nothingRegenerated, "NUMBER_NOT_FOUND", "(HTTP 404)"),
			repairs: true,
		},
		{
			name:    "400 validation",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 400, Code: "VALIDATION_ERROR", Message: "Validation error"},
			want:    words("rejected the request as invalid (400)", `"wn_1"`, "VALIDATION_ERROR: Validation error (HTTP 400)"),
			repairs: true,
		},
		{
			name:    "429 after retries",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultRateLimit, Times: 3, RetryAfter: "0"},
			want:    words("429 Too Many Requests", "tried 3 times", "max_retries", nothingRegenerated, "(HTTP 429)"),
			repairs: true,
		},
		{
			// The key list, read after each of the API's 503s, shows the key unchanged: each is
			// retried at once, up to max_retries, and the error says nothing was regenerated.
			name:    "the API's 503 through every retry",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 503, Times: 3},
			want:    words("server error", `Nothing was regenerated: the key list shows the key of number "wn_1" unchanged`, "(HTTP 503)"),
			repairs: true,
		},
		{
			// A gateway's 502 may have been carried out: the list is watched before the second
			// request, and there is no third.
			name:    "gateway 502 twice",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultStatus, Status: 502, Times: 2},
			want:    words("server error", "tried once", lostAnswer, "next apply regenerates", "(HTTP 502)", "2 regeneration requests"),
			repairs: true,
		},
		{
			name:    "HTML error page",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultHTMLError, Times: 3},
			want:    words("server error", lostAnswer, "(HTTP 502)"),
			repairs: true,
		},
		{
			name:    "timeout",
			fault:   &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultDelay, Delay: 3 * time.Second, Times: 3},
			extra:   `request_timeout = "300ms"`,
			want:    words("did not complete (network failure or timeout)", "request_timeout", lostAnswer),
			repairs: true,
		},
		{
			name:     "answer lost after the work",
			fault:    &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultDropAfterWork, Times: 3},
			recovers: true,
		},
		{
			name:     "malformed JSON",
			fault:    &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultMalformedJSON},
			recovers: true,
		},
		{
			name:     "answer without key",
			fault:    &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultMissingKey},
			recovers: true,
		},
		{
			name:     "truncated body",
			fault:    &fakeapi.Fault{Endpoint: regenerateCalls, Kind: fakeapi.FaultTruncatedBody},
			recovers: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, url := newTestAPI(t)
			key := api.TenantKey()
			if tc.apiKey != nil {
				key = tc.apiKey(api)
			}
			numberID := tc.numberID
			if numberID == "" {
				numberID = "wn_1"
			}
			config := localAPI(url, key).providerLines(tc.extra).key("test", numberID).String()
			steps := []resource.TestStep{{
				PreConfig: func() {
					if tc.fault != nil {
						api.AddFault(*tc.fault)
					}
				},
				Config:      config,
				ExpectError: tc.want,
			}}
			if tc.recovers {
				steps[0].ExpectError = nil
				steps[0].ConfigStateChecks = []statecheck.StateCheck{keyIsCurrent(api, addr, numberID), apiCalls(api, regenerateCalls, 1)}
			}
			if tc.repairs {
				steps = append(steps, resource.TestStep{
					PreConfig:         api.ClearFaults,
					Config:            config,
					ConfigPlanChecks:  planAction(plancheck.ResourceActionCreate),
					ConfigStateChecks: []statecheck.StateCheck{keyIsCurrent(api, addr, numberID)},
				})
			}
			resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
		})
	}
}

// A failed list call during refresh is an error, never a removal from state.
func TestAccNumberAPIKey_refreshErrorKeepsState(t *testing.T) {
	api, url := newTestAPI(t)
	config := localAPI(url, api.TenantKey()).key("test", "wn_1").String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					api.AddFault(fakeapi.Fault{Endpoint: listCalls, Kind: fakeapi.FaultStatus, Status: 500, Times: 100})
				},
				Config:      config,
				ExpectError: words("Unable to Read API Keys", `number "wn_1"`, "state was left as it was", "server error", "(HTTP 500)"),
			},
			{
				PreConfig: api.ClearFaults,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 1),
				},
			},
		},
	})
}

// Configuration mistakes are reported at plan time, naming the argument and the
// environment variable.
func TestAccProvider_configurationErrors(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	cases := []struct {
		name     string
		provider tfConfig
		env      map[string]string
		want     *regexp.Regexp
	}{
		{
			name:     "no credentials",
			provider: providerWith("base_url", url),
			want:     words("Missing Pilot Status Credentials", "api_key", "PILOTSTATUS_API_KEY", "PILOT_STATUS_API_KEY", "PILOTSTATUS_API_KEY_ID"),
		},
		{
			name:     "both credentials configured",
			provider: providerWith("base_url", url, "api_key", "ps_a", "api_key_id", "k_a"),
			want:     words("api_key_id", "api_key"),
		},
		{
			name:     "both credentials in the environment",
			provider: providerWith("base_url", url),
			env:      map[string]string{envAPIKey: "ps_a", envAPIKeyID: "k_a"},
			want:     words("Conflicting Credentials", "PILOTSTATUS_API_KEY", "PILOTSTATUS_API_KEY_ID"),
		},
		{
			name:     "configured key that is not a Pilot Status key",
			provider: providerWith("base_url", url, "api_key", "not-a-key"),
			want:     words("Invalid Pilot Status Credential", "from the provider argument api_key", `does not start with "ps_"`),
		},
		{
			name:     "key id in PILOTSTATUS_API_KEY",
			provider: providerWith("base_url", url),
			env:      map[string]string{envAPIKey: fakeapi.DefaultTenantKeyID},
			want: words("Invalid Pilot Status Credential", "from the environment variable PILOTSTATUS_API_KEY is not usable",
				"belongs in the environment variable PILOTSTATUS_API_KEY_ID, with PILOTSTATUS_API_KEY unset"),
		},
		{
			name:     "key id in api_key",
			provider: providerWith("base_url", url, "api_key", fakeapi.DefaultTenantKeyID),
			want: words("Invalid Pilot Status Credential", "from the provider argument api_key is not usable",
				"belongs in the provider argument api_key_id, with api_key unset"),
		},
		{
			name:     "key id with a line break in PILOTSTATUS_API_KEY_ID",
			provider: providerWith("base_url", url),
			env:      map[string]string{envAPIKeyID: fakeapi.DefaultTenantKeyID + "\n"},
			want:     words("Invalid Pilot Status Credential", "PILOTSTATUS_API_KEY_ID", "Set PILOTSTATUS_API_KEY_ID again to the id"),
		},
		{
			name:     "key in the environment with a line break",
			provider: providerWith("base_url", url),
			env:      map[string]string{envAPIKeyAlt: "ps_abc\n"},
			want:     words("Invalid Pilot Status Credential", "from the environment variable PILOT_STATUS_API_KEY", "line breaks"),
		},
		{
			name:     "malformed base_url",
			provider: providerWith("base_url", "::not a url", "api_key", "ps_a"),
			want:     words("Invalid Base URL", "base_url"),
		},
		{
			name:     "plain http to a remote host",
			provider: providerWith("base_url", "http://pilotstatus.example.com", "api_key", "ps_a"),
			want:     words("Invalid Base URL", "base_url", "http", "loopback", "PILOTSTATUS_BASE_URL"),
		},
		{
			name:     "plain http to a remote host from the environment",
			provider: providerWith("api_key", "ps_a"),
			env:      map[string]string{envBaseURL: "http://pilotstatus.example.com"},
			want:     words("Invalid Base URL", "PILOTSTATUS_BASE_URL", "loopback"),
		},
		{
			name:     "max_retries out of range",
			provider: providerWith("api_key", "ps_a", "max_retries", 50),
			want:     words("max_retries", "between 0 and 20"),
		},
		{
			name:     "request_timeout not a duration",
			provider: providerWith("api_key", "ps_a", "request_timeout", "soon"),
			want:     words("Invalid Duration", `"soon" is not a positive duration`),
		},
		{
			name:     "max_requests_per_second zero",
			provider: providerWith("api_key", "ps_a", "max_requests_per_second", 0),
			want:     words("max_requests_per_second", "between 0.010000 and 1000.000000"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { planFails(t, tc.env, tc.provider.key("test", "wn_1").String(), tc.want) })
	}
	if got := api.TotalCalls(); got != 0 {
		t.Errorf("configuration errors let %d requests reach the API", got)
	}
}

// A credential the API refuses (401) is answered with advice that names the one place it came from:
// the provider argument or the environment variable to fix.
func TestAccProvider_rejectedCredentialNamesItsSource(t *testing.T) {
	skipUnlessAcc(t)
	_, url := newTestAPI(t)
	const wrongKey, wrongID = "ps_notTheTenantKey0000", "k_not_the_tenant_key"
	cases := []struct {
		source   string
		provider tfConfig
		env      map[string]string
		want     string
	}{
		{"api_key", providerWith("base_url", url, "api_key", wrongKey), nil, "the key from the provider argument api_key. "},
		{"api_key_id", providerWith("base_url", url, "api_key_id", wrongID), nil, "the key id from the provider argument api_key_id. "},
		{envAPIKey, providerWith("base_url", url), map[string]string{envAPIKey: wrongKey}, "the key from the environment variable PILOTSTATUS_API_KEY. "},
		{envAPIKeyAlt, providerWith("base_url", url), map[string]string{envAPIKeyAlt: wrongKey}, "the key from the environment variable PILOT_STATUS_API_KEY. "},
		{envAPIKeyID, providerWith("base_url", url), map[string]string{envAPIKeyID: wrongID}, "the key id from the environment variable PILOTSTATUS_API_KEY_ID. "},
	}
	for _, tc := range cases {
		t.Run(tc.source, func(t *testing.T) {
			planFails(t, tc.env, tc.provider.key("test", "wn_1").String(),
				words("Unable to Read API Keys", "rejected the credentials (401):", tc.want, "Set "+tc.source+" to", "(HTTP 401)"))
		})
	}
}

// planFails plans config, with env as the provider's environment, and expects an error matching want.
func planFails(t *testing.T, env map[string]string, config string, want *regexp.Regexp) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withEnv(env)),
		Steps:                    []resource.TestStep{{Config: config, ExpectError: want}},
	})
}

// Invalid number ids are refused before any API call.
func TestAccNumberAPIKey_invalidNumberID(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	for _, id := range []string{"", " wn_1", "wn_1\n", "   "} {
		t.Run(strings.TrimSpace(id)+"_"+string(rune('a'+len(id))), func(t *testing.T) { //nolint:gosec // G115: len(id) is at most 5
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      localAPI(url, api.TenantKey()).key("test", id).String(),
					ExpectError: regexp.MustCompile(`whatsapp_number_id|WhatsApp number id`),
				}},
			})
		})
	}
	if got := api.Calls(regenerateCalls); got != 0 {
		t.Errorf("invalid ids let %d regenerations reach the API", got)
	}
}

// Credentials from the environment (both variable names) and by key id work.
func TestAccProvider_credentialSources(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	cases := []struct {
		name     string
		provider tfConfig
		env      map[string]string
	}{
		{"PILOTSTATUS_API_KEY", providerWith(), map[string]string{envAPIKey: api.TenantKey(), envBaseURL: url}},
		{"PILOT_STATUS_API_KEY", providerWith(), map[string]string{envAPIKeyAlt: api.TenantKey(), envBaseURL: url}},
		{"PILOTSTATUS_API_KEY_ID", providerWith(), map[string]string{envAPIKeyID: api.TenantKeyID(), envBaseURL: url}},
		{"api_key_id", providerWith("api_key_id", api.TenantKeyID(), "base_url", url), nil},
		{"configured key wins over the environment", localAPI(url, api.TenantKey()), map[string]string{envAPIKey: "ps_stale"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(withEnv(tc.env)),
				Steps: []resource.TestStep{{
					Config:            tc.provider.key("test", "wn_1").String(),
					ConfigStateChecks: []statecheck.StateCheck{keyIsCurrent(api, addr, "wn_1")},
				}},
			})
		})
	}
}

// Every request carries the provider's User-Agent with its version.
func TestAccProvider_userAgent(t *testing.T) {
	api, url, agents := newUserAgentRecorder(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            localAPI(url, api.TenantKey()).key("test", "wn_1").String(),
			ConfigStateChecks: []statecheck.StateCheck{keyIsCurrent(api, addr, "wn_1")},
		}},
	})
	if got := agents(); len(got) != 1 || got["terraform-provider-pilotstatus/test"] == 0 {
		t.Errorf("User-Agents seen: %v, want only terraform-provider-pilotstatus/test", got)
	}
}
