package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// NewNumbersDataSource returns the pilotstatus_numbers data source.
func NewNumbersDataSource() datasource.DataSource {
	return &listDataSource[pilotstatus.Number, numberModel]{
		name: "numbers", attribute: "numbers", schema: numbersSchema,
		list: func(ctx context.Context, d *providerData) ([]pilotstatus.Number, error) {
			return d.client.ListNumbers(ctx)
		},
		failed: numberListFailed, item: numberFromAPI, listed: "Listed WhatsApp numbers",
	}
}

// numberModel is one element of numbers.
type numberModel struct {
	ID               types.String `tfsdk:"id"`
	Number           types.String `tfsdk:"number"`
	Name             types.String `tfsdk:"name"`
	Provider         types.String `tfsdk:"provider"`
	State            types.String `tfsdk:"state"`
	IsFullyConnected types.Bool   `tfsdk:"is_fully_connected"`
	CreatedAt        types.String `tfsdk:"created_at"`
	UpdatedAt        types.String `tfsdk:"updated_at"`
}

func numbersSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Lists the tenant's WhatsApp numbers (`GET /v1/numbers`), in the order the API returns them. " +
			"Use it to manage the key of every number with one `pilotstatus_number_api_key` per element, through `for_each`. " +
			"Needs the tenant-scoped key. Holds no secret.",
		Attributes: map[string]schema.Attribute{
			"numbers": schema.ListNestedAttribute{
				MarkdownDescription: "The tenant's WhatsApp numbers, in the API's order. Empty when the tenant has none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: "The number's opaque id (for example `wn_1`): the value of " +
								"`pilotstatus_number_api_key.whatsapp_number_id`.",
							Computed: true,
						},
						"number": schema.StringAttribute{
							MarkdownDescription: "The phone number, digits only (for example `5511999999999`).",
							Computed:            true,
						},
						"name": schema.StringAttribute{
							MarkdownDescription: "The number's name.",
							Computed:            true,
						},
						"provider": schema.StringAttribute{
							MarkdownDescription: "Who connects the number: `PILOT_STATUS` or `META`.",
							Computed:            true,
						},
						"state": schema.StringAttribute{
							MarkdownDescription: "The connection state as the API reports it: `OPEN`, `CONNECTING`, or `CLOSED` " +
								"(some answers spell it `CLOSE`).",
							Computed: true,
						},
						"is_fully_connected": schema.BoolAttribute{
							MarkdownDescription: "Whether the number is fully connected.",
							Computed:            true,
						},
						"created_at": schema.StringAttribute{
							MarkdownDescription: "When the number was created, as an RFC 3339 timestamp in UTC. Null when the API does not say.",
							Computed:            true,
						},
						"updated_at": schema.StringAttribute{
							MarkdownDescription: "When the number was last updated, as an RFC 3339 timestamp in UTC. Null when the API does not say.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

// numberFromAPI maps one listed number; a zero time becomes null.
func numberFromAPI(n pilotstatus.Number) numberModel {
	return numberModel{
		ID:               types.StringValue(n.ID),
		Number:           types.StringValue(n.Number),
		Name:             types.StringValue(n.Name),
		Provider:         types.StringValue(n.Provider),
		State:            types.StringValue(n.State),
		IsFullyConnected: types.BoolValue(n.IsFullyConnected),
		CreatedAt:        timestamp(n.CreatedAt),
		UpdatedAt:        timestamp(n.UpdatedAt),
	}
}

// timestamp renders t as RFC 3339 in UTC, or null when t is zero.
func timestamp(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(formatTime(t))
}
