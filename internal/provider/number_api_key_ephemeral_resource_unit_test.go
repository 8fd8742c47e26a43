package provider

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

const ephemeralCredential = "ps_TENANTtenantTENANTtenant0123456789abcd"

var ephemeralListedKeys = []pilotstatus.NumberKey{
	{NumberID: "wn_1", Number: "5511999990001", DisplayName: "Suporte", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true},
	{NumberID: "wn_old", Number: "5511999990009", DisplayName: "Antigo", KeyID: "k_9", KeyLast4: "wxyz", Revealable: false},
}

// openEphemeralKey opens the ephemeral resource for numberID (nil: unknown).
func openEphemeralKey(ctx context.Context, t *testing.T, e *numberAPIKeyEphemeralResource, numberID *string) (*ephemeral.OpenResponse, numberAPIKeyEphemeralModel) {
	t.Helper()
	s := numberAPIKeyEphemeralSchema()
	tfType := s.Type().TerraformType(ctx)
	typ, ok := tfType.(tftypes.Object)
	if !ok {
		t.Fatalf("the schema type is %T, want tftypes.Object", tfType)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["whatsapp_number_id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	if numberID != nil {
		vals["whatsapp_number_id"] = tftypes.NewValue(tftypes.String, *numberID)
	}
	config := tftypes.NewValue(typ, vals)
	req := ephemeral.OpenRequest{Config: tfsdk.Config{Schema: s, Raw: config}}
	resp := &ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Schema: s, Raw: config.Copy()}}
	e.Open(ctx, req, resp)
	var m numberAPIKeyEphemeralModel
	if !resp.Diagnostics.HasError() {
		if diags := resp.Result.Get(ctx, &m); diags.HasError() {
			t.Fatalf("reading the result: %s", diagText(diags))
		}
	}
	return resp, m
}

func numberIDRef(s string) *string { return &s }

// Opening returns the listed key and its details, never regenerates, and asks for the run's key
// list, as the managed resource does, so that one list call serves every opening and resource of
// the run (the client shares that read: TestKeyListSharesOneRead).
func TestEphemeralOpenReadsListedKey(t *testing.T) {
	t.Parallel()
	client := &stubClient{keys: ephemeralListedKeys}
	data := newProviderData(client, credential{secrets: []string{ephemeralCredential}})
	e := &numberAPIKeyEphemeralResource{data: data}
	r := &numberAPIKeyResource{data: data}
	ctx := context.Background()

	for range 3 {
		resp, m := openEphemeralKey(ctx, t, e, numberIDRef("wn_1"))
		if resp.Diagnostics.HasError() {
			t.Fatalf("open failed: %s", diagText(resp.Diagnostics))
		}
		switch {
		case m.Key.ValueString() != secretKey:
			t.Error("key is not the listed key")
		case m.KeyID.ValueString() != "k_1" || m.KeyLast4.ValueString() != "abcd" || m.KeyPrefix.ValueString() != "ps_":
			t.Errorf("key_id %s, key_last4 %s, key_prefix %s; want k_1, abcd, ps_", m.KeyID, m.KeyLast4, m.KeyPrefix)
		case m.Number.ValueString() != "5511999990001" || m.DisplayName.ValueString() != "Suporte":
			t.Errorf("number %s, display_name %s; want 5511999990001, Suporte", m.Number, m.DisplayName)
		case m.WhatsAppNumberID.ValueString() != "wn_1":
			t.Errorf("whatsapp_number_id %s, want wn_1", m.WhatsAppNumberID)
		}
	}
	// The managed resource of the same run uses the same list.
	planCreate(t, r, str("wn_1"))
	if n, fresh := client.lists.Load(), client.fresh.Load(); n != 4 || fresh != 0 {
		t.Errorf("%d key list reads, %d of them asking for a fresh read; want 4 of the run's list", n, fresh)
	}
	if n := client.regenerates.Load(); n != 0 {
		t.Errorf("opening made %d regenerate calls, want 0", n)
	}
}

// A number id known only after apply is not looked up; the results stay unknown.
func TestEphemeralOpenUnknownNumberID(t *testing.T) {
	t.Parallel()
	client := &stubClient{keys: ephemeralListedKeys}
	e := &numberAPIKeyEphemeralResource{data: newProviderData(client, credential{})}
	resp, m := openEphemeralKey(context.Background(), t, e, nil)
	if resp.Diagnostics.HasError() {
		t.Fatalf("open failed: %s", diagText(resp.Diagnostics))
	}
	if !m.Key.IsUnknown() || !m.KeyID.IsUnknown() || !m.Number.IsUnknown() {
		t.Errorf("results are not unknown: key unknown %t, key_id %s, number %s", m.Key.IsUnknown(), m.KeyID, m.Number)
	}
	if n := client.lists.Load(); n != 0 {
		t.Errorf("%d list calls for an unknown number id, want 0", n)
	}
}

func TestEphemeralOpenUnconfigured(t *testing.T) {
	t.Parallel()
	resp, _ := openEphemeralKey(context.Background(), t, &numberAPIKeyEphemeralResource{}, numberIDRef("wn_1"))
	if !strings.Contains(diagText(resp.Diagnostics), "Unconfigured Pilot Status Provider") {
		t.Errorf("want an unconfigured provider error, got: %s", diagText(resp.Diagnostics))
	}
}

// Every error names the number and says what to do, and none shows a key or the
// configured credential, even when the error text carried them.
func TestEphemeralOpenErrors(t *testing.T) {
	t.Parallel()
	apiErr := func(status int, code string) error {
		return &pilotstatus.APIError{Status: status, Code: code, Message: "m", Method: "GET", Path: "/v1/api-keys", Attempts: 1}
	}
	cases := []struct {
		name     string
		client   *stubClient
		numberID string
		want     []string
	}{
		{
			name:     "not revealable",
			client:   &stubClient{keys: ephemeralListedKeys},
			numberID: "wn_old",
			want: []string{summaryOpenNotRevealable, `WhatsApp number "wn_old" (ending in "wxyz")`,
				"created before Pilot Status stored keys encrypted", "Only regenerating it makes it usable",
				"invalidates the current key", "pilotstatus_number_api_key resource"},
		},
		{
			name:     "number not found",
			client:   &stubClient{keys: ephemeralListedKeys},
			numberID: "wn_9",
			want:     []string{summaryNumberNotFound, `No WhatsApp number with id "wn_9" exists in the tenant`, "whatsapp_number_id"},
		},
		{
			name:     "revealable without a key",
			client:   &stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Revealable: true}}},
			numberID: "wn_1",
			want:     []string{summaryListKeys, `WhatsApp number "wn_1" (ending in "abcd")`, "did not include it"},
		},
		{
			name:     "403 number-scoped key",
			client:   &stubClient{listErr: apiErr(403, "NUMBER_SCOPE_NOT_ALLOWED")},
			numberID: "wn_1",
			want: []string{summaryListKeys, `WhatsApp number "wn_1"`, "no key was regenerated", "number-scoped key",
				"Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED: m (HTTP 403)"},
		},
		{
			name:     "401",
			client:   &stubClient{listErr: apiErr(401, "")},
			numberID: "wn_1",
			want:     []string{summaryListKeys, `"wn_1"`, "rejected the credentials", "(HTTP 401)"},
		},
		{
			name:     "error text carrying secrets",
			client:   &stubClient{listErr: errors.New("upstream echoed " + secretKey + " and " + ephemeralCredential)},
			numberID: "wn_1",
			want:     []string{summaryListKeys, `"wn_1"`, "Original Error: "},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			e := &numberAPIKeyEphemeralResource{data: newProviderData(tc.client, credential{secrets: []string{ephemeralCredential}})}
			resp, _ := openEphemeralKey(ctx, t, e, numberIDRef(tc.numberID))
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("want one error, got: %s", diagText(resp.Diagnostics))
			}
			text := diagText(resp.Diagnostics)
			for _, frag := range tc.want {
				if !strings.Contains(text, frag) {
					t.Errorf("error does not say %q:\n%s", frag, text)
				}
			}
			// Key ids too: the API accepts a key id as a credential (x-api-key-id).
			secrets := secrettest.Named("a key or key id", secretKey, ephemeralCredential, "k_1", "k_9")
			secrettest.Check(t, "the error", text, secrets)
			secrettest.Check(t, "the log", logs.String(), secrets)
			if n := tc.client.regenerates.Load(); n != 0 {
				t.Errorf("%d regenerate calls, want 0", n)
			}
		})
	}
}

// Opening logs the event with the key's last four characters, never the key or its id.
func TestEphemeralOpenLogsNoKey(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	e := &numberAPIKeyEphemeralResource{data: newProviderData(&stubClient{keys: ephemeralListedKeys}, credential{})}
	if resp, _ := openEphemeralKey(ctx, t, e, numberIDRef("wn_1")); resp.Diagnostics.HasError() {
		t.Fatalf("open failed: %s", diagText(resp.Diagnostics))
	}
	out := logs.String()
	if !strings.Contains(out, "Opened the number's current API key") || !strings.Contains(out, `"key_last4":"abcd"`) {
		t.Errorf("the opening was not logged with its key's last four characters:\n%s", out)
	}
	if strings.Contains(out, secretKey) || strings.Contains(out, "k_1") {
		t.Errorf("the key or its id reached the log:\n%s", out)
	}
}

// The schema documents every attribute in Markdown, marks the key and its id sensitive and
// says the key is never regenerated and which CLI versions are needed.
func TestEphemeralSchema(t *testing.T) {
	t.Parallel()
	s := numberAPIKeyEphemeralSchema()
	for _, frag := range []string{"never regenerates", "every plan", "every apply", "Terraform 1.10", "OpenTofu 1.11", "legacy key"} {
		if !strings.Contains(s.MarkdownDescription, frag) {
			t.Errorf("the description does not say %q", frag)
		}
	}
	if s.Description != "" {
		t.Error("the schema sets Description; use MarkdownDescription only")
	}
	for name, a := range s.Attributes {
		if a.GetMarkdownDescription() == "" || a.GetDescription() != "" {
			t.Errorf("%s: want a MarkdownDescription and no Description", name)
		}
		if a.IsSensitive() != (name == "key" || name == "key_id") { // a key id is a credential (x-api-key-id)
			t.Errorf("%s: sensitive %t", name, a.IsSensitive())
		}
	}
	if !s.Attributes["whatsapp_number_id"].IsRequired() {
		t.Error("whatsapp_number_id is not required")
	}
}
