package provider

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var (
	_ resource.Resource                = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithConfigure   = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithImportState = (*numberAPIKeyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*numberAPIKeyResource)(nil)
)

// Private state keys.
const (
	// privateImported marks an object that came from an import and has not
	// recorded keepers yet.
	privateImported = "imported"
	// privateExternalRotation holds the key id the API reported when it differs
	// from the one in state: the key was regenerated outside Terraform.
	privateExternalRotation = "external_rotation"
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

func (r *numberAPIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var state numberAPIKeyModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		resp.Diagnostics.AddWarning("Destroying Does Not Invalidate the Key",
			fmt.Sprintf("Pilot Status has no way to delete a key: destroying this pilotstatus_number_api_key only removes "+
				"its key of WhatsApp number %s from state, without an API call. Unless a regeneration in the same apply "+
				"replaces it, that key stays valid. To make it stop working, regenerate it first "+
				"(terraform apply -replace=<address>) and then destroy the resource.", quote(state.WhatsAppNumberID.ValueString())))
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

	if req.State.Raw.IsNull() {
		// A create, or the create half of a replacement.
		r.warnRegeneration(ctx, plan.WhatsAppNumberID, resp)
		if !plan.WhatsAppNumberID.IsUnknown() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.WhatsAppNumberID)...)
		}
		return
	}

	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	observed, diags := req.Private.GetKey(ctx, privateExternalRotation)
	resp.Diagnostics.Append(diags...)
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	switch {
	case len(observed) > 0:
		for _, name := range computedFromKey {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
		}
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("key_id"))
		resp.Diagnostics.AddWarning("Key Rotated Outside Terraform",
			fmt.Sprintf("The key of WhatsApp number %s in state (key id %s) is no longer the number's current key: it was "+
				"regenerated outside Terraform (the dashboard, another tool, or another resource for the same number). "+
				"The key in state no longer works, so this plan regenerates the key and stores the new one.",
				quote(state.WhatsAppNumberID.ValueString()), quote(state.KeyID.ValueString())))
	case !plan.WhatsAppNumberID.Equal(state.WhatsAppNumberID),
		keepersForceNewKey(state.Keepers, plan.Keepers, len(imported) > 0):
	default:
		return
	}
	// A replacement: Terraform shows only the warnings of this first planning call.
	r.warnRegeneration(ctx, plan.WhatsAppNumberID, resp)
}

// warnRegeneration warns that applying the plan invalidates the number's current key.
func (r *numberAPIKeyResource) warnRegeneration(ctx context.Context, numberID types.String, resp *resource.ModifyPlanResponse) {
	if numberID.IsUnknown() {
		resp.Diagnostics.AddWarning("API Key Will Be Regenerated",
			"Applying this plan regenerates the API key of a WhatsApp number whose id is known only after apply: "+
				"its current key stops working at once.")
		return
	}
	id := numberID.ValueString()
	current := ""
	key, found, err := r.data.keys.get(ctx, id)
	switch {
	case err != nil:
		tflog.Debug(ctx, "Could not list the current keys to name the key that a regeneration invalidates", map[string]any{
			"whatsapp_number_id": id,
			"error":              err.Error(),
		})
	case !found:
		resp.Diagnostics.AddAttributeWarning(path.Root("whatsapp_number_id"), "WhatsApp Number Not Found",
			fmt.Sprintf("The tenant's key list has no WhatsApp number %s, so regenerating its key will fail unless the "+
				"number exists by the time this plan is applied. Check whatsapp_number_id.", quote(id)))
		return
	case key.KeyLast4 != "":
		current = fmt.Sprintf(" (the key ending in %s)", quote(key.KeyLast4))
	}
	resp.Diagnostics.AddWarning("API Key Will Be Regenerated",
		fmt.Sprintf("Applying this plan regenerates the API key of WhatsApp number %s. Its current key%s stops working at once; "+
			"everything that uses it must receive the new key, which this resource stores in state.", quote(id), current))
}

func (r *numberAPIKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx = r.data.maskContext(ctx)
	var plan numberAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	numberID := plan.WhatsAppNumberID.ValueString()
	ctx = tflog.SetField(ctx, "whatsapp_number_id", numberID)

	if !r.data.claims.claim(numberID) {
		resp.Diagnostics.AddAttributeError(path.Root("whatsapp_number_id"), "Duplicate Key Regeneration",
			fmt.Sprintf("The key of WhatsApp number %s was already regenerated by another pilotstatus_number_api_key in this run. "+
				"A number has exactly one key, so two resources for the same number invalidate each other's key: the other "+
				"resource's key would stop working. This resource did not regenerate the key. Keep one "+
				"pilotstatus_number_api_key per number and share its key attribute instead.", quote(numberID)))
		return
	}

	tflog.Info(ctx, "Regenerating API key")
	key, err := r.data.client.RegenerateAPIKey(ctx, numberID)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(summaryRegenerate,
			fmt.Sprintf("Regenerating the API key of WhatsApp number %s (POST /v1/api-keys) failed", quote(numberID)),
			numberID, err, r.data.secrets))
		return
	}
	r.data.keys.regenerated(key)
	tflog.Info(ctx, "Regenerated API key", map[string]any{"key_id": key.KeyID})

	plan.ID = types.StringValue(numberID)
	setFromRegenerated(&plan, key)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func setFromRegenerated(m *numberAPIKeyModel, k pilotstatus.RegeneratedKey) {
	m.Key = types.StringValue(k.Key)
	m.KeyID = types.StringValue(k.KeyID)
	m.KeyPrefix = types.StringValue(k.KeyPrefix)
	m.KeyLast4 = types.StringValue(k.KeyLast4)
	m.CreatedAt = types.StringNull()
	if !k.CreatedAt.IsZero() {
		m.CreatedAt = types.StringValue(k.CreatedAt.UTC().Format(time.RFC3339Nano))
	}
}

func (r *numberAPIKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	ctx = r.data.maskContext(ctx)
	var state numberAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	numberID := state.WhatsAppNumberID.ValueString()
	ctx = tflog.SetField(ctx, "whatsapp_number_id", numberID)

	current, found, err := r.data.keys.get(ctx, numberID)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(summaryListKeys,
			fmt.Sprintf("Reading the current key of WhatsApp number %s (GET /v1/api-keys) failed; the state was left as it was", quote(numberID)),
			numberID, err, r.data.secrets))
		return
	}
	if !found {
		tflog.Warn(ctx, "WhatsApp number is gone; removing its key from state")
		resp.Diagnostics.AddWarning("WhatsApp Number Not Found",
			fmt.Sprintf("The tenant no longer has WhatsApp number %s, so its key was removed from state. "+
				"If the configuration still declares it, the next apply tries to regenerate its key and fails until the number exists again.",
				quote(numberID)))
		resp.State.RemoveResource(ctx)
		return
	}

	switch {
	case state.KeyID.IsNull():
		// The first read after an import: take what the list reveals.
		r.adoptListed(ctx, &state, current, resp)
	case current.KeyID != state.KeyID.ValueString():
		tflog.Warn(ctx, "API key was regenerated outside Terraform", map[string]any{
			"state_key_id":   state.KeyID.ValueString(),
			"current_key_id": current.KeyID,
		})
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, []byte(strconv.Quote(current.KeyID)))...)
		resp.Diagnostics.AddWarning("Key Rotated Outside Terraform",
			fmt.Sprintf("The key of WhatsApp number %s in state (key id %s) is no longer the number's current key (key id %s): "+
				"it was regenerated outside Terraform, so the key in state no longer works. The next apply regenerates it.",
				quote(numberID), quote(state.KeyID.ValueString()), quote(current.KeyID)))
	default:
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExternalRotation, nil)...)
		if state.Key.IsNull() && current.Revealable && current.Key != "" {
			state.Key = types.StringValue(current.Key)
			state.KeyPrefix = types.StringValue(keyPrefix(current.Key))
		}
		if current.KeyLast4 != "" {
			state.KeyLast4 = types.StringValue(current.KeyLast4)
		}
	}
	state.ID = types.StringValue(numberID)
	if state.Keepers.IsNull() {
		state.Keepers = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// adoptListed fills state from the list without regenerating, as after an import.
func (r *numberAPIKeyResource) adoptListed(ctx context.Context, state *numberAPIKeyModel, current pilotstatus.NumberKey, resp *resource.ReadResponse) {
	state.KeyID = types.StringValue(current.KeyID)
	state.KeyLast4 = types.StringValue(current.KeyLast4)
	if current.Revealable && current.Key != "" {
		state.Key = types.StringValue(current.Key)
		state.KeyPrefix = types.StringValue(keyPrefix(current.Key))
		tflog.Info(ctx, "Imported the number's current API key")
		return
	}
	state.Key = types.StringNull()
	state.KeyPrefix = types.StringNull()
	tflog.Warn(ctx, "Imported an API key the API does not reveal")
	resp.Diagnostics.AddWarning("Imported Key Is Not Revealable",
		fmt.Sprintf("The current key of WhatsApp number %s (ending in %s) was created before Pilot Status stored keys "+
			"encrypted, so the API cannot reveal it: key is null in state. The key still works where it is already used. "+
			"To get a usable key in state, regenerate it, which invalidates the current key: "+
			"terraform apply -replace=<address of this resource>.", quote(state.WhatsAppNumberID.ValueString()), quote(current.KeyLast4)))
}

func keyPrefix(key string) string {
	if len(key) >= 3 {
		return key[:3]
	}
	return ""
}

func (r *numberAPIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only keepers change in place (null and {} are equal, and the first keepers after
	// an import are recorded without regenerating); every other change replaces.
	var plan numberAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
}

func (r *numberAPIKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	var state numberAPIKeyModel
	if diags := req.State.Get(ctx, &state); !diags.HasError() {
		tflog.Info(ctx, "Removed the API key from state; the key stays valid (the API has no delete)", map[string]any{
			"whatsapp_number_id": state.WhatsAppNumberID.ValueString(),
		})
	}
}

func (r *numberAPIKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if msg := blankProblem(req.ID); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			msg+" Import with the WhatsApp number id: terraform import pilotstatus_number_api_key.<name> wn_1")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("whatsapp_number_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)
}

// configured adds an error and returns false when the provider was not configured.
func (r *numberAPIKeyResource) configured(diags interface{ AddError(string, string) }) bool {
	if r.data != nil {
		return true
	}
	diags.AddError("Unconfigured Pilot Status Provider",
		"The provider was not configured before the resource was used. This is a bug in the provider or in Terraform; please report it.")
	return false
}

func quote(s string) string { return strconv.Quote(s) }
