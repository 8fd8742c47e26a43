package provider

import (
	"context"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var (
	_ list.ListResource              = (*numberAPIKeyListResource)(nil)
	_ list.ListResourceWithConfigure = (*numberAPIKeyListResource)(nil)
)

// NewNumberAPIKeyListResource returns the pilotstatus_number_api_key list resource, which lists
// every number's key for terraform query, so that keys already in use can be adopted by import
// without regenerating them.
func NewNumberAPIKeyListResource() list.ListResource {
	return &numberAPIKeyListResource{}
}

type numberAPIKeyListResource struct {
	data *providerData
}

// numberAPIKeyListModel maps the config block of list "pilotstatus_number_api_key".
type numberAPIKeyListModel struct {
	WhatsAppNumberIDs types.List   `tfsdk:"whatsapp_number_ids"`
	NameRegex         types.String `tfsdk:"name_regex"`
}

func (r *numberAPIKeyListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_api_key"
}

func (r *numberAPIKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = numberAPIKeyListSchema()
}

func numberAPIKeyListSchema() listschema.Schema {
	return listschema.Schema{
		MarkdownDescription: "Lists the API key of every WhatsApp number of the tenant, for `terraform query` (Terraform 1.14 " +
			"and later), so that keys already in use can be adopted: `terraform query -generate-config-out=<file>` writes a " +
			"`pilotstatus_number_api_key` resource and an `import` block (by identity) for each listed key, and the next " +
			"`terraform apply` imports them **without regenerating any key**. One query reads the tenant's key list " +
			"(`GET /v1/api-keys`) once, however many numbers and list blocks it has.\n\n" +
			"Each result's identity is `whatsapp_number_id`; its display name is the phone number in international form " +
			"and the number's display name, such as `+5511999990001 (Suporte)` (the phone number alone when the number " +
			"has no name, the name alone when the API gives no phone number, and the number id when it gives neither). " +
			"No result holds a key or a key id.\n\n" +
			"Terraform lists at most `limit` results per list block, **100 when the block sets no `limit`**: with more " +
			"numbers than that, set `limit` (a warning, **Query Limit Reached**, says how many match).",
		Attributes: map[string]listschema.Attribute{
			"whatsapp_number_ids": listschema.ListAttribute{
				MarkdownDescription: "Lists only these WhatsApp numbers, by id (for example `[\"wn_1\", \"wn_2\"]`). An id the " +
					"tenant does not have is warned of (**WhatsApp Number Not Found**) and lists nothing. Unset (the " +
					"default): every number. Must not be empty; no id may be blank or have leading or trailing white space.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.List{numberIDFilterValidator{}},
			},
			"name_regex": listschema.StringAttribute{
				MarkdownDescription: "Lists only the numbers whose display name matches this regular expression (Go's RE2 " +
					"syntax), searched for anywhere in the name: `\"Suporte\"` lists the names that contain `Suporte`, " +
					"`\"^Loja [0-9]+$\"` the whole names of that form, `\"(?i)suporte\"` ignores case, `\"^$\"` lists the " +
					"numbers without a name. Unset (the default): every name. Must not be empty. Combined with " +
					"`whatsapp_number_ids`, a number is listed when it passes both.",
				Optional:   true,
				Validators: []validator.String{nameRegexValidator},
			},
		},
	}
}

func (r *numberAPIKeyListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	d, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = d
}

// List reads the tenant's key list once, from the run's key cache, and streams the numbers that
// pass the filters: first any warning about them, then one result per number, in the API's order,
// up to the limit.
func (r *numberAPIKeyListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	if !requireConfigured(r.data, "list resource", &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ctx = r.data.maskContext(ctx)

	var config numberAPIKeyListModel
	diags.Append(req.Config.Get(ctx, &config)...)
	filter, filterDiags := newKeyQueryFilter(ctx, config)
	diags.Append(filterDiags...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	listed, err := r.data.allKeys(ctx)
	if err != nil {
		stream.Results = list.ListResultsStreamDiagnostics(diag.Diagnostics{keyQueryFailed(err, r.data.cred)})
		return
	}
	matched := filter.apply(listed)
	shown := matched
	if req.Limit > 0 && int64(len(matched)) > req.Limit {
		shown = matched[:req.Limit]
	}
	r.data.debug(ctx, "Listed API keys for a query", map[string]any{
		"listed": len(listed), "matched": len(matched), "returned": len(shown), "limit": req.Limit,
	})

	results := queryWarnings(filter, listed, matched, shown, req.Limit)
	for _, k := range shown {
		results = append(results, listResult(ctx, req, k))
	}
	stream.Results = slices.Values(results)
}

// queryWarnings are the results that carry only a warning, streamed before the numbers: Terraform
// stops reading at the limit, so a warning after the last number it takes would never be seen.
func queryWarnings(filter keyQueryFilter, listed, matched, shown []pilotstatus.NumberKey, limit int64) []list.ListResult {
	var warnings diag.Diagnostics
	if missing := filter.missing(listed); len(missing) > 0 {
		warnings.Append(listedNumbersNotFound(missing))
	}
	if len(shown) < len(matched) {
		warnings.Append(queryLimitReached(len(matched), limit))
	}
	var legacy []string
	for _, k := range shown {
		if !k.Revealed() {
			legacy = append(legacy, k.NumberID)
		}
	}
	if len(legacy) > 0 {
		warnings.Append(listedNotRevealable(legacy))
	}
	out := make([]list.ListResult, 0, len(warnings))
	for _, w := range warnings {
		out = append(out, list.ListResult{Diagnostics: diag.Diagnostics{w}})
	}
	return out
}

// listResult is one listed number: its identity, a display name a person recognises, and, when
// Terraform asks for it (include_resource, or -generate-config-out), the object that adoption
// starts from (listedKeyObject).
func listResult(ctx context.Context, req list.ListRequest, k pilotstatus.NumberKey) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = listDisplayName(k)
	result.Diagnostics.Append(result.Identity.Set(ctx, numberAPIKeyIdentityModel{WhatsAppNumberID: types.StringValue(k.NumberID)})...)
	if req.IncludeResource {
		result.Diagnostics.Append(result.Resource.Set(ctx, listedKeyObject(k))...)
	}
	return result
}

// listDisplayName names a listed number as a person knows it: its phone number in international
// form (the API gives digits only) and its display name, "+5511999990001 (Suporte)"; whichever of
// the two the API gives; or the number id when it gives neither.
func listDisplayName(k pilotstatus.NumberKey) string {
	switch {
	case k.Number != "" && k.DisplayName != "":
		return "+" + k.Number + " (" + k.DisplayName + ")"
	case k.Number != "":
		return "+" + k.Number
	case k.DisplayName != "":
		return k.DisplayName
	}
	return k.NumberID
}

// listedKeyObject is the resource object of a listed number: what adoption needs and nothing
// secret. Terraform prints it whole in query -json, so key and key_id, which Terraform would print
// in clear there, are null: the import's first refresh reads the key from the key list, and the
// first apply stores it in place, without regenerating (store_key = true). -generate-config-out
// writes the object's non-null arguments as configuration, so rotation_anchor, which would pin the
// time of the query, is null; on_destroy and on_external_rotation are written with their defaults,
// to show the choices that matter for a key already in use. Of the computed attributes, which
// configuration never holds, only id and key_last4 are set, to tell keys apart; key_fingerprint is
// left to the import's refresh, as the query has no use for it.
func listedKeyObject(k pilotstatus.NumberKey) numberAPIKeyModel {
	id := types.StringValue(k.NumberID)
	last4 := types.StringNull()
	if k.KeyLast4 != "" {
		last4 = types.StringValue(k.KeyLast4)
	}
	return numberAPIKeyModel{
		ID:                  id,
		WhatsAppNumberID:    id,
		Keepers:             types.MapNull(types.StringType),
		Key:                 types.StringNull(),
		KeyID:               types.StringNull(),
		KeyPrefix:           types.StringNull(),
		KeyLast4:            last4,
		CreatedAt:           types.StringNull(),
		KeyVersion:          types.Int64Null(),
		RotationPeriod:      types.StringNull(),
		RotationAnchor:      types.StringNull(),
		EarlyRotationWindow: types.StringNull(),
		NextRotationAt:      types.StringNull(),
		OnDestroy:           types.StringValue(onDestroyKeep),
		OnExternalRotation:  types.StringValue(onExternalRotationRegenerate),
		StoreKey:            types.BoolValue(true),
		KeyFingerprint:      types.StringNull(),
	}
}

// keyQueryFilter is the config block of a query, read: which numbers a query lists.
type keyQueryFilter struct {
	// ids are the numbers named by whatsapp_number_ids, in order and without repeats; nil for all.
	ids []string
	// name matches the display names to list; nil for all.
	name *regexp.Regexp
}

// newKeyQueryFilter reads the config block, which Terraform has validated (numberIDFilterValidator,
// nameRegexValidator) before it asks for the list.
func newKeyQueryFilter(ctx context.Context, m numberAPIKeyListModel) (keyQueryFilter, diag.Diagnostics) {
	var f keyQueryFilter
	var diags diag.Diagnostics
	if !m.WhatsAppNumberIDs.IsNull() {
		var ids []string
		diags.Append(m.WhatsAppNumberIDs.ElementsAs(ctx, &ids, false)...)
		f.ids = make([]string, 0, len(ids))
		for _, id := range ids {
			if !slices.Contains(f.ids, id) {
				f.ids = append(f.ids, id)
			}
		}
	}
	if !m.NameRegex.IsNull() {
		re, err := compileNameRegex(m.NameRegex.ValueString())
		if err != nil {
			diags.Append(invalidNameRegex(path.Root("name_regex"), err.Error()))
		}
		f.name = re
	}
	return f, diags
}

// apply returns the listed numbers that pass the filter, in the API's order.
func (f keyQueryFilter) apply(listed []pilotstatus.NumberKey) []pilotstatus.NumberKey {
	var out []pilotstatus.NumberKey
	for _, k := range listed {
		if (f.ids == nil || slices.Contains(f.ids, k.NumberID)) && (f.name == nil || f.name.MatchString(k.DisplayName)) {
			out = append(out, k)
		}
	}
	return out
}

// missing returns the ids of whatsapp_number_ids that the key list does not have.
func (f keyQueryFilter) missing(listed []pilotstatus.NumberKey) []string {
	have := make(map[string]bool, len(listed))
	for _, k := range listed {
		have[k.NumberID] = true
	}
	var out []string
	for _, id := range f.ids {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out
}
