package fakeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
)

// maxBodyBytes bounds the request bodies the fake reads.
const maxBodyBytes = 1 << 20

// route is a request matched to an endpoint.
type route struct {
	endpoint string   // one of the Endpoint constants; empty when unmatched
	reject   response // set (status != 0) for unknown paths and wrong methods
}

// matchRoute maps a request to an endpoint by its path as sent (escaped), so
// "/v1/api-keys%2Fregenerate" is not "/v1/api-keys/regenerate". Any other path, such as
// "/v1/numbers/wn_1", is unknown: 404 Not found.
func matchRoute(r *http.Request) route {
	byMethod := func(allowed map[string]string) route {
		if e, ok := allowed[r.Method]; ok {
			return route{endpoint: e}
		}
		methods := make([]string, 0, len(allowed))
		for m := range allowed {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		return route{reject: methodNotAllowed(strings.Join(methods, ", "))}
	}
	switch r.URL.EscapedPath() {
	case "/v1/api-keys":
		return byMethod(map[string]string{http.MethodGet: EndpointListKeys, http.MethodPost: EndpointRegenerate})
	case "/v1/api-keys/regenerate":
		return byMethod(map[string]string{http.MethodPost: EndpointRegenerateSelf})
	case "/v1/numbers":
		return byMethod(map[string]string{http.MethodGet: EndpointListNumbers})
	}
	return route{reject: errNotFound}
}

// ServeHTTP serves the API. In order: admin paths are handed to the admin handler; the request is
// counted; the rate limiter may answer 429; unknown paths and wrong methods are rejected; a queued
// fault, if any, is applied; then the caller is authenticated and the endpoint does its work.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_admin" || strings.HasPrefix(r.URL.Path, "/_admin/") {
		a.serveAdmin(w, r)
		return
	}
	rt := matchRoute(r)
	a.count(rt.endpoint)
	if limited, retryAfter := a.takeToken(); limited {
		resp := errTooMany
		resp.retryAfter = retryAfter
		resp.write(w)
		return
	}
	if rt.reject.status != 0 {
		rt.reject.write(w)
		return
	}
	if f, ok := a.nextFault(rt.endpoint); ok {
		a.serveFault(w, r, rt, f)
		return
	}
	a.work(r, rt).write(w)
}

// count records one request; endpoint is empty for unmatched requests.
func (a *API) count(endpoint string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total++
	if endpoint != "" {
		a.calls[endpoint]++
	}
}

// authenticate resolves the caller from x-api-key or, when that header is absent, x-api-key-id.
// Authorization: Bearer is not a Pilot Status scheme and is ignored.
func (a *API) authenticate(r *http.Request) (owner, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if raw := r.Header.Get("x-api-key"); raw != "" {
		o, ok := a.owners[raw]
		return o, ok
	}
	if id := r.Header.Get("x-api-key-id"); id != "" {
		o, ok := a.ownersByID[id]
		return o, ok
	}
	return owner{}, false
}

// work does a request's work (see act), then lets the requests that FaultLateWorkAfterNext holds
// for the endpoint do theirs, so that they land after it and before its answer is written.
func (a *API) work(r *http.Request, rt route) response {
	resp := a.act(r, rt)
	a.releaseHeld(rt.endpoint)
	return resp
}

// act authenticates the caller and runs the endpoint.
func (a *API) act(r *http.Request, rt route) response {
	caller, ok := a.authenticate(r)
	if !ok {
		return errUnauthorized
	}
	if rt.endpoint == EndpointRegenerateSelf {
		return a.regenerateSelf(caller)
	}
	// Every other endpoint here is tenant-scoped.
	if !caller.tenant {
		return errNumberScope
	}
	switch rt.endpoint {
	case EndpointListKeys:
		return a.listKeys()
	case EndpointRegenerate:
		id, ok := readNumberID(r)
		if !ok {
			return errValidation
		}
		return a.regenerate(id)
	case EndpointListNumbers:
		return a.listNumbers()
	}
	return errNotFound
}

// readNumberID reads {"whatsappNumberId": "..."}: the body must be a JSON object whose
// whatsappNumberId is a non-empty string. Other fields are ignored.
func readNumberID(r *http.Request) (string, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return "", false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return "", false // not an object (null decodes to a nil map)
	}
	raw, ok := fields["whatsappNumberId"]
	if !ok {
		return "", false
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" { // null decodes to ""
		return "", false
	}
	return id, true
}

// listKeys answers GET /v1/api-keys: every number's current key, sorted by number id.
func (a *API) listKeys() response { return listAnswer(a, keyItem) }

// regenerate answers POST /v1/api-keys.
func (a *API) regenerate(id string) response {
	resp := errNumberNotFound
	a.withNumber(id, func(rec *numberRecord) {
		a.regenerated++
		resp = response{status: http.StatusOK, body: regeneratedAnswer(id, a.rotateNumberLocked(rec, true))}
	})
	return resp
}

// regenerateSelf answers POST /v1/api-keys/regenerate: it rotates the caller's own key.
func (a *API) regenerateSelf(caller owner) response {
	if caller.tenant {
		a.mu.Lock()
		defer a.mu.Unlock()
		return response{status: http.StatusCreated, body: regeneratedAnswer("", a.rotateTenantLocked())}
	}
	resp := errUnauthorized // the number went away between authentication and now
	a.withNumber(caller.numberID, func(rec *numberRecord) {
		resp = response{status: http.StatusCreated, body: regeneratedAnswer(rec.ID, a.rotateNumberLocked(rec, true))}
	})
	return resp
}

// listNumbers answers GET /v1/numbers, sorted by id.
func (a *API) listNumbers() response { return listAnswer(a, numberAnswer) }

// listAnswer is a 200 answer with item(number) of every number, sorted by id.
func listAnswer[T any](a *API, item func(*numberRecord) T) response {
	a.mu.Lock()
	defer a.mu.Unlock()
	items := make([]T, 0, len(a.numbers))
	for _, id := range a.sortedIDsLocked() {
		items = append(items, item(a.numbers[id]))
	}
	return response{status: http.StatusOK, body: items}
}

// sortedIDsLocked returns the number ids in order.
func (a *API) sortedIDsLocked() []string {
	ids := make([]string, 0, len(a.numbers))
	for id := range a.numbers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
