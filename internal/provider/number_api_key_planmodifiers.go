package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ planmodifier.Map = keepersPlanModifier{}

// keepersPlanModifier plans unset keepers as {}, so that unset and {} are the same value and a
// switch between them changes nothing. Whether a change of keepers regenerates the key is the
// plan's decision (decide, keepersForceNewKey).
type keepersPlanModifier struct{}

func (keepersPlanModifier) Description(_ context.Context) string {
	return "Unset keepers are planned as {}."
}

func (m keepersPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepersPlanModifier) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.Plan.Raw.IsNull() || !req.ConfigValue.IsNull() {
		return
	}
	resp.PlanValue = types.MapValueMust(types.StringType, map[string]attr.Value{})
	if !req.State.Raw.IsNull() && isEmptyMap(req.StateValue) {
		resp.PlanValue = req.StateValue
	}
}
