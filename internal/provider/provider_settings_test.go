package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
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
			want:  settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, requestTimeout: defaultRequestTimeout, credentialSource: "api_key"},
		},
		{
			name:  "configured key wins over the environment",
			model: providerModel{APIKey: str("ps_cfg"), APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKey: "ps_env", envAPIKeyID: "k_env"},
			want:  settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, requestTimeout: defaultRequestTimeout, credentialSource: "api_key"},
		},
		{
			name:  "PILOTSTATUS_API_KEY before PILOT_STATUS_API_KEY",
			model: providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKey: "ps_one", envAPIKeyAlt: "ps_two"},
			want:  settings{apiKey: "ps_one", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, requestTimeout: defaultRequestTimeout, credentialSource: envAPIKey},
		},
		{
			name:  "PILOT_STATUS_API_KEY alone",
			model: providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			env:   map[string]string{envAPIKeyAlt: "ps_two"},
			want:  settings{apiKey: "ps_two", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, requestTimeout: defaultRequestTimeout, credentialSource: envAPIKeyAlt},
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
			want: settings{apiKey: "ps_cfg", baseURL: "https://pilotstatus.com.br", maxRetries: defaultMaxRetries, requestTimeout: defaultRequestTimeout,
				maxRequestsPerSecond: 20, credentialSource: "api_key"},
		},
		{
			name:    "no credentials",
			model:   providerModel{APIKey: null, APIKeyID: null, BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			wantErr: []string{"Missing Pilot Status Credentials", envAPIKey, envAPIKeyAlt, envAPIKeyID, "Dashboard → Profile → API"},
		},
		{
			name:    "both credentials configured",
			model:   providerModel{APIKey: str("ps_a"), APIKeyID: str("k_a"), BaseURL: null, MaxRetries: types.Int64Null(), RequestTimeout: null},
			wantErr: []string{"Conflicting Credentials", "api_key", "api_key_id"},
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
