package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// numberAPIKeyModel maps the pilotstatus_number_api_key schema.
type numberAPIKeyModel struct {
	ID               types.String `tfsdk:"id"`
	WhatsAppNumberID types.String `tfsdk:"whatsapp_number_id"`
	Keepers          types.Map    `tfsdk:"keepers"`
	Key              types.String `tfsdk:"key"`
	KeyID            types.String `tfsdk:"key_id"`
	KeyPrefix        types.String `tfsdk:"key_prefix"`
	KeyLast4         types.String `tfsdk:"key_last4"`
	CreatedAt        types.String `tfsdk:"created_at"`
}

// computedFromKey lists the attributes that change only when the key is regenerated.
var computedFromKey = []string{"key", "key_id", "key_prefix", "key_last4", "created_at"}

func numberAPIKeySchema() schema.Schema {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "Owns the API key of one Pilot Status WhatsApp number. Pilot Status keeps exactly one key per number " +
			"and can only **regenerate** it: creating or replacing this resource calls `POST /v1/api-keys`, which invalidates " +
			"the number's previous key at once and returns the new key one time only. The key is stored in state as a " +
			"sensitive attribute. Destroying the resource makes no API call: the key stays valid.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Equals `whatsapp_number_id`.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"whatsapp_number_id": schema.StringAttribute{
				MarkdownDescription: "The id of the WhatsApp number whose key this resource owns (for example `wn_1`). " +
					"Changing it regenerates the key of the new number; the previous number's key stays valid. " +
					"Must not be blank or have leading or trailing white space.",
				Required: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
				},
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					notBlankValidator{},
				},
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; adding, changing or removing any entry regenerates the key. An unset map and `{}` are the same. " +
					"Use a `time_rotating` id here to rotate on a schedule. After an import, the first keepers set are recorded " +
					"without regenerating.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				PlanModifiers: []planmodifier.Map{
					keepersPlanModifier{},
				},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The raw API key (`ps_...`), from the answer of the regeneration, or from the key list after an import. " +
					"Null after importing a key the API does not reveal (a legacy key): `terraform apply -replace=<address>` " +
					"regenerates it, invalidating the current key, and stores a usable one.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"key_id": schema.StringAttribute{
				MarkdownDescription: "The id of the current key; it changes with every regeneration.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"key_prefix": schema.StringAttribute{
				MarkdownDescription: "The key's prefix, `ps_`. Null after importing a key the API does not reveal.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"key_last4": schema.StringAttribute{
				MarkdownDescription: "The last four characters of the key, safe to show.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the key was generated (RFC 3339). Null after an import: the API does not list it.",
				Computed:            true,
				PlanModifiers:       keep,
			},
		},
	}
}
