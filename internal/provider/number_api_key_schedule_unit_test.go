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
	s := nextRotation(version, types.StringValue("30d"))
	if s.value.ValueString() != "2026-07-28T10:00:00.123Z" {
		t.Errorf("next_rotation_at = %s, want 30 days after the key was made", s.value)
	}
	if s.due(made.Add(30*24*time.Hour - time.Millisecond)) {
		t.Error("due a millisecond before next_rotation_at")
	}
	if !s.due(made.Add(30*24*time.Hour)) || !s.due(made.Add(31*24*time.Hour)) {
		t.Error("not due at or after next_rotation_at")
	}
	if v := nextRotation(version, types.StringNull()); !v.value.IsNull() || v.due(made.Add(1e6*time.Hour)) {
		t.Error("a schedule without rotation_period")
	}
	if v := nextRotation(version, types.StringUnknown()); !v.value.IsUnknown() || v.due(made.Add(1e6*time.Hour)) {
		t.Error("an unknown rotation_period must give an unknown next_rotation_at that is never due")
	}
	if v := nextRotation(types.Int64Unknown(), types.StringValue("1d")); !v.value.IsUnknown() {
		t.Error("an unknown key_version must give an unknown next_rotation_at")
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
	s := numberAPIKeySchema()
	obj := objectValue(t, map[string]tftypes.Value{
		"id": str("wn_1"), "whatsapp_number_id": str("wn_1"),
		"key": str(secretKey), "key_id": str("k_1"), "key_prefix": str("ps_"), "key_last4": str("abcd"),
		"created_at":      str(formatTime(made)),
		"key_version":     tftypes.NewValue(tftypes.Number, made.UnixMilli()),
		"rotation_period": str(period),
		"keepers":         tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
		"on_destroy":      str("keep"), "on_external_rotation": str("regenerate"),
	})
	client := stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true}}}
	r := &numberAPIKeyResource{data: newProviderData(client, credential{})}
	r.data.now = func() time.Time { return now }
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: obj},
		Plan:   tfsdk.Plan{Schema: s, Raw: obj},
		State:  tfsdk.State{Schema: s, Raw: obj},
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected error: %s", diagText(resp.Diagnostics))
	}
	return resp
}

// A due schedule makes the plan a replacement that says the rotation is scheduled
// and which key dies; before that, the plan only carries next_rotation_at.
func TestModifyPlanScheduledRotation(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	resp := planUpdate(t, made.Add(90*24*time.Hour), made, "90d")
	if len(resp.RequiresReplace) != 1 || !resp.RequiresReplace[0].Equal(path.Root("key_id")) {
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
		r := &numberAPIKeyResource{data: newProviderData(stubClient{}, credential{})}
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
