package provider

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Environment variables the provider reads when an argument is not configured.
const (
	envAPIKey    = "PILOTSTATUS_API_KEY"
	envAPIKeyAlt = "PILOT_STATUS_API_KEY"
	envAPIKeyID  = "PILOTSTATUS_API_KEY_ID"
	envBaseURL   = "PILOTSTATUS_BASE_URL"
)

const (
	defaultMaxRetries     = 4
	defaultRequestTimeout = 60 * time.Second
)

func lookupEnv(name string) string { return os.Getenv(name) }

func itoa(n int) string { return strconv.Itoa(n) }

// settings are the provider arguments after environment fallbacks and defaults.
type settings struct {
	apiKey         string
	apiKeyID       string
	baseURL        string
	maxRetries     int
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
	var (
		s     settings
		diags diag.Diagnostics
	)
	for _, v := range []struct {
		name string
		val  interface {
			IsUnknown() bool
		}
	}{{"api_key", m.APIKey}, {"api_key_id", m.APIKeyID}, {"base_url", m.BaseURL}, {"max_retries", m.MaxRetries}, {"request_timeout", m.RequestTimeout}, {"regeneration_settle_time", m.SettleTime},
		{"max_requests_per_second", m.MaxRequestsPerSecond}} {
		if v.val.IsUnknown() {
			diags.AddAttributeError(path.Root(v.name), "Unknown Provider Argument",
				fmt.Sprintf("The provider argument %s depends on a value that is only known after apply. "+
					"The provider needs it to plan. Set it from a known value, or apply the resources it depends on first "+
					"with -target.", v.name))
		}
	}
	if diags.HasError() {
		return s, diags
	}

	keyConfigured, idConfigured := !m.APIKey.IsNull(), !m.APIKeyID.IsNull()
	switch {
	case keyConfigured && idConfigured:
		diags.AddAttributeError(path.Root("api_key_id"), "Conflicting Credentials",
			"Both api_key and api_key_id are set. Set exactly one: api_key (sent as x-api-key) or api_key_id (sent as x-api-key-id).")
		return s, diags
	case keyConfigured:
		s.apiKey, s.credentialSource = m.APIKey.ValueString(), "api_key"
	case idConfigured:
		s.apiKeyID, s.credentialSource = m.APIKeyID.ValueString(), "api_key_id"
	default:
		envKeyName := envAPIKey
		s.apiKey = getenv(envAPIKey)
		if s.apiKey == "" {
			envKeyName = envAPIKeyAlt
			s.apiKey = getenv(envAPIKeyAlt)
		}
		s.apiKeyID = getenv(envAPIKeyID)
		switch {
		case s.apiKey != "" && s.apiKeyID != "":
			diags.AddError("Conflicting Credentials",
				fmt.Sprintf("Both %s and %s are set in the environment and neither api_key nor api_key_id is configured. "+
					"Unset one of them, or set api_key or api_key_id in the provider block.", envKeyName, envAPIKeyID))
			return s, diags
		case s.apiKey != "":
			s.credentialSource = envKeyName
		case s.apiKeyID != "":
			s.credentialSource = envAPIKeyID
		case s.apiKey == "" && s.apiKeyID == "":
			diags.AddError("Missing Pilot Status Credentials",
				fmt.Sprintf("No API key is configured. Set api_key in the provider block or the %s environment variable "+
					"(%s is read too) to the tenant-scoped key from Dashboard → Profile → API, "+
					"or set api_key_id / %s to that key's id.", envAPIKey, envAPIKeyAlt, envAPIKeyID))
			return s, diags
		}
	}

	s.baseURL = pilotstatus.DefaultBaseURL
	baseURLSource := "base_url"
	if !m.BaseURL.IsNull() {
		s.baseURL = m.BaseURL.ValueString()
	} else if v := getenv(envBaseURL); v != "" {
		s.baseURL = v
		baseURLSource = envBaseURL
	}
	if _, err := pilotstatus.ValidateBaseURL(s.baseURL); err != nil {
		diags.AddAttributeError(path.Root("base_url"), "Invalid Base URL",
			fmt.Sprintf("The API address from %s is not usable: %s. Set base_url (or %s) to an https URL such as %s.",
				baseURLSource, err.Error(), envBaseURL, pilotstatus.DefaultBaseURL))
		return s, diags
	}

	s.maxRetries = defaultMaxRetries
	if !m.MaxRetries.IsNull() {
		s.maxRetries = int(m.MaxRetries.ValueInt64())
	}
	s.requestTimeout = defaultRequestTimeout
	if !m.RequestTimeout.IsNull() {
		d, err := parsePositiveDuration(m.RequestTimeout.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid Request Timeout", err.Error())
			return s, diags
		}
		s.requestTimeout = d
	}
	if !m.SettleTime.IsNull() {
		d, err := parsePositiveDuration(m.SettleTime.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("regeneration_settle_time"), "Invalid Regeneration Settle Time", err.Error())
			return s, diags
		}
		s.settleTime = d
	}
	if !m.MaxRequestsPerSecond.IsNull() {
		s.maxRequestsPerSecond = m.MaxRequestsPerSecond.ValueFloat64()
	}
	return s, diags
}

// parsePositiveDuration parses a Go duration that must be greater than zero.
func parsePositiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration; use a number with a unit, such as \"30s\", \"2m\" or \"1m30s\"", v)
	}
	return d, nil
}
