package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// upgradeV0 sends a state of version 0, as JSON, through UpgradeResourceState and returns the
// upgraded attributes.
func upgradeV0(t *testing.T, v0 map[string]any) map[string]tftypes.Value {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if v := schemas.ResourceSchemas["pilotstatus_number_api_key"].Version; v != 1 {
		t.Fatalf("the resource's schema version is %d, want 1", v)
	}
	raw, err := json.Marshal(v0)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "pilotstatus_number_api_key", Version: 0, RawState: &tfprotov6.RawState{JSON: raw},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("UpgradeResourceState: %v %v", err, resp.Diagnostics)
	}
	typ := schemas.ResourceSchemas["pilotstatus_number_api_key"].ValueType()
	value, err := resp.UpgradedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]tftypes.Value{}
	if err := value.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

func stringAttr(t *testing.T, v tftypes.Value) string {
	t.Helper()
	var s *string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return "<null>"
	}
	return *s
}

// A state of version 0 from a provider before store_key, key_version, anchors and fingerprints
// is upgraded once to what it meant then: it kept the key, its version is its created_at, the
// schedule counts from that key, the fingerprint is the stored key's, the defaults of the schema
// are set, and next_rotation_at follows.
func TestUpgradeStateFromV0(t *testing.T) {
	t.Parallel()
	attrs := upgradeV0(t, map[string]any{
		"id": "wn_1", "whatsapp_number_id": "wn_1", "key": secretKey, "key_id": "k_1", "key_prefix": "ps_", "key_last4": "abcd",
		"created_at": "2026-06-01T00:00:00Z", "rotation_period": "30d",
	})
	want := map[string]string{
		"store_key": "true", "on_destroy": onDestroyKeep, "on_external_rotation": onExternalRotationRegenerate,
		"rotation_anchor": "2026-06-01T00:00:00Z", "next_rotation_at": "2026-07-01T00:00:00Z",
		"key_fingerprint": keyFingerprint(secretKey), "key": secretKey, "key_id": "k_1", "id": "wn_1",
	}
	for name, w := range want {
		var got string
		if name == "store_key" {
			var b *bool
			if err := attrs[name].As(&b); err != nil || b == nil {
				t.Fatalf("store_key: %v %v", b, err)
			}
			got = map[bool]string{true: "true", false: "false"}[*b]
		} else {
			got = stringAttr(t, attrs[name])
		}
		if got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
	var version *big.Float
	if err := attrs["key_version"].As(&version); err != nil || version == nil || version.Cmp(big.NewFloat(1780272000000)) != 0 {
		t.Errorf("key_version = %v (%v), want created_at in milliseconds, 1780272000000", version, err)
	}
	var keepers map[string]tftypes.Value
	if err := attrs["keepers"].As(&keepers); err != nil || keepers == nil || len(keepers) != 0 {
		t.Errorf("keepers = %v (%v), want {}", keepers, err)
	}
}

// What a state of version 0 already holds is kept as it is: store_key = false, a key kept out of
// state, keepers, an anchor and a fingerprint of its own.
func TestUpgradeStateFromV0Keeps(t *testing.T) {
	t.Parallel()
	attrs := upgradeV0(t, map[string]any{
		"id": "wn_1", "whatsapp_number_id": "wn_1", "key_last4": "abcd", "key_fingerprint": keyFingerprint(secretKey),
		"store_key": false, "keepers": map[string]string{"rotation": "7"}, "key_version": 1780272000000,
		"rotation_period": "30d", "rotation_anchor": "2026-01-05T00:00:00Z", "on_destroy": onDestroyInvalidate,
		"on_external_rotation": onExternalRotationAdopt,
	})
	for name, w := range map[string]string{
		"key": "<null>", "key_id": "<null>", "rotation_anchor": "2026-01-05T00:00:00Z", "next_rotation_at": "2026-06-04T00:00:00Z",
		"on_destroy": onDestroyInvalidate, "on_external_rotation": onExternalRotationAdopt, "key_fingerprint": keyFingerprint(secretKey),
	} {
		if got := stringAttr(t, attrs[name]); got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
	var keepers map[string]tftypes.Value
	if err := attrs["keepers"].As(&keepers); err != nil || stringAttr(t, keepers["rotation"]) != "7" {
		t.Errorf("keepers = %v (%v)", keepers, err)
	}
	var store *bool
	if err := attrs["store_key"].As(&store); err != nil || store == nil || *store {
		t.Errorf("store_key = %v (%v), want false", store, err)
	}
}
