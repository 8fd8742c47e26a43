package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// hostileKeyConfig is a pilotstatus_number_api_key per name in ids (resource name → number id),
// each with the same keepers (none when nil).
func hostileKeyConfig(baseURL, apiKey string, ids map[string]string, keepers map[string]string) string {
	c := localAPI(baseURL, apiKey)
	for _, name := range slices.Sorted(maps.Keys(ids)) {
		k := ""
		if keepers != nil {
			k = keepersArg(keepers)
		}
		c = c.key(name, ids[name], k)
	}
	return c.String()
}

// keepersExact checks the whole keepers map in state.
func keepersExact(address string, keepers map[string]string) statecheck.StateCheck {
	want := make(map[string]knownvalue.Check, len(keepers))
	for k, v := range keepers {
		want[k] = knownvalue.StringExact(v)
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("keepers"), knownvalue.MapExact(want))
}

// keyUnchanged checks that a number's key at the local API is still the one it had.
func keyUnchanged(api *fakeapi.API, numberID string, before fakeapi.Key) statecheck.StateCheck {
	return keyUnchangedCheck{api: api, numberID: numberID, before: before}
}

type keyUnchangedCheck struct {
	api      *fakeapi.API
	numberID string
	before   fakeapi.Key
}

func (c keyUnchangedCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if cur, ok := c.api.CurrentKey(c.numberID); !ok || cur.ID != c.before.ID {
		resp.Error = fmt.Errorf("the key of %s was regenerated, though no resource owns that number", c.numberID)
	}
}

func withEntry(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for mk, mv := range m {
		out[mk] = mv
	}
	out[k] = v
	return out
}

func withoutEntry(m map[string]string, k string) map[string]string {
	out := withEntry(m, k, "")
	delete(out, k)
	return out
}

// Keepers with an empty-string name, hundreds of entries, a 100 KB value, and names and values
// that look like HCL templates, JSON or control characters: create stores them as they are, the
// key is current, the next plan is empty, and changing, emptying or removing any one entry
// replaces the key.
func TestAccHostile_keepers(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	big := strings.Repeat("0123456789abcdef", 6400) // 100 KiB
	keepers := map[string]string{
		"":                        "x",
		"big":                     big,
		"🔑 \u202eRTL\u202c עברית": "é ☎ 👩‍💻",
		"${not.a.reference}":      "%{ if true }literal%{ endif }",
		`{"json":"name"}`:         `","injected":"`,
		"line\nbreak\tand\\slash": "\r\n\x01",
		"space inside":            " leading and trailing ",
		"empty value":             "",
	}
	for i := range 300 {
		keepers[fmt.Sprintf("k%03d", i)] = fmt.Sprintf("v%d", i)
	}
	ids := map[string]string{"test": "wn_1"}
	keys := statecheck.CompareValue(compare.ValuesDiffer())
	replaces := func(keepers map[string]string, calls int) resource.TestStep {
		return resource.TestStep{
			Config: hostileKeyConfig(url, tenant, ids, keepers),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue(addr, keyPath),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				keyIsCurrent(api, addr, "wn_1"),
				keepersExact(addr, keepers),
				keys.AddStateValue(addr, keyPath),
				apiCalls(api, regenerateCalls, calls),
			},
		}
	}
	changedBig := withEntry(keepers, "big", big[:len(big)-1]+"F")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:           hostileKeyConfig(url, tenant, ids, keepers),
				ConfigPlanChecks: planAction(plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					keepersExact(addr, keepers),
					keys.AddStateValue(addr, keyPath),
					apiCalls(api, regenerateCalls, 1),
				},
			},
			{
				Config: hostileKeyConfig(url, tenant, ids, keepers),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1)},
			},
			replaces(withEntry(keepers, "k150", "changed"), 2),
			replaces(withEntry(withEntry(keepers, "k150", "changed"), "", "y"), 3),
			replaces(withEntry(withEntry(keepers, "k150", "changed"), "", ""), 4),
			replaces(withoutEntry(withEntry(keepers, "k150", "changed"), ""), 5),
			replaces(withoutEntry(withEntry(changedBig, "k150", "changed"), ""), 6),
			{
				Config: hostileKeyConfig(url, tenant, ids, withoutEntry(withEntry(changedBig, "k150", "changed"), "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 6)},
			},
		},
	})
}

// hostileNumberIDs are ids the local API holds; each names a number of its own.
var hostileNumberIDs = map[string]string{
	"slash_unicode_space": "wn/é ?%",
	"query_fragment":      "a?b=c&d#frag",
	"escapes":             "%2F..%00%",
	"dots":                "..",
	"quotes_backslashes":  `wn "quoted" \back\slash`,
	"template":            "${var.not_interpolated}%{ if }",
	"emoji_rtl":           "📞 \u202eRTL\u202c עברית",
	"newline_inside":      "wn\nline",
	"long":                strings.Repeat("wn/é?#% ", 512) + "end",
}

// A whatsapp_number_id with "/", "?", "#", "%", spaces, quotes, template markers, line breaks
// and unicode regenerates exactly that number's key and no other; the next plan is empty; an
// import by that id finds the key; a rotation made outside Terraform is seen and repaired.
func TestAccHostile_numberIDs(t *testing.T) {
	numbers := slices.Clone(testNumbers)
	names := make([]string, 0, len(hostileNumberIDs))
	for name, id := range hostileNumberIDs {
		numbers = append(numbers, fakeapi.Number{ID: id, Number: "5511999990099", Name: name})
		names = append(names, name)
	}
	slices.Sort(names)
	api, url := newTestAPI(t, numbers...)
	tenant := api.TenantKey()
	seeded1, _ := api.CurrentKey("wn_1")
	seeded2, _ := api.CurrentKey("wn_2")
	config := hostileKeyConfig(url, tenant, hostileNumberIDs, nil)

	created := []statecheck.StateCheck{
		apiCalls(api, regenerateCalls, len(hostileNumberIDs)),
		keyUnchanged(api, "wn_1", seeded1),
		keyUnchanged(api, "wn_2", seeded2),
	}
	for _, name := range names {
		address := "pilotstatus_number_api_key." + name
		id := hostileNumberIDs[name]
		created = append(created,
			keyIsCurrent(api, address, id),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(id)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("whatsapp_number_id"), knownvalue.StringExact(id)),
		)
	}
	rotated := "pilotstatus_number_api_key.slash_unicode_space"
	steps := []resource.TestStep{
		{Config: config, ConfigStateChecks: created},
		{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	}
	for _, name := range []string{"slash_unicode_space", "query_fragment", "quotes_backslashes", "emoji_rtl"} {
		steps = append(steps, resource.TestStep{
			ResourceName:            "pilotstatus_number_api_key." + name,
			ImportState:             true,
			ImportStateId:           hostileNumberIDs[name],
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"keepers", "created_at", "key_version", "key", "key_id", "store_key"},
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			rotateOutOfBand(t, api, hostileNumberIDs["slash_unicode_space"])
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(rotated, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectResourceAction("pilotstatus_number_api_key.query_fragment", plancheck.ResourceActionNoop),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			keyIsCurrent(api, rotated, hostileNumberIDs["slash_unicode_space"]),
			apiCalls(api, regenerateCalls, len(hostileNumberIDs)+1),
			keyUnchanged(api, "wn_1", seeded1),
		},
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

// A hostile id the API does not know is a clear plan-time error that names it; an id with
// leading or trailing white space, or an empty one, is refused before any API call. Nothing is
// regenerated.
func TestAccHostile_numberIDErrors(t *testing.T) {
	skipUnlessAcc(t)
	cases := []struct {
		name string
		id   string
		want *regexp.Regexp
		// calls is how many regenerations reach the local API.
		calls int
	}{
		{
			name: "unknown", id: "missing/?#% é 📞",
			want: words("WhatsApp Number Not Found", `no WhatsApp number "missing/?#% é 📞"`, "nothing was regenerated"),
		},
		{
			name: "unknown with quotes", id: `miss"ing\`,
			want: words("WhatsApp Number Not Found", `no WhatsApp number "miss\"ing\\"`),
		},
		{name: "empty", id: "", want: words("Invalid")},
		{name: "blank", id: " \t ", want: words("Invalid WhatsApp Number ID", "empty")},
		{name: "leading space", id: " wn_1", want: words("Invalid WhatsApp Number ID", "leading or trailing white space")},
		{name: "trailing newline", id: "wn_1\n", want: words("Invalid WhatsApp Number ID", "leading or trailing white space")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !utf8.ValidString(tc.id) {
				t.Fatal("a Terraform string is always UTF-8")
			}
			api, url := newTestAPI(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      hostileKeyConfig(url, api.TenantKey(), map[string]string{"test": tc.id}, nil),
					ExpectError: tc.want,
				}},
			})
			if got := api.Calls(regenerateCalls); got != tc.calls {
				t.Errorf("%d regenerations reached the local API, want %d", got, tc.calls)
			}
			for _, n := range testNumbers {
				if _, ok := api.CurrentKey(n.ID); !ok {
					t.Errorf("number %s is gone", n.ID)
				}
			}
		})
	}
}

// A keeper whose value is null is refused at plan time, naming it, and nothing is regenerated: a
// plan may show null and "" alike, yet a change between them would regenerate the key.
func TestAccHostile_nullKeeper(t *testing.T) {
	skipUnlessAcc(t)
	api, url := newTestAPI(t)
	withKeepers := func(keepers string) string {
		return localAPI(url, api.TenantKey()).key("test", "wn_1", "keepers = "+keepers).String()
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: withKeepers(`{ a = "", b = "1" }`), ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1)}},
			{
				Config:      withKeepers(`{ a = null, b = "1" }`),
				ExpectError: words("Invalid Keepers Value", `keepers["a"] is null`, `Use "" for an empty value`),
			},
			{
				Config:            withKeepers(`{ a = "", b = "1" }`),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1), keyIsCurrent(api, addr, "wn_1")},
			},
		},
	})
}
