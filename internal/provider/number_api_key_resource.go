package provider

import (
	"context"
	"strconv"
	"strings"
	"time"

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
	r.data.info(ctx, "Regenerating API key", nil)
	key, err := r.data.client.RegenerateAPIKey(ctx, numberID, current.KeyID)
	if err != nil {
		diags.Append(regenerationFailed(numberID, err, r.data.cred))
		return pilotstatus.RegeneratedKey{}, false
	}
	r.data.info(ctx, "Regenerated API key", map[string]any{"key_last4": key.KeyLast4, "recovery": key.Recovery.String()})
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
		r.data.warn(ctx, "WhatsApp number is gone; removing its key from state", nil)
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
		state.NextRotationAt = state.schedule().value
	case !listTellsKey(*state, current):
		resp.Diagnostics.Append(keyListIncomplete(state.WhatsAppNumberID.ValueString(), current.KeyLast4))
		return false
	case !isStateKey(*state, current):
		r.externalRotation(ctx, state, current, now, resp)
	default:
		setPrivate(ctx, resp.Private, privateExternalRotation, nil, &resp.Diagnostics)
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

// externalRotation handles a number whose current key is not the one in state: it
// was regenerated outside Terraform. With on_external_rotation = "adopt" and a key
// the list reveals, the new key is taken into state; otherwise the next plan
// replaces the resource, regenerating the key.
func (r *numberAPIKeyResource) externalRotation(ctx context.Context, state *numberAPIKeyModel, current pilotstatus.NumberKey, now time.Time, resp *resource.ReadResponse) {
	numberID := state.WhatsAppNumberID.ValueString()
	fields := map[string]any{"state_key_last4": state.KeyLast4.ValueString(), "current_key_last4": current.KeyLast4}
	adopt := state.OnExternalRotation.ValueString() == onExternalRotationAdopt
	if adopt && current.Revealed() {
		r.data.warn(ctx, "API key was regenerated outside Terraform; adopting the new key", fields)
		resp.Diagnostics.Append(adoptedOnRefresh(numberID, state.KeyLast4.ValueString(), current.KeyLast4))
		setKeyFromList(state, current)
		state.CreatedAt = types.StringNull()
		state.KeyVersion = laterKeyVersion(state.KeyVersion, now)
		state.NextRotationAt = state.schedule().value
		setPrivate(ctx, resp.Private, privateExternalRotation, nil, &resp.Diagnostics)
		return
	}
	r.data.warn(ctx, "API key was regenerated outside Terraform", fields)
	setPrivate(ctx, resp.Private, privateExternalRotation, []byte(strconv.Quote(current.KeyLast4)), &resp.Diagnostics)
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
		r.data.info(ctx, "Imported the number's current API key", nil)
		return
	}
	r.data.warn(ctx, "Imported an API key the API does not reveal", nil)
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

// Update carries out the plan's action (decide), which ModifyPlan recorded in the planned private
// state: adopt the key regenerated outside Terraform, store the key from the key list, or keep the
// key while other arguments change. Every regeneration is a replacement, never an update.
func (r *numberAPIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state numberAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	action := keyAction(unquote(getPrivate(ctx, req.Private, privateIntent, &resp.Diagnostics)))
	if resp.Diagnostics.HasError() {
		return
	}
	switch action {
	case actionAdopt:
		if !r.requireConfiguredForUpdate(resp) || !r.adopt(r.data.maskContext(ctx), &plan, state, resp) {
			return
		}
	case actionStore:
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
		setPrivate(ctx, resp.Private, privateImported, nil, &resp.Diagnostics)
	}
	for _, key := range []string{privateExternalRotation, privatePlanned, privateIntent} {
		setPrivate(ctx, resp.Private, key, nil, &resp.Diagnostics)
	}
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
	r.data.info(ctx, "Adopting the API key regenerated outside Terraform", map[string]any{"key_last4": current.KeyLast4})
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
	r.data.info(ctx, "Storing the number's current API key in state", map[string]any{"key_last4": current.KeyLast4})
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
		r.data.info(ctx, "Removed the API key from state without an API call (the API has no delete): the number's key is left as it is", nil)
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
		r.data.info(ctx, "The WhatsApp number is gone; there is no key to invalidate", nil)
		return
	case !isStateKey(state, current):
		r.data.info(ctx, "Not invalidating: the number's current key is no longer this resource's key", map[string]any{
			"current_key_last4": current.KeyLast4,
		})
		return
	}
	r.data.info(ctx, "Invalidating the API key on destroy by regenerating it", map[string]any{"key_last4": current.KeyLast4})
	key, err := r.data.client.RegenerateAPIKey(ctx, numberID, current.KeyID)
	if err != nil {
		diags.Append(invalidationFailed(numberID, err, r.data.cred))
		return
	}
	r.data.info(ctx, "Invalidated the API key; the new key was discarded", map[string]any{"new_key_last4": key.KeyLast4})
}

// ImportState takes the number id from the import id or from the identity. Importing
// never regenerates: the first read takes the number's current key from the key list.
func (r *numberAPIKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	numberID, ok, diags := importedNumberID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if !ok {
		return
	}
	// An import keeps no credential, whatever the configuration says: the first apply with
	// store_key = true stores the key, from the key list. The first read takes the key's details
	// from the list (refresh).
	m := numberAPIKeyModel{
		ID:               types.StringValue(numberID),
		WhatsAppNumberID: types.StringValue(numberID),
		StoreKey:         types.BoolValue(false),
	}
	withImportDefaults(&m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.WhatsAppNumberID)...)
	setPrivate(ctx, resp.Private, privateImported, []byte("true"), &resp.Diagnostics)
}
