package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// ModifyPlan plans a pilotstatus_number_api_key: a destroy is warned of; otherwise the facts are
// gathered (planFacts), decided on (decide), and the intent applied (applyIntent).
func (r *numberAPIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.warnDestroy(ctx, req, resp)
		return
	}
	if r.data == nil {
		return
	}
	ctx = r.data.maskContext(ctx)
	f, ok := r.planFacts(ctx, req, resp)
	if !ok {
		return
	}
	r.applyIntent(ctx, f, decide(f), resp)
}

// planFacts gathers what the plan decides on: the proposed object, the state, the private markers,
// whether another resource plans the same number, and, for an adoption only, the number's key from
// the key list. ok is false, with the diagnostics, when they cannot be had.
func (r *numberAPIKeyResource) planFacts(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) (planFacts, bool) {
	f := planFacts{now: r.data.now()}
	resp.Diagnostics.Append(req.Plan.Get(ctx, &f.plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rotation_anchor"), &f.configuredAnchor)...)
	if !req.State.Raw.IsNull() {
		f.state = &numberAPIKeyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, f.state)...)
		f.imported = len(getPrivate(ctx, req.Private, privateImported, &resp.Diagnostics)) > 0
		f.rotatedTo = unquote(getPrivate(ctx, req.Private, privateExternalRotation, &resp.Diagnostics))
	}
	if resp.Diagnostics.HasError() {
		return f, false
	}
	f.duplicate = r.countPlanned(ctx, f.plan.WhatsAppNumberID, req, resp)
	if f.needsCurrentKey() {
		current, d := r.currentKey(ctx, f.state.WhatsAppNumberID.ValueString(), adoptionCheckFailed)
		if d != nil {
			resp.Diagnostics.Append(d)
			return f, false
		}
		f.current = &current
	}
	return f, !resp.Diagnostics.HasError()
}

// applyIntent makes the plan what the intent says, in one place, and records the action in the
// planned private state for Update.
func (r *numberAPIKeyResource) applyIntent(ctx context.Context, f planFacts, in intent, resp *resource.ModifyPlanResponse) {
	numberID := f.plan.WhatsAppNumberID.ValueString()
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotation_anchor"), in.anchor)...)
	switch in.action {
	case actionRefuse:
		resp.Diagnostics.Append(duplicateNumber(numberID))
		return
	case actionRegenerate:
		r.planRegeneration(ctx, f, in, resp)
	case actionAdopt:
		planNewKey(ctx, f.plan, resp)
		resp.Diagnostics.Append(adoptionPlanned(numberID, f.state.KeyLast4.ValueString(), f.current.KeyLast4))
	default:
		planKeep(ctx, f, in, resp)
	}
	setPrivate(ctx, resp.Private, privateIntent, []byte(strconv.Quote(string(in.action))), &resp.Diagnostics)
}

// planRegeneration plans a create, or a replacement, that regenerates the key: what comes from the
// key is known after apply, the reason is warned of, and the key list is read to check that the
// regeneration can be made (checkRegeneration). A replacement names what forces it.
func (r *numberAPIKeyResource) planRegeneration(ctx context.Context, f planFacts, in intent, resp *resource.ModifyPlanResponse) {
	onDestroy := ""
	if f.state == nil {
		if !f.plan.WhatsAppNumberID.IsUnknown() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), f.plan.WhatsAppNumberID)...)
		}
		planCredentials(ctx, f.plan.StoreKey, resp)
		next := types.StringNull()
		if !f.plan.RotationPeriod.IsNull() {
			next = types.StringUnknown()
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_rotation_at"), next)...)
	} else {
		onDestroy = f.state.OnDestroy.ValueString()
		planNewKey(ctx, f.plan, resp)
		resp.RequiresReplace = append(resp.RequiresReplace, replacedBy(in.reason))
		resp.Diagnostics.Append(regenerationReason(f, in)...)
	}
	r.checkRegeneration(ctx, f.plan, onDestroy, resp)
}

// replacedBy is the attribute a replacement shows as forcing it: the one that changed, else
// key_version, which every regeneration changes.
func replacedBy(reason planReason) path.Path {
	switch reason {
	case reasonNumber:
		return path.Root("whatsapp_number_id")
	case reasonKeepers:
		return path.Root("keepers")
	}
	return path.Root("key_version")
}

// regenerationReason warns why a replacement regenerates the key, when the plan's own changes do
// not say it: a key regenerated outside Terraform, one that cannot be adopted, a due schedule.
func regenerationReason(f planFacts, in intent) diag.Diagnostics {
	numberID, stateLast4 := f.state.WhatsAppNumberID.ValueString(), f.state.KeyLast4.ValueString()
	switch in.reason {
	case reasonElsewhere:
		return diag.Diagnostics{externalRotationPlanned(numberID, stateLast4, f.rotatedTo)}
	case reasonUnrevealed:
		return diag.Diagnostics{adoptionImpossible(numberID, f.current.KeyLast4)}
	case reasonSchedule:
		return diag.Diagnostics{scheduledRotation(numberID, in.next.value.ValueString(), f.plan.RotationPeriod.ValueString(),
			f.plan.EarlyRotationWindow.ValueString())}
	}
	return nil
}

// planKeep plans keeping the key in state, on the schedule of the intent: the credentials stay,
// are taken from the key list (actionStore) or leave state, as store_key says. A legacy key that
// leaves state can no longer be handed on, which is warned of.
func planKeep(ctx context.Context, f planFacts, in intent, resp *resource.ModifyPlanResponse) {
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_rotation_at"), in.next.value)...)
	if in.action == actionStore || !storesKey(f.plan.StoreKey) {
		planCredentials(ctx, f.plan.StoreKey, resp)
	}
	s := f.state
	if !storesKey(f.plan.StoreKey) && s.KeyFingerprint.IsNull() && !s.KeyLast4.IsNull() {
		resp.Diagnostics.Append(unrevealableKeyOutOfState(s.WhatsAppNumberID.ValueString(), s.KeyLast4.ValueString()))
	}
}

// planCredentials plans key and key_id for a key that changes, or that the apply takes from the
// key list: known after apply when state keeps them, null with store_key = false.
func planCredentials(ctx context.Context, store types.Bool, resp *resource.ModifyPlanResponse) {
	value := types.StringUnknown()
	if !storesKey(store) {
		value = types.StringNull()
	}
	for _, name := range credentialAttributes {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), value)...)
	}
}

// planNewKey plans another key in state, regenerated or adopted: every attribute that comes from
// the key becomes unknown (the credentials null with store_key = false).
func planNewKey(ctx context.Context, plan numberAPIKeyModel, resp *resource.ModifyPlanResponse) {
	for _, name := range computedFromKey {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("key_version"), types.Int64Unknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_rotation_at"), types.StringUnknown())...)
	planCredentials(ctx, plan.StoreKey, resp)
}

// currentKey reads the number's current key from the key list, for an operation that needs the
// number: the diagnostic is set when the list cannot be read (built by failed, which names the
// operation) or lacks the number.
func (r *numberAPIKeyResource) currentKey(ctx context.Context, numberID string, failed apiFailure) (pilotstatus.NumberKey, diag.Diagnostic) {
	current, found, err := r.data.currentKey(ctx, numberID)
	switch {
	case err != nil:
		return current, failed(numberID, err, r.data.cred)
	case !found:
		return current, numberNotFoundError(numberID)
	}
	return current, nil
}

// countPlanned counts this resource among those of the provider configuration that plan its
// number, and reports whether another one plans it too: a number has one key, so the two would
// invalidate each other's key on every apply. The create half of a replacement plans the same
// resource a second time; it carries the private marker that the first half set, so it is not
// counted again.
func (r *numberAPIKeyResource) countPlanned(ctx context.Context, numberID types.String, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if numberID.IsUnknown() || numberID.IsNull() {
		return false
	}
	if req.State.Raw.IsNull() {
		if r.data.plans.isOurs(getPrivate(ctx, req.Private, privatePlanned, &resp.Diagnostics)) {
			return false
		}
	} else {
		setPrivate(ctx, resp.Private, privatePlanned, r.data.plans.marker, &resp.Diagnostics)
	}
	return r.data.plans.add(numberID.ValueString()) > 1
}

// warnDestroy says what destroying does to the key, by on_destroy, and, when the refresh saw the
// key regenerated outside Terraform, that the key in state is already dead.
func (r *numberAPIKeyResource) warnDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	rotatedTo := unquote(getPrivate(ctx, req.Private, privateExternalRotation, &resp.Diagnostics))
	resp.Diagnostics.Append(destroyWarning(state.WhatsAppNumberID.ValueString(), state.OnDestroy.ValueString(), state.KeyLast4.ValueString(), rotatedTo))
}

// checkRegeneration runs before a plan that regenerates the key of plan is accepted: with a known
// number id it reads the tenant's key list, so that wrong credentials, a number-scoped key, an
// unreachable API, a wrong base_url or an unknown number fail the plan rather than the apply; then
// it warns that the number's current key stops working, and where the new one goes (store_key).
// onDestroy is the state's on_destroy for a replacement, empty for a create.
func (r *numberAPIKeyResource) checkRegeneration(ctx context.Context, plan numberAPIKeyModel, onDestroy string, resp *resource.ModifyPlanResponse) {
	kept := storesKey(plan.StoreKey)
	if plan.WhatsAppNumberID.IsUnknown() {
		resp.Diagnostics.Append(regenerationPlanned("", "", onDestroy, kept))
		return
	}
	id := plan.WhatsAppNumberID.ValueString()
	current, d := r.currentKey(ctx, id, regenerationCheckFailed)
	if d == nil {
		d = regenerationPlanned(id, current.KeyLast4, onDestroy, kept)
	}
	resp.Diagnostics.Append(d)
}
