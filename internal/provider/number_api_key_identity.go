package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// numberAPIKeyIdentityModel maps the identity of pilotstatus_number_api_key. It names
// the number, never the key: the identity is shown in plans and stored in state in
// clear, and a key id is a credential.
type numberAPIKeyIdentityModel struct {
	WhatsAppNumberID types.String `tfsdk:"whatsapp_number_id"`
}

func numberAPIKeyIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"whatsapp_number_id": identityschema.StringAttribute{
				Description: "The id of the WhatsApp number whose key the resource owns (for example `wn_1`), the same value " +
					"as the resource's `whatsapp_number_id`. A number has exactly one key, so the number id identifies it; " +
					"the identity holds no key and no key id.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *numberAPIKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = numberAPIKeyIdentitySchema()
}

// setIdentity records the identity of the key of numberID. identity is nil when the
// CLI knows no identities (or outside Terraform, in unit tests).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, numberID types.String) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, numberAPIKeyIdentityModel{WhatsAppNumberID: numberID})
}

// importedNumberID reads the number id an import names: the import id (terraform
// import, or an import block with id) or the identity (an import block with identity,
// Terraform and OpenTofu 1.12 and later). ok is false, with an error diagnostic,
// when the value cannot identify a number.
func importedNumberID(ctx context.Context, req resource.ImportStateRequest) (string, bool, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		if msg := blankProblem(req.ID); msg != "" {
			return "", false, diag.Diagnostics{invalidImportID(msg)}
		}
		return req.ID, true, nil
	}
	var id types.String
	diags := req.Identity.GetAttribute(ctx, path.Root("whatsapp_number_id"), &id)
	if diags.HasError() {
		return "", false, diags
	}
	msg := blankProblem(id.ValueString())
	if id.IsNull() {
		msg = "The identity's whatsapp_number_id is null."
	}
	if msg != "" {
		return "", false, append(diags, invalidImportIdentity(msg))
	}
	return id.ValueString(), true, diags
}
