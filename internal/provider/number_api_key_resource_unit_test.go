package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

const secretKey = "ps_SECRETsecretSECRETsecret0123456789abcd"

// objectValue builds a pilotstatus_number_api_key value; nil means null.
func objectValue(t *testing.T, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	tfType := numberAPIKeySchema().Type().TerraformType(context.Background())
	typ, ok := tfType.(tftypes.Object)
	if !ok {
		t.Fatalf("the schema type is %T, want tftypes.Object", tfType)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func str(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }

func unknown() tftypes.Value { return tftypes.NewValue(tftypes.String, tftypes.UnknownValue) }

func planCreate(t *testing.T, r *numberAPIKeyResource, numberID tftypes.Value, more ...map[string]tftypes.Value) *resource.ModifyPlanResponse {
	t.Helper()
	s := numberAPIKeySchema()
	attrs := map[string]tftypes.Value{
		"whatsapp_number_id": numberID,
		"id":                 unknown(), "key": unknown(), "key_id": unknown(),
		"key_prefix": unknown(), "key_last4": unknown(), "created_at": unknown(),
	}
	for _, m := range more {
		maps.Copy(attrs, m)
	}
	planned := objectValue(t, attrs)
	typ := s.Type().TerraformType(context.Background())
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: planned},
		Plan:   tfsdk.Plan{Schema: s, Raw: planned},
		State:  tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)},
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(context.Background(), req, resp)
	return resp
}

// planChecked runs ModifyPlan for planned (also the configuration) over state, and fails the test
// on an error.
func planChecked(t *testing.T, r *numberAPIKeyResource, planned, state tftypes.Value) *resource.ModifyPlanResponse {
	t.Helper()
	s := numberAPIKeySchema()
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: planned},
		Plan:   tfsdk.Plan{Schema: s, Raw: planned},
		State:  tfsdk.State{Schema: s, Raw: state},
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected error: %s", diagText(resp.Diagnostics))
	}
	return resp
}

func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + "\n" + d.Detail() + "\n")
	}
	return b.String()
}

// A plan that creates a key warns that the number's current key dies, naming the
// number and the current key's last four characters, never the key.
func TestModifyPlanWarnsOfRegeneration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		client   *stubClient
		numberID tftypes.Value
		storeKey bool
		want     []string
		// wantError: the plan fails (one error, no warning) instead of warning once.
		wantError bool
	}{
		{
			name:     "current key known",
			client:   &stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz", Key: secretKey, Revealable: true}}},
			numberID: str("wn_1"),
			storeKey: true,
			want:     []string{"API Key Will Be Regenerated", `"wn_1"`, `ending in "wxyz"`, "stops working at once", "stores in state"},
		},
		{
			name:     "store_key = false",
			client:   &stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz", Key: secretKey, Revealable: true}}},
			numberID: str("wn_1"),
			want:     []string{"API Key Will Be Regenerated", "keeps out of state (store_key = false)", "ephemeral resource"},
		},
		{
			name:      "list fails",
			client:    &stubClient{listErr: errors.New("HTTP 403")},
			numberID:  str("wn_1"),
			want:      []string{summaryListKeys, `"wn_1"`, "nothing was regenerated", "Original Error: HTTP 403"},
			wantError: true,
		},
		{
			name:      "number unknown to the tenant",
			client:    &stubClient{keys: []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1"}}},
			numberID:  str("wn_9"),
			want:      []string{"WhatsApp Number Not Found", `"wn_9"`, "nothing was regenerated"},
			wantError: true,
		},
		{
			name:     "number id known after apply",
			client:   &stubClient{},
			numberID: unknown(),
			want:     []string{"API Key Will Be Regenerated", "known only after apply"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &numberAPIKeyResource{data: newProviderData(tc.client, credential{})}
			resp := planCreate(t, r, tc.numberID, map[string]tftypes.Value{"store_key": tftypes.NewValue(tftypes.Bool, tc.storeKey)})
			if text := diagText(resp.Diagnostics); !tc.wantError && tc.storeKey == strings.Contains(text, "keeps out of state") {
				t.Errorf("store_key = %t, yet the warning says otherwise where the key goes:\n%s", tc.storeKey, text)
			}
			errs, warnings := resp.Diagnostics.ErrorsCount(), resp.Diagnostics.WarningsCount()
			if tc.wantError && (errs != 1 || warnings != 0) || !tc.wantError && (errs != 0 || warnings != 1) {
				t.Fatalf("%d errors and %d warnings, want %s: %s", errs, warnings,
					map[bool]string{true: "one error", false: "one warning"}[tc.wantError], diagText(resp.Diagnostics))
			}
			text := diagText(resp.Diagnostics)
			for _, frag := range tc.want {
				if !strings.Contains(text, frag) {
					t.Errorf("warning does not say %q:\n%s", frag, text)
				}
			}
			if strings.Contains(text, secretKey) || strings.Contains(text, "ps_") {
				t.Errorf("warning shows a key:\n%s", text)
			}
		})
	}
}

func TestAdviceForEveryErrorClass(t *testing.T) {
	t.Parallel()
	api := func(status int, code string) error {
		return &pilotstatus.APIError{Status: status, Code: code, Message: "m", Method: "POST", Path: "/v1/api-keys", Attempts: 3}
	}
	cases := []struct {
		name string
		err  error
		want []string
	}{
		{"401", api(401, ""), []string{"rejected the credentials", envAPIKey, envAPIKeyID}},
		{"403 number scope", api(403, "NUMBER_SCOPE_NOT_ALLOWED"), []string{"number-scoped key", "Dashboard → Profile → API"}},
		{"403 other", api(403, "TENANT_SCOPE_NOT_ALLOWED"), []string{"refused this operation", "tenant-scoped key"}},
		{"404", api(404, "NUMBER_NOT_FOUND"), []string{`no WhatsApp number with id "wn_1"`}},
		{"400", api(400, "VALIDATION_ERROR"), []string{"invalid (400)", `"wn_1"`}},
		{"429", api(429, ""), []string{"429 Too Many Requests", "tried 3 times", "max_retries", "max_requests_per_second"}},
		{"429 after the provider slowed down", &pilotstatus.APIError{Status: 429, Method: "POST", Path: "/v1/api-keys", Attempts: 5, LearnedRate: 12.5},
			[]string{"429 Too Many Requests", "tried 5 times", "slowed itself down to 12.5 requests per second", "max_requests_per_second"}},
		{"500", api(500, ""), []string{"server error", "tried 3 times"}},
		{"transport", &pilotstatus.TransportError{Method: "POST", Path: "/v1/api-keys", Attempts: 2, Err: errors.New("EOF")}, []string{"network failure or timeout", "tried 2 times", "request_timeout"}},
		{"malformed", pilotstatus.ErrMalformedResponse, []string{"documented shape", "base_url"}},
		{"lost answer", errors.Join(pilotstatus.ErrOutcomeUnknown, api(502, "")), []string{"server error", "may no longer work", "next apply regenerates"}},
		{"list 404: a wrong base path", &pilotstatus.APIError{Status: 404, Message: "Not found", Method: "GET", Path: "/v1/api-keys"},
			[]string{"no /v1/api-keys endpoint", "check base_url", envBaseURL}},
		{"interrupted before sending", fmt.Errorf("not sent: %w (%w)", pilotstatus.ErrInterrupted, context.Canceled),
			[]string{"interrupted", "Apply again"}},
		{"interrupted while a list was read", &pilotstatus.TransportError{Method: "GET", Path: "/v1/api-keys", Attempts: 1, Err: context.Canceled},
			[]string{"interrupted", "Apply again"}},
		{"interrupted, outcome unknown", errors.Join(pilotstatus.ErrOutcomeUnknown, pilotstatus.ErrInterrupted, api(502, "")),
			[]string{"interrupted", "may no longer work"}},
		{"certificate", &pilotstatus.TransportError{Method: "GET", Path: "/v1/api-keys", Attempts: 1, Err: x509.UnknownAuthorityError{}},
			[]string{"TLS connection", "not trusted", "not retried", "base_url"}},
		{"not TLS", &pilotstatus.TransportError{Method: "GET", Path: "/v1/api-keys", Attempts: 1, Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}},
			[]string{"TLS connection", "does not speak TLS"}},
		{"delayed regeneration", fmt.Errorf("%w; not revealed", pilotstatus.ErrDelayedRegeneration),
			[]string{"reached the API late", "next apply regenerates the key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := apiErrorDiagnostic(summaryRegenerate, "Regenerating", "wn_1", tc.err, credential{})
			text := d.Summary() + "\n" + d.Detail()
			for _, frag := range append(tc.want, "Original Error: ") {
				if !strings.Contains(text, frag) {
					t.Errorf("diagnostic does not say %q:\n%s", frag, text)
				}
			}
			// Timeout advice only where a timeout or a network failure happened.
			advice, _, _ := strings.Cut(text, "Original Error: ")
			if !strings.HasPrefix(tc.name, "transport") && strings.Contains(advice, "request_timeout") {
				t.Errorf("the advice speaks of request_timeout:\n%s", text)
			}
		})
	}
}

// The advice for a refused (401) or unusable credential names its one source, and no other
// argument or variable; a key id given as a key is pointed to where key ids belong.
func TestCredentialAdviceNamesItsSource(t *testing.T) {
	t.Parallel()
	sources := []string{"api_key", "api_key_id", envAPIKey, envAPIKeyAlt, envAPIKeyID}
	named := func(text, name string) bool {
		return regexp.MustCompile(`(^|[^\w-])` + regexp.QuoteMeta(name) + `($|[^\w-])`).MatchString(text)
	}
	unauthorized := func(c credential) string {
		return adviceFor(&pilotstatus.APIError{Status: 401, Message: "Unauthorized", Method: "GET", Path: "/v1/api-keys"}, "wn_1", c)
	}
	invalid := func(err error) func(c credential) string {
		return func(c credential) string { return invalidCredential(c, err).Detail() }
	}
	notAKey := invalid(pilotstatus.ErrNotAPIKey)
	spaces := invalid(errors.New("the API key id contains spaces, line breaks or non-ASCII characters; check how it was copied"))
	type row struct {
		name   string
		source string
		detail func(c credential) string
		names  []string // every source the text names; it must name no other
	}
	cases := []row{
		{"key id in api_key", "api_key", notAKey, []string{"api_key", "api_key_id"}},
		{"key id in PILOTSTATUS_API_KEY", envAPIKey, notAKey, []string{envAPIKey, envAPIKeyID}},
		{"key id in PILOT_STATUS_API_KEY", envAPIKeyAlt, notAKey, []string{envAPIKeyAlt, envAPIKeyID}},
		{"spaces in api_key_id", "api_key_id", spaces, []string{"api_key_id"}},
		{"spaces in PILOTSTATUS_API_KEY_ID", envAPIKeyID, spaces, []string{envAPIKeyID}},
	}
	for _, src := range sources {
		cases = append(cases, row{"401 from " + src, src, unauthorized, []string{src}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := tc.detail(credential{source: tc.source})
			for _, src := range sources {
				if want := slices.Contains(tc.names, src); named(text, src) != want {
					t.Errorf("names %s: %v, want %v:\n%s", src, !want, want, text)
				}
			}
		})
	}
}

// The warning of a regeneration says what the destroy step of a replacement does, by on_destroy,
// and says nothing of a destroy for a create.
func TestRegenerationPlannedSaysWhatTheDestroyStepDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		onDestroy    string
		want, absent string
	}{
		{"", "", "destroy"},
		{onDestroyKeep, "the destroy makes no API call", "destroy regenerates"},
		{onDestroyInvalidate, "the destroy regenerates the key in state away", "no API call"},
	}
	for _, tc := range cases {
		d := regenerationPlanned("wn_1", "abcd", tc.onDestroy, true)
		text := d.Detail()
		if !strings.Contains(text, `"wn_1"`) || !strings.Contains(text, `ending in "abcd"`) ||
			!strings.Contains(text, tc.want) || strings.Contains(text, tc.absent) {
			t.Errorf("on_destroy %q: want %q and not %q:\n%s", tc.onDestroy, tc.want, tc.absent, text)
		}
	}
}

// The regeneration warning says where the new key goes: into state, or, with store_key = false,
// nowhere in state, to be handed on with the ephemeral resource.
func TestRegenerationPlannedSaysWhereTheKeyGoes(t *testing.T) {
	t.Parallel()
	for _, numberID := range []string{"wn_1", ""} {
		stored := regenerationPlanned(numberID, "abcd", onDestroyKeep, true).Detail()
		out := regenerationPlanned(numberID, "abcd", onDestroyKeep, false).Detail()
		if !strings.Contains(stored, "stores in state") || strings.Contains(stored, "store_key = false") {
			t.Errorf("store_key = true, number %q: want the key stored in state:\n%s", numberID, stored)
		}
		if strings.Contains(out, "stores in state") || !strings.Contains(out, "keeps out of state (store_key = false)") ||
			!strings.Contains(out, "ephemeral resource") {
			t.Errorf("store_key = false, number %q: want the key kept out of state:\n%s", numberID, out)
		}
	}
}

// After the refresh saw the key regenerated outside Terraform, the destroy warning says that the
// key in state is dead and names the number's current key, for either on_destroy; it never says
// that the key in state stays valid, nor that anything is invalidated.
func TestDestroyWarningAfterAnExternalRotation(t *testing.T) {
	t.Parallel()
	for _, onDestroy := range []string{onDestroyKeep, onDestroyInvalidate} {
		text := destroyWarning("wn_1", onDestroy, "abcd", "wxyz").Detail()
		if !strings.Contains(text, `(ending in "abcd") no longer works`) || !strings.Contains(text, `now ends in "wxyz"`) ||
			strings.Contains(text, "that key stays valid") || strings.Contains(text, "stops working") {
			t.Errorf("on_destroy %q:\n%s", onDestroy, text)
		}
		if plain := destroyWarning("wn_1", onDestroy, "abcd", "").Detail(); strings.Contains(plain, "no longer works") {
			t.Errorf("on_destroy %q without an external rotation speaks of a dead key:\n%s", onDestroy, plain)
		}
	}
}

// The 404 advice and the provider docs say one thing of a base_url path: requests go to base_url
// followed by the API path, the API's own address has none, and a path is kept for a proxy.
func TestNotFoundAdviceOnBaseURLPath(t *testing.T) {
	t.Parallel()
	advice := adviceFor(&pilotstatus.APIError{Status: 404, Method: "GET", Path: "/v1/api-keys"}, "", credential{})
	if !words("Requests go to base_url followed by /v1/api-keys", "has no path", "Keep a path in base_url only when a proxy serves the API").MatchString(advice) ||
		strings.Contains(advice, "must be the API's address without a path") {
		t.Errorf("404 advice:\n%s", advice)
	}
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !words("a path prefix is kept", "only when a proxy serves the API").MatchString(string(docs)) {
		t.Error("docs/index.md does not say that a path prefix is kept, for a proxy only")
	}
}

// keepers: a null value is refused, one error per null entry, in the order of their names, each at
// its own path; unknown values and an unset map are left to the plan.
func TestKeepersValidator(t *testing.T) {
	t.Parallel()
	validate := func(v types.Map) diag.Diagnostics {
		var resp validator.MapResponse
		keepersValidator{}.ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("keepers"), ConfigValue: v}, &resp)
		return resp.Diagnostics
	}
	m := types.MapValueMust(types.StringType, map[string]attr.Value{
		"b": types.StringNull(), "a": types.StringNull(), "c": types.StringValue(""), "d": types.StringUnknown(),
	})
	diags := validate(m)
	if len(diags) != 2 {
		t.Fatalf("want 2 errors, got %v", diags)
	}
	for i, name := range []string{"a", "b"} {
		d, ok := diags[i].(diag.DiagnosticWithPath)
		if !ok || !d.Path().Equal(path.Root("keepers").AtMapKey(name)) || d.Summary() != "Invalid Keepers Value" ||
			!strings.Contains(d.Detail(), `keepers["`+name+`"] is null`) {
			t.Errorf("error %d: %v", i, diags[i])
		}
	}
	for _, ok := range []types.Map{types.MapNull(types.StringType), types.MapUnknown(types.StringType),
		types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringValue("")})} {
		if d := validate(ok); d.HasError() {
			t.Errorf("%v refused: %v", ok, d)
		}
	}
}

// Even if an error text carried a key or the credential, the diagnostic would not.
func TestDiagnosticRedactsSecrets(t *testing.T) {
	t.Parallel()
	err := errors.New("upstream said " + secretKey + " and k_credential_id")
	d := apiErrorDiagnostic(summaryListKeys, "Listing", "wn_1", err, credential{secrets: []string{"k_credential_id"}})
	if strings.Contains(d.Detail(), secretKey) || strings.Contains(d.Detail(), "k_credential_id") {
		t.Errorf("diagnostic shows a secret:\n%s", d.Detail())
	}
}

func TestSetFromRegenerated(t *testing.T) {
	t.Parallel()
	m := numberAPIKeyModel{RotationPeriod: types.StringValue("1d")}
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	setFromRegenerated(&m, pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey}, now)
	if !m.CreatedAt.IsNull() {
		t.Errorf("an answer without createdAt gave created_at %q, want null", m.CreatedAt.ValueString())
	}
	if m.KeyVersion.ValueInt64() != now.UnixMilli() || m.NextRotationAt.ValueString() != "2026-07-02T00:00:00Z" {
		t.Errorf("without createdAt: key_version %d, next_rotation_at %s; want the clock's time and a day later",
			m.KeyVersion.ValueInt64(), m.NextRotationAt.ValueString())
	}
	at := time.Date(2026, 6, 28, 10, 0, 0, 123_000_000, time.FixedZone("BRT", -3*3600))
	setFromRegenerated(&m, pilotstatus.RegeneratedKey{KeyID: "k_2", Key: secretKey, CreatedAt: at}, now)
	if got := m.CreatedAt.ValueString(); got != "2026-06-28T13:00:00.123Z" {
		t.Errorf("created_at = %q, want UTC RFC 3339 with milliseconds", got)
	}
	if m.KeyVersion.ValueInt64() != at.UnixMilli() || m.NextRotationAt.ValueString() != "2026-06-29T13:00:00.123Z" {
		t.Errorf("key_version %d, next_rotation_at %s; want created_at in ms and a day after it",
			m.KeyVersion.ValueInt64(), m.NextRotationAt.ValueString())
	}
	if m.Key.ValueString() != secretKey || m.KeyID.ValueString() != "k_2" {
		t.Errorf("key fields not taken from the answer: %+v", m)
	}
}

// key_prefix follows one rule wherever a key is taken into state or opened: the prefix of the
// raw key. A create (from the regeneration's answer, whose keyPrefix the client does not decode), a
// read or an adoption (from the key list, which reports none) and the ephemeral resource agree, and a
// key the API does not reveal has none.
func TestKeyPrefixOneRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key  string
		want types.String
	}{
		{key: secretKey, want: types.StringValue("ps_")},
		{key: "ps_", want: types.StringValue("ps_")},
		{key: "ps", want: types.StringNull()},
		{key: "", want: types.StringNull()},
	} {
		if got := keyPrefix(tc.key); !got.Equal(tc.want) {
			t.Errorf("keyPrefix(%q) = %s, want %s", tc.key, got, tc.want)
		}
	}

	var created, listed numberAPIKeyModel
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	setFromRegenerated(&created, pilotstatus.RegeneratedKey{KeyID: "k_1", KeyLast4: "abcd", Key: secretKey}, now)
	setKeyFromList(&listed, pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true})
	var opened numberAPIKeyEphemeralModel
	setFromListed(&opened, pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "abcd", Key: secretKey, Revealable: true})
	for name, got := range map[string]types.String{"create": created.KeyPrefix, "read": listed.KeyPrefix, "ephemeral": opened.KeyPrefix} {
		if !got.Equal(types.StringValue("ps_")) {
			t.Errorf("%s: key_prefix = %s, want \"ps_\", the prefix of the key", name, got)
		}
	}

	var legacy numberAPIKeyModel
	setKeyFromList(&legacy, pilotstatus.NumberKey{NumberID: "wn_old", KeyID: "k_old", KeyLast4: "wxyz"})
	if !legacy.KeyPrefix.IsNull() {
		t.Errorf("a key the API does not reveal: key_prefix = %s, want null", legacy.KeyPrefix)
	}
}

// An empty whatsapp_number_id is refused with exactly one error, Invalid WhatsApp Number ID, by the
// resource and the ephemeral resource alike; a blank or padded one too.
func TestEmptyNumberIDIsOneError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	res, ok := numberAPIKeySchema().Attributes["whatsapp_number_id"].(schema.StringAttribute)
	eph, ok2 := numberAPIKeyEphemeralSchema().Attributes["whatsapp_number_id"].(ephemeralschema.StringAttribute)
	if !ok || !ok2 {
		t.Fatal("whatsapp_number_id is not a string attribute")
	}
	validators := map[string][]validator.String{"resource": res.Validators, "ephemeral resource": eph.Validators}
	for name, vs := range validators {
		for _, id := range []string{"", " ", "wn_1\n"} {
			var diags diag.Diagnostics
			for _, v := range vs {
				resp := &validator.StringResponse{}
				v.ValidateString(ctx, validator.StringRequest{Path: path.Root("whatsapp_number_id"), ConfigValue: types.StringValue(id)}, resp)
				diags.Append(resp.Diagnostics...)
			}
			if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "Invalid WhatsApp Number ID" {
				t.Errorf("%s, whatsapp_number_id %q: %d errors, want one Invalid WhatsApp Number ID:\n%s", name, id, diags.ErrorsCount(), diagText(diags))
			}
		}
	}
}
