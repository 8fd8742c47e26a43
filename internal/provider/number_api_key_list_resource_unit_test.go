package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// The list resource as Terraform drives it for terraform query, through the provider's protocol
// server against the local API: ValidateListResourceConfig, then ListResource per list block.

const listType = "pilotstatus_number_api_key"

// queryNumbers seeds the local API of these tests: every shape of number the display name and the
// resource object handle, one of them with a legacy key.
var queryNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
	{ID: "wn_3", Number: "5511999990003", Name: "Legado", Legacy: true},
	{ID: "wn_4", Number: "5511999990004"},
	{ID: "wn_5", Name: "Loja 5"},
	{ID: "wn_6"},
	{ID: "wn_7", Number: "5511999990007", Name: "Suporte Noturno"},
}

// listed is one result of a ListResource stream, decoded.
type listed struct {
	displayName string
	identity    string        // whatsapp_number_id; "" when the result has none
	object      tftypes.Value // the resource object; a nil Value when there is none
	warnings    []*tfprotov6.Diagnostic
	errors      []*tfprotov6.Diagnostic
}

// listConfig is the config block of a list block: the given arguments, every other one null.
func listConfig(t *testing.T, schemas *tfprotov6.GetProviderSchemaResponse, args map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := schemas.ListResourceSchemas[listType].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the list resource's config schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := args[name]; ok {
			vals[name] = v
		}
	}
	for name := range args {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the list resource has no argument %q", name)
		}
	}
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &config
}

func strList(ids ...string) tftypes.Value {
	vals := make([]tftypes.Value, 0, len(ids))
	for _, id := range ids {
		vals = append(vals, str(id))
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, vals)
}

// listServer is the list resource part of the provider's protocol server.
func listServer(t *testing.T, srv tfprotov6.ProviderServer) tfprotov6.ListResourceServer {
	t.Helper()
	ls, ok := srv.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatalf("the provider server (%T) serves no list resources", srv)
	}
	return ls
}

// listKeys sends one list block to srv, as terraform query does, and decodes what it streamed.
func listKeys(t *testing.T, srv tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse,
	args map[string]tftypes.Value, includeResource bool, limit int64) []listed {
	t.Helper()
	ctx := context.Background()
	stream, err := listServer(t, srv).ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: listType, Config: listConfig(t, schemas, args), IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	resType := schemas.ResourceSchemas[listType].ValueType()
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	idType := ids.IdentitySchemas[listType].ValueType()
	var out []listed
	for r := range stream.Results {
		l := listed{displayName: r.DisplayName}
		for _, d := range r.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				l.errors = append(l.errors, d)
			} else {
				l.warnings = append(l.warnings, d)
			}
		}
		if r.Identity != nil {
			l.identity = identityString(t, r.Identity, idType)
		}
		if r.Resource != nil {
			if l.object, err = r.Resource.Unmarshal(resType); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, l)
	}
	return out
}

// numbersOf returns the identities of the results that have one, in order, and the warnings and
// errors of all of them.
func numbersOf(results []listed) (ids []string, warnings, errors []*tfprotov6.Diagnostic) {
	for _, r := range results {
		if r.identity != "" {
			ids = append(ids, r.identity)
		}
		warnings = append(warnings, r.warnings...)
		errors = append(errors, r.errors...)
	}
	return ids, warnings, errors
}

// summaries shows diagnostics in a failure: each one's summary and detail.
func summaries(diags []*tfprotov6.Diagnostic) string {
	out := make([]string, 0, len(diags))
	for _, d := range diags {
		out = append(out, fmt.Sprintf("[%s: %s]", d.Summary, d.Detail))
	}
	return strings.Join(out, " ")
}

// objectAttrs reads a resource object's attributes.
func objectAttrs(t *testing.T, v tftypes.Value) map[string]tftypes.Value {
	t.Helper()
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatalf("the resource object (%s) is not an object: %v", v.Type(), err)
	}
	return attrs
}

// noSecretIn fails the test when text holds a key or a key id the local API ever issued.
func noSecretIn(t *testing.T, api *fakeapi.API, what, text string) {
	t.Helper()
	secrettest.Check(t, what, text, leakSecrets(api))
}

// Each number is listed once, in the API's order, with its identity and a display name a person
// recognises, whatever the API gives of its phone number and name. Its resource object holds what
// adoption needs and nothing secret: no key, no key id, no rotation anchor, store_key true. A
// legacy key is listed too, with a warning that names it. Nothing else reaches the API than one
// key list call, and nothing the results hold is a key or a key id.
func TestListResourceResults(t *testing.T) {
	t.Parallel()
	api, url := newTestAPI(t, queryNumbers...)
	srv, schemas := protoServer(t, url, api.TenantKey())
	results := listKeys(t, srv, schemas, nil, true, 100)

	wantNames := map[string]string{
		"wn_1": "+5511999990001 (Suporte)", "wn_2": "+5511999990002 (Vendas)", "wn_3": "+5511999990003 (Legado)",
		"wn_4": "+5511999990004", "wn_5": "Loja 5", "wn_6": "wn_6", "wn_7": "+5511999990007 (Suporte Noturno)",
	}
	ids, warnings, errs := numbersOf(results)
	if want := []string{"wn_1", "wn_2", "wn_3", "wn_4", "wn_5", "wn_6", "wn_7"}; !slices.Equal(ids, want) || len(errs) > 0 {
		t.Fatalf("listed %v with errors %s, want %v", ids, summaries(errs), want)
	}
	if len(warnings) != 1 || warnings[0].Summary != "Listed Keys Are Not Revealable" || !strings.Contains(warnings[0].Detail, `"wn_3"`) ||
		strings.Contains(warnings[0].Detail, `"wn_1"`) {
		t.Errorf("want one warning naming the legacy key of wn_3 alone, got %s", summaries(warnings))
	}
	for _, r := range results {
		if r.identity == "" {
			continue
		}
		if r.displayName != wantNames[r.identity] {
			t.Errorf("%s: display name %q, want %q", r.identity, r.displayName, wantNames[r.identity])
		}
		cur, _ := api.CurrentKey(r.identity)
		checkListedObject(t, r.identity, objectAttrs(t, r.object), cur.Last4)
		noSecretIn(t, api, "the result of "+r.identity, fmt.Sprint(r.displayName, r.object, r.warnings))
	}
	if got, total := api.Calls(listCalls), api.TotalCalls(); got != 1 || total != 1 {
		t.Errorf("the query made %d key list calls and %d calls in all, want 1 and 1", got, total)
	}
}

// checkListedObject checks the resource object of a listed number.
func checkListedObject(t *testing.T, numberID string, attrs map[string]tftypes.Value, wantLast4 string) {
	t.Helper()
	want := map[string]tftypes.Value{
		"id": str(numberID), "whatsapp_number_id": str(numberID), "key_last4": str(wantLast4),
		"store_key":  tftypes.NewValue(tftypes.Bool, true),
		"on_destroy": str(onDestroyKeep), "on_external_rotation": str(onExternalRotationRegenerate),
	}
	for name, v := range attrs {
		w, set := want[name]
		switch {
		case slices.Contains(credentialAttributes, name) && !v.IsNull():
			// Not printed: it is a credential.
			t.Errorf("%s: resource object %s holds a value, want null", numberID, name)
		case set && !v.Equal(w):
			t.Errorf("%s: resource object %s = %s, want %s", numberID, name, v, w)
		case !set && !v.IsNull():
			// key and key_id (query -json prints them in clear), rotation_anchor (the generated
			// configuration would pin it) and every other attribute.
			t.Errorf("%s: resource object %s = %s, want null", numberID, name, v)
		}
	}
}

// However many numbers the tenant has and however many list blocks a query has, the query reads
// the key list once: the list blocks of one provider configuration share the run's key cache.
func TestListResourceOneKeyListCall(t *testing.T) {
	t.Parallel()
	numbers := make([]fakeapi.Number, 250)
	for i := range numbers {
		numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%03d", i), Number: fmt.Sprintf("55119%08d", i), Name: fmt.Sprintf("Loja %d", i)}
	}
	api, url := newTestAPI(t, numbers...)
	srv, schemas := protoServer(t, url, api.TenantKey())
	all, _, errs := numbersOf(listKeys(t, srv, schemas, nil, true, 1000))
	some, _, errs2 := numbersOf(listKeys(t, srv, schemas, map[string]tftypes.Value{"name_regex": str("^Loja 1[0-9]$")}, false, 100))
	if len(all) != 250 || len(some) != 10 || len(errs)+len(errs2) > 0 {
		t.Fatalf("listed %d and %d numbers (errors %s), want 250 and 10", len(all), len(some), summaries(append(errs, errs2...)))
	}
	if got, total := api.Calls(listCalls), api.TotalCalls(); got != 1 || total != 1 {
		t.Errorf("two list blocks over 250 numbers made %d key list calls and %d calls in all, want 1 and 1", got, total)
	}
}

// The filters: whatsapp_number_ids, name_regex (searched anywhere in the display name), both at
// once (a number passes both), and ids the tenant does not have, which are warned of.
func TestListResourceFilters(t *testing.T) {
	t.Parallel()
	api, url := newTestAPI(t, queryNumbers...)
	srv, schemas := protoServer(t, url, api.TenantKey())
	cases := []struct {
		name    string
		args    map[string]tftypes.Value
		want    []string
		missing string // named by the WhatsApp Number Not Found warning
	}{
		{name: "ids, in the API's order, repeats once", args: map[string]tftypes.Value{"whatsapp_number_ids": strList("wn_7", "wn_2", "wn_7")},
			want: []string{"wn_2", "wn_7"}},
		{name: "name contains", args: map[string]tftypes.Value{"name_regex": str("Suporte")}, want: []string{"wn_1", "wn_7"}},
		{name: "whole name", args: map[string]tftypes.Value{"name_regex": str("^Suporte$")}, want: []string{"wn_1"}},
		{name: "case ignored", args: map[string]tftypes.Value{"name_regex": str("(?i)^loja")}, want: []string{"wn_5"}},
		{name: "no name", args: map[string]tftypes.Value{"name_regex": str("^$")}, want: []string{"wn_4", "wn_6"}},
		{name: "both", args: map[string]tftypes.Value{"whatsapp_number_ids": strList("wn_1", "wn_2"), "name_regex": str("Suporte")},
			want: []string{"wn_1"}},
		{name: "unknown id, named once", args: map[string]tftypes.Value{"whatsapp_number_ids": strList("wn_2", "wn_404", "wn_404")},
			want: []string{"wn_2"}, missing: `"wn_404"`},
		{name: "nothing matches", args: map[string]tftypes.Value{"name_regex": str("Financeiro")}},
	}
	for _, tc := range cases {
		ids, warnings, errs := numbersOf(listKeys(t, srv, schemas, tc.args, false, 100))
		if !slices.Equal(ids, tc.want) || len(errs) > 0 {
			t.Errorf("%s: listed %v (errors %s), want %v", tc.name, ids, summaries(errs), tc.want)
		}
		var notFound []string
		for _, w := range warnings {
			if w.Summary == summaryNumberNotFound {
				notFound = append(notFound, w.Detail)
			}
		}
		switch {
		case tc.missing == "" && len(notFound) > 0:
			t.Errorf("%s: warned %q", tc.name, notFound)
		case tc.missing != "" && (len(notFound) != 1 || strings.Count(notFound[0], tc.missing) != 1 || strings.Contains(notFound[0], `"wn_2"`)):
			t.Errorf("%s: want one WhatsApp Number Not Found naming %s alone, got %q", tc.name, tc.missing, notFound)
		}
	}
}

// Terraform takes at most limit results per list block (100 unless it sets one). With more numbers
// than that, the first limit numbers are listed, after a warning, streamed first so that Terraform
// reads it, that says how many match and what limit lists them all.
func TestListResourceLimit(t *testing.T) {
	t.Parallel()
	numbers := make([]fakeapi.Number, 120)
	for i := range numbers {
		numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%03d", i), Number: fmt.Sprintf("55119%08d", i), Name: "Loja"}
	}
	api, url := newTestAPI(t, numbers...)
	srv, schemas := protoServer(t, url, api.TenantKey())
	for _, tc := range []struct {
		limit int64
		want  int
		warns bool
	}{{100, 100, true}, {119, 119, true}, {120, 120, false}, {500, 120, false}} {
		results := listKeys(t, srv, schemas, nil, false, tc.limit)
		ids, warnings, _ := numbersOf(results)
		if len(ids) != tc.want || ids[0] != "wn_000" || ids[len(ids)-1] != fmt.Sprintf("wn_%03d", tc.want-1) {
			t.Errorf("limit %d: listed %d numbers (%s to %s), want the first %d", tc.limit, len(ids), ids[0], ids[len(ids)-1], tc.want)
		}
		if !tc.warns {
			if len(warnings) > 0 {
				t.Errorf("limit %d: warned %s", tc.limit, summaries(warnings))
			}
			continue
		}
		if len(warnings) != 1 || results[0].identity != "" || results[0].warnings[0].Summary != "Query Limit Reached" ||
			!strings.Contains(results[0].warnings[0].Detail, "120 WhatsApp numbers match") ||
			!strings.Contains(results[0].warnings[0].Detail, "limit = 120 or more") {
			t.Errorf("limit %d: want Query Limit Reached first, saying 120 match and limit = 120 lists them all; got %s",
				tc.limit, summaries(warnings))
		}
	}
}

// Filters that cannot mean what was meant are refused when Terraform validates the list block,
// each with what to write instead, on the attribute (and the element) at fault.
func TestListResourceValidation(t *testing.T) {
	t.Parallel()
	api, url := newTestAPI(t)
	srv, schemas := protoServer(t, url, api.TenantKey())
	idsAt := func(i int) *tftypes.AttributePath {
		return tftypes.NewAttributePath().WithAttributeName("whatsapp_number_ids").WithElementKeyInt(i)
	}
	regex := tftypes.NewAttributePath().WithAttributeName("name_regex")
	cases := []struct {
		name    string
		args    map[string]tftypes.Value
		summary string // "" for a valid configuration
		at      *tftypes.AttributePath
		says    []string
	}{
		{name: "valid", args: map[string]tftypes.Value{"whatsapp_number_ids": strList("wn_1"), "name_regex": str("(?i)suporte")}},
		{name: "no filter"},
		{name: "empty ids", args: map[string]tftypes.Value{"whatsapp_number_ids": strList()}, summary: summaryInvalidQueryFilter,
			at: tftypes.NewAttributePath().WithAttributeName("whatsapp_number_ids"), says: []string{"empty", "Leave it out to list every number"}},
		{name: "empty id", args: map[string]tftypes.Value{"whatsapp_number_ids": strList("wn_1", "")}, summary: "Invalid WhatsApp Number ID",
			at: idsAt(1), says: []string{"is empty"}},
		{name: "id with white space", args: map[string]tftypes.Value{"whatsapp_number_ids": strList(" wn_1")},
			summary: "Invalid WhatsApp Number ID", at: idsAt(0), says: []string{"leading or trailing white space"}},
		{name: "null id", args: map[string]tftypes.Value{"whatsapp_number_ids": tftypes.NewValue(tftypes.List{ElementType: tftypes.String},
			[]tftypes.Value{tftypes.NewValue(tftypes.String, nil)})}, summary: "Invalid WhatsApp Number ID", at: idsAt(0), says: []string{"is null"}},
		{name: "empty regex", args: map[string]tftypes.Value{"name_regex": str("")}, summary: summaryInvalidQueryFilter, at: regex,
			says: []string{"name_regex is empty", "Leave it out"}},
		{name: "unclosed group", args: map[string]tftypes.Value{"name_regex": str("(Suporte")}, summary: summaryInvalidQueryFilter, at: regex,
			says: []string{`"(Suporte"`, "RE2", "missing closing )"}},
		{name: "lookahead", args: map[string]tftypes.Value{"name_regex": str("Suporte(?=SP)")}, summary: summaryInvalidQueryFilter, at: regex,
			says: []string{"RE2", "Lookarounds"}},
	}
	for _, tc := range cases {
		resp, err := listServer(t, srv).ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
			TypeName: listType, Config: listConfig(t, schemas, tc.args),
		})
		if err != nil {
			t.Fatal(err)
		}
		if tc.summary == "" {
			if len(resp.Diagnostics) > 0 {
				t.Errorf("%s: refused: %s", tc.name, summaries(resp.Diagnostics))
			}
			continue
		}
		if len(resp.Diagnostics) != 1 {
			t.Errorf("%s: want one diagnostic, got %s", tc.name, summaries(resp.Diagnostics))
			continue
		}
		d := resp.Diagnostics[0]
		if d.Severity != tfprotov6.DiagnosticSeverityError || d.Summary != tc.summary || !d.Attribute.Equal(tc.at) || !words(tc.says...).MatchString(d.Detail) {
			t.Errorf("%s: got %s %q at %v: %s; want an error %q at %v saying %q", tc.name, d.Severity, d.Summary, d.Attribute, d.Detail,
				tc.summary, tc.at, tc.says)
		}
	}
	if api.TotalCalls() != 0 {
		t.Errorf("validation made %d API calls", api.TotalCalls())
	}
}

// A key list that cannot be read fails the query with the advice of the API's answer and lists
// nothing; the error names no secret.
func TestListResourceAPIErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fault  fakeapi.Fault
		number bool // configure the provider with a number-scoped key
		says   []string
	}{
		{name: "5xx", fault: fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 500, Times: 10},
			says: []string{"for the query (GET /v1/api-keys) failed", "nothing was listed", "server error", "(HTTP 500)"}},
		{name: "number-scoped key", number: true,
			says: []string{"for the query", "number-scoped key", "Dashboard → Profile → API", "(HTTP 403)"}},
	} {
		api, url := newTestAPI(t, queryNumbers[:2]...)
		credential := api.TenantKey()
		if tc.number {
			k, _ := api.CurrentKey("wn_1")
			credential = k.Raw
		} else {
			api.AddFault(tc.fault)
		}
		srv, schemas := protoServer(t, url, credential)
		results := listKeys(t, srv, schemas, nil, true, 100)
		if len(results) != 1 || len(results[0].errors) != 1 || results[0].identity != "" {
			_, warnings, errs := numbersOf(results)
			t.Fatalf("%s: want one result with one error, got %d results, warnings %s, errors %s", tc.name, len(results),
				summaries(warnings), summaries(errs))
		}
		d := results[0].errors[0]
		if d.Summary != summaryListKeys || !words(tc.says...).MatchString(d.Detail) {
			t.Errorf("%s: got %q: %s; want %q saying %q", tc.name, d.Summary, d.Detail, summaryListKeys, tc.says)
		}
		noSecretIn(t, api, tc.name+": the error", d.Detail)
	}
}

// A list resource used before the provider was configured says so, and lists nothing.
func TestListResourceUnconfigured(t *testing.T) {
	t.Parallel()
	r := &numberAPIKeyListResource{}
	var stream list.ListResultsStream
	r.List(context.Background(), list.ListRequest{}, &stream)
	var got []list.ListResult
	for res := range stream.Results {
		got = append(got, res)
	}
	if len(got) != 1 || !got[0].Diagnostics.HasError() || got[0].Diagnostics[0].Summary() != "Unconfigured Pilot Status Provider" {
		t.Errorf("want one result with Unconfigured Pilot Status Provider, got %+v", got)
	}
}
