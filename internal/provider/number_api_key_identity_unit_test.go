package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The identity is shown in plans and stored in state in clear: it is the number id
// alone, an attribute of the resource that is not sensitive, and import needs it.
func TestIdentityHoldsNoSecret(t *testing.T) {
	t.Parallel()
	res := numberAPIKeySchema()
	id := numberAPIKeyIdentitySchema()
	if len(id.Attributes) != 1 {
		t.Errorf("the identity has %d attributes, want 1 (whatsapp_number_id)", len(id.Attributes))
	}
	for name, a := range id.Attributes {
		ra, ok := res.Attributes[name].(schema.StringAttribute)
		switch {
		case !ok:
			t.Errorf("identity attribute %s is not a string attribute of the resource", name)
		case ra.Sensitive || !ra.Required:
			t.Errorf("identity attribute %s must be a required, non-sensitive resource attribute (sensitive %t, required %t)",
				name, ra.Sensitive, ra.Required)
		}
		if s, ok := a.(identityschema.StringAttribute); !ok || !s.RequiredForImport {
			t.Errorf("identity attribute %s is not required for import", name)
		}
	}
}

func identityValue(numberID tftypes.Value) tftypes.Value {
	typ := numberAPIKeyIdentitySchema().Type().TerraformType(context.Background())
	return tftypes.NewValue(typ, map[string]tftypes.Value{"whatsapp_number_id": numberID})
}

// An identity that cannot name a number is refused with what to write instead; a good
// one is put into state and identity, and marks the object imported, as an import id does.
func TestImportStateByIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	api, url := newTestAPI(t)
	srv, _ := protoServer(t, url, api.TenantKey())
	idType := numberAPIKeyIdentitySchema().Type().TerraformType(ctx)
	importBy := func(numberID tftypes.Value) *tfprotov6.ImportResourceStateResponse {
		t.Helper()
		identity, err := tfprotov6.NewDynamicValue(idType, identityValue(numberID))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: "pilotstatus_number_api_key", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &identity},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for name, tc := range map[string]struct {
		id   tftypes.Value
		want string
	}{
		"empty":       {str(""), "WhatsApp number id is empty"},
		"blank":       {str("  "), "WhatsApp number id is empty"},
		"white space": {str("wn_1\n"), "leading or trailing white space"},
		"null":        {tftypes.NewValue(tftypes.String, nil), "whatsapp_number_id is null"},
	} {
		resp := importBy(tc.id)
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Invalid Import Identity" ||
			!strings.Contains(resp.Diagnostics[0].Detail, tc.want) ||
			!strings.Contains(resp.Diagnostics[0].Detail, `identity = { whatsapp_number_id = "wn_1" }`) {
			t.Errorf("%s: want one Invalid Import Identity saying %q and how to write it, got %v", name, tc.want, resp.Diagnostics)
		}
		if len(resp.ImportedResources) != 0 {
			t.Errorf("%s: a refused import returned %d objects", name, len(resp.ImportedResources))
		}
	}

	resp := importBy(str("wn_7"))
	if len(resp.Diagnostics) > 0 || len(resp.ImportedResources) != 1 {
		t.Fatalf("import by identity: %v, %d objects", resp.Diagnostics, len(resp.ImportedResources))
	}
	imported := resp.ImportedResources[0]
	state, err := imported.State.Unmarshal(numberAPIKeySchema().Type().TerraformType(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var numberID, id string
	if err := state.As(&attrs); err != nil || attrs["whatsapp_number_id"].As(&numberID) != nil || attrs["id"].As(&id) != nil {
		t.Fatalf("the imported state %s has no whatsapp_number_id and id", state)
	}
	if numberID != "wn_7" || id != "wn_7" || identityString(t, imported.Identity, idType) != "wn_7" {
		t.Errorf("import by identity set whatsapp_number_id %q, id %q, identity %q; want wn_7 each",
			numberID, id, identityString(t, imported.Identity, idType))
	}
	if !strings.Contains(string(imported.Private), privateImported) {
		t.Error("import by identity did not mark the object imported, so the first keepers would regenerate the key")
	}
	if api.TotalCalls() != 0 {
		t.Errorf("ImportState called the API %d times; the read after it takes the key", api.TotalCalls())
	}
}

// identityString reads whatsapp_number_id from identity data.
func identityString(t *testing.T, identity *tfprotov6.ResourceIdentityData, typ tftypes.Type) string {
	t.Helper()
	if identity == nil || identity.IdentityData == nil {
		t.Fatal("no identity was returned")
	}
	v, err := identity.IdentityData.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var id string
	if err := v.As(&attrs); err != nil || attrs["whatsapp_number_id"].As(&id) != nil {
		t.Fatalf("the identity %s is not an object with a string whatsapp_number_id", v)
	}
	return id
}

// protoServer is the provider as Terraform sees it, configured for a local API.
func protoServer(t *testing.T, url, tenant string) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(newWithOptions("test", fastRetries, withEnv(nil))())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	config := providerConfig(t, srv, map[string]any{"base_url": url, "api_key": tenant})
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %v", err, resp.Diagnostics)
	}
	return srv, schemas
}

// A state written without an identity (by Terraform before 1.12, or before the resource
// had one) gets it on the first refresh, also when the number is gone; a stored
// identity is kept.
func TestReadRecordsIdentityOfOlderState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	api, url := newTestAPI(t)
	srv, schemas := protoServer(t, url, api.TenantKey())
	resType := schemas.ResourceSchemas["pilotstatus_number_api_key"].ValueType()
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(ids.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, ids.Diagnostics)
	}
	idType := ids.IdentitySchemas["pilotstatus_number_api_key"].ValueType()

	cur, _ := api.CurrentKey("wn_1")
	state, err := tfprotov6.NewDynamicValue(resType, objectValue(t, map[string]tftypes.Value{
		"id": str("wn_1"), "whatsapp_number_id": str("wn_1"),
		"key": str(cur.Raw), "key_id": str(cur.ID), "key_prefix": str("ps_"), "key_last4": str(cur.Last4),
		"key_version": tftypes.NewValue(tftypes.Number, 1),
		"keepers":     tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
		"on_destroy":  str(onDestroyKeep), "on_external_rotation": str(onExternalRotationRegenerate),
	}))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := tfprotov6.NewDynamicValue(idType, identityValue(str("wn_1")))
	if err != nil {
		t.Fatal(err)
	}
	// Each read runs in a provider process of its own, as each CLI command does: the
	// key list is read once per process.
	read := func(identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
		t.Helper()
		srv, _ := protoServer(t, url, api.TenantKey())
		resp, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
			TypeName: "pilotstatus_number_api_key", CurrentState: &state, CurrentIdentity: identity,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				t.Fatalf("ReadResource: %s: %s", d.Summary, d.Detail)
			}
		}
		return resp
	}

	if got := identityString(t, read(nil).NewIdentity, idType); got != "wn_1" {
		t.Errorf("a state without identity read identity %q, want wn_1", got)
	}
	if got := identityString(t, read(&tfprotov6.ResourceIdentityData{IdentityData: &stored}).NewIdentity, idType); got != "wn_1" {
		t.Errorf("a state with identity read identity %q, want wn_1", got)
	}
	if !api.RemoveNumber("wn_1") {
		t.Fatal("removing wn_1 failed")
	}
	if v, err := read(nil).NewState.Unmarshal(resType); err != nil || !v.IsNull() {
		t.Errorf("the key of a removed number stays in state (%v)", err)
	}
}
