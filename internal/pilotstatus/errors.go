package pilotstatus

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// ErrMalformedResponse is wrapped (see errors.Is) when a 2xx answer is not the documented shape:
// not valid JSON, truncated, HTML, too large, or lacking a required field. The error text names the
// field at fault but never repeats body content.
var ErrMalformedResponse = errors.New("the API answered with a body that is not the documented shape")

// ErrNotAPIKey is returned by New when the configured API key does not start with "ps_", as every
// Pilot Status key does: it is some other value, such as a key id.
var ErrNotAPIKey = errors.New(`the API key does not start with "` + KeyPrefix + `"; Pilot Status API keys always do`)

// ErrOutcomeUnknown is wrapped, in addition to the cause, by RegenerateAPIKey when the key may
// have been regenerated but no usable key came back: after a network error or timeout once the
// request could have been sent, a 5xx or a malformed 2xx, the key list did not reveal a new key
// within the settle time (or could not be read), and no further regeneration was allowed; or a
// later attempt failed after such an earlier one (say a 502, then a 404). A refused connection or a
// plain 4xx/429 on every attempt is definitive and does not wrap it. The previous key must then be
// assumed invalid; the next regeneration gives a usable one.
var ErrOutcomeUnknown = errors.New("the request may have been carried out but its answer was lost")

// maxMessageRunes bounds APIError.Message.
const maxMessageRunes = 200

// APIError is a non-2xx answer from the API, after retries.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the body's "code" field, such as NUMBER_NOT_FOUND; it may be empty.
	Code string
	// Message is the body's "error" field, redacted (KeyPattern matches become "ps_***", the
	// configured credentials are removed) and cut to 200 characters; http.StatusText(Status) when
	// the body is not the documented JSON. Never the raw body.
	Message string
	// Method and Path identify the request, such as "POST" and "/v1/api-keys".
	Method, Path string
	// Attempts is how many attempts were made.
	Attempts int
	// Elapsed is the time spent across all attempts, waits included.
	Elapsed time.Duration
	// LearnedRate is, for a 429, the requests per second the client had slowed down to after the
	// API's 429s (see Config.MaxRequestsPerSecond); 0 when it had not.
	LearnedRate float64
}

// Error returns "CODE: message (HTTP 404)", or "message (HTTP 401)" when there is no code.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = statusText(e.Status)
	}
	if e.Code != "" {
		return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, msg, e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d)", msg, e.Status)
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Unexpected HTTP status"
}

func apiStatus(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	return 0
}

// IsNotFound reports whether err is an APIError with status 404.
func IsNotFound(err error) bool { return apiStatus(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is an APIError with status 401 (missing or invalid key).
func IsUnauthorized(err error) bool { return apiStatus(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is an APIError with status 403, such as a number-scoped key on a
// tenant endpoint (NUMBER_SCOPE_NOT_ALLOWED).
func IsForbidden(err error) bool { return apiStatus(err) == http.StatusForbidden }

// IsRateLimited reports whether err is an APIError with status 429.
func IsRateLimited(err error) bool { return apiStatus(err) == http.StatusTooManyRequests }

// IsServerError reports whether err is an APIError with a 5xx status.
func IsServerError(err error) bool {
	s := apiStatus(err)
	return s >= 500 && s <= 599
}

// IsValidation reports whether err is an APIError with status 400 (invalid payload or parameters).
func IsValidation(err error) bool { return apiStatus(err) == http.StatusBadRequest }

// TransportError is a request that got no answer at all (connection refused or reset, timeout,
// cancelled context) after every attempt.
type TransportError struct {
	// Method and Path identify the request, such as "GET" and "/v1/numbers".
	Method, Path string
	// Attempts is how many attempts were made.
	Attempts int
	// Elapsed is the time spent across all attempts, waits included.
	Elapsed time.Duration
	// Err is the last attempt's failure, without the *url.Error layer.
	Err error
}

// Error describes the failure by method and API path; it holds neither the full URL nor a header.
func (e *TransportError) Error() string {
	cause := "unknown error"
	if e.Err != nil {
		cause = Redact(e.Err.Error())
	}
	return fmt.Sprintf("%s %s: no answer after %d attempt(s) in %s: %s",
		e.Method, e.Path, e.Attempts, e.Elapsed.Round(time.Millisecond), cause)
}

// Unwrap returns the underlying failure, so errors.Is(err, context.Canceled) and the like work.
func (e *TransportError) Unwrap() error { return e.Err }

// malformed builds an error wrapping ErrMalformedResponse; detail must not hold body content.
func malformed(method, path, detail string) error {
	return fmt.Errorf("%s %s: %s: %w", method, path, detail, ErrMalformedResponse)
}

// codePattern is what an error code may look like; anything else is dropped rather than echoed.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)
