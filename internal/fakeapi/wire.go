package fakeapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The API's JSON, written from the documentation (docs.pilotstatus.com.br /api/api-keys and
// /api/numbers/list) and the OpenAPI seed of POST /v1/api-keys.

// timeFormat is the API's timestamp format: UTC with milliseconds, as in the seed's
// "2026-06-28T10:00:00.000Z".
const timeFormat = "2006-01-02T15:04:05.000Z"

// defaultKeyName is the name of a number's one default key.
const defaultKeyName = "default"

// Key scopes, as the scope extra field spells them.
const (
	scopeNumber = "number"
	scopeTenant = "tenant"
)

// errorBody is every error answer: {"error": "...", "code": "..."}, code omitted when the docs
// show none (401, 429).
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}

// apiKeyItem is one element of GET /v1/api-keys.
type apiKeyItem struct {
	NumberID    string  `json:"numberId"`
	Number      string  `json:"number"`
	DisplayName string  `json:"displayName"`
	KeyID       string  `json:"keyId"`
	KeyLast4    string  `json:"keyLast4"`
	Key         *string `json:"key"` // null when not revealable
	Revealable  bool    `json:"revealable"`
	// Fields the docs do not list for this endpoint; present so clients prove they ignore them.
	Scope string `json:"scope"`
	Name  string `json:"name"`
}

// regeneratedKey is the answer of POST /v1/api-keys (200) and POST /v1/api-keys/regenerate (201).
type regeneratedKey struct {
	NumberID  *string `json:"numberId"` // null for the tenant key
	KeyID     string  `json:"keyId"`
	KeyPrefix string  `json:"keyPrefix"`
	KeyLast4  string  `json:"keyLast4"`
	Key       string  `json:"key"`
	CreatedAt string  `json:"createdAt"`
	// Extra fields a sibling endpoint returns; clients must tolerate them.
	ID    string `json:"id"`
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// numberItem is one element of GET /v1/numbers.
type numberItem struct {
	ID               string          `json:"id"`
	InstanceName     string          `json:"instanceName"`
	Number           string          `json:"number"`
	Name             string          `json:"name"`
	Provider         string          `json:"provider"`
	State            string          `json:"state"`
	IsFullyConnected bool            `json:"isFullyConnected"`
	APIKeys          []numberKeyItem `json:"apiKeys"`
	CreatedAt        string          `json:"createdAt"`
	UpdatedAt        string          `json:"updatedAt"`
}

// numberKeyItem is a masked key inside numberItem: no secret, no id.
type numberKeyItem struct {
	Name      string `json:"name"`
	KeyPrefix string `json:"keyPrefix"`
	KeyLast4  string `json:"keyLast4"`
}

// formatTime renders t in the API's timestamp format.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeFormat)
}

// regeneratedAnswer renders a freshly issued key; numberID is empty for the tenant key.
func regeneratedAnswer(numberID string, k Key) regeneratedKey {
	ans := regeneratedKey{
		KeyID:     k.ID,
		KeyPrefix: keyPrefix,
		KeyLast4:  k.Last4,
		Key:       k.Raw,
		CreatedAt: formatTime(k.CreatedAt),
		ID:        k.ID,
		Name:      defaultKeyName,
		Scope:     scopeTenant,
	}
	if numberID != "" {
		ans.NumberID = &numberID
		ans.Scope = scopeNumber
	}
	return ans
}

// keyItem renders a number in the key list.
func keyItem(rec *numberRecord) apiKeyItem {
	item := apiKeyItem{
		NumberID:    rec.ID,
		Number:      rec.Number.Number,
		DisplayName: rec.Name,
		KeyID:       rec.key.ID,
		KeyLast4:    rec.key.Last4,
		Revealable:  rec.key.Revealable,
		Scope:       scopeNumber,
		Name:        defaultKeyName,
	}
	if rec.key.Revealable {
		raw := rec.key.Raw
		item.Key = &raw
	}
	return item
}

// numberAnswer renders a number without secrets.
func numberAnswer(rec *numberRecord) numberItem {
	return numberItem{
		ID:               rec.ID,
		InstanceName:     "inst_" + rec.ID,
		Number:           rec.Number.Number,
		Name:             rec.Name,
		Provider:         rec.Provider,
		State:            rec.State,
		IsFullyConnected: rec.State == DefaultState,
		APIKeys: []numberKeyItem{{
			Name:      defaultKeyName,
			KeyPrefix: keyPrefix,
			KeyLast4:  rec.key.Last4,
		}},
		CreatedAt: formatTime(rec.createdAt),
		UpdatedAt: formatTime(rec.updatedAt),
	}
}

// response is an answer not yet written, so that faults can alter it after the work is done.
type response struct {
	status     int
	body       any
	retryAfter string // Retry-After header, when set
	allow      string // Allow header, when set
}

// ok reports whether the answer is a success.
func (r response) ok() bool { return r.status >= 200 && r.status < 300 }

// errorResponse builds an error answer.
func errorResponse(status int, message, code string) response {
	return response{status: status, body: errorBody{Error: message, Code: code}}
}

// The API's error answers.
var (
	errUnauthorized   = errorResponse(http.StatusUnauthorized, "Unauthorized", "")
	errNumberScope    = errorResponse(http.StatusForbidden, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED")
	errValidation     = errorResponse(http.StatusBadRequest, "Validation error", "VALIDATION_ERROR")
	errNumberNotFound = errorResponse(http.StatusNotFound, "Number not found", "NUMBER_NOT_FOUND")
	errNotFound       = errorResponse(http.StatusNotFound, "Not found", "")
	errTooMany        = errorResponse(http.StatusTooManyRequests, "Too many requests", "")
)

// methodNotAllowed answers a known path called with the wrong method.
func methodNotAllowed(allow string) response {
	r := errorResponse(http.StatusMethodNotAllowed, "Method not allowed", "")
	r.allow = allow
	return r
}

// encode marshals the body; the types above always marshal.
func (r response) encode() []byte {
	b, err := json.Marshal(r.body)
	if err != nil {
		panic("fakeapi: cannot encode answer: " + err.Error())
	}
	return b
}

// write sends the answer as JSON.
func (r response) write(w http.ResponseWriter) {
	writeRaw(w, r.status, "application/json", r.encode(), r.retryAfter, r.allow)
}

// writeRaw sends a body with an exact Content-Length.
func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte, retryAfter, allow string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	if allow != "" {
		h.Set("Allow", allow)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body) //nolint:gosec // G705: JSON sent as application/json, or a constant fault page
}
