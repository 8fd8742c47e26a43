package provider

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Diagnostic summaries, one per operation.
const (
	summaryRegenerate  = "Unable to Regenerate API Key"
	summaryListKeys    = "Unable to Read API Keys"
	summaryInvalidate  = "Unable to Invalidate API Key"
	summaryListNumbers = "Unable to List WhatsApp Numbers"
)

// apiErrorDiagnostic turns a client error into a diagnostic whose detail says
// what was attempted, what the user can do, and then the original error. The
// error text comes from the client, which never puts a key or a body in it; it is
// redacted again here all the same.
func apiErrorDiagnostic(summary, attempted, numberID string, err error, secrets []string) diag.Diagnostic {
	var b strings.Builder
	b.WriteString(attempted)
	b.WriteString(".\n\n")
	b.WriteString(adviceFor(err, numberID))
	b.WriteString("\n\nOriginal Error: ")
	b.WriteString(pilotstatus.Redact(err.Error(), secrets...))
	return diag.NewErrorDiagnostic(summary, b.String())
}

// adviceFor says what the user can do about err.
func adviceFor(err error, numberID string) string {
	var (
		apiErr   *pilotstatus.APIError
		transErr *pilotstatus.TransportError
	)
	var advice string
	switch {
	case errors.As(err, &apiErr) && pilotstatus.IsUnauthorized(err):
		advice = fmt.Sprintf("The API rejected the credentials (401). Check the provider's api_key (%s) or api_key_id (%s): "+
			"the key may be mistyped, or it was regenerated and the old value no longer works.", envAPIKey, envAPIKeyID)
	case errors.As(err, &apiErr) && apiErr.Code == "NUMBER_SCOPE_NOT_ALLOWED":
		advice = "The provider is configured with a number-scoped key, which cannot manage API keys. " +
			"Configure the tenant-scoped key instead: Pilot Status Dashboard → Profile → API."
	case errors.As(err, &apiErr) && pilotstatus.IsForbidden(err):
		advice = "The API refused this operation for the configured key (403). Managing API keys needs the tenant-scoped key " +
			"from Pilot Status Dashboard → Profile → API."
	case errors.As(err, &apiErr) && pilotstatus.IsNotFound(err):
		advice = fmt.Sprintf("The tenant has no WhatsApp number with id %q. Check whatsapp_number_id: the number may have been "+
			"removed, or it belongs to another tenant than the configured key.", numberID)
	case errors.As(err, &apiErr) && pilotstatus.IsValidation(err):
		advice = fmt.Sprintf("The API rejected the request as invalid (400). Check whatsapp_number_id %q.", numberID)
	case errors.As(err, &apiErr) && pilotstatus.IsRateLimited(err):
		advice = fmt.Sprintf("The API kept answering 429 Too Many Requests; the request was tried %s. "+
			"Wait a moment and apply again, or raise max_retries.", attemptsText(apiErr.Attempts, apiErr.Elapsed))
	case errors.As(err, &apiErr) && pilotstatus.IsServerError(err):
		advice = fmt.Sprintf("The API failed with a server error; the request was tried %s. "+
			"Pilot Status may be having trouble; apply again later.", attemptsText(apiErr.Attempts, apiErr.Elapsed))
	case errors.As(err, &transErr):
		advice = fmt.Sprintf("The request did not complete (network failure or timeout); it was tried %s. "+
			"Check base_url and the connection, or raise request_timeout or max_retries.", attemptsText(transErr.Attempts, transErr.Elapsed))
	case errors.Is(err, pilotstatus.ErrMalformedResponse):
		advice = "The API answered, but not with the documented shape. Pilot Status may be having trouble, or base_url " +
			"points at something other than the Pilot Status API."
	case errors.As(err, &apiErr):
		advice = fmt.Sprintf("The API answered with HTTP %d.", apiErr.Status)
	default:
		advice = "Check base_url and the connection, then apply again."
	}
	if errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
		advice += fmt.Sprintf("\n\nThe key of number %q may have been regenerated before the answer was lost, so its previous key "+
			"may no longer work. No new key was stored; the next apply regenerates the key again and stores it.", numberID)
	}
	return advice
}

func attemptsText(attempts int, elapsed time.Duration) string {
	if attempts <= 1 {
		return "once"
	}
	return fmt.Sprintf("%d times over %s", attempts, elapsed.Round(time.Millisecond))
}
