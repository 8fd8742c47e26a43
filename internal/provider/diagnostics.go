package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Diagnostic summaries: one per operation for the API errors, and the others that more than one
// diagnostic has.
const (
	summaryRegenerate  = "Unable to Regenerate API Key"
	summaryListKeys    = "Unable to Read API Keys"
	summaryInvalidate  = "Unable to Invalidate API Key"
	summaryListNumbers = "Unable to List WhatsApp Numbers"
	summaryStoreKey    = "Unable to Store API Key"

	summaryNumberNotFound      = "WhatsApp Number Not Found"
	summaryExternalRotation    = "Key Rotated Outside Terraform"
	summaryEarlyRotationWindow = "Invalid Early Rotation Window"
	summaryRotationPeriod      = "Invalid Rotation Period"
	summaryOpenNotRevealable   = "API Key Is Not Revealable"
	summaryOpenOtherKey        = "API Key Is Not the Expected Key"
	summaryDestroyInvalidates  = "Destroying Invalidates the Key"
	summaryDestroyKeeps        = "Destroying Does Not Invalidate the Key"
	summaryInvalidQueryFilter  = "Invalid Query Filter"
)

// credential is the credential the provider is configured with, as diagnostics need it: where it
// came from, so that advice names the one place to fix, and its values, to redact.
type credential struct {
	// source is the provider argument or environment variable the credential was read from
	// (api_key, api_key_id, PILOTSTATUS_API_KEY, ...); empty when unknown.
	source  string
	secrets []string
}

// origin names the credential's source in a sentence.
func (c credential) origin() string {
	switch c.source {
	case "api_key", "api_key_id":
		return "the provider argument " + c.source
	default:
		return "the environment variable " + c.source
	}
}

// isKeyID reports whether the credential is a key id (x-api-key-id) rather than a key.
func (c credential) isKeyID() bool { return c.source == "api_key_id" || c.source == envAPIKeyID }

// keyIDSource is where a key id belongs, beside the key's own source: the argument api_key_id
// beside api_key, the variable PILOTSTATUS_API_KEY_ID beside a variable.
func (c credential) keyIDSource() string {
	if c.source == "api_key" {
		return "the provider argument api_key_id"
	}
	return "the environment variable " + envAPIKeyID
}

// unauthorizedAdvice is the advice for a 401: the credential from its one source was refused.
func (c credential) unauthorizedAdvice() string {
	if c.source == "" {
		return fmt.Sprintf("The API rejected the credentials (401). Check the provider's api_key (%s) or api_key_id (%s): "+
			"the key may be mistyped, or it was regenerated and the old value no longer works.", envAPIKey, envAPIKeyID)
	}
	what := "key"
	if c.isKeyID() {
		what = "key id"
	}
	fix := "the current tenant-scoped key (ps_...)"
	if c.isKeyID() {
		fix = "the id of the current tenant-scoped key"
	}
	return fmt.Sprintf("The API rejected the credentials (401): the %s from %s. It may be mistyped, belong to another "+
		"account, or have been regenerated (the old value stops working at once). Set %s to %s, from Pilot Status "+
		"Dashboard → Profile → API.", what, c.origin(), c.source, fix)
}

// invalidCredential reports a credential that cannot be sent at all, with what to set where.
func invalidCredential(c credential, err error) diag.Diagnostic {
	advice := fmt.Sprintf("Set %s again to the tenant-scoped key (ps_...) from Pilot Status Dashboard → Profile → API, "+
		"without quotes, spaces or line breaks.", c.source)
	switch {
	case c.isKeyID():
		advice = fmt.Sprintf("Set %s again to the id of the tenant-scoped key, without quotes, spaces or line breaks.", c.source)
	case errors.Is(err, pilotstatus.ErrNotAPIKey):
		advice = fmt.Sprintf("If it is a key id, it belongs in %s, with %s unset. Otherwise set %s to the tenant-scoped key "+
			"(ps_...) from Pilot Status Dashboard → Profile → API.", c.keyIDSource(), c.source, c.source)
	}
	return diag.NewErrorDiagnostic("Invalid Pilot Status Credential",
		fmt.Sprintf("The credential from %s is not usable: %s. %s", c.origin(), pilotstatus.Redact(err.Error(), c.secrets...), advice))
}

// apiErrorDiagnostic turns a client error into a diagnostic whose detail says
// what was attempted, what the user can do, and then the original error. The
// error text comes from the client, which never puts a key or a body in it; it is
// redacted again here all the same.
func apiErrorDiagnostic(summary, attempted, numberID string, err error, cred credential) diag.Diagnostic {
	var b strings.Builder
	b.WriteString(attempted)
	b.WriteString(".\n\n")
	b.WriteString(adviceFor(err, numberID, cred))
	b.WriteString("\n\nOriginal Error: ")
	b.WriteString(pilotstatus.Redact(err.Error(), cred.secrets...))
	return diag.NewErrorDiagnostic(summary, b.String())
}

// adviceFor says what the user can do about err: about its cause, and then about the number's key,
// as the regeneration left it: unchanged (nothing was regenerated, and the key list proved it when
// the API failed), or possibly regenerated without the new key reaching the provider.
func adviceFor(err error, numberID string, cred credential) string {
	advice := causeAdvice(err, numberID, cred)
	switch {
	case errors.Is(err, pilotstatus.ErrOutcomeUnknown):
		advice += fmt.Sprintf("\n\nThe key of number %q may have been regenerated without the new key reaching the provider, so "+
			"its previous key may no longer work. No new key was stored; the next apply regenerates the key again and stores it.", numberID)
	case errors.Is(err, pilotstatus.ErrKeyUnchanged):
		advice += fmt.Sprintf("\n\nNothing was regenerated: the key list shows the key of number %q unchanged after each of the API's "+
			"failure answers, and no other request reached the API, so its current key still works. Apply again once Pilot Status "+
			"answers.", numberID)
	case errors.Is(err, pilotstatus.ErrNotRegenerated):
		advice += fmt.Sprintf("\n\nNothing was regenerated: no request reached the API or it refused every one, so the current key "+
			"of number %q still works.", numberID)
	}
	return advice
}

// causeAdvice says what the user can do about the cause of err: a stop or a failure before any
// answer, an answer of the API, no answer at all, or an answer of the wrong shape.
func causeAdvice(err error, numberID string, cred credential) string {
	if advice := stopAdvice(err, numberID); advice != "" {
		return advice
	}
	var apiErr *pilotstatus.APIError
	if errors.As(err, &apiErr) {
		if advice := statusAdvice(apiErr, numberID, cred); advice != "" {
			return advice
		}
	}
	var transErr *pilotstatus.TransportError
	switch {
	case errors.As(err, &transErr):
		return fmt.Sprintf("The request did not complete (network failure or timeout); it was tried %s. "+
			"Check base_url and the connection, or raise request_timeout or max_retries.", attemptsText(transErr.Attempts, transErr.Elapsed))
	case errors.Is(err, pilotstatus.ErrMalformedResponse):
		return "The API answered, but not with the documented shape. Pilot Status may be having trouble, or base_url " +
			"points at something other than the Pilot Status API."
	case apiErr != nil:
		return fmt.Sprintf("The API answered with HTTP %d.", apiErr.Status)
	}
	return "Check base_url and the connection, then apply again."
}

// stopAdvice is the advice for an operation stopped by an interruption, a regeneration that
// landed late, or a TLS connection that failed; "" for any other error.
func stopAdvice(err error, numberID string) string {
	switch {
	case errors.Is(err, pilotstatus.ErrInterrupted) || errors.Is(err, context.Canceled):
		return "Terraform was interrupted (for example by Ctrl-C) and asked the provider to stop, so this operation stopped " +
			"before it could finish. A regeneration already sent is always allowed to finish and its key is kept; no new " +
			"regeneration is started after the interruption. Apply again to finish the run."
	case errors.Is(err, pilotstatus.ErrDelayedRegeneration):
		return fmt.Sprintf("A regeneration request for WhatsApp number %q that had been given up (its answer did not come in time) "+
			"reached the API late, after the request that answered, and regenerated the key once more. The key list does not "+
			"reveal that key, so no usable key could be stored. The next apply regenerates the key and stores it.", numberID)
	case pilotstatus.IsTLSError(err):
		return "The TLS connection to the API failed: the server's certificate is not trusted on this machine, or base_url " +
			"points at a server that does not speak TLS. This is not retried. Check base_url (" + envBaseURL + "), and the " +
			"machine's trusted certificates if a proxy intercepts TLS."
	}
	return ""
}

// statusAdvice is the advice for an API answer whose status or code has one; "" for any other.
func statusAdvice(apiErr *pilotstatus.APIError, numberID string, cred credential) string {
	switch {
	case pilotstatus.IsUnauthorized(apiErr):
		return cred.unauthorizedAdvice()
	case apiErr.Code == "NUMBER_SCOPE_NOT_ALLOWED":
		return "The provider is configured with a number-scoped key, which cannot manage API keys. " +
			"Configure the tenant-scoped key instead: Pilot Status Dashboard → Profile → API."
	case pilotstatus.IsForbidden(apiErr):
		return "The API refused this operation for the configured key (403). Managing API keys needs the tenant-scoped key " +
			"from Pilot Status Dashboard → Profile → API."
	case pilotstatus.IsNotFound(apiErr) && apiErr.Code != "NUMBER_NOT_FOUND" && apiErr.Method == http.MethodGet:
		return fmt.Sprintf("The API has no %s endpoint at this address (404): check base_url (%s). Requests go to "+
			"base_url followed by %s; the Pilot Status API's own address, %s, has no path. Keep a path in base_url only "+
			"when a proxy serves the API under it.", apiErr.Path, envBaseURL, apiErr.Path, pilotstatus.DefaultBaseURL)
	case pilotstatus.IsNotFound(apiErr):
		return fmt.Sprintf("The tenant has no WhatsApp number with id %q. Check whatsapp_number_id: the number may have been "+
			"removed, or it belongs to another tenant than the configured key.", numberID)
	case pilotstatus.IsValidation(apiErr):
		return fmt.Sprintf("The API rejected the request as invalid (400). Check whatsapp_number_id %q.", numberID)
	case pilotstatus.IsRateLimited(apiErr):
		return rateLimitAdvice(apiErr)
	case pilotstatus.IsServerError(apiErr):
		return fmt.Sprintf("The API failed with a server error; the request was tried %s. "+
			"Pilot Status may be having trouble; apply again later.", attemptsText(apiErr.Attempts, apiErr.Elapsed))
	}
	return ""
}

// rateLimitAdvice is the advice for 429s that outlasted the retries.
func rateLimitAdvice(apiErr *pilotstatus.APIError) string {
	advice := fmt.Sprintf("The API kept answering 429 Too Many Requests; the request was tried %s. ", attemptsText(apiErr.Attempts, apiErr.Elapsed))
	if apiErr.LearnedRate > 0 {
		return advice + fmt.Sprintf("The provider had slowed itself down to %s requests per second after the API's 429s. "+
			"Other runs against the same account share its limit: set max_requests_per_second lower than that "+
			"(each concurrent run its share), or raise max_retries, and apply again.", strconv.FormatFloat(apiErr.LearnedRate, 'f', -1, 64))
	}
	return advice + "Wait a moment and apply again, raise max_retries, or set max_requests_per_second to the API's rate limit."
}

func attemptsText(attempts int, elapsed time.Duration) string {
	if attempts <= 1 {
		return "once"
	}
	return fmt.Sprintf("%d times over %s", attempts, elapsed.Round(time.Millisecond))
}

// The API errors, one constructor per operation and purpose: each says what was attempted, and
// apiErrorDiagnostic adds the advice and the original error.

// apiFailure builds the diagnostic of a failed API call about the key of numberID.
type apiFailure func(numberID string, err error, cred credential) diag.Diagnostic

// keyReadFailed reports a failed read of the key list for the current key of numberID: purpose
// says what the read was for (empty for a refresh), outcome what became of the operation.
func keyReadFailed(summary, numberID, purpose, outcome string, err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summary, fmt.Sprintf("Reading the current key of WhatsApp number %q (GET /v1/api-keys)%s failed; %s",
		numberID, purpose, outcome), numberID, err, cred)
}

// refreshFailed: the refresh of the resource.
func refreshFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryListKeys, numberID, "", "the state was left as it was", err, cred)
}

// regenerationCheckFailed: the plan of a regeneration, which checks the number and credentials.
func regenerationCheckFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryListKeys, fmt.Sprintf("Planning the regeneration of the key of WhatsApp number %q needs "+
		"the tenant's key list (GET /v1/api-keys), and reading it failed; nothing was regenerated", numberID), numberID, err, cred)
}

// keyBeforeRegenerationFailed: the key a regeneration settles an unanswered request against.
func keyBeforeRegenerationFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryRegenerate, numberID, ", which a regeneration needs to tell whether an unanswered request "+
		"was carried out,", "nothing was regenerated", err, cred)
}

// regenerationFailed: the regeneration of a create or a replacement.
func regenerationFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryRegenerate, fmt.Sprintf("Regenerating the API key of WhatsApp number %q (POST /v1/api-keys) failed",
		numberID), numberID, err, cred)
}

// adoptionCheckFailed: the plan of an adoption (on_external_rotation = "adopt").
func adoptionCheckFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryListKeys, numberID, ", to adopt the key regenerated outside Terraform,", "nothing was changed", err, cred)
}

// adoptionReadFailed: the apply of an adoption.
func adoptionReadFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryListKeys, numberID, ", to adopt the key regenerated outside Terraform,", "the state was left as it was",
		err, cred)
}

// storeReadFailed: storing the key in state without regenerating (store_key = true).
func storeReadFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryStoreKey, numberID, ", to store it in state (store_key = true),", "the state was left as it was", err, cred)
}

// invalidationReadFailed: the check of a destroy with on_destroy = "invalidate" that the key is
// still the number's.
func invalidationReadFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryInvalidate, numberID, fmt.Sprintf(", to invalidate it on destroy (on_destroy = %q),", onDestroyInvalidate),
		"nothing was invalidated and the resource stays in state", err, cred)
}

// invalidationFailed: the regeneration of a destroy with on_destroy = "invalidate".
func invalidationFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryInvalidate, fmt.Sprintf("Regenerating the API key of WhatsApp number %q (POST /v1/api-keys), "+
		"to invalidate the key in state on destroy (on_destroy = %q), failed; the resource stays in state and the next destroy "+
		"tries again", numberID, onDestroyInvalidate), numberID, err, cred)
}

// openReadFailed: the opening of the ephemeral resource.
func openReadFailed(numberID string, err error, cred credential) diag.Diagnostic {
	return keyReadFailed(summaryListKeys, numberID, "", "no key was regenerated", err, cred)
}

// keyListFailed: the read of data "pilotstatus_api_keys".
func keyListFailed(err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryListKeys, "Listing the current API key of every WhatsApp number (GET /v1/api-keys) failed",
		"", err, cred)
}

// numberListFailed: the read of data "pilotstatus_numbers".
func numberListFailed(err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryListNumbers, "Listing the tenant's WhatsApp numbers (GET /v1/numbers) failed", "", err, cred)
}

// The diagnostics of pilotstatus_number_api_key. Keys are named by their last four characters,
// never by their id: a key id is a credential (the API accepts it as x-api-key-id).

// endingIn names a key by its last four characters, or says nothing when they are unknown.
func endingIn(last4 string) string {
	if last4 == "" {
		return ""
	}
	return fmt.Sprintf(" (ending in %q)", last4)
}

// numberNotFoundError refuses to regenerate the key of a number the key list does not have.
func numberNotFoundError(numberID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), summaryNumberNotFound,
		fmt.Sprintf("The tenant's key list (GET /v1/api-keys) has no WhatsApp number %q, so its key cannot be regenerated; "+
			"nothing was regenerated. Check whatsapp_number_id: the number may have been removed, or it belongs to another "+
			"tenant than the configured key. data \"pilotstatus_numbers\" lists the tenant's numbers.", numberID))
}

// numberGoneOnRefresh says that a refresh removed the key of a number the tenant no longer has
// from state.
func numberGoneOnRefresh(numberID string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(summaryNumberNotFound,
		fmt.Sprintf("The tenant no longer has WhatsApp number %q, so its key was removed from state. "+
			"If the configuration still declares it, the next apply tries to regenerate its key and fails until the number exists again.",
			numberID))
}

// invalidNumberID refuses a whatsapp_number_id that cannot name a number; problem says what is
// wrong with it.
func invalidNumberID(p path.Path, problem string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid WhatsApp Number ID", problem)
}

// invalidImportID refuses an import id (terraform import, or an import block with id)
// that cannot name a number; problem says what is wrong with it.
func invalidImportID(problem string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Invalid Import ID",
		problem+" Import with the WhatsApp number id: terraform import pilotstatus_number_api_key.<name> wn_1, or an "+
			"import block with id = \"wn_1\". Nothing was read or regenerated.")
}

// invalidImportIdentity refuses an import block identity whose whatsapp_number_id cannot
// name a number; problem says what is wrong with it.
func invalidImportIdentity(problem string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), "Invalid Import Identity",
		problem+" Import by identity with the WhatsApp number id: identity = { whatsapp_number_id = \"wn_1\" } in the "+
			"import block. Nothing was read or regenerated.")
}

// regenerationPlanned warns, in a plan that creates or replaces a key, that the number's current key
// stops working. onDestroy is empty for a create; for a replacement it is the on_destroy in state,
// which decides what the destroy step Terraform shows does. Terraform prints a plan's warnings again
// after an apply (and repeats them for the apply's own check of the plan), so the text reads true
// before and after.
func regenerationPlanned(numberID, currentLast4, onDestroy string, keptInState bool) diag.Diagnostic {
	where := "which this resource stores in state"
	if !keptInState {
		where = "which this resource keeps out of state (store_key = false): hand it on with the ephemeral resource " +
			"pilotstatus_number_api_key, which opens it during the same apply"
	}
	detail := "This change regenerates the API key of a WhatsApp number whose id is known only after apply: " +
		"its current key stops working at once when the new key is made, " + where + "."
	if numberID != "" {
		detail = fmt.Sprintf("This change regenerates the API key of WhatsApp number %q: its current key%s stops working "+
			"at once when the new key is made, so everything that uses it must receive the new key, %s.",
			numberID, endingIn(currentLast4), where)
	}
	switch onDestroy {
	case onDestroyKeep:
		detail += fmt.Sprintf(" Terraform shows the replacement as a destroy and a create: the destroy makes no API call "+
			"(on_destroy = %q), and the create regenerates the key.", onDestroyKeep)
	case onDestroyInvalidate:
		detail += fmt.Sprintf(" Terraform shows the replacement as a destroy and a create: with on_destroy = %q the "+
			"destroy regenerates the key in state away (only while it is still the number's key), and the create "+
			"regenerates it once more.", onDestroyInvalidate)
	}
	return diag.NewWarningDiagnostic("API Key Will Be Regenerated", detail)
}

// importedNotRevealable warns that an import found a legacy key, which state cannot hold.
func importedNotRevealable(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Imported Key Is Not Revealable",
		fmt.Sprintf("The current key of WhatsApp number %q (ending in %q) was created before Pilot Status stored keys "+
			"encrypted, so the API cannot reveal it: key is null in state. The key still works where it is already used. "+
			"To get a usable key in state, regenerate it, which invalidates the current key: "+
			"terraform apply -replace=<address of this resource>.", numberID, currentLast4))
}

// destroyWarning says, in a plan that destroys the key of numberID, what on_destroy makes the
// destroy do to it.
func destroyWarning(numberID, onDestroy, stateLast4, rotatedTo string) diag.Diagnostic {
	if rotatedTo != "" {
		return rotatedKeyDestroyWarning(numberID, onDestroy, stateLast4, rotatedTo)
	}
	if onDestroy == onDestroyInvalidate {
		return diag.NewWarningDiagnostic(summaryDestroyInvalidates,
			fmt.Sprintf("on_destroy is %q: destroying this pilotstatus_number_api_key regenerates the key of WhatsApp number %q "+
				"and discards the new one, so the key in state (ending in %q) stops working and the number has no key that "+
				"anyone holds until it is regenerated again. If the number's current key is no longer this resource's key "+
				"(a replacement or someone else regenerated it since), nothing is invalidated.",
				onDestroyInvalidate, numberID, stateLast4))
	}
	return diag.NewWarningDiagnostic(summaryDestroyKeeps,
		fmt.Sprintf("Pilot Status has no way to delete a key: destroying this pilotstatus_number_api_key only removes "+
			"its key of WhatsApp number %q from state, without an API call. Unless a regeneration in the same apply "+
			"replaces it, that key stays valid. To make it stop working on destroy, set on_destroy = %q and apply "+
			"before destroying, or regenerate it first (terraform apply -replace=<address>).", numberID, onDestroyInvalidate))
}

// rotatedKeyDestroyWarning says what destroying a resource does when the refresh saw its key
// regenerated outside Terraform: the key in state is already dead, and the number's current key,
// which this resource does not own, is left alone whatever on_destroy says, so the destroy
// invalidates nothing either way.
func rotatedKeyDestroyWarning(numberID, onDestroy, stateLast4, currentLast4 string) diag.Diagnostic {
	what := "only removes it from state, without an API call"
	if onDestroy == onDestroyInvalidate {
		what = fmt.Sprintf("invalidates nothing (on_destroy = %q acts only on this resource's own key) and removes it "+
			"from state", onDestroyInvalidate)
	}
	return diag.NewWarningDiagnostic(summaryDestroyKeeps,
		fmt.Sprintf("The key in state (ending in %q) no longer works: the key of WhatsApp number %q was regenerated outside "+
			"Terraform and now ends in %q. Destroying this pilotstatus_number_api_key %s; the number's current key stays "+
			"valid, in the hands of whoever regenerated it.", stateLast4, numberID, currentLast4, what))
}

func duplicateNumber(numberID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), "Duplicate WhatsApp Number",
		fmt.Sprintf("Two pilotstatus_number_api_key resources of this provider configuration manage WhatsApp number %q. "+
			"A number has exactly one key, so each would invalidate the other's key on every apply, and one of them would "+
			"always hold a dead key. Nothing was regenerated. Keep one pilotstatus_number_api_key per number and share its "+
			"key attribute; remove the other from the configuration (and, if it is in state, it leaves state without an "+
			"API call). Resources of different provider configurations (aliases) or different states cannot be checked.", numberID))
}

func duplicateRegeneration(numberID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), "Duplicate Key Regeneration",
		fmt.Sprintf("The key of WhatsApp number %q was already regenerated by another pilotstatus_number_api_key in this run. "+
			"A number has exactly one key, so two resources for the same number invalidate each other's key: the other "+
			"resource's key would stop working. This resource did not regenerate the key. Keep one "+
			"pilotstatus_number_api_key per number and share its key attribute instead.", numberID))
}

func externalRotationRead(numberID, stateLast4, currentLast4 string, adopt bool) diag.Diagnostic {
	detail := fmt.Sprintf("The key of WhatsApp number %q in state%s is no longer the number's current key%s: "+
		"it was regenerated outside Terraform, so the key in state no longer works. The next apply regenerates it, unless "+
		"on_external_rotation = %q in the configuration adopts the new key.", numberID, endingIn(stateLast4), endingIn(currentLast4),
		onExternalRotationAdopt)
	if adopt {
		detail += fmt.Sprintf(" on_external_rotation is %q, but the API does not reveal the new key (a legacy key), so it cannot be "+
			"adopted: regenerating is the only way to hold a working key.", onExternalRotationAdopt)
	}
	return diag.NewWarningDiagnostic(summaryExternalRotation, detail)
}

func externalRotationPlanned(numberID, stateLast4, currentLast4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(summaryExternalRotation,
		fmt.Sprintf("The key of WhatsApp number %q in state%s is no longer the number's current key%s: it was "+
			"regenerated outside Terraform (the dashboard, another tool, or another resource for the same number). "+
			"The key in state no longer works, so this plan regenerates the key and stores the new one. To take the new "+
			"key into state instead, set on_external_rotation = %q.", numberID, endingIn(stateLast4), endingIn(currentLast4),
			onExternalRotationAdopt))
}

func adoptedOnRefresh(numberID, stateLast4, currentLast4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Adopted Key Rotated Outside Terraform",
		fmt.Sprintf("The key of WhatsApp number %q was regenerated outside Terraform: the key in state%s no longer works. "+
			"on_external_rotation is %q, so the new key%s was taken into state without regenerating; resources that use it "+
			"are updated by the next apply.", numberID, endingIn(stateLast4), onExternalRotationAdopt, endingIn(currentLast4)))
}

func adoptionPlanned(numberID, stateLast4, currentLast4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Adopting Key Rotated Outside Terraform",
		fmt.Sprintf("The key of WhatsApp number %q was regenerated outside Terraform: the key in state%s no longer works. "+
			"on_external_rotation is %q, so applying this plan takes the number's current key%s into state from the key "+
			"list, without regenerating it; resources that use the key are updated.", numberID, endingIn(stateLast4),
			onExternalRotationAdopt, endingIn(currentLast4)))
}

func adoptionImpossible(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(summaryExternalRotation,
		fmt.Sprintf("The key of WhatsApp number %q was regenerated outside Terraform. on_external_rotation is %q, but the API "+
			"does not reveal the new key%s (a legacy key), so it cannot be adopted: this plan regenerates the key, which is the "+
			"only way to hold a working key.", numberID, onExternalRotationAdopt, endingIn(currentLast4)))
}

func adoptionImpossibleAtApply(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unable to Adopt API Key",
		fmt.Sprintf("The plan adopts the key of WhatsApp number %q that was regenerated outside Terraform, but the key list no "+
			"longer reveals the number's current key%s: it changed again since the plan. Nothing was changed; plan and apply "+
			"again, which regenerates the key if it still cannot be adopted.", numberID, endingIn(currentLast4)))
}

func keyListIncomplete(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summaryListKeys,
		fmt.Sprintf("The tenant's key list (GET /v1/api-keys) marked the current key of WhatsApp number %q%s as revealable "+
			"but did not include it. With store_key = false the key in state is known only by its fingerprint, so without the "+
			"key it cannot be told whether the number's key is still the key in state. Nothing was changed and the state was "+
			"left as it was. Pilot Status may be having trouble; try again later.", numberID, endingIn(currentLast4)))
}

func keyChangedBeforeStore(numberID, stateLast4, currentLast4 string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summaryStoreKey,
		fmt.Sprintf("The plan stores the key of WhatsApp number %q%s in state (store_key = true), taking it from the key list "+
			"without regenerating, but the number's current key%s is no longer that key: it was regenerated since the plan. "+
			"Nothing was changed. Plan and apply again: the refresh reports the rotation and the plan repairs it.",
			numberID, endingIn(stateLast4), endingIn(currentLast4)))
}

func unrevealableKeyOutOfState(numberID, last4 string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Key Cannot Be Handed On",
		fmt.Sprintf("The current key of WhatsApp number %q%s is a legacy key, created before Pilot Status stored keys "+
			"encrypted: the API does not reveal it. With store_key = false state does not hold it either, so nothing can hand "+
			"it on: ephemeral \"pilotstatus_number_api_key\" fails to open it. The key still works where it is already used. "+
			"To get a key that can be handed on, regenerate it, which invalidates the current key at once: "+
			"terraform apply -replace=<address of this resource> -target=<address of this resource> (the target keeps the "+
			"plan from opening the ephemeral resource, which fails until the new key exists).", numberID, endingIn(last4)))
}

func scheduledRotation(numberID, nextRotationAt, period, window string) diag.Diagnostic {
	when := "next_rotation_at (" + nextRotationAt + ") has passed"
	if window != "" {
		when = fmt.Sprintf("next_rotation_at (%s) is at most early_rotation_window (%q) away, or has passed", nextRotationAt, window)
	}
	return diag.NewWarningDiagnostic("Scheduled Key Rotation",
		fmt.Sprintf("The key of WhatsApp number %q is due for its scheduled rotation: %s. Due times are rotation_anchor plus "+
			"whole rotation_periods (%q), so the next one stays where it is. This plan replaces the resource, which "+
			"regenerates the key.", numberID, when, period))
}

// windowNotShorter refuses an early_rotation_window that is not shorter than rotation_period: every
// rotation would be due again at once.
func windowNotShorter(window, period string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("early_rotation_window"), summaryEarlyRotationWindow,
		fmt.Sprintf("early_rotation_window %q is not shorter than rotation_period %q: a key would be due again as soon as it "+
			"was rotated. Use a window shorter than the period, such as the interval of the job that runs the plans "+
			"(\"1d\" for a daily job with rotation_period = \"30d\").", window, period))
}

// invalidDuration refuses a provider argument that parsePositiveDuration cannot read; err
// says why.
func invalidDuration(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid Duration", err.Error())
}

// invalidScheduleDuration refuses a rotation_period or early_rotation_window (summary says which)
// that parseScheduleDuration cannot read; err says why, with the forms it can.
func invalidScheduleDuration(p path.Path, summary string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, summary, err.Error())
}

// nullKeeper refuses a keeper whose value is null (keepers[name]).
func nullKeeper(p path.Path, name string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid Keepers Value",
		fmt.Sprintf("keepers[%q] is null. A keeper's value must be a string: a plan may show null and \"\" alike, yet a "+
			"change from one to the other would regenerate the key. Use \"\" for an empty value, or leave the entry out.", name))
}

// invalidRotationAnchor refuses a rotation_anchor that is not an RFC 3339 timestamp.
func invalidRotationAnchor(p path.Path, value string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid Rotation Anchor",
		fmt.Sprintf("%q is not a rotation anchor; use %s.", value, rotationAnchorExample))
}

// The diagnostics of list "pilotstatus_number_api_key" (terraform query): its filters, and what a
// query lists. Numbers are named by their ids; keys by nothing at all.

// keyQueryFailed: the one key list call of a query.
func keyQueryFailed(err error, cred credential) diag.Diagnostic {
	return apiErrorDiagnostic(summaryListKeys, "Listing the API key of every WhatsApp number for the query (GET /v1/api-keys) "+
		"failed; nothing was listed", "", err, cred)
}

// emptyNumberIDFilter refuses a whatsapp_number_ids that lists nothing.
func emptyNumberIDFilter(p path.Path) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, summaryInvalidQueryFilter,
		"whatsapp_number_ids is empty, so the query would list no number at all. Leave it out to list every number, or "+
			"name at least one WhatsApp number id, such as [\"wn_1\"].")
}

// invalidNameRegex refuses a name_regex that compileNameRegex cannot read; problem says why.
func invalidNameRegex(p path.Path, problem string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, summaryInvalidQueryFilter, problem)
}

// queryLimitReached warns that more numbers match a list block than its limit lets Terraform take.
func queryLimitReached(matched int, limit int64) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Query Limit Reached",
		fmt.Sprintf("%d WhatsApp numbers match this list block, but its limit is %d (Terraform's default when a list block "+
			"sets no limit is 100), so only the first %d, in the API's order, are listed, and -generate-config-out writes "+
			"configuration and import blocks for those alone. Set limit = %d or more in the list block to list them all.",
			matched, limit, limit, matched))
}

// listedNotRevealable warns that a query lists legacy keys, whose import cannot put a key in state.
func listedNotRevealable(numberIDs []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Listed Keys Are Not Revealable",
		fmt.Sprintf("These WhatsApp numbers have a legacy key, created before Pilot Status stored keys encrypted, which the "+
			"API does not reveal: %s. They are listed like the others and importing them regenerates nothing, but each "+
			"import warns Imported Key Is Not Revealable and key stays null in state. The keys still work where they are "+
			"already used. To get a key that can be handed on, regenerate it after the import, which invalidates the "+
			"current key at once: terraform apply -replace=<address of its resource>.", quotedList(numberIDs)))
}

// listedNumbersNotFound warns that whatsapp_number_ids names numbers the tenant does not have.
func listedNumbersNotFound(numberIDs []string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("whatsapp_number_ids"), summaryNumberNotFound,
		fmt.Sprintf("whatsapp_number_ids names WhatsApp number ids that the tenant's key list (GET /v1/api-keys) does not "+
			"have: %s. Nothing is listed for them. Check the ids: a number may have been removed, or it belongs to another "+
			"tenant than the configured key. data \"pilotstatus_numbers\" lists the tenant's numbers; without "+
			"whatsapp_number_ids the query lists every number.", quotedList(numberIDs)))
}

// quotedList names up to ten values, quoted, and how many more there are.
func quotedList(values []string) string {
	const shown = 10
	quoted := make([]string, 0, min(len(values), shown))
	for _, v := range values[:min(len(values), shown)] {
		quoted = append(quoted, strconv.Quote(v))
	}
	out := strings.Join(quoted, ", ")
	if more := len(values) - shown; more > 0 {
		out += fmt.Sprintf(" and %d more", more)
	}
	return out
}

// The diagnostics of ephemeral "pilotstatus_number_api_key": why the key of a number cannot be
// opened.

// openNumberNotFound: the key list has no such number.
func openNumberNotFound(numberID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), summaryNumberNotFound,
		fmt.Sprintf("No WhatsApp number with id %q exists in the tenant: the tenant's key list (GET /v1/api-keys) has no "+
			"such number. Check whatsapp_number_id: the number may have been removed, or it belongs to another tenant than "+
			"the configured key.", numberID))
}

// openNotRevealable: the number's key is a legacy key, which the API cannot reveal.
func openNotRevealable(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("whatsapp_number_id"), summaryOpenNotRevealable,
		fmt.Sprintf("The current key of WhatsApp number %q%s is a legacy key, created before Pilot Status "+
			"stored keys encrypted, so the API cannot reveal it and there is no key to open. The key still works where "+
			"it is already used. Only regenerating it makes it usable, and regenerating invalidates the current key at "+
			"once: for example manage the number's key with a pilotstatus_number_api_key resource (whose key attribute "+
			"then holds the new key), or regenerate it in the Pilot Status dashboard. After that, this ephemeral "+
			"resource opens the new key. If a pilotstatus_number_api_key already manages the number (for example with "+
			"store_key = false), regenerate it with terraform apply -replace=<its address> -target=<its address>: the "+
			"target keeps that plan from opening this ephemeral resource.", numberID, endingIn(currentLast4)))
}

// openKeyNotListed: the key list marks the key revealable but leaves it out.
func openKeyNotListed(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summaryListKeys,
		fmt.Sprintf("The tenant's key list (GET /v1/api-keys) marked the current key of WhatsApp number %q%s "+
			"as revealable but did not include it. Pilot Status may be having trouble; try again later.",
			numberID, endingIn(currentLast4)))
}

// openOtherKey: the number's current key is not the one key_fingerprint names.
func openOtherKey(numberID, currentLast4 string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("key_fingerprint"), summaryOpenOtherKey,
		fmt.Sprintf("The current key of WhatsApp number %q%s is not the key that key_fingerprint names: that key was "+
			"regenerated after the pilotstatus_number_api_key that holds it last saw it (outside Terraform, or by another "+
			"run), so it no longer works, and the current key is not the one the configuration hands on. No key was opened "+
			"and none was regenerated. Plan and apply again with a refresh (not -refresh=false): the refresh finds the "+
			"rotation, the plan regenerates (or, with on_external_rotation = \"adopt\", adopts) the key, and this ephemeral "+
			"resource then opens the new key in the same apply.", numberID, endingIn(currentLast4)))
}

// recoveryWarning says what happened when a regeneration's key did not come from the answer of
// its only request; nil when there is nothing to say.
func recoveryWarning(numberID string, k pilotstatus.RegeneratedKey) diag.Diagnostic {
	switch k.Recovery {
	case pilotstatus.RecoveryDelayed:
		return diag.NewWarningDiagnostic("Delayed Regeneration Request Landed",
			fmt.Sprintf("A regeneration request for WhatsApp number %q that had been given up (its answer did not come in time) "+
				"reached the API late, after the request that answered, and regenerated the key once more. The key list reveals "+
				"the number's current key%s, which is the key now in state; the key of the answer never worked.",
				numberID, endingIn(k.KeyLast4)))
	case pilotstatus.RecoveryUnconfirmed:
		return diag.NewWarningDiagnostic("Regenerated Key Not Confirmed",
			fmt.Sprintf("The key of WhatsApp number %q was regenerated by a second request after the first one went unanswered, "+
				"and the key list, which confirms that the first one did not land afterwards, could not be read. The new key%s "+
				"is in state. If the first request still lands, the next refresh reports the key as rotated outside Terraform "+
				"and the next apply repairs it.", numberID, endingIn(k.KeyLast4)))
	}
	return nil
}

// Provider configuration: the settings (provider_settings.go) and the provider data handed to
// resources and data sources (provider_data.go).

// unknownProviderArgument refuses a provider argument whose value is only known after apply.
func unknownProviderArgument(name string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root(name), "Unknown Provider Argument",
		fmt.Sprintf("The provider argument %s depends on a value that is only known after apply. "+
			"The provider needs it to plan. Set it from a known value, or apply the resources it depends on first "+
			"with -target.", name))
}

// conflictingEnvCredentials refuses a key variable (keyVar) and PILOTSTATUS_API_KEY_ID both set,
// with neither argument configured. Both arguments configured is refused by the schema.
func conflictingEnvCredentials(keyVar string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Conflicting Credentials",
		fmt.Sprintf("Both %s and %s are set in the environment and neither api_key nor api_key_id is configured. "+
			"Unset one of them, or set api_key or api_key_id in the provider block.", keyVar, envAPIKeyID))
}

// missingCredentials says where a credential can be set when none is.
func missingCredentials() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Missing Pilot Status Credentials",
		fmt.Sprintf("No API key is configured. Set api_key in the provider block or the %s environment variable "+
			"(%s is read too) to the tenant-scoped key from Dashboard → Profile → API, "+
			"or set api_key_id / %s to that key's id.", envAPIKey, envAPIKeyAlt, envAPIKeyID))
}

// invalidBaseURL refuses the API address from source (base_url or PILOTSTATUS_BASE_URL); err is
// pilotstatus.ValidateBaseURL's, which never repeats a password.
func invalidBaseURL(source string, err error) diag.Diagnostic {
	origin := "the provider argument " + source
	if source == envBaseURL {
		origin = "the environment variable " + source
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("base_url"), "Invalid Base URL",
		fmt.Sprintf("The API address from %s is not usable: %s. Set base_url (or %s) to an https URL such as %s.",
			origin, err.Error(), envBaseURL, pilotstatus.DefaultBaseURL))
}

// invalidRequestTimeout refuses a request_timeout that was unknown during validation.
func invalidRequestTimeout(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("request_timeout"), "Invalid Request Timeout", err.Error())
}

// invalidSettleTime refuses a regeneration_settle_time that was unknown during validation.
func invalidSettleTime(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("regeneration_settle_time"), "Invalid Regeneration Settle Time", err.Error())
}

// unexpectedProviderData reports provider data of another type than Configure hands out: a bug.
func unexpectedProviderData(v any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected Provider Data",
		fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
}

// unconfiguredProvider reports a resource, data source or ephemeral resource (what) used before
// the provider was configured: a bug.
func unconfiguredProvider(what string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unconfigured Pilot Status Provider",
		"The provider was not configured before the "+what+" was used. This is a bug in the provider or in Terraform; please report it.")
}
