package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

var (
	_ datasource.DataSource              = (*listDataSource[any, any])(nil)
	_ datasource.DataSourceWithConfigure = (*listDataSource[any, any])(nil)
)

// listDataSource is a data source that reads one list of the tenant's with one API call into one
// list attribute: pilotstatus_api_keys and pilotstatus_numbers. T is what the client lists, M an
// element of the attribute.
type listDataSource[T, M any] struct {
	data *providerData

	// name is the type name after the provider's ("api_keys"); attribute is the list attribute.
	name, attribute string
	schema          func() schema.Schema
	list            func(context.Context, *providerData) ([]T, error)
	// failed is the diagnostic of a failed list call.
	failed func(error, credential) diag.Diagnostic
	// item maps one listed thing to an element.
	item func(T) M
	// listed is the debug message that logs how many were listed.
	listed string
}

func (d *listDataSource[T, M]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.name
}

func (d *listDataSource[T, M]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = d.schema()
}

func (d *listDataSource[T, M]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *listDataSource[T, M]) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireConfigured(d.data, "data source", &resp.Diagnostics) {
		return
	}
	ctx = d.data.maskContext(ctx)

	listed, err := d.list(ctx, d.data)
	if err != nil {
		resp.Diagnostics.Append(d.failed(err, d.data.cred))
		return
	}
	d.data.debug(ctx, d.listed, map[string]any{"count": len(listed)})

	// Never nil: an empty list, not null, when the tenant has none.
	items := make([]M, 0, len(listed))
	for _, x := range listed {
		items = append(items, d.item(x))
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.attribute), items)...)
}
