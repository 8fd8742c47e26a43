package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Environment variables the provider reads when an argument is not configured.
const (
	envAPIKey    = "PILOTSTATUS_API_KEY"
	envAPIKeyAlt = "PILOT_STATUS_API_KEY"
	envAPIKeyID  = "PILOTSTATUS_API_KEY_ID"
	envBaseURL   = "PILOTSTATUS_BASE_URL"
)

// defaultMaxRetries is max_retries when unset; the client's default is no retries.
const defaultMaxRetries = 4

// settings are the provider arguments after environment fallbacks and defaults.
type settings struct {
	apiKey     string
	apiKeyID   string
	baseURL    string
	maxRetries int
	// requestTimeout is request_timeout; 0 means the client's default (pilotstatus.DefaultRequestTimeout).
	requestTimeout time.Duration
	// settleTime is regeneration_settle_time; 0 means the client's default (twice requestTimeout).
	settleTime time.Duration
	// maxRequestsPerSecond paces requests; 0 means no pacing.
	maxRequestsPerSecond float64
	// credentialSource names where the credential came from: an argument or a variable.
	credentialSource string
}

// secrets lists the configured credentials, for masking.
func (s settings) secrets() []string {
	var out []string
	for _, v := range []string{s.apiKey, s.apiKeyID} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// credential is the configured credential as diagnostics need it.
func (s settings) credential() credential {
	return credential{source: s.credentialSource, secrets: s.secrets()}
}

func (s settings) authHeader() string {
	if s.apiKey != "" {
		return "x-api-key"
	}
	return "x-api-key-id"
}

// resolveSettings applies environment fallbacks and defaults to the configuration
// and checks the result. A configured argument always wins over the environment.
func resolveSettings(m providerModel, getenv func(string) string) (settings, diag.Diagnostics) {
	if diags := unknownArguments(m); diags.HasError() {
		return settings{}, diags
	}
	var s settings
	if d := s.resolveCredential(m, getenv); d != nil {
		return s, diag.Diagnostics{d}
	}
	if d := s.resolveBaseURL(m, getenv); d != nil {
		return s, diag.Diagnostics{d}
	}
	if d := s.resolveTuning(m); d != nil {
		return s, diag.Diagnostics{d}
	}
	return s, nil
}

// unknownArguments refuses every argument whose value is only known after apply.
func unknownArguments(m providerModel) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, a := range []struct {
		name string
		val  attr.Value
	}{
		{"api_key", m.APIKey}, {"api_key_id", m.APIKeyID}, {"base_url", m.BaseURL}, {"max_retries", m.MaxRetries},
		{"request_timeout", m.RequestTimeout}, {"regeneration_settle_time", m.SettleTime},
		{"max_requests_per_second", m.MaxRequestsPerSecond},
	} {
		if a.val.IsUnknown() {
			diags.Append(unknownProviderArgument(a.name))
		}
	}
	return diags
}

// resolveCredential takes the credential from api_key or api_key_id, else from the environment.
// Both arguments are never set here: their ConflictsWith validator refuses that in
// ValidateProviderConfig, which Terraform calls with the same values right before Configure
// (a value still unknown there is refused by unknownArguments).
func (s *settings) resolveCredential(m providerModel, getenv func(string) string) diag.Diagnostic {
	switch {
	case !m.APIKey.IsNull():
		s.apiKey, s.credentialSource = m.APIKey.ValueString(), "api_key"
	case !m.APIKeyID.IsNull():
		s.apiKeyID, s.credentialSource = m.APIKeyID.ValueString(), "api_key_id"
	default:
		return s.credentialFromEnv(getenv)
	}
	return nil
}

// credentialFromEnv reads PILOTSTATUS_API_KEY (else PILOT_STATUS_API_KEY) or
// PILOTSTATUS_API_KEY_ID; exactly one credential must be set. An empty variable counts as unset.
func (s *settings) credentialFromEnv(getenv func(string) string) diag.Diagnostic {
	keyVar := envAPIKey
	s.apiKey = getenv(envAPIKey)
	if s.apiKey == "" {
		keyVar, s.apiKey = envAPIKeyAlt, getenv(envAPIKeyAlt)
	}
	s.apiKeyID = getenv(envAPIKeyID)
	switch {
	case s.apiKey != "" && s.apiKeyID != "":
		return conflictingEnvCredentials(keyVar)
	case s.apiKey != "":
		s.credentialSource = keyVar
	case s.apiKeyID != "":
		s.credentialSource = envAPIKeyID
	default:
		return missingCredentials()
	}
	return nil
}

// resolveBaseURL takes base_url, else PILOTSTATUS_BASE_URL, else the default, and checks it.
func (s *settings) resolveBaseURL(m providerModel, getenv func(string) string) diag.Diagnostic {
	s.baseURL = pilotstatus.DefaultBaseURL
	source := "base_url"
	if !m.BaseURL.IsNull() {
		s.baseURL = m.BaseURL.ValueString()
	} else if v := getenv(envBaseURL); v != "" {
		s.baseURL, source = v, envBaseURL
	}
	return checkBaseURL(s.baseURL, source)
}

// checkBaseURL checks an API address from source (base_url or PILOTSTATUS_BASE_URL); nil when it
// is usable. ValidateConfig and Configure both check with it, so both say the same.
func checkBaseURL(raw, source string) diag.Diagnostic {
	if _, err := pilotstatus.ValidateBaseURL(raw); err != nil {
		return invalidBaseURL(source, err)
	}
	return nil
}

// resolveTuning applies the defaults of the retries, the timeouts and the pacing. Durations are
// checked here again for values that were unknown during validation.
func (s *settings) resolveTuning(m providerModel) diag.Diagnostic {
	s.maxRetries = defaultMaxRetries
	if !m.MaxRetries.IsNull() {
		s.maxRetries = int(m.MaxRetries.ValueInt64())
	}
	if !m.RequestTimeout.IsNull() {
		d, err := parsePositiveDuration(m.RequestTimeout.ValueString())
		if err != nil {
			return invalidRequestTimeout(err)
		}
		s.requestTimeout = d
	}
	if !m.SettleTime.IsNull() {
		d, err := parsePositiveDuration(m.SettleTime.ValueString())
		if err != nil {
			return invalidSettleTime(err)
		}
		s.settleTime = d
	}
	if !m.MaxRequestsPerSecond.IsNull() {
		s.maxRequestsPerSecond = m.MaxRequestsPerSecond.ValueFloat64()
	}
	return nil
}

// parsePositiveDuration parses a Go duration that must be greater than zero.
func parsePositiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration; use a number with a unit, such as \"30s\", \"2m\" or \"1m30s\"", v)
	}
	return d, nil
}
