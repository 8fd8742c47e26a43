package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// NewAPIKeysDataSource returns the pilotstatus_api_keys data source.
func NewAPIKeysDataSource() datasource.DataSource {
	return &listDataSource[pilotstatus.NumberKey, apiKeyModel]{
		name: "api_keys", attribute: "keys", schema: apiKeysSchema,
		list: func(ctx context.Context, d *providerData) ([]pilotstatus.NumberKey, error) {
			return d.allKeys(ctx)
		},
		failed: keyListFailed, item: apiKeyFromAPI, listed: "Listed API key metadata",
	}
}

// apiKeyModel is one element of keys. It has no field for the key itself.
type apiKeyModel struct {
	NumberID    types.String `tfsdk:"number_id"`
	Number      types.String `tfsdk:"number"`
	DisplayName types.String `tfsdk:"display_name"`
	KeyID       types.String `tfsdk:"key_id"`
	KeyLast4    types.String `tfsdk:"key_last4"`
	Revealable  types.Bool   `tfsdk:"revealable"`
}

func apiKeysSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Describes the current API key of every WhatsApp number of the tenant (`GET /v1/api-keys`), " +
			"in the order the API returns them. Only metadata: the keys themselves are never read into state; " +
			"`pilotstatus_number_api_key` is the way to hold a key. Needs the tenant-scoped key. " +
			"Within one run, this data source and every `pilotstatus_number_api_key` share one list call. " +
			"Like any data source without pending dependencies, it is read while planning: in an apply that regenerates " +
			"keys, it shows the keys from before; the next plan shows the new ones.",
		Attributes: map[string]schema.Attribute{
			"keys": schema.ListNestedAttribute{
				MarkdownDescription: "One element per WhatsApp number, in the API's order. Empty when the tenant has no numbers.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"number_id": schema.StringAttribute{
							MarkdownDescription: "The WhatsApp number's id (for example `wn_1`).",
							Computed:            true,
						},
						"number": schema.StringAttribute{
							MarkdownDescription: "The phone number, digits only.",
							Computed:            true,
						},
						"display_name": schema.StringAttribute{
							MarkdownDescription: "The number's display name.",
							Computed:            true,
						},
						"key_id": schema.StringAttribute{
							MarkdownDescription: "The id of the number's current key; it changes with every regeneration. Sensitive: " +
								"the API accepts a key id in place of the key (header `x-api-key-id`), so it is a credential like the key. " +
								"Use `key_last4` to tell keys apart.",
							Computed:  true,
							Sensitive: true,
						},
						"key_last4": schema.StringAttribute{
							MarkdownDescription: "The last four characters of the number's current key, to tell keys apart without revealing them.",
							Computed:            true,
						},
						"revealable": schema.BoolAttribute{
							MarkdownDescription: "Whether the API can reveal the current key. `false` for a legacy key created before " +
								"Pilot Status stored keys encrypted: only regenerating it (a `pilotstatus_number_api_key`) yields a usable key in state.",
							Computed: true,
						},
					},
				},
			},
		},
	}
}

// apiKeyFromAPI maps one number's key metadata; the key itself is left out.
func apiKeyFromAPI(k pilotstatus.NumberKey) apiKeyModel {
	return apiKeyModel{
		NumberID:    types.StringValue(k.NumberID),
		Number:      types.StringValue(k.Number),
		DisplayName: types.StringValue(k.DisplayName),
		KeyID:       types.StringValue(k.KeyID),
		KeyLast4:    types.StringValue(k.KeyLast4),
		Revealable:  types.BoolValue(k.Revealable),
	}
}
