package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRename(t *testing.T) {
	t.Parallel()
	const schema = `{"provider":{"version":0,"block":{"description":"a <b> & c","description_kind":"markdown"}}}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "opentofu key", in: `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/pilotstatus/pilotstatus":` + schema + `}}`},
		{name: "terraform key", in: `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/pilotstatus/pilotstatus":` + schema + `}}`},
		{name: "short key", in: `{"format_version":"1.0","provider_schemas":{"pilotstatus":` + schema + `}}`},
		{name: "other providers kept", in: `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/hashicorp/time":{},"registry.opentofu.org/pilotstatus/pilotstatus":` + schema + `}}`},
		{name: "not json", in: `nope`, wantErr: "not a JSON object"},
		{name: "not a schema export", in: `{"provider_schemas":{}}`, wantErr: `no "format_version"`},
		{name: "no provider_schemas", in: `{"format_version":"1.0"}`, wantErr: `no "provider_schemas"`},
		{name: "missing", in: `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/hashicorp/time":{}}}`, wantErr: "no provider named"},
		{name: "suffix is not a name", in: `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/x/notpilotstatus":{}}}`, wantErr: "no provider named"},
		{name: "ambiguous", in: `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/pilotstatus/pilotstatus":{},"registry.terraform.io/pilotstatus/pilotstatus":{}}}`, wantErr: "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const to = "registry.terraform.io/hashicorp/pilotstatus"
			out, err := rename([]byte(tt.in), "pilotstatus", to)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("rename() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("rename() error = %v", err)
			}
			if strings.Contains(string(out), `\u003c`) {
				t.Errorf("output escapes HTML characters:\n%s", out)
			}
			var got struct {
				FormatVersion   string                     `json:"format_version"`
				ProviderSchemas map[string]json.RawMessage `json:"provider_schemas"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if got.FormatVersion != "1.0" {
				t.Errorf("format_version = %q, want 1.0", got.FormatVersion)
			}
			var want, have any
			_ = json.Unmarshal([]byte(schema), &want)
			if err := json.Unmarshal(got.ProviderSchemas[to], &have); err != nil {
				t.Fatalf("no schema under %q: %v\n%s", to, err, out)
			}
			if !jsonEqual(want, have) {
				t.Errorf("schema under %q changed:\n got %s\nwant %s", to, got.ProviderSchemas[to], schema)
			}
			var in struct {
				ProviderSchemas map[string]json.RawMessage `json:"provider_schemas"`
			}
			_ = json.Unmarshal([]byte(tt.in), &in)
			if len(got.ProviderSchemas) != len(in.ProviderSchemas) {
				t.Errorf("output has %d providers, input %d:\n%s", len(got.ProviderSchemas), len(in.ProviderSchemas), out)
			}
			for key := range got.ProviderSchemas {
				if key != to && strings.HasSuffix(key, "/pilotstatus") {
					t.Errorf("old key %q is still present", key)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
