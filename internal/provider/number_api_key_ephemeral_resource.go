package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var (
	_ ephemeral.EphemeralResource              = (*numberAPIKeyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*numberAPIKeyEphemeralResource)(nil)
)

// NewNumberAPIKeyEphemeralResource returns the pilotstatus_number_api_key ephemeral resource.
func NewNumberAPIKeyEphemeralResource() ephemeral.EphemeralResource {
	return &numberAPIKeyEphemeralResource{}
}

// numberAPIKeyEphemeralResource opens a number's current key from the key list. It
// never regenerates: Terraform opens it on every plan and every apply.
type numberAPIKeyEphemeralResource struct {
	data *providerData
}

// numberAPIKeyEphemeralModel maps the pilotstatus_number_api_key ephemeral schema.
type numberAPIKeyEphemeralModel struct {
	WhatsAppNumberID types.String `tfsdk:"whatsapp_number_id"`
	Key              types.String `tfsdk:"key"`
	KeyID            types.String `tfsdk:"key_id"`
	KeyLast4         types.String `tfsdk:"key_last4"`
	KeyPrefix        types.String `tfsdk:"key_prefix"`
	Number           types.String `tfsdk:"number"`
	DisplayName      types.String `tfsdk:"display_name"`
	KeyFingerprint   types.String `tfsdk:"key_fingerprint"`
}

func (e *numberAPIKeyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_api_key"
}

func (e *numberAPIKeyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = numberAPIKeyEphemeralSchema()
}

func numberAPIKeyEphemeralSchema() schema.Schema { //nolint:funlen // a declaration: one attribute after another, each with its description
	return schema.Schema{
		MarkdownDescription: "Reads the **current** API key of one Pilot Status WhatsApp number from the tenant's key list " +
			"(`GET /v1/api-keys`). It **never regenerates** the key: Terraform opens an ephemeral resource again on every plan " +
			"and every apply, and each opening only reads, so the number's key keeps working. The key never reaches the plan " +
			"or the state: pass it to write-only arguments (such as `secret_string_wo` of `aws_secretsmanager_secret_version`), " +
			"provider configurations or other ephemeral contexts.\n\n" +
			"Needs Terraform 1.10 or later, or OpenTofu 1.11 or later.\n\n" +
			"Opening fails for a legacy key, created before Pilot Status stored keys encrypted: the API cannot reveal it. Only " +
			"regenerating it makes it usable, for example with a `pilotstatus_number_api_key` resource, which invalidates the " +
			"current key at once. When a `pilotstatus_number_api_key` resource in the same configuration regenerates the same " +
			"number's key, set this ephemeral resource's `whatsapp_number_id` from that resource " +
			"(`pilotstatus_number_api_key.<name>.whatsapp_number_id`) and `key_fingerprint` from that resource's " +
			"`key_fingerprint`: it then opens after the regeneration, in the same apply, and hands on the new key, and it " +
			"fails to open rather than hand on any other key.",
		Attributes: map[string]schema.Attribute{
			"whatsapp_number_id": schema.StringAttribute{
				MarkdownDescription: "The id of the WhatsApp number whose current key to read (for example `wn_1`). " +
					"Must not be blank or have leading or trailing white space.",
				Required: true,
				Validators: []validator.String{
					// Also refuses "": one error, naming the problem.
					notBlankValidator,
				},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The number's current raw API key (`ps_...`), read again on every plan and apply and " +
					"never regenerated.",
				Computed:  true,
				Sensitive: true,
			},
			"key_id": schema.StringAttribute{
				MarkdownDescription: "The id of the current key; it changes whenever the key is regenerated. Sensitive: the API " +
					"accepts a key id in place of the key (header `x-api-key-id`), so it is a credential like `key`.",
				Computed:  true,
				Sensitive: true,
			},
			"key_last4": schema.StringAttribute{
				MarkdownDescription: "The last four characters of the key, safe to show.",
				Computed:            true,
			},
			"key_prefix": schema.StringAttribute{
				MarkdownDescription: "The key's prefix, `ps_`.",
				Computed:            true,
			},
			"number": schema.StringAttribute{
				MarkdownDescription: "The WhatsApp phone number, digits only (for example `5511999999999`).",
				Computed:            true,
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The number's display name in Pilot Status.",
				Computed:            true,
			},
			"key_fingerprint": schema.StringAttribute{
				MarkdownDescription: "Ties the opened key to a managed key: set it to `pilotstatus_number_api_key.<name>.key_fingerprint`. " +
					"Opening then fails, with an error, unless the number's current key has this fingerprint, so the key handed " +
					"on is always the one that resource holds. While that resource's key is being regenerated the fingerprint " +
					"is unknown, so Terraform opens this ephemeral resource only after the regeneration, in the same apply, and " +
					"it opens the new key, never the one that just stopped working. Unset: opens whatever key the number has " +
					"now, and this attribute is that key's fingerprint (`sha256:` and 64 hex digits).",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(fingerprintPattern,
						"must be a key_fingerprint of a pilotstatus_number_api_key: \"sha256:\" followed by 64 lower-case hex digits"),
				},
			},
		},
	}
}

func (e *numberAPIKeyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	d, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	e.data = d
}

func (e *numberAPIKeyEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m numberAPIKeyEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.WhatsAppNumberID.IsUnknown() || m.KeyFingerprint.IsUnknown() {
		// Known only after apply (the number, or the key it must be): nothing to read yet.
		setEphemeralUnknown(&m)
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
		return
	}
	if !requireConfigured(e.data, "ephemeral resource", &resp.Diagnostics) {
		return
	}
	ctx = e.data.maskContext(ctx)
	numberID := m.WhatsAppNumberID.ValueString()
	ctx = tflog.SetField(ctx, "whatsapp_number_id", numberID)

	current, found, err := e.data.currentKey(ctx, numberID)
	if d := openDiagnostic(numberID, current, found, err, e.data.cred); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	if d := expectedKeyDiagnostic(numberID, m.KeyFingerprint, current); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	setFromListed(&m, current)
	e.data.info(ctx, "Opened the number's current API key", map[string]any{"key_last4": current.KeyLast4})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// openDiagnostic returns the error that keeps the key of numberID from being
// opened, or nil when the list answered with a usable key.
func openDiagnostic(numberID string, current pilotstatus.NumberKey, found bool, err error, cred credential) diag.Diagnostic {
	switch {
	case err != nil:
		return openReadFailed(numberID, err, cred)
	case !found:
		return openNumberNotFound(numberID)
	case !current.Revealable:
		return openNotRevealable(numberID, current.KeyLast4)
	case current.Key == "":
		return openKeyNotListed(numberID, current.KeyLast4)
	}
	return nil
}

// expectedKeyDiagnostic returns the error that keeps a key other than the expected one (by
// key_fingerprint) from being opened, or nil when none is expected or the current key is it.
func expectedKeyDiagnostic(numberID string, expected types.String, current pilotstatus.NumberKey) diag.Diagnostic {
	if expected.IsNull() || keyFingerprint(current.Key) == expected.ValueString() {
		return nil
	}
	return openOtherKey(numberID, current.KeyLast4)
}

// setFromListed fills the results from the number's entry in the key list.
func setFromListed(m *numberAPIKeyEphemeralModel, k pilotstatus.NumberKey) {
	m.Key = types.StringValue(k.Key)
	m.KeyID = types.StringValue(k.KeyID)
	m.KeyLast4 = types.StringValue(k.KeyLast4)
	m.KeyPrefix = keyPrefix(k.Key)
	m.Number = types.StringValue(k.Number)
	m.DisplayName = types.StringValue(k.DisplayName)
	m.KeyFingerprint = types.StringValue(keyFingerprint(k.Key))
}

func setEphemeralUnknown(m *numberAPIKeyEphemeralModel) {
	m.Key = types.StringUnknown()
	m.KeyID = types.StringUnknown()
	m.KeyLast4 = types.StringUnknown()
	m.KeyPrefix = types.StringUnknown()
	m.Number = types.StringUnknown()
	m.DisplayName = types.StringUnknown()
	m.KeyFingerprint = types.StringUnknown()
}
