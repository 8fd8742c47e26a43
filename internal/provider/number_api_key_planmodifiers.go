package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ planmodifier.Map = keepersPlanModifier{}

// keepersPlanModifier replaces the resource when keepers change, with two
// exceptions: null and {} are the same value, and the first keepers recorded
// after an import are stored in place, so importing never regenerates a key.
type keepersPlanModifier struct{}

func (keepersPlanModifier) Description(_ context.Context) string {
	return "Changing keepers regenerates the key; null and {} are equal."
}

func (m keepersPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepersPlanModifier) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	// Unset keepers are stored as {}, so that switching between unset and {}
	// changes nothing.
	if req.ConfigValue.IsNull() {
		resp.PlanValue = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	if req.State.Raw.IsNull() {
		return
	}
	if isEmptyMap(req.StateValue) && isEmptyMap(resp.PlanValue) {
		if req.ConfigValue.IsNull() {
			resp.PlanValue = req.StateValue
		}
		return
	}
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	resp.RequiresReplace = keepersForceNewKey(req.StateValue, resp.PlanValue, len(imported) > 0)
}

// keepersForceNewKey reports whether a change of keepers from state to plan
// regenerates the key: any change does, except between null and {}, and except
// the first keepers recorded after an import.
func keepersForceNewKey(state, plan types.Map, imported bool) bool {
	switch {
	case isEmptyMap(state) && isEmptyMap(plan):
		return false
	case plan.Equal(state):
		return false
	case imported && isEmptyMap(state) && !plan.IsUnknown():
		return false
	}
	return true
}

// isEmptyMap reports whether v is null or a known map without elements.
func isEmptyMap(v types.Map) bool {
	return v.IsNull() || (!v.IsUnknown() && len(v.Elements()) == 0)
}
