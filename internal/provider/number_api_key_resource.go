package provider

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var (
	_ resource.Resource                   = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithConfigure      = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithImportState    = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithIdentity       = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*numberAPIKeyResource)(nil)
)

// Private state keys.
const (
	// privateImported marks an object that came from an import and has not
	// recorded keepers yet.
	privateImported = "imported"
	// privateExternalRotation marks a key that the API reports regenerated outside
	// Terraform; it holds the last four characters of the number's current key
	// (never a key id: that is a credential).
	privateExternalRotation = "external_rotation"
	// privatePlanned marks an object planned by this provider configuration, so
	// that the create half of its replacement is not taken for a second resource
	// of the same number. It lives in plans only.
	privatePlanned = "planned"
)

// NewNumberAPIKeyResource returns the pilotstatus_number_api_key resource.
func NewNumberAPIKeyResource() resource.Resource {
	return &numberAPIKeyResource{}
}

type numberAPIKeyResource struct {
	data *providerData
}

func (r *numberAPIKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_api_key"
}

func (r *numberAPIKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = numberAPIKeySchema()
}

func (r *numberAPIKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	d, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = d
}

// ValidateConfig refuses an early_rotation_window that is not shorter than rotation_period; each
// attribute's own form is checked by its validator.
func (r *numberAPIKeyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var period, window types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rotation_period"), &period)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("early_rotation_window"), &window)...)
	if period.IsNull() || period.IsUnknown() || window.IsNull() || window.IsUnknown() {
		return
	}
	p, perr := parseRotationPeriod(period.ValueString())
	w, werr := parseEarlyRotationWindow(window.ValueString())
	if perr == nil && werr == nil && w >= p {
		resp.Diagnostics.Append(windowNotShorter(window.ValueString(), period.ValueString()))
	}
}

func (r *numberAPIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.warnDestroy(ctx, req, resp)
		return
	}
	if r.data == nil {
		return
	}
	ctx = r.data.maskContext(ctx)

	var plan numberAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.refuseDuplicate(ctx, plan.WhatsAppNumberID, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rotation_anchor"), &configured)...)
	if req.State.Raw.IsNull() {
		r.planCreate(ctx, plan, configured, resp)
		return
	}
	r.planUpdate(ctx, req, plan, configured, resp)
}

// planCreate plans a create, or the create half of a replacement: the key is regenerated. Unless
// configured, rotation_anchor is known after apply: the anchor of the key this one replaces (see
// anchorBook), or, for a new schedule, the created_at of the key this create makes.
func (r *numberAPIKeyResource) planCreate(ctx context.Context, plan numberAPIKeyModel, configured types.String,
	resp *resource.ModifyPlanResponse) {
	r.checkRegeneration(ctx, plan, "", resp)
	if !plan.WhatsAppNumberID.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.WhatsAppNumberID)...)
	}
	next, anchor := types.StringNull(), types.StringNull()
	if !plan.RotationPeriod.IsNull() {
		next, anchor = types.StringUnknown(), configured
		if configured.IsNull() {
			anchor = types.StringUnknown()
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_rotation_at"), next)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotation_anchor"), anchor)...)
	planCredentials(ctx, plan.StoreKey, resp)
}

// planCredentials plans key and key_id for a key that changes (a new, regenerated or adopted
// key): known after apply when state keeps them, null with store_key = false.
func planCredentials(ctx context.Context, store types.Bool, resp *resource.ModifyPlanResponse) {
	value := types.StringUnknown()
	if !storesKey(store) {
		value = types.StringNull()
	}
	for _, name := range credentialAttributes {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), value)...)
	}
}

// planStoredCredentials plans key and key_id for the key in state, which stays: with
// store_key = false they leave state in place; with store_key = true and none in state (after an
// import, or store_key turned back on) the apply takes them from the key list, without
// regenerating.
func planStoredCredentials(ctx context.Context, plan, state numberAPIKeyModel, resp *resource.ModifyPlanResponse) {
	if !storesKey(plan.StoreKey) || state.KeyID.IsNull() {
		planCredentials(ctx, plan.StoreKey, resp)
	}
}

// planUpdate plans a resource in state. A plan that replaces it, regenerating the key, is checked
// and warned of: Terraform shows only the warnings of this first planning call.
func (r *numberAPIKeyResource) planUpdate(ctx context.Context, req resource.ModifyPlanRequest, plan numberAPIKeyModel, configured types.String,
	resp *resource.ModifyPlanResponse) {
	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	observed, diags := req.Private.GetKey(ctx, privateExternalRotation)
	resp.Diagnostics.Append(diags...)
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.planChange(ctx, plan, state, configured, observed, len(imported) > 0, resp) {
		r.checkRegeneration(ctx, plan, state.OnDestroy.ValueString(), resp)
	}
}

// planChange plans a resource in state and reports whether the plan replaces it, regenerating the
// key: for a key rotated outside Terraform (unless adopted), a new number or new keepers, or a due
// schedule. Otherwise the key in state stays.
func (r *numberAPIKeyResource) planChange(ctx context.Context, plan, state numberAPIKeyModel, configured types.String, observed []byte,
	imported bool, resp *resource.ModifyPlanResponse) bool {
	next := planSchedule(ctx, plan, state, configured, resp)
	byPlan := !plan.WhatsAppNumberID.Equal(state.WhatsAppNumberID) || keepersForceNewKey(state.Keepers, plan.Keepers, imported)
	switch {
	case len(observed) > 0:
		return r.planExternalRotation(ctx, plan, state, unquote(observed), byPlan, resp)
	case byPlan:
		// Replaced by the plan itself (keepers, number): the create half plans the credentials.
		return true
	case next.due(r.data.now()):
		r.planRegeneration(ctx, plan, resp)
		resp.Diagnostics.Append(scheduledRotation(state.WhatsAppNumberID.ValueString(), next.value.ValueString(),
			plan.RotationPeriod.ValueString(), plan.EarlyRotationWindow.ValueString()))
		return true
	}
	planKeep(ctx, plan, state, next, resp)
	return false
}

// planSchedule plans the schedule of the key in state with the planned period, anchor and window,
// and returns it: changing them moves next_rotation_at without regenerating.
func planSchedule(ctx context.Context, plan, state numberAPIKeyModel, configured types.String, resp *resource.ModifyPlanResponse) schedule {
	anchor := plannedAnchor(configured, state.RotationAnchor, state.KeyVersion, plan.RotationPeriod)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotation_anchor"), anchor)...)
	return nextRotation(state.KeyVersion, anchor, plan.RotationPeriod, plan.EarlyRotationWindow)
}

// planExternalRotation plans for a key regenerated outside Terraform, whose last four characters
// the refresh saw, and reports whether the plan replaces the resource: it adopts the key when the
// configuration says so (its choice decides, also in the plan that introduces it) and the plan
// does not replace it anyway (byPlan); otherwise it regenerates.
func (r *numberAPIKeyResource) planExternalRotation(ctx context.Context, plan, state numberAPIKeyModel, currentLast4 string, byPlan bool,
	resp *resource.ModifyPlanResponse) bool {
	if !byPlan && plan.OnExternalRotation.ValueString() == onExternalRotationAdopt {
		if r.planAdoption(ctx, plan, state, resp) {
			return false
		}
		r.planRegeneration(ctx, plan, resp)
		return true
	}
	r.planRegeneration(ctx, plan, resp)
	resp.Diagnostics.Append(externalRotationPlanned(state.WhatsAppNumberID.ValueString(), state.KeyLast4.ValueString(), currentLast4))
	return true
}

// planKeep plans keeping the key in state, on the schedule next: the credentials stay, are taken
// from the key list or leave state, as store_key says (planStoredCredentials). A legacy key that
// leaves state can no longer be handed on, which is warned of.
func planKeep(ctx context.Context, plan, state numberAPIKeyModel, next schedule, resp *resource.ModifyPlanResponse) {
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_rotation_at"), next.value)...)
	planStoredCredentials(ctx, plan, state, resp)
	if !storesKey(plan.StoreKey) && state.KeyFingerprint.IsNull() && !state.KeyLast4.IsNull() {
		resp.Diagnostics.Append(unrevealableKeyOutOfState(state.WhatsAppNumberID.ValueString(), state.KeyLast4.ValueString()))
	}
}

// planAdoption plans taking the key regenerated outside Terraform into state without
// regenerating, as on_external_rotation = "adopt" asks. It reports false, with a warning, when the
// key list does not reveal the new key: the plan then regenerates.
func (r *numberAPIKeyResource) planAdoption(ctx context.Context, plan, state numberAPIKeyModel, resp *resource.ModifyPlanResponse) bool {
	numberID := state.WhatsAppNumberID.ValueString()
	current, d := r.currentKey(ctx, numberID, adoptionCheckFailed)
	switch {
	case d != nil:
		resp.Diagnostics.Append(d)
		return true
	case !current.Revealed():
		resp.Diagnostics.Append(adoptionImpossible(numberID, current.KeyLast4))
		return false
	}
	resp.Diagnostics.Append(adoptionPlanned(numberID, state.KeyLast4.ValueString(), current.KeyLast4))
	// Update takes the key from the list of the apply: the values are known then.
	planNewKey(ctx, plan, resp)
	return true
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

// refuseDuplicate fails the plan when another pilotstatus_number_api_key of this provider
// configuration names the same number: a number has one key, so the two would invalidate each
// other's key on every apply. The create half of a replacement plans the same resource a second
// time; it carries the private marker that the first half set, so it is not counted again.
func (r *numberAPIKeyResource) refuseDuplicate(ctx context.Context, numberID types.String, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if numberID.IsUnknown() || numberID.IsNull() {
		return
	}
	if req.State.Raw.IsNull() {
		marker, diags := req.Private.GetKey(ctx, privatePlanned)
		resp.Diagnostics.Append(diags...)
		if r.data.plans.isOurs(marker) {
			return
		}
	} else if resp.Private != nil { // nil only outside Terraform, in unit tests
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanned, r.data.plans.marker)...)
	}
	if r.data.plans.add(numberID.ValueString()) > 1 {
		resp.Diagnostics.Append(duplicateNumber(numberID.ValueString()))
	}
}

// planRegeneration makes the plan a replacement that regenerates the key (planNewKey).
// key_version, which state always holds, marks the replacement.
func (r *numberAPIKeyResource) planRegeneration(ctx context.Context, plan numberAPIKeyModel, resp *resource.ModifyPlanResponse) {
	planNewKey(ctx, plan, resp)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("key_version"))
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

// warnDestroy says what destroying does to the key, by on_destroy, and, when the refresh saw the
// key regenerated outside Terraform, that the key in state is already dead.
func (r *numberAPIKeyResource) warnDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	observed, diags := req.Private.GetKey(ctx, privateExternalRotation)
	resp.Diagnostics.Append(diags...)
	rotatedTo := ""
	if len(observed) > 0 {
		rotatedTo = unquote(observed)
	}
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

func (r *numberAPIKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, plan, ok := r.begin(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	numberID := plan.WhatsAppNumberID.ValueString()
	key, ok := r.regenerate(ctx, numberID, &resp.Diagnostics)
	if !ok {
		return
	}
	plan.ID = types.StringValue(numberID)
	if kept, ok := r.data.anchors.take(numberID); ok && plan.RotationAnchor.IsUnknown() {
		// The replacement of a scheduled key keeps its schedule.
		plan.RotationAnchor = kept
	}
	setFromRegenerated(&plan, key, r.data.now())
	keepCredentials(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.WhatsAppNumberID)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanned, nil)...)
}

// modelSource is where an operation reads its object: the plan or the state.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// begin starts an operation that calls the API, on the object it reads from from (the plan of a
// create, the state of a read): it needs a configured provider, masks the credentials in the
// context and names the number in the logs. ok is false, with the diagnostics, when it cannot.
func (r *numberAPIKeyResource) begin(ctx context.Context, from modelSource, diags *diag.Diagnostics) (context.Context, numberAPIKeyModel, bool) {
	var m numberAPIKeyModel
	if !requireConfigured(r.data, "resource", diags) {
		return ctx, m, false
	}
	ctx = r.data.maskContext(ctx)
	diags.Append(from.Get(ctx, &m)...)
	if diags.HasError() {
		return ctx, m, false
	}
	return tflog.SetField(ctx, "whatsapp_number_id", m.WhatsAppNumberID.ValueString()), m, true
}

// regenerate regenerates the key of numberID for a create, at most once per run and number (a
// second resource of the same number is refused), settling an unanswered request against the key
// the number has now.
func (r *numberAPIKeyResource) regenerate(ctx context.Context, numberID string, diags *diag.Diagnostics) (pilotstatus.RegeneratedKey, bool) {
	if !r.data.claims.claim(numberID) {
		diags.Append(duplicateRegeneration(numberID))
		return pilotstatus.RegeneratedKey{}, false
	}
	// The number's key before the regeneration: an unanswered request is settled against it.
	current, d := r.currentKey(ctx, numberID, keyBeforeRegenerationFailed)
	if d != nil {
		diags.Append(d)
		return pilotstatus.RegeneratedKey{}, false
	}
	tflog.Info(ctx, "Regenerating API key")
	key, err := r.data.client.RegenerateAPIKey(ctx, numberID, current.KeyID)
	if err != nil {
		diags.Append(regenerationFailed(numberID, err, r.data.cred))
		return pilotstatus.RegeneratedKey{}, false
	}
	tflog.Info(ctx, "Regenerated API key", map[string]any{"key_last4": key.KeyLast4, "recovery": key.Recovery.String()})
	if d := recoveryWarning(numberID, key); d != nil {
		diags.Append(d)
	}
	return key, true
}

// setFromRegenerated fills the attributes that come from a regeneration's answer;
// now stands in for the creation time when the answer has none.
func setFromRegenerated(m *numberAPIKeyModel, k pilotstatus.RegeneratedKey, now time.Time) {
	m.Key = types.StringValue(k.Key)
	m.KeyID = types.StringValue(k.KeyID)
	m.KeyPrefix = keyPrefix(k.Key)
	m.KeyLast4 = types.StringValue(k.KeyLast4)
	m.KeyFingerprint = types.StringValue(keyFingerprint(k.Key))
	m.CreatedAt = types.StringNull()
	m.KeyVersion = keyVersionAt(now)
	if !k.CreatedAt.IsZero() {
		m.CreatedAt = types.StringValue(formatTime(k.CreatedAt))
		m.KeyVersion = keyVersionAt(k.CreatedAt)
	}
	if m.RotationAnchor.IsUnknown() {
		// The first key of a new schedule anchors it.
		m.RotationAnchor = anchorAt(m.KeyVersion)
	}
	m.NextRotationAt = m.schedule().value
}

// keepCredentials clears key and key_id unless the object keeps them (store_key).
func keepCredentials(m *numberAPIKeyModel) {
	if !storesKey(m.StoreKey) {
		m.Key = types.StringNull()
		m.KeyID = types.StringNull()
	}
}

func (r *numberAPIKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, state, ok := r.begin(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	// Also for a state written before the resource had an identity, or by a CLI without
	// identities, and also when the number is gone: the framework wants one after every read.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.WhatsAppNumberID)...)
	current, ok := r.listedForRefresh(ctx, state.WhatsAppNumberID.ValueString(), resp)
	if !ok || !r.refresh(ctx, &state, current, resp) {
		return
	}
	fillInDefaults(&state, r.data.now())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// listedForRefresh reads the number's current key from the key list. ok is false when the list
// cannot be read (the state stays as it was) or lacks the number (it leaves state, with a warning).
func (r *numberAPIKeyResource) listedForRefresh(ctx context.Context, numberID string, resp *resource.ReadResponse) (pilotstatus.NumberKey, bool) {
	current, found, err := r.data.currentKey(ctx, numberID)
	switch {
	case err != nil:
		resp.Diagnostics.Append(refreshFailed(numberID, err, r.data.cred))
		return current, false
	case !found:
		tflog.Warn(ctx, "WhatsApp number is gone; removing its key from state")
		resp.Diagnostics.Append(numberGoneOnRefresh(numberID))
		resp.State.RemoveResource(ctx)
		return current, false
	}
	return current, true
}

// refresh brings the key in state up to the number's current key: the first read after an import
// takes the listed key; a key regenerated outside Terraform is adopted or left for the next plan
// to replace (externalRotation); the same key fills in what state lacks of it. It reports false,
// with an error, when the list does not say enough to tell the keys apart.
func (r *numberAPIKeyResource) refresh(ctx context.Context, state *numberAPIKeyModel, current pilotstatus.NumberKey, resp *resource.ReadResponse) bool {
	now := r.data.now()
	imported := state.KeyID.IsNull() && state.KeyFingerprint.IsNull() && state.KeyLast4.IsNull()
	switch {
	case imported:
		r.adoptListed(ctx, state, current, resp)
		state.KeyVersion = keyVersionAt(now)
	case !listTellsKey(*state, current):
		resp.Diagnostics.Append(keyListIncomplete(state.WhatsAppNumberID.ValueString(), current.KeyLast4))
		return false
	case !isStateKey(*state, current):
		r.externalRotation(ctx, state, current, now, resp)
	default:
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, nil)...)
		refreshSameKey(state, current)
	}
	keepCredentials(state)
	return true
}

// refreshSameKey fills in, from the list, what state lacks of the key that is still the number's:
// the key itself when state keeps it but has none yet, the fingerprint (also missing in a state
// written before key_fingerprint existed), and the last four characters.
func refreshSameKey(state *numberAPIKeyModel, current pilotstatus.NumberKey) {
	if storesKey(state.StoreKey) && !state.KeyID.IsNull() && state.Key.IsNull() && current.Revealed() {
		state.Key = types.StringValue(current.Key)
		state.KeyPrefix = keyPrefix(current.Key)
	}
	if state.KeyFingerprint.IsNull() {
		state.KeyFingerprint = listedFingerprint(current)
	}
	if current.KeyLast4 != "" {
		state.KeyLast4 = types.StringValue(current.KeyLast4)
	}
}

// fillInDefaults gives a refreshed state what an import (which sets only the number) or a state
// written by an earlier version of the provider lacks: the defaults of the schema, a key_version
// and an anchor for a schedule; then next_rotation_at, which follows from them.
func fillInDefaults(state *numberAPIKeyModel, now time.Time) {
	if state.StoreKey.IsNull() {
		// A state written before store_key existed kept the key.
		state.StoreKey = types.BoolValue(true)
	}
	state.ID = types.StringValue(state.WhatsAppNumberID.ValueString())
	if state.Keepers.IsNull() {
		state.Keepers = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyKeep)
	}
	if state.OnExternalRotation.IsNull() {
		state.OnExternalRotation = types.StringValue(onExternalRotationRegenerate)
	}
	if state.KeyVersion.IsNull() {
		state.KeyVersion = keyVersionFromCreatedAt(state.CreatedAt, now)
	}
	if state.RotationAnchor.IsNull() && !state.RotationPeriod.IsNull() {
		// A schedule from before anchors: the key it was counting from anchors it.
		state.RotationAnchor = anchorAt(state.KeyVersion)
	}
	state.NextRotationAt = state.schedule().value
}

// externalRotation handles a number whose current key is not the one in state: it
// was regenerated outside Terraform. With on_external_rotation = "adopt" and a key
// the list reveals, the new key is taken into state; otherwise the next plan
// replaces the resource, regenerating the key.
func (r *numberAPIKeyResource) externalRotation(ctx context.Context, state *numberAPIKeyModel, current pilotstatus.NumberKey, now time.Time, resp *resource.ReadResponse) {
	numberID := state.WhatsAppNumberID.ValueString()
	fields := map[string]any{"state_key_last4": state.KeyLast4.ValueString(), "current_key_last4": current.KeyLast4}
	adopt := state.OnExternalRotation.ValueString() == onExternalRotationAdopt
	if adopt && current.Revealed() {
		tflog.Warn(ctx, "API key was regenerated outside Terraform; adopting the new key", fields)
		resp.Diagnostics.Append(adoptedOnRefresh(numberID, state.KeyLast4.ValueString(), current.KeyLast4))
		setKeyFromList(state, current)
		state.CreatedAt = types.StringNull()
		state.KeyVersion = laterKeyVersion(state.KeyVersion, now)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, nil)...)
		return
	}
	tflog.Warn(ctx, "API key was regenerated outside Terraform", fields)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, []byte(strconv.Quote(current.KeyLast4)))...)
	resp.Diagnostics.Append(externalRotationRead(numberID, state.KeyLast4.ValueString(), current.KeyLast4, adopt))
}

// setKeyFromList takes the number's current key from the key list into m: its last four
// characters, prefix and fingerprint, and the key and its id when m keeps them (store_key).
func setKeyFromList(m *numberAPIKeyModel, current pilotstatus.NumberKey) {
	m.KeyID = types.StringValue(current.KeyID)
	m.KeyLast4 = types.StringValue(current.KeyLast4)
	m.KeyFingerprint = listedFingerprint(current)
	m.Key, m.KeyPrefix = types.StringNull(), types.StringNull()
	if current.Revealed() {
		m.Key = types.StringValue(current.Key)
		m.KeyPrefix = keyPrefix(current.Key)
	}
	keepCredentials(m)
}

// adoptListed fills state from the list without regenerating, as after an import. An import
// keeps no credential (store_key is false until the configuration's value is applied).
func (r *numberAPIKeyResource) adoptListed(ctx context.Context, state *numberAPIKeyModel, current pilotstatus.NumberKey, resp *resource.ReadResponse) {
	setKeyFromList(state, current)
	if !state.KeyFingerprint.IsNull() {
		tflog.Info(ctx, "Imported the number's current API key")
		return
	}
	tflog.Warn(ctx, "Imported an API key the API does not reveal")
	resp.Diagnostics.Append(importedNotRevealable(state.WhatsAppNumberID.ValueString(), current.KeyLast4))
}

// keyPrefix is key_prefix, in the resource and the ephemeral resource alike: the public prefix of
// the raw key ("ps_"), read from the key itself, as the key list, unlike the regeneration's answer,
// does not report it. Null without a key (a legacy key the API does not reveal).
func keyPrefix(key string) types.String {
	if !strings.HasPrefix(key, pilotstatus.KeyPrefix) {
		return types.StringNull()
	}
	return types.StringValue(pilotstatus.KeyPrefix)
}

func (r *numberAPIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only keepers change in place (null and {} are equal, and the first keepers after
	// an import are recorded without regenerating); every other change replaces.
	var plan, state numberAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case plan.KeyLast4.IsUnknown():
		// The plan adopts a key regenerated outside Terraform (on_external_rotation = "adopt").
		if !r.requireConfiguredForUpdate(resp) || !r.adopt(r.data.maskContext(ctx), &plan, state, resp) {
			return
		}
	case plan.KeyID.IsUnknown() || plan.Key.IsUnknown():
		// The plan stores the key in state, which has none (store_key = true after an import, or
		// after store_key = false).
		if !r.requireConfiguredForUpdate(resp) || !r.storeCurrentKey(r.data.maskContext(ctx), &plan, state, resp) {
			return
		}
	}
	keepCredentials(&plan)
	if plan.KeyVersion.IsUnknown() {
		plan.KeyVersion = state.KeyVersion
	}
	// Known in the plan unless the schedule was unknown until now.
	plan.NextRotationAt = plan.schedule().value
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.WhatsAppNumberID)...)
	if !isEmptyMap(plan.Keepers) {
		// The first keepers after an import are recorded now; an update without keepers (the key
		// stored after an import) leaves that still to come.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanned, nil)...)
}

func (r *numberAPIKeyResource) requireConfiguredForUpdate(resp *resource.UpdateResponse) bool {
	return requireConfigured(r.data, "resource", &resp.Diagnostics)
}

// adopt fills plan with the number's current key from the key list, as planned by planAdoption.
func (r *numberAPIKeyResource) adopt(ctx context.Context, plan *numberAPIKeyModel, state numberAPIKeyModel, resp *resource.UpdateResponse) bool {
	numberID := state.WhatsAppNumberID.ValueString()
	current, d := r.currentKey(ctx, numberID, adoptionReadFailed)
	switch {
	case d != nil:
		resp.Diagnostics.Append(d)
		return false
	case !current.Revealed():
		resp.Diagnostics.Append(adoptionImpossibleAtApply(numberID, current.KeyLast4))
		return false
	}
	tflog.Info(ctx, "Adopting the API key regenerated outside Terraform", map[string]any{"key_last4": current.KeyLast4})
	setKeyFromList(plan, current)
	plan.CreatedAt = types.StringNull()
	plan.KeyVersion = laterKeyVersion(state.KeyVersion, r.data.now())
	return true
}

// storeCurrentKey fills key and key_id in plan from the key list, without regenerating, after
// checking that the number's current key is still the key in state.
func (r *numberAPIKeyResource) storeCurrentKey(ctx context.Context, plan *numberAPIKeyModel, state numberAPIKeyModel, resp *resource.UpdateResponse) bool {
	numberID := state.WhatsAppNumberID.ValueString()
	current, d := r.currentKey(ctx, numberID, storeReadFailed)
	switch {
	case d != nil:
		resp.Diagnostics.Append(d)
		return false
	case !listTellsKey(state, current) || !isStateKey(state, current):
		resp.Diagnostics.Append(keyChangedBeforeStore(numberID, state.KeyLast4.ValueString(), current.KeyLast4))
		return false
	}
	tflog.Info(ctx, "Storing the number's current API key in state", map[string]any{"key_last4": current.KeyLast4})
	setKeyFromList(plan, current)
	return true
}

func (r *numberAPIKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	numberID := state.WhatsAppNumberID.ValueString()
	ctx = tflog.SetField(ctx, "whatsapp_number_id", numberID)
	if r.data != nil {
		r.data.anchors.keep(numberID, plannedAnchor(types.StringNull(), state.RotationAnchor, state.KeyVersion, state.RotationPeriod))
	}
	if state.OnDestroy.ValueString() != onDestroyInvalidate {
		tflog.Info(ctx, "Removed the API key from state; the key stays valid (the API has no delete)")
		return
	}
	if !requireConfigured(r.data, "resource", &resp.Diagnostics) {
		return
	}
	ctx = r.data.maskContext(ctx)
	r.invalidate(ctx, state, &resp.Diagnostics)
}

// invalidate regenerates the number's key and discards the new one, but only while
// the number's current key is still the key in state (isStateKey): a key someone else
// made since, such as the create half of a create_before_destroy replacement, is never killed.
func (r *numberAPIKeyResource) invalidate(ctx context.Context, state numberAPIKeyModel, diags *diag.Diagnostics) {
	numberID := state.WhatsAppNumberID.ValueString()
	current, found, err := r.data.currentKey(ctx, numberID)
	switch {
	case err != nil:
		diags.Append(invalidationReadFailed(numberID, err, r.data.cred))
		return
	case !found:
		tflog.Info(ctx, "The WhatsApp number is gone; there is no key to invalidate")
		return
	case !isStateKey(state, current):
		tflog.Info(ctx, "Not invalidating: the number's current key is no longer this resource's key", map[string]any{
			"current_key_last4": current.KeyLast4,
		})
		return
	}
	tflog.Info(ctx, "Invalidating the API key on destroy by regenerating it", map[string]any{"key_last4": current.KeyLast4})
	key, err := r.data.client.RegenerateAPIKey(ctx, numberID, current.KeyID)
	if err != nil {
		diags.Append(invalidationFailed(numberID, err, r.data.cred))
		return
	}
	tflog.Info(ctx, "Invalidated the API key; the new key was discarded", map[string]any{"new_key_last4": key.KeyLast4})
}

// ImportState takes the number id from the import id or from the identity. Importing
// never regenerates: the first read takes the number's current key from the key list.
func (r *numberAPIKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	numberID, ok, diags := importedNumberID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if !ok {
		return
	}
	id := types.StringValue(numberID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("whatsapp_number_id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
	// An import keeps no credential, whatever the configuration says: the first apply with
	// store_key = true stores the key, from the key list.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("store_key"), false)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)
}
