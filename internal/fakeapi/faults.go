package fakeapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// FaultKind says how a [Fault] misbehaves.
type FaultKind int

// The fault kinds. "Do the work" means the request is authenticated and handled for real (a
// regeneration really rotates the key); the answer is then altered or lost. The body-altering kinds
// (FaultMalformedJSON, FaultMissingKey, FaultTruncatedBody) only alter success answers: when the
// real answer is an error (401, 404, ...), that error is sent unchanged.
const (
	// FaultStatus answers Status (500 when zero) with the API's own error body {"error": Message,
	// "code": Code}; Message defaults to http.StatusText(Status), code is omitted when Code is empty,
	// and the header Retry-After: RetryAfter is sent when RetryAfter is not empty. No work is done.
	FaultStatus FaultKind = iota
	// FaultRateLimit answers 429 {"error":"Too many requests"}, with the header
	// Retry-After: RetryAfter passed verbatim when RetryAfter is not empty. No work is done.
	FaultRateLimit
	// FaultDropAfterWork does the work, then closes the connection without answering.
	FaultDropAfterWork
	// FaultDropBeforeWork closes the connection without doing anything.
	FaultDropBeforeWork
	// FaultDelay waits Delay, then handles the request normally. If the request's context ends
	// first (client gone, server stopped), the connection is closed without doing the work.
	FaultDelay
	// FaultMalformedJSON does the work and answers the success status with a body that is not
	// JSON (Content-Type still claims application/json).
	FaultMalformedJSON
	// FaultMissingKey does the work and answers the documented shape without its secret: no "key"
	// for the regenerate endpoints, items without "keyId" for GET /v1/api-keys, and no "apiKeys"
	// for the numbers endpoints. [Fault].Field names another field to remove instead.
	FaultMissingKey
	// FaultTruncatedBody does the work and answers the success status with the first half of the
	// JSON body. The HTTP message itself is complete (Content-Length matches what is sent): only
	// the JSON is cut.
	FaultTruncatedBody
	// FaultHTMLError answers Status (502 when zero) with an HTML page and Content-Type text/html, as
	// a proxy in front of the API would. No work is done.
	FaultHTMLError
	// FaultLateWork is a request held by the network before it reaches the API, and carried out
	// after the client has gone: the body is read, the request waits Delay whatever the client
	// does (a client that times out and closes the connection does not end the wait), then it does
	// the work as a normal request would (authentication, 404 for an unknown number, a real
	// rotation) and writes the answer, which reaches the client only if it is still there. The
	// fake is not locked while the request waits. Stopping the server waits for held requests, so
	// a FaultLateWork can make the stop function of [API.Start] take up to Delay.
	FaultLateWork
	// FaultLateWorkAfterNext holds the request until the next request to the same endpoint has done
	// its work; the held request then does its own work (a regeneration lands after the next one's)
	// and only then does the next request write its answer. A client that regenerates again after
	// giving up on the held request therefore receives a key already dead when it reads it, and a
	// key list made after that answer shows the held request's key. The next request is the first
	// one to the endpoint that does its work once this one is held, whatever its outcome: one
	// handled normally or by a fault that does the work (it is held from when its body has been
	// read; see [API.Held]). If none comes within Delay (30s when zero), the held request does its
	// work anyway. Its own answer reaches its client only if that client is still there. Stopping
	// the server waits for held requests, up to Delay.
	FaultLateWorkAfterNext
	// FaultStatusAfterWork does the work, then answers as FaultStatus does (Status, 500 when zero,
	// with the API's own error body and RetryAfter): the API failed after regenerating. When the
	// work itself fails (401, 404, ...), that answer is sent unchanged.
	FaultStatusAfterWork
	// FaultGatewayLateWork is a gateway that gives up on the request: it answers Status (504 when
	// zero) with an HTML page at once, while the request goes on to the API and is carried out
	// Delay later, whatever the client does. Stopping the server waits for it, up to Delay.
	FaultGatewayLateWork
)

// String names the kind, for test output.
func (k FaultKind) String() string {
	names := [...]string{
		"FaultStatus", "FaultRateLimit", "FaultDropAfterWork", "FaultDropBeforeWork", "FaultDelay",
		"FaultMalformedJSON", "FaultMissingKey", "FaultTruncatedBody", "FaultHTMLError",
		"FaultLateWork", "FaultLateWorkAfterNext", "FaultStatusAfterWork", "FaultGatewayLateWork",
	}
	if k >= 0 && int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a misbehaviour applied to the next Times calls of one endpoint.
type Fault struct {
	// Endpoint is one of the Endpoint constants, as in [API.Calls].
	Endpoint string
	// Kind is what goes wrong.
	Kind FaultKind
	// Times is how many matching calls the fault applies to; 0 means 1.
	Times int
	// Status, Code and Message shape a FaultStatus or FaultStatusAfterWork answer; Status also
	// sets the status of a FaultHTMLError or FaultGatewayLateWork page.
	Status  int
	Code    string
	Message string
	// RetryAfter is the Retry-After header of a FaultRateLimit, FaultStatus or FaultStatusAfterWork
	// answer: seconds or an HTTP date.
	RetryAfter string
	// Delay is how long a FaultDelay, FaultLateWork or FaultGatewayLateWork waits, and the longest
	// a FaultLateWorkAfterNext waits for the next request (30s when zero).
	Delay time.Duration
	// Field is the field a FaultMissingKey removes (from the object, or from each item of an
	// array); the endpoint's secret field when empty.
	Field string
}

// queuedFault is a fault with the calls it still applies to.
type queuedFault struct {
	Fault
	remaining int
}

// malformedBody is the body of a FaultMalformedJSON answer.
const malformedBody = "Internal hiccup: this is not JSON <br/>"

// AddFault queues f behind the faults already queued for its endpoint. It panics when f.Endpoint is
// not one of the Endpoint constants, so a typo cannot silently disable a fault.
func (a *API) AddFault(f Fault) {
	if !slices.Contains(endpoints, f.Endpoint) {
		panic(fmt.Sprintf("fakeapi: AddFault: unknown endpoint %q (want one of %q)", f.Endpoint, endpoints))
	}
	times := max(f.Times, 1)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[f.Endpoint] = append(a.faults[f.Endpoint], &queuedFault{Fault: f, remaining: times})
}

// ClearFaults removes every queued fault.
func (a *API) ClearFaults() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.faults)
}

// nextFault takes one use of the first fault queued for endpoint.
func (a *API) nextFault(endpoint string) (Fault, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	queue := a.faults[endpoint]
	if len(queue) == 0 {
		return Fault{}, false
	}
	head := queue[0]
	head.remaining--
	if head.remaining <= 0 {
		a.faults[endpoint] = queue[1:]
	}
	return head.Fault, true
}

// serveFault answers a request that a fault applies to.
func (a *API) serveFault(w http.ResponseWriter, r *http.Request, rt route, f Fault) {
	switch f.Kind {
	case FaultStatus:
		f.failure().write(w)
	case FaultStatusAfterWork:
		if resp := a.work(r, rt); !resp.ok() {
			resp.write(w)
			return
		}
		f.failure().write(w)
	case FaultRateLimit:
		a.mu.Lock()
		a.rateLimited++
		a.mu.Unlock()
		resp := errTooMany
		resp.retryAfter = f.RetryAfter
		resp.write(w)
	case FaultDropBeforeWork:
		dropConnection(w, r)
	case FaultDropAfterWork:
		a.work(r, rt)
		dropConnection(w, r)
	case FaultDelay:
		a.serveDelayed(w, r, rt, f.Delay)
	case FaultMalformedJSON, FaultMissingKey, FaultTruncatedBody:
		a.serveSpoiled(w, r, rt, f)
	case FaultHTMLError:
		writeGatewayPage(w, cmp.Or(f.Status, http.StatusBadGateway))
	case FaultLateWork, FaultLateWorkAfterNext:
		a.serveLateWork(w, r, rt, f)
	case FaultGatewayLateWork:
		a.serveGatewayLateWork(w, r, rt, f)
	default:
		errorResponse(http.StatusInternalServerError, "fakeapi: unknown fault kind "+f.Kind.String(), "").write(w)
	}
}

// failure is the API's own error answer of a FaultStatus or FaultStatusAfterWork.
func (f Fault) failure() response {
	status := cmp.Or(f.Status, http.StatusInternalServerError)
	resp := errorResponse(status, cmp.Or(f.Message, http.StatusText(status)), f.Code)
	resp.retryAfter = f.RetryAfter
	return resp
}

// writeGatewayPage answers status with a gateway's HTML page, not the API's JSON.
func writeGatewayPage(w http.ResponseWriter, status int) {
	page := fmt.Sprintf("<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n"+
		"<center><h1>%[1]d %[2]s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status, http.StatusText(status))
	writeRaw(w, status, "text/html", []byte(page), "", "")
}

// serveDelayed does the work after d and answers; a client that goes away first gets nothing.
func (a *API) serveDelayed(w http.ResponseWriter, r *http.Request, rt route, d time.Duration) {
	// net/http notices a client that goes away, and ends the request's context, only once the
	// request body has been read: read it before waiting.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !sleep(r.Context(), d) {
		dropConnection(w, r)
		return
	}
	a.work(r, rt).write(w)
}

// serveSpoiled does the work and spoils a successful answer as f says: a body that is not JSON
// (FaultMalformedJSON), the first half of the body (FaultTruncatedBody) or the body without a
// field (FaultMissingKey). A failure is answered as it is.
func (a *API) serveSpoiled(w http.ResponseWriter, r *http.Request, rt route, f Fault) {
	resp := a.work(r, rt)
	if !resp.ok() {
		resp.write(w)
		return
	}
	switch f.Kind {
	case FaultMalformedJSON:
		writeRaw(w, resp.status, "application/json", []byte(malformedBody), "", "")
	case FaultTruncatedBody:
		body := resp.encode()
		writeRaw(w, resp.status, "application/json", body[:len(body)/2], "", "")
	default:
		resp.body = withoutField(resp.encode(), cmp.Or(f.Field, secretField(rt.endpoint)))
		resp.write(w)
	}
}

// secretField is the field FaultMissingKey removes from an endpoint's answer.
func secretField(endpoint string) string {
	switch endpoint {
	case EndpointListKeys:
		return "keyId"
	case EndpointListNumbers:
		return "apiKeys"
	default:
		return "key"
	}
}

// withoutField removes field from a JSON object, or from each object of a JSON array.
func withoutField(body []byte, field string) any {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic("fakeapi: cannot decode own answer: " + err.Error())
	}
	switch v := v.(type) {
	case map[string]any:
		delete(v, field)
	case []any:
		for _, item := range v {
			if m, ok := item.(map[string]any); ok {
				delete(m, field)
			}
		}
	}
	return v
}

// sleep waits d; it reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer. It hijacks the connection when
// the server allows it and otherwise aborts the handler with http.ErrAbortHandler, which net/http
// turns into a closed connection (HTTP/1) or a reset stream (HTTP/2).
func dropConnection(w http.ResponseWriter, r *http.Request) {
	// Drain what the client sent, so the close is a clean EOF rather than a reset caused by unread
	// data.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBodyBytes))
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
