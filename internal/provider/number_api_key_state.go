package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithUpgradeState = (*numberAPIKeyResource)(nil)

// numberAPIKeySchemaVersion is the version of the state this provider writes. Version 0 is every
// state written before versioning, by providers that added attributes over time (store_key,
// key_fingerprint, key_version, rotation_anchor, ...) and filled in the missing ones on every read;
// version 1 is complete, so reads no longer patch it. A provider that knows only version 0 cannot
// read a state of version 1.
const numberAPIKeySchemaVersion = 1

// UpgradeState upgrades a state of version 0 to version 1 once: the attributes a state written
// by an earlier provider lacks get what they meant then (upgradedFromV0).
func (r *numberAPIKeyResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	prior := numberAPIKeySchema()
	prior.Version = 0
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &prior,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var m numberAPIKeyModel
				resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
				if resp.Diagnostics.HasError() {
					return
				}
				upgradedFromV0(&m, r.clock())
				resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
			},
		},
	}
}

// clock is the provider's clock when configured, else the machine's: Terraform may upgrade a
// state before it configures the provider.
func (r *numberAPIKeyResource) clock() time.Time {
	if r.data != nil {
		return r.data.now()
	}
	return time.Now()
}

// upgradedFromV0 fills in what a state of version 0 lacks: store_key (a state from before it kept
// the key), the schema's defaults, key_version (from created_at, else now), the anchor of a schedule
// from before anchors (the key it was counting from), the fingerprint of a stored key (from before
// key_fingerprint), the id, and next_rotation_at, which follows from them.
func upgradedFromV0(m *numberAPIKeyModel, now time.Time) {
	if m.StoreKey.IsNull() {
		m.StoreKey = types.BoolValue(true)
	}
	m.ID = types.StringValue(m.WhatsAppNumberID.ValueString())
	withImportDefaults(m)
	if m.KeyVersion.IsNull() {
		m.KeyVersion = keyVersionFromCreatedAt(m.CreatedAt, now)
	}
	if m.RotationAnchor.IsNull() && !m.RotationPeriod.IsNull() {
		m.RotationAnchor = anchorAt(m.KeyVersion)
	}
	if m.KeyFingerprint.IsNull() && isKnown(m.Key) && m.Key.ValueString() != "" {
		m.KeyFingerprint = types.StringValue(keyFingerprint(m.Key.ValueString()))
	}
	m.NextRotationAt = m.schedule().value
}

// withImportDefaults gives m the schema's defaults where it has none: what an import, which sets
// only the number, and a state of version 0 both lack.
func withImportDefaults(m *numberAPIKeyModel) {
	if m.Keepers.IsNull() {
		m.Keepers = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	if m.OnDestroy.IsNull() {
		m.OnDestroy = types.StringValue(onDestroyKeep)
	}
	if m.OnExternalRotation.IsNull() {
		m.OnExternalRotation = types.StringValue(onExternalRotationRegenerate)
	}
}
