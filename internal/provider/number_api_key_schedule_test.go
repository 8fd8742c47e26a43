package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// scheduleConsumers are two consumers of the key: one replaced whenever the key is,
// one on rotations only.
const scheduleConsumers = `resource "terraform_data" "consumer" {
  input = "uses the key"
  lifecycle {
    replace_triggered_by = [pilotstatus_number_api_key.test]
  }
}

resource "terraform_data" "on_rotation" {
  input = "uses the key"
  lifecycle {
    replace_triggered_by = [pilotstatus_number_api_key.test.key_version]
  }
}
`

// consumer names the whole key resource in replace_triggered_by, so it is replaced
// by every change of it, in place or not; onRotation names key_version, so it is
// replaced by rotations only.
const (
	consumer   = "terraform_data.consumer"
	onRotation = "terraform_data.on_rotation"
)

// expectRotation is the plan of a rotation: the key is replaced (-/+, never a bare
// create) and so is everything that names it in replace_triggered_by.
func expectRotation() []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
		plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key")),
		plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_version")),
		plancheck.ExpectResourceAction(consumer, plancheck.ResourceActionReplace),
		plancheck.ExpectResourceAction(onRotation, plancheck.ResourceActionReplace),
	}
}

// expectInPlace is the plan of a change that keeps the key.
func expectInPlace() []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction(consumer, plancheck.ResourceActionReplace),
		plancheck.ExpectResourceAction(onRotation, plancheck.ResourceActionNoop),
	}
}

func timeValue(t time.Time) knownvalue.Check { return knownvalue.StringExact(formatTime(t)) }

// scheduleOf checks that key_version and created_at are the API's creation time of
// the number's current key, and rotation_anchor and next_rotation_at the times given.
func scheduleOf(api *fakeapi.API, numberID string, anchor, next time.Time) statecheck.StateCheck {
	return scheduleCheck{api: api, numberID: numberID, anchor: anchor, next: next}
}

type scheduleCheck struct {
	api          *fakeapi.API
	numberID     string
	anchor, next time.Time
}

func (c scheduleCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	res, err := findResource(req.State, addr)
	if err != nil {
		resp.Error = err
		return
	}
	cur, _ := c.api.CurrentKey(c.numberID)
	vals := res.AttributeValues
	want := map[string]any{
		"created_at":       formatTime(cur.CreatedAt),
		"key_version":      fmt.Sprint(cur.CreatedAt.UnixMilli()),
		"rotation_anchor":  formatTime(c.anchor),
		"next_rotation_at": formatTime(c.next),
	}
	for name, w := range want {
		if got := fmt.Sprint(vals[name]); got != w {
			resp.Error = fmt.Errorf("%s: %s = %s, want %s", addr, name, got, w)
			return
		}
	}
}

// The built-in schedule: a plan at or after next_rotation_at replaces the key, and
// downstream replace_triggered_by fires; before that, nothing happens. Changing the
// period moves next_rotation_at without regenerating. Keepers and drift repair fire
// replace_triggered_by too.
func TestAccNumberAPIKey_rotationPeriod(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	clock := clocktest.New(start)
	api, url := newClockedAPI(t, clock)
	// The local API makes each key at least a millisecond after the one before: the
	// seeded key is from start, the first key Terraform makes from a millisecond later.
	first := start.Add(time.Millisecond)
	tenant := api.TenantKey()
	keys := statecheck.CompareValue(compare.ValuesDiffer())
	versions := statecheck.CompareValue(compareIncreasing{})
	var firstKey string
	// rotated: the key in state is a new, current key with a greater key_version,
	// and the API has seen n regenerations in all.
	rotated := func(n int, more ...statecheck.StateCheck) []statecheck.StateCheck {
		return append([]statecheck.StateCheck{
			keyIsCurrent(api, addr, "wn_1"),
			keys.AddStateValue(addr, keyPath),
			versions.AddStateValue(addr, tfjsonpath.New("key_version")),
			apiCalls(api, regenerateCalls, n),
		}, more...)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps: []resource.TestStep{
			{
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "30d"), rotation("1")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("next_rotation_at")),
					},
				},
				ConfigStateChecks: rotated(1, captureAttr(addr, "key", &firstKey), scheduleOf(api, "wn_1", first, first.Add(30*day))),
			},
			{
				// One second before the rotation is due: nothing to do.
				PreConfig: func() { clock.Set(createdAt(t, api, "wn_1").Add(30*24*time.Hour - time.Millisecond)) },
				Config:    localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "30d"), rotation("1")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1)},
			},
			{
				// Exactly at next_rotation_at: a replacement, and the consumer is replaced too.
				PreConfig: func() { clock.Advance(time.Millisecond) },
				Config:    localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "30d"), rotation("1")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(expectRotation(), plancheck.ExpectUnknownValue(addr, tfjsonpath.New("next_rotation_at"))),
				},
				ConfigStateChecks: rotated(2, scheduleOf(api, "wn_1", first, first.Add(60*day))),
			},
			{
				// A longer period moves next_rotation_at in place to the first due time of the
				// new period from the same anchor; the key stays.
				PreConfig: func() {
					if keyWorks(t, url, firstKey) {
						t.Error("the key before the scheduled rotation still works")
					}
				},
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "1000h"), rotation("1")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(expectInPlace(),
						// 1000 hours after the anchor, the first key (1 January, 09:00:00.001).
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("next_rotation_at"), knownvalue.StringExact("2026-02-12T01:00:00.001Z"))),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 2),
					scheduleOf(api, "wn_1", first, first.Add(1000*time.Hour)),
				},
			},
			{
				// Keepers rotate the key and fire replace_triggered_by; the schedule stays.
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "1000h"), rotation("2")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: expectRotation(),
				},
				ConfigStateChecks: rotated(3, scheduleOf(api, "wn_1", first, first.Add(1000*time.Hour))),
			},
			{
				// So does the repair of a key regenerated outside Terraform.
				PreConfig: func() {
					clock.Advance(time.Minute)
					rotateOutOfBand(t, api, "wn_1")
				},
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "1000h"), rotation("2")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: expectRotation(),
				},
				ConfigStateChecks: rotated(4, scheduleOf(api, "wn_1", first, first.Add(1000*time.Hour))),
			},
			{
				// Without a period there is no schedule, and no regeneration.
				PreConfig: func() { clock.Advance(5000 * time.Hour) },
				Config:    localAPI(url, tenant).key("test", "wn_1", rotation("2")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(expectInPlace(),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("next_rotation_at"), knownvalue.Null()),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_anchor"), knownvalue.Null())),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 4),
				},
			},
			{
				// A period that has already run out when it is set rotates the key at once; the
				// new key is the first of the schedule and anchors it.
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "90s"), rotation("2")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: expectRotation(),
				},
				ConfigStateChecks: rotated(5, scheduleOf(api, "wn_1", first.Add(30*day+time.Minute+5000*time.Hour), first.Add(30*day+time.Minute+5000*time.Hour+90*time.Second))),
			},
		},
	})
}

// scheduleRun starts a local API on a fake clock at start, and returns the clock, the
// API, when the first key Terraform makes will be made (the seeded key is from start,
// and the API makes each key at least a millisecond after the one before) and
// scheduleConfigWith attrs.
func scheduleRun(t *testing.T, start time.Time, attrs string) (*clocktest.Clock, *fakeapi.API, time.Time, string) {
	t.Helper()
	clock := clocktest.New(start)
	api, url := newClockedAPI(t, clock)
	return clock, api, start.Add(time.Millisecond), localAPI(url, api.TenantKey()).key("test", "wn_1", attrs, rotation("1")).add(scheduleConsumers).String()
}

// A daily plan on a 5-day period with a 1-day window, day by day over three cycles:
// each rotation is planned as a replacement by the first plan within the window
// before its due time (06:00 on the day the key is due at 09:17), never on another
// day, and next_rotation_at is always the anchor (the first key's created_at) plus
// whole periods: the due times do not move although every rotation is early.
func TestAccNumberAPIKey_anchoredScheduleDailyPlans(t *testing.T) {
	const day = 24 * time.Hour
	start := time.Date(2026, 1, 1, 9, 17, 0, 0, time.UTC)
	clock, api, first, config := scheduleRun(t, start, `rotation_period = "5d"
  early_rotation_window = "1d"`)
	steps := []resource.TestStep{{
		Config:            config,
		ConfigStateChecks: []statecheck.StateCheck{apiCalls(api, regenerateCalls, 1), scheduleOf(api, "wn_1", first, first.Add(5*day))},
	}}
	for d := 1; d <= 15; d++ {
		cron := time.Date(2026, 1, 1+d, 6, 0, 0, 0, time.UTC)
		step := resource.TestStep{
			PreConfig: func() { clock.Set(cron) },
			Config:    config,
		}
		cycle := d / 5 // rotations so far, after this day's plan
		if d%5 == 0 {
			step.ConfigPlanChecks.PreApply = expectRotation()
		} else {
			step.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
		}
		step.ConfigStateChecks = []statecheck.StateCheck{
			apiCalls(api, regenerateCalls, 1+cycle),
			scheduleOf(api, "wn_1", first, first.Add(time.Duration(cycle+1)*5*day)),
		}
		steps = append(steps, step)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps:                    steps,
	})
}

// A configured rotation_anchor sets the due times from the first key on; a key is
// due at the first of them after it was made. Changing the anchor moves
// next_rotation_at in place without regenerating; removing it keeps it in state.
func TestAccNumberAPIKey_rotationAnchor(t *testing.T) {
	const day = 24 * time.Hour
	clock := clocktest.New(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	api, url := newClockedAPI(t, clock)
	tenant := api.TenantKey()
	anchor := time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC)
	withAnchor := func(a time.Time) string {
		return localAPI(url, tenant).key("test", "wn_1", fmt.Sprintf("rotation_period = \"7d\"\n  rotation_anchor = %q", formatTime(a)), rotation("1")).add(scheduleConsumers).String()
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps: []resource.TestStep{
			{
				Config: withAnchor(anchor),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_anchor"), timeValue(anchor)),
					},
				},
				// The first due time after 1 January is the anchor itself, four days on.
				ConfigStateChecks: []statecheck.StateCheck{scheduleOf(api, "wn_1", anchor, anchor)},
			},
			{
				PreConfig: func() { clock.Set(anchor.Add(-time.Minute)) },
				Config:    withAnchor(anchor),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { clock.Set(anchor) },
				Config:    withAnchor(anchor),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: expectRotation(),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					apiCalls(api, regenerateCalls, 2),
					scheduleOf(api, "wn_1", anchor, anchor.Add(7*day)),
				},
			},
			{
				// A day later in the week: the key made at the old anchor is due then.
				Config: withAnchor(anchor.Add(day)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(expectInPlace(),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("next_rotation_at"), timeValue(anchor.Add(day)))),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					apiCalls(api, regenerateCalls, 2),
					scheduleOf(api, "wn_1", anchor.Add(day), anchor.Add(day)),
				},
			},
			{
				Config: localAPI(url, tenant).key("test", "wn_1", arg("rotation_period", "7d"), rotation("1")).add(scheduleConsumers).String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{scheduleOf(api, "wn_1", anchor.Add(day), anchor.Add(day))},
			},
		},
	})
}

// An adopted key keeps the schedule: the anchor stays, the adopted key counts as made
// at the adoption, and it is due at the next due time of the same anchor.
func TestAccNumberAPIKey_scheduleAfterAdoption(t *testing.T) {
	const day = 24 * time.Hour
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock, api, first, config := scheduleRun(t, start, `rotation_period = "10d"
  on_external_rotation = "adopt"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{scheduleOf(api, "wn_1", first, first.Add(10*day))},
			},
			{
				// Rotated outside Terraform on day 3, adopted by the refresh of this step.
				PreConfig: func() {
					clock.Set(start.Add(3 * day))
					rotateOutOfBand(t, api, "wn_1")
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 1),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_anchor"), timeValue(first)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_version"), knownvalue.Int64Exact(start.Add(3*day).UnixMilli())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("next_rotation_at"), timeValue(first.Add(10*day))),
				},
			},
			{
				PreConfig: func() { clock.Set(first.Add(10 * day)) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: expectRotation(),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					apiCalls(api, regenerateCalls, 2),
					scheduleOf(api, "wn_1", first, first.Add(20*day)),
				},
			},
		},
	})
}

// Anchors, windows and their combinations that cannot make a schedule are refused at
// plan time, before any API call.
func TestAccNumberAPIKey_scheduleInvalid(t *testing.T) {
	api, url := newTestAPI(t)
	tenant := api.TenantKey()
	cases := []struct {
		attrs string
		want  *regexp.Regexp
	}{
		{`rotation_period = "7d"
  rotation_anchor = "2026-01-05"`, words("Invalid Rotation Anchor", `"2026-01-05" is not a rotation anchor`, "RFC 3339")},
		{`rotation_period = "7d"
  rotation_anchor = "2026-01-05T03:00:00"`, words("Invalid Rotation Anchor", "offset")},
		{`rotation_period = "7d"
  rotation_anchor = "2026-13-01T00:00:00Z"`, words("Invalid Rotation Anchor")},
		{`rotation_period = "7d"
  rotation_anchor = "next monday"`, words("Invalid Rotation Anchor")},
		{`rotation_anchor = "2026-01-05T03:00:00Z"`, words(`"rotation_period" must be specified`)},
		{`rotation_period = "7d"
  early_rotation_window = "0s"`, words("Invalid Early Rotation Window", "at least one second")},
		{`rotation_period = "7d"
  early_rotation_window = "1w"`, words("Invalid Early Rotation Window", `"1w" is not an early rotation window`, `"30d"`)},
		{`rotation_period = "1d"
  early_rotation_window = "24h"`, words("Invalid Early Rotation Window", `"24h" is not shorter than rotation_period "1d"`)},
		{`early_rotation_window = "1d"`, words(`"rotation_period" must be specified`)},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      localAPI(url, tenant).key("test", "wn_1", tc.attrs, rotation("1")).add(scheduleConsumers).String(),
			PlanOnly:    true,
			ExpectError: tc.want,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    steps,
	})
	if got := api.TotalCalls(); got != 0 {
		t.Errorf("invalid schedules reached the API %d times, want 0", got)
	}
}

// Invalid periods are refused at plan time with the accepted forms.
func TestAccNumberAPIKey_rotationPeriodInvalid(t *testing.T) {
	api, url := newTestAPI(t)
	var steps []resource.TestStep
	for _, period := range []string{"", "0s", "0d", "-1h", "30", "1w", "1ms", "d", "30 d", "1e3h", "1000000d"} {
		steps = append(steps, resource.TestStep{
			Config:      localAPI(url, api.TenantKey()).key("test", "wn_1", arg("rotation_period", period), rotation("1")).add(scheduleConsumers).String(),
			PlanOnly:    true,
			ExpectError: words("Invalid Rotation Period", `such as "90s", "720h", "30d"`),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    steps,
	})
	if got := api.TotalCalls(); got != 0 {
		t.Errorf("invalid periods reached the API %d times, want 0", got)
	}
}

// After an import the API does not say when the key was made, so the schedule
// counts from the import; the import itself regenerates nothing.
func TestAccNumberAPIKey_rotationPeriodAfterImport(t *testing.T) {
	importedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := clocktest.New(importedAt)
	api, url := newClockedAPI(t, clock)
	config := localAPI(url, api.TenantKey()).key("test", "wn_1", `rotation_period = "10d"`).
		add(block("import", "to = pilotstatus_number_api_key.test", `id = "wn_1"`)).String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(withClock(clock.Now)),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 0),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_version"), knownvalue.Int64Exact(importedAt.UnixMilli())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("next_rotation_at"), timeValue(importedAt.Add(10*24*time.Hour))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_anchor"), timeValue(importedAt)),
				},
			},
			{
				PreConfig: func() { clock.Advance(10*24*time.Hour - time.Minute) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig:        func() { clock.Advance(time.Minute) },
				Config:           config,
				ConfigPlanChecks: planAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					keyIsCurrent(api, addr, "wn_1"),
					apiCalls(api, regenerateCalls, 1),
					scheduleOf(api, "wn_1", importedAt, importedAt.Add(20*24*time.Hour)),
				},
			},
		},
	})
}
