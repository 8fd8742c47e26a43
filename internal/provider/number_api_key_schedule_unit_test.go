package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestParseRotationPeriod(t *testing.T) {
	t.Parallel()
	valid := map[string]time.Duration{
		"90s":    90 * time.Second,
		"15m":    15 * time.Minute,
		"720h":   720 * time.Hour,
		"30d":    30 * 24 * time.Hour,
		"1d12h":  36 * time.Hour,
		"1h30m":  90 * time.Minute,
		"1.5h":   90 * time.Minute,
		"0.5d":   12 * time.Hour,
		"1s":     time.Second,
		"36500d": maxRotationPeriod,
	}
	for in, want := range valid {
		got, err := parseRotationPeriod(in)
		if err != nil || got != want {
			t.Errorf("parseRotationPeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "0s", "0d", "0.5s", "-1h", "+1h", "30", "d", "1w", "1y", "1ms", "1us", "30 d", "30D",
		"1e3h", "1h ", "1h-1m", "36501d", "99999999999999999999d"} {
		_, err := parseRotationPeriod(in)
		if err == nil {
			t.Errorf("parseRotationPeriod(%q) accepted an invalid period", in)
			continue
		}
		if !strings.Contains(err.Error(), `"90s", "720h", "30d"`) {
			t.Errorf("the error for %q does not show the accepted forms: %v", in, err)
		}
	}
}

func TestNextRotation(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 28, 10, 0, 0, 123_000_000, time.UTC)
	version := keyVersionAt(made)
	s := nextRotation(version, types.StringNull(), types.StringValue("30d"), types.StringNull())
	if s.value.ValueString() != "2026-07-28T10:00:00.123Z" {
		t.Errorf("next_rotation_at = %s, want 30 days after the key was made", s.value)
	}
	if s.due(made.Add(30*24*time.Hour - time.Millisecond)) {
		t.Error("due a millisecond before next_rotation_at")
	}
	if !s.due(made.Add(30*24*time.Hour)) || !s.due(made.Add(31*24*time.Hour)) {
		t.Error("not due at or after next_rotation_at")
	}
	if v := nextRotation(version, types.StringNull(), types.StringNull(), types.StringNull()); !v.value.IsNull() || v.due(made.Add(1e6*time.Hour)) {
		t.Error("a schedule without rotation_period")
	}
	if v := nextRotation(version, types.StringNull(), types.StringUnknown(), types.StringNull()); !v.value.IsUnknown() || v.due(made.Add(1e6*time.Hour)) {
		t.Error("an unknown rotation_period must give an unknown next_rotation_at that is never due")
	}
	if v := nextRotation(types.Int64Unknown(), types.StringNull(), types.StringValue("1d"), types.StringNull()); !v.value.IsUnknown() {
		t.Error("an unknown key_version must give an unknown next_rotation_at")
	}
}

// Due times are the anchor plus whole periods, before or after it; a key is due at the
// first one more than the window after it was made.
func TestNextDue(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	anchor := time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		name           string
		made           time.Time
		period, window time.Duration
		want           time.Time
	}{
		{"made at the anchor", anchor, 7 * day, 0, anchor.Add(7 * day)},
		{"made mid-cycle", anchor.Add(3 * day), 7 * day, 0, anchor.Add(7 * day)},
		{"made a nanosecond before a due time", anchor.Add(7*day - 1), 7 * day, 0, anchor.Add(7 * day)},
		{"made at a due time", anchor.Add(14 * day), 7 * day, 0, anchor.Add(21 * day)},
		{"made late, after a due time", anchor.Add(14*day + 5*time.Hour), 7 * day, 0, anchor.Add(21 * day)},
		{"made before a future anchor", anchor.Add(-10 * day), 7 * day, 0, anchor.Add(-7 * day)},
		{"made within the window before a due time", anchor.Add(6*day + time.Hour), 7 * day, day, anchor.Add(14 * day)},
		{"made at the start of the window", anchor.Add(6 * day), 7 * day, day, anchor.Add(14 * day)},
		{"made just before the window", anchor.Add(6*day - 1), 7 * day, day, anchor.Add(7 * day)},
		{"an anchor centuries away", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), day, 0, time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		a := anchor
		if tc.name == "an anchor centuries away" {
			a = time.Date(1, 1, 1, 3, 0, 0, 0, time.UTC)
		}
		if got := nextDue(a, tc.period, tc.window, tc.made); !got.Equal(tc.want) {
			t.Errorf("%s: next due %s, want %s", tc.name, got, tc.want)
		}
	}
}

// cronCycles runs plans at 06:00 every day for days days on a schedule anchored at the
// first key (made at 09:17 on day 0), rotating when a plan finds the key due, as the
// resource does, and returns when each rotation happened and the next_rotation_at after it.
func cronCycles(t *testing.T, period, window string, days int) (rotations, nexts []time.Time, anchor time.Time) {
	t.Helper()
	anchor = time.Date(2026, 1, 1, 9, 17, 0, 0, time.UTC)
	a := types.StringValue(formatTime(anchor))
	w := types.StringNull()
	if window != "" {
		w = types.StringValue(window)
	}
	version := keyVersionAt(anchor)
	for d := 1; d <= days; d++ {
		now := time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		if s := nextRotation(version, a, types.StringValue(period), w); s.due(now) {
			// The apply after the plan makes the key a few seconds later.
			version = keyVersionAt(now.Add(3 * time.Second))
			rotations = append(rotations, now)
			nexts = append(nexts, nextRotation(version, a, types.StringValue(period), w).at)
		}
	}
	return rotations, nexts, anchor
}

// Twelve cycles of a daily cron, a 30-day period and a 1-day window: every rotation
// happens within [due - window, due] of its own due time anchor + k×30d, once per due
// time, and next_rotation_at is always the next due time: nothing drifts.
func TestScheduleDailyCronTwelveCycles(t *testing.T) {
	t.Parallel()
	const period = 30 * 24 * time.Hour
	rotations, nexts, anchor := cronCycles(t, "30d", "1d", 12*30)
	if len(rotations) != 12 {
		t.Fatalf("%d rotations in 360 days, want 12: %v", len(rotations), rotations)
	}
	for i, at := range rotations {
		due := anchor.Add(time.Duration(i+1) * period)
		if at.Before(due.Add(-24*time.Hour)) || at.After(due) {
			t.Errorf("rotation %d at %s, outside [%s, %s]", i+1, at, due.Add(-24*time.Hour), due)
		}
		if want := anchor.Add(time.Duration(i+2) * period); !nexts[i].Equal(want) {
			t.Errorf("after rotation %d next_rotation_at is %s, want %s: the due times moved", i+1, nexts[i], want)
		}
	}
	// Without the window the same cron rotates at the first plan after each due time,
	// less than a day late, and the due times still do not move.
	rotations, nexts, _ = cronCycles(t, "30d", "", 12*30+1)
	if len(rotations) != 12 {
		t.Fatalf("without a window: %d rotations in 361 days, want 12", len(rotations))
	}
	for i, at := range rotations {
		due := anchor.Add(time.Duration(i+1) * period)
		if at.Before(due) || !at.Before(due.Add(24*time.Hour)) {
			t.Errorf("without a window: rotation %d at %s, outside [%s, %s)", i+1, at, due, due.Add(24*time.Hour))
		}
		if want := anchor.Add(time.Duration(i+2) * period); !nexts[i].Equal(want) {
			t.Errorf("without a window: after rotation %d next_rotation_at is %s, want %s", i+1, nexts[i], want)
		}
	}
}

func TestKeyVersion(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	if got := keyVersionFromCreatedAt(types.StringValue("2026-06-28T13:00:00.123Z"), now).ValueInt64(); got != 1782651600123 {
		t.Errorf("key_version from created_at = %d", got)
	}
	for _, c := range []types.String{types.StringNull(), types.StringValue("yesterday")} {
		if got := keyVersionFromCreatedAt(c, now).ValueInt64(); got != now.UnixMilli() {
			t.Errorf("key_version without a readable created_at (%s) = %d, want the clock's time", c, got)
		}
	}
	// An adopted key never gets a lower version than the key it replaced, even when
	// the local clock is behind the API's.
	ahead := types.Int64Value(now.Add(time.Hour).UnixMilli())
	if got := laterKeyVersion(ahead, now).ValueInt64(); got != ahead.ValueInt64()+1 {
		t.Errorf("laterKeyVersion behind the previous version = %d, want %d", got, ahead.ValueInt64()+1)
	}
	if got := laterKeyVersion(types.Int64Value(1), now).ValueInt64(); got != now.UnixMilli() {
		t.Errorf("laterKeyVersion = %d, want the clock's time", got)
	}
}

// planUpdate runs ModifyPlan for a key in state made at made with a rotation period, at now.
func planUpdate(t *testing.T, now, made time.Time, period string) *resource.ModifyPlanResponse {
	t.Helper()
	obj := objectValue(t, map[string]tftypes.Value{
		"id": str("wn_1"), "whatsapp_number_id": str("wn_1"),
		"key": str(secretKey), "key_id": str("k_1"), "key_prefix": str("ps_"), "key_last4": str("abcd"),
		"created_at":      str(formatTime(made)),
		"key_version":     tftypes.NewValue(tftypes.Number, made.UnixMilli()),
		"rotation_period": str(period),
		"keepers":         tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
		"on_destroy":      str("keep"), "on_external_rotation": str("regenerate"),
		"store_key": tftypes.NewValue(tftypes.Bool, true),
	})
	client := &stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true}}}
	r := &numberAPIKeyResource{data: newProviderData(client, credential{})}
	r.data.now = func() time.Time { return now }
	return planChecked(t, r, obj, obj)
}

// A due schedule makes the plan a replacement that says the rotation is scheduled
// and which key dies; before that, the plan only carries next_rotation_at.
func TestModifyPlanScheduledRotation(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	resp := planUpdate(t, made.Add(90*24*time.Hour), made, "90d")
	if len(resp.RequiresReplace) != 1 || !resp.RequiresReplace[0].Equal(path.Root("key_version")) {
		t.Fatalf("a due rotation is not a replacement: RequiresReplace = %v", resp.RequiresReplace)
	}
	var next types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(context.Background(), path.Root("next_rotation_at"), &next)...)
	if !next.IsUnknown() {
		t.Errorf("next_rotation_at of a rotation is %s, want unknown", next)
	}
	text := diagText(resp.Diagnostics)
	for _, frag := range []string{"Scheduled Key Rotation", `"wn_1"`, "2026-08-30T00:00:00Z", `"90d"`, "API Key Will Be Regenerated", `ending in "abcd"`} {
		if !strings.Contains(text, frag) {
			t.Errorf("the plan does not say %q:\n%s", frag, text)
		}
	}
	if strings.Contains(text, secretKey) {
		t.Errorf("a warning shows the key:\n%s", text)
	}

	resp = planUpdate(t, made.Add(90*24*time.Hour-time.Second), made, "90d")
	if len(resp.RequiresReplace) != 0 || resp.Diagnostics.WarningsCount() != 0 {
		t.Fatalf("a rotation not yet due changed the plan: %v %s", resp.RequiresReplace, diagText(resp.Diagnostics))
	}
	resp.Diagnostics.Append(resp.Plan.GetAttribute(context.Background(), path.Root("next_rotation_at"), &next)...)
	if next.ValueString() != "2026-08-30T00:00:00Z" {
		t.Errorf("next_rotation_at = %s, want 90 days after the key was made", next)
	}
}

// A destroy plan says what on_destroy will do.
func TestModifyPlanWarnsOfDestroy(t *testing.T) {
	t.Parallel()
	s := numberAPIKeySchema()
	typ := s.Type().TerraformType(context.Background())
	for mode, want := range map[string]string{"keep": "Destroying Does Not Invalidate the Key", "invalidate": "Destroying Invalidates the Key"} {
		state := objectValue(t, map[string]tftypes.Value{
			"whatsapp_number_id": str("wn_1"), "key": str(secretKey), "key_last4": str("abcd"), "on_destroy": str(mode),
		})
		r := &numberAPIKeyResource{data: newProviderData(&stubClient{}, credential{})}
		req := resource.ModifyPlanRequest{
			Plan:  tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(typ, nil)},
			State: tfsdk.State{Schema: s, Raw: state},
		}
		resp := &resource.ModifyPlanResponse{Plan: req.Plan}
		r.ModifyPlan(context.Background(), req, resp)
		text := diagText(resp.Diagnostics)
		if resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(text, want) || !strings.Contains(text, `"wn_1"`) {
			t.Errorf("on_destroy = %s: want one warning %q naming the number, got:\n%s", mode, want, text)
		}
		if strings.Contains(text, secretKey) {
			t.Errorf("on_destroy = %s: the warning shows the key", mode)
		}
	}
}

// After a regeneration outside Terraform a destroy invalidates nothing, whatever on_destroy says:
// the warning never claims it does, and says the key in state is already dead.
func TestDestroyWarningAfterExternalRotation(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{onDestroyKeep, onDestroyInvalidate} {
		d := destroyWarning("wn_1", mode, "abcd", "wxyz")
		if d.Summary() != summaryDestroyKeeps || !strings.Contains(d.Detail(), "no longer works") ||
			!strings.Contains(d.Detail(), `now ends in "wxyz"`) {
			t.Errorf("on_destroy = %s: got %q: %s", mode, d.Summary(), d.Detail())
		}
	}
}
