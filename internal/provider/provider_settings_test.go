package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestResolveSettings(t *testing.T) {
	t.Parallel()
	null := types.StringNull()
	str := types.StringValue
	cases := []struct {
		name    string
		model   providerModel
		env     map[string]string
		want    settings
		wantErr []string // every fragment must be in the error detail
	}{
		{
			name:  "configured key, defaults",
			model: providerModel{APIKey: str("ps_cfg"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			want:  settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, credentialSource: "api_key"},
		},
		{
			name:  "configured key wins over the environment",
			model: providerModel{APIKey: str("ps_cfg"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKey: "ps_env", envAPIKeyID: "k_env"},
			want:  settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, credentialSource: "api_key"},
		},
		{
			name:  "PILOTSTATUS_API_KEY before PILOT_STATUS_API_KEY",
			model: providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKey: "ps_one", envAPIKeyAlt: "ps_two"},
			want:  settings{apiKey: "ps_one", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, credentialSource: envAPIKey},
		},
		{
			name:  "PILOT_STATUS_API_KEY alone",
			model: providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKeyAlt: "ps_two"},
			want:  settings{apiKey: "ps_two", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, credentialSource: envAPIKeyAlt},
		},
		{
			name:  "key id and base URL from the environment",
			model: providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Value(0), RequestTimeout: str("5s")},
			env:   map[string]string{envAPIKeyID: "k_env", envBaseURL: "http://127.0.0.1:8080"},
			want:  settings{apiKeyID: "k_env", baseURL: "http://127.0.0.1:8080", maxRetries: 0, requestTimeout: 5 * time.Second, credentialSource: envAPIKeyID},
		},
		{
			name:  "pacing",
			model: providerModel{APIKey: str("ps_cfg"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null, MaxRequestsPerSecond: types.Float64Value(20)},
			want: settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries,
				maxRequestsPerSecond: 20, credentialSource: "api_key"},
		},
		{
			name:    "no credentials",
			model:   providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			wantErr: []string{"Missing Pilot Status Credentials", envAPIKey, envAPIKeyAlt, envAPIKeyID, "Dashboard → Profile → API"},
		},
		{
			name:    "both credentials in the environment",
			model:   providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:     map[string]string{envAPIKeyAlt: "ps_a", envAPIKeyID: "k_a"},
			wantErr: []string{"Conflicting Credentials", envAPIKeyAlt, envAPIKeyID},
		},
		{
			name:    "remote http base URL from the environment",
			model:   providerModel{APIKey: str("ps_a"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:     map[string]string{envBaseURL: "http://api.example.com"},
			wantErr: []string{"Invalid Base URL", envBaseURL, "https"},
		},
		{
			name:    "unknown credential",
			model:   providerModel{APIKey: types.StringUnknown(), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			wantErr: []string{"Unknown Provider Argument", "api_key"},
		},
		{
			name:    "zero timeout",
			model:   providerModel{APIKey: str("ps_a"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: str("0s")},
			wantErr: []string{"positive duration"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, diags := resolveSettings(tc.model, func(n string) string { return tc.env[n] })
			if len(tc.wantErr) > 0 {
				if !diags.HasError() {
					t.Fatalf("no error; settings %+v", got.authHeader())
				}
				text := diags.Errors()[0].Summary() + " " + diags.Errors()[0].Detail()
				for _, frag := range tc.wantErr {
					if !strings.Contains(text, frag) {
						t.Errorf("error %q does not mention %q", text, frag)
					}
				}
				for _, v := range tc.env {
					if strings.HasPrefix(v, "ps_") && strings.Contains(text, v) {
						t.Errorf("error shows the credential %q", v)
					}
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected error: %v", diags)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// providerConfig is a provider configuration as Terraform sends it: the given arguments, every
// other one null. A nil value in args stands for an unknown one.
func providerConfig(t *testing.T, srv tfprotov6.ProviderServer, args map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	schemas, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	typ, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		v, set := args[name]
		switch {
		case !set:
			vals[name] = tftypes.NewValue(at, nil)
		case v == nil:
			vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
		default:
			vals[name] = tftypes.NewValue(at, v)
		}
	}
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &config
}

// validateAndConfigure sends one configuration through ValidateProviderConfig and then
// ConfigureProvider, as Terraform does before every plan and apply, and returns the
// diagnostics of each.
func validateAndConfigure(t *testing.T, args map[string]any) (validated, configured []*tfprotov6.Diagnostic) {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(newWithOptions("test", fastRetries, withEnv(nil))())()
	if err != nil {
		t.Fatal(err)
	}
	config := providerConfig(t, srv, args)
	vresp, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return vresp.Diagnostics, cresp.Diagnostics
}

// A base_url that is not usable is refused by validation and, when its value was unknown
// there, by Configure: both say the same.
func TestInvalidBaseURLSameFromValidateAndConfigure(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "::not a url", "http://pilotstatus.example.com", "https://user:pw@pilotstatus.com.br", "ftp://127.0.0.1"} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			validated, configured := validateAndConfigure(t, map[string]any{"base_url": raw, "api_key": "ps_a"})
			if len(validated) != 1 || len(configured) != 1 {
				t.Fatalf("validation said %v, Configure said %v; want one error each", validated, configured)
			}
			v, c := validated[0], configured[0]
			if v.Summary != "Invalid Base URL" || c.Summary != v.Summary || c.Detail != v.Detail || !c.Attribute.Equal(v.Attribute) {
				t.Errorf("validation and Configure disagree:\n validate:  %s: %s (%v)\n configure: %s: %s (%v)",
					v.Summary, v.Detail, v.Attribute, c.Summary, c.Detail, c.Attribute)
			}
			if !strings.Contains(v.Detail, "the provider argument base_url") || strings.Contains(v.Detail, "pw") {
				t.Errorf("the detail %q does not name base_url, or shows the password", v.Detail)
			}
		})
	}
}

// Both credentials configured never reach Configure: the schema's ConflictsWith refuses them
// in validation, or, while one is unknown, Configure refuses the unknown one.
func TestBothCredentialsRefusedBeforeConfigure(t *testing.T) {
	t.Parallel()
	validated, _ := validateAndConfigure(t, map[string]any{"api_key": "ps_a", "api_key_id": "k_a"})
	if len(validated) != 1 || validated[0].Summary != "Invalid Attribute Combination" {
		t.Errorf("validation of api_key and api_key_id said %v, want Invalid Attribute Combination", validated)
	}
	validated, configured := validateAndConfigure(t, map[string]any{"api_key": "ps_a", "api_key_id": nil})
	if len(validated) != 0 {
		t.Errorf("validation with an unknown api_key_id said %v, want nothing yet", validated)
	}
	if len(configured) != 1 || configured[0].Summary != "Unknown Provider Argument" {
		t.Errorf("Configure with an unknown api_key_id said %v, want Unknown Provider Argument", configured)
	}
}

// The provider offers no action, on purpose: an action that regenerates a key outside the
// resource would leave state holding a dead key (the rotation guide says so and points to
// -replace). A provider that gained one would have to revisit that custody argument first.
func TestNoActions(t *testing.T) {
	t.Parallel()
	if _, ok := New("test")().(provider.ProviderWithActions); ok {
		t.Fatal("the provider offers actions; the rotation guide says it has none, on purpose")
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "rotating-keys.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !words("Rotate Now: `-replace`, Not an Action", "has none, on purpose", "terraform apply -replace=").MatchString(string(guide)) {
		t.Error("the rotation guide does not say why there is no rotate action")
	}
}
