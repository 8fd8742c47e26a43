package provider

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// key_fingerprint is "sha256:" and the hex SHA-256 of the raw key: the FIPS 180-2 test vector
// of "abc", and the same form as `printf %s "$KEY" | sha256sum`.
func TestKeyFingerprint(t *testing.T) {
	t.Parallel()
	if got, want := keyFingerprint("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("keyFingerprint(abc) = %s, want %s", got, want)
	}
	for _, raw := range []string{secretKey, "ps_a", ""} {
		fp := keyFingerprint(raw)
		if !fingerprintPattern.MatchString(fp) {
			t.Errorf("fingerprint %q does not have the documented form", fp)
		}
		if raw != "" && strings.Contains(fp, raw) {
			t.Errorf("the fingerprint of %q contains the key", raw)
		}
	}
	if keyFingerprint(secretKey) == keyFingerprint(secretKey+"x") {
		t.Error("two keys have the same fingerprint")
	}
}

// isStateKey compares what state holds: the key id when the key is stored, the fingerprint
// without it, and for a legacy key without either only that it is still the same legacy key.
func TestIsStateKey(t *testing.T) {
	t.Parallel()
	const other = "ps_OTHERotherOTHERother0123456789wxyz"
	listed := pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true}
	rotated := pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_2", KeyLast4: "wxyz", Key: other, Revealable: true}
	legacy := pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_9", KeyLast4: "abcd", Revealable: false}
	stored := numberAPIKeyModel{KeyID: types.StringValue("k_1"), KeyFingerprint: types.StringValue(keyFingerprint(secretKey)),
		KeyLast4: types.StringValue("abcd")}
	outOfState := numberAPIKeyModel{KeyID: types.StringNull(), KeyFingerprint: types.StringValue(keyFingerprint(secretKey)),
		KeyLast4: types.StringValue("abcd")}
	legacyOutOfState := numberAPIKeyModel{KeyID: types.StringNull(), KeyFingerprint: types.StringNull(), KeyLast4: types.StringValue("abcd")}
	cases := []struct {
		name    string
		state   numberAPIKeyModel
		current pilotstatus.NumberKey
		want    bool
	}{
		{"stored, same id", stored, listed, true},
		{"stored, other id", stored, rotated, false},
		{"stored, same id, key no longer listed", stored, pilotstatus.NumberKey{KeyID: "k_1", KeyLast4: "abcd", Revealable: true}, true},
		{"out of state, same key", outOfState, listed, true},
		{"out of state, other key", outOfState, rotated, false},
		{"out of state, other key with the same last four", outOfState, pilotstatus.NumberKey{KeyID: "k_3", KeyLast4: "abcd", Key: "ps_x" + "abcd", Revealable: true}, false},
		{"out of state, now a legacy key", outOfState, legacy, false},
		{"legacy out of state, same legacy key", legacyOutOfState, legacy, true},
		{"legacy out of state, regenerated", legacyOutOfState, rotated, false},
		{"legacy out of state, regenerated with the same last four", legacyOutOfState, listed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := isStateKey(tc.state, tc.current); got != tc.want {
				t.Errorf("isStateKey = %t, want %t", got, tc.want)
			}
		})
	}
	// A key marked revealable without its value cannot be compared by fingerprint alone.
	incomplete := pilotstatus.NumberKey{KeyID: "k_1", KeyLast4: "abcd", Revealable: true}
	if listTellsKey(outOfState, incomplete) || !listTellsKey(stored, incomplete) || !listTellsKey(outOfState, legacy) {
		t.Error("listTellsKey does not refuse only a revealable key without its value and no key id in state")
	}
}

// openTied opens the ephemeral resource for wn_1 with key_fingerprint set to fp (unknown when
// fp is nil).
func openTied(t *testing.T, e *numberAPIKeyEphemeralResource, fp *string) (*ephemeral.OpenResponse, numberAPIKeyEphemeralModel) {
	t.Helper()
	ctx := context.Background()
	s := numberAPIKeyEphemeralSchema()
	typ, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the schema type is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["whatsapp_number_id"] = tftypes.NewValue(tftypes.String, "wn_1")
	vals["key_fingerprint"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	if fp != nil {
		vals["key_fingerprint"] = tftypes.NewValue(tftypes.String, *fp)
	}
	config := tftypes.NewValue(typ, vals)
	resp := &ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: s, Raw: config.Copy()}}
	e.Open(ctx, ephemeral.OpenRequest{Config: tfsdk.Config{Schema: s, Raw: config}}, resp)
	var m numberAPIKeyEphemeralModel
	if !resp.Diagnostics.HasError() {
		if diags := resp.Result.Get(ctx, &m); diags.HasError() {
			t.Fatalf("reading the result: %s", diagText(diags))
		}
	}
	return resp, m
}

// Tied by key_fingerprint, the ephemeral resource opens the managed key only: another current
// key is an error naming the number and the key's last four characters, never the key or its id;
// an unknown fingerprint (the managed key is being regenerated) defers the opening.
func TestEphemeralOpenTiedToFingerprint(t *testing.T) {
	t.Parallel()
	client := &stubClient{keys: ephemeralListedKeys}
	e := &numberAPIKeyEphemeralResource{data: newProviderData(client, credential{})}

	same := keyFingerprint(secretKey)
	resp, m := openTied(t, e, &same)
	if resp.Diagnostics.HasError() || m.Key.ValueString() != secretKey || m.KeyFingerprint.ValueString() != same {
		t.Fatalf("the tied opening of the expected key failed or returned another: %s", diagText(resp.Diagnostics))
	}

	died := keyFingerprint("ps_DEADdeadDEADdead0123456789dead")
	resp, _ = openTied(t, e, &died)
	text := diagText(resp.Diagnostics)
	for _, want := range []string{summaryOpenOtherKey, `"wn_1"`, `ending in "abcd"`, "not the key that key_fingerprint names", "No key was opened"} {
		if !strings.Contains(text, want) {
			t.Errorf("the error lacks %q:\n%s", want, text)
		}
	}
	secrettest.Check(t, "the error", text, secrettest.Named("a key or key id", secretKey, "k_1"))

	lists := client.lists.Load()
	resp, m = openTied(t, e, nil)
	if resp.Diagnostics.HasError() || !m.Key.IsUnknown() || !m.KeyFingerprint.IsUnknown() {
		t.Errorf("an unknown key_fingerprint did not defer the opening: %s", diagText(resp.Diagnostics))
	}
	if client.lists.Load() != lists || client.regenerates.Load() != 0 {
		t.Error("a deferred opening called the API")
	}
}

// planStoreKey runs ModifyPlan for a key in state (by the attributes given) planned with
// store_key = store and no other change.
func planStoreKey(t *testing.T, stateAttrs map[string]tftypes.Value, store bool, listed pilotstatus.NumberKey) *resource.ModifyPlanResponse {
	t.Helper()
	base := map[string]tftypes.Value{
		"id": str("wn_1"), "whatsapp_number_id": str("wn_1"),
		"key_version": tftypes.NewValue(tftypes.Number, 1_780_000_000_000),
		"keepers":     tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
		"on_destroy":  str("keep"), "on_external_rotation": str("regenerate"),
	}
	state := maps.Clone(base)
	maps.Copy(state, stateAttrs)
	planned := maps.Clone(state)
	planned["store_key"] = tftypes.NewValue(tftypes.Bool, store)
	r := &numberAPIKeyResource{data: newProviderData(&stubClient{keys: []pilotstatus.NumberKey{listed}}, credential{})}
	return planChecked(t, r, objectValue(t, planned), objectValue(t, state))
}

// store_key decides the planned credentials of a key that stays: false plans them out of state,
// true with none in state plans them known after apply (taken from the list), true with both in
// state keeps them; none of it is a replacement. A legacy key kept out of state warns that it
// cannot be handed on and names the fix.
func TestModifyPlanStoreKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	listed := pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true}
	stored := map[string]tftypes.Value{"key": str(secretKey), "key_id": str("k_1"), "key_last4": str("abcd"),
		"key_fingerprint": str(keyFingerprint(secretKey)), "store_key": tftypes.NewValue(tftypes.Bool, true)}
	outOfState := map[string]tftypes.Value{"key_last4": str("abcd"), "key_fingerprint": str(keyFingerprint(secretKey)),
		"store_key": tftypes.NewValue(tftypes.Bool, false)}
	legacy := map[string]tftypes.Value{"key_last4": str("wxyz"), "store_key": tftypes.NewValue(tftypes.Bool, false)}
	cases := []struct {
		name        string
		state       map[string]tftypes.Value
		store       bool
		wantKnown   bool // key and key_id known (else unknown) when not null
		wantNull    bool
		wantWarning string
	}{
		{name: "true to false", state: stored, store: false, wantNull: true},
		{name: "false stays false", state: outOfState, store: false, wantNull: true},
		{name: "false to true", state: outOfState, store: true},
		{name: "true stays true", state: stored, store: true, wantKnown: true},
		{name: "legacy out of state", state: legacy, store: false, wantNull: true, wantWarning: "Key Cannot Be Handed On"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := planStoreKey(t, tc.state, tc.store, listed)
			if len(resp.RequiresReplace) != 0 {
				t.Fatalf("a store_key change is a replacement: %v", resp.RequiresReplace)
			}
			for _, name := range credentialAttributes {
				var v types.String
				resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root(name), &v)...)
				switch {
				case tc.wantNull && !v.IsNull():
					t.Errorf("%s is planned %s, want null", name, v)
				case !tc.wantNull && tc.wantKnown && !isKnown(v):
					t.Errorf("%s is planned %s, want the value in state", name, v)
				case !tc.wantNull && !tc.wantKnown && !v.IsUnknown():
					t.Errorf("%s is planned %s, want unknown", name, v)
				}
			}
			text := diagText(resp.Diagnostics)
			if tc.wantWarning == "" {
				if text != "" {
					t.Errorf("unexpected diagnostics:\n%s", text)
				}
				return
			}
			for _, want := range []string{tc.wantWarning, `"wn_1"`, `ending in "wxyz"`, "-replace=", "-target="} {
				if !strings.Contains(text, want) {
					t.Errorf("the warning lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
