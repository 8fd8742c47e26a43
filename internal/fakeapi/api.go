// Package fakeapi is an in-memory, concurrency-safe implementation of the parts of the Pilot Status
// API that the provider and its tests use, as the API's documentation describes them: the key list
// (GET /v1/api-keys), a number's regeneration by the tenant (POST /v1/api-keys) and by the number's
// own key (POST /v1/api-keys/regenerate, how a workload rotates a key outside Terraform), and the
// number list (GET /v1/numbers), with the tenant-scoped and number-scoped credentials of both
// headers (x-api-key, x-api-key-id), legacy keys that cannot be revealed, and the documented
// errors. Nothing else is served: a single number (GET /v1/numbers/{id}), messaging, webhooks and
// remote pairing answer 404 Not found, as every unknown path does.
//
// It serves client tests, provider tests, benchmarks and the local demo. It writes the API's JSON
// from its own definitions, taken from the product documentation, and deliberately shares no code
// or types with the API client: a misreading of the docs in the client cannot hide behind the same
// misreading here.
//
// Faults (status codes, lost answers, requests carried out late, delays, broken bodies) are switched
// on per test with [API.AddFault]; rate limits in the shapes real APIs have (a token bucket with a
// burst, a strict bucket, a fixed window, one limit shared by several clients) with
// [API.SetRateLimit], [API.SetStrictRateLimit] and [API.SetFixedWindowLimit]. Every request that
// reaches the handler is counted, see [API.Calls].
//
// Unauthenticated administration endpoints under /_admin/ exist for the command-line server
// (cmd/pilotstatus-localapi): GET /_admin/calls, POST /_admin/reset-calls,
// POST /_admin/rotate?number=ID and DELETE /_admin/numbers/ID. They are neither counted, faulted
// nor rate limited.
package fakeapi

import (
	"context"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"sync"
	"time"
)

// Endpoint names, as accepted by [API.Calls] and [Fault].Endpoint.
const (
	EndpointListKeys       = "GET /v1/api-keys"
	EndpointRegenerate     = "POST /v1/api-keys"
	EndpointRegenerateSelf = "POST /v1/api-keys/regenerate"
	EndpointListNumbers    = "GET /v1/numbers"
)

// endpoints lists every endpoint name, in the order the admin report uses.
var endpoints = []string{
	EndpointListKeys,
	EndpointRegenerate,
	EndpointRegenerateSelf,
	EndpointListNumbers,
}

// Default values applied by [New] and [API.AddNumber].
const (
	DefaultTenantKeyID = "k_tenant"
	DefaultProvider    = "PILOT_STATUS"
	DefaultState       = "OPEN"
)

// Number is a WhatsApp number of the tenant, as seeded into the fake.
type Number struct {
	// ID is the number's opaque, non-empty id (for example "wn_1").
	ID string
	// Number is the phone number, digits only.
	Number string
	// Name is the number's display name.
	Name string
	// Provider is "PILOT_STATUS" (the default when empty) or "META".
	Provider string
	// State is "OPEN" (the default when empty), "CONNECTING" or "CLOSED".
	State string
	// Legacy marks the seeded key as created before encryption: it still authenticates, but the
	// key list shows it with revealable=false and key=null until it is regenerated.
	Legacy bool
}

// Key is one issued API key.
type Key struct {
	// ID is the key id accepted by the x-api-key-id header.
	ID string
	// Raw is the secret key value, "ps_" followed by 40 characters.
	Raw string
	// Last4 is the last four characters of Raw.
	Last4 string
	// CreatedAt is when the key was issued, in UTC with millisecond precision.
	CreatedAt time.Time
	// Revealable is false for legacy keys, which the key list shows as null.
	Revealable bool
}

// Options configures [New].
type Options struct {
	// TenantKey is the raw tenant-scoped key; a random "ps_" key when empty.
	TenantKey string
	// TenantKeyID is the tenant key's id; "k_tenant" when empty.
	TenantKeyID string
	// Numbers are seeded in order, each with a fresh key, as by [API.AddNumber].
	Numbers []Number
	// Now is the clock for createdAt and updatedAt values and for the rate limiter;
	// time.Now when nil.
	Now func() time.Time
}

// API is the fake Pilot Status API. It implements http.Handler; the zero value is not usable, call
// [New]. All methods are safe for concurrent use.
type API struct {
	now func() time.Time

	mu          sync.Mutex
	tenant      Key
	numbers     map[string]*numberRecord
	lastCreated map[string]time.Time // per number id; survives removal so createdAt never repeats
	owners      map[string]owner     // current raw key -> owner
	ownersByID  map[string]owner     // current key id -> owner
	issued      []string             // raw keys, in issue order
	issuedIDs   []string             // key ids, parallel to issued
	calls       map[string]int
	total       int
	rateLimited int
	// retryAfterPad is added to the Retry-After of the rate limiter's 429s, in seconds.
	retryAfterPad int
	// regenerated counts the keys that POST /v1/api-keys regenerated.
	regenerated int
	faults      map[string][]*queuedFault
	limiter     rateLimit
	held        holds // requests held by FaultLateWork and FaultLateWorkAfterNext, see hold.go
	// background runs the requests that FaultGatewayLateWork carries out after their answer.
	background sync.WaitGroup
}

// New returns a fake API seeded from opts.
func New(opts Options) *API {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	a := &API{
		now:         now,
		numbers:     make(map[string]*numberRecord),
		lastCreated: make(map[string]time.Time),
		owners:      make(map[string]owner),
		ownersByID:  make(map[string]owner),
		calls:       make(map[string]int),
		faults:      make(map[string][]*queuedFault),
	}
	raw := opts.TenantKey
	if raw == "" {
		raw = a.newRawLocked()
	}
	id := opts.TenantKeyID
	if id == "" {
		id = DefaultTenantKeyID
	}
	a.setTenantKeyLocked(Key{
		ID:         id,
		Raw:        raw,
		Last4:      last4(raw),
		CreatedAt:  a.nextCreatedLocked(time.Time{}),
		Revealable: true,
	})
	for _, n := range opts.Numbers {
		a.AddNumber(n)
	}
	return a
}

// TenantKey returns the current raw tenant-scoped key.
func (a *API) TenantKey() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tenant.Raw
}

// TenantKeyID returns the current tenant-scoped key's id.
func (a *API) TenantKeyID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tenant.ID
}

// AddNumber seeds a number with a fresh key and returns that key. The key is not revealable when
// n.Legacy is set. Adding an id that already exists replaces the number's details and issues it a
// new key (the old one stops working). AddNumber panics when n.ID is empty.
func (a *API) AddNumber(n Number) Key {
	if n.ID == "" {
		panic("fakeapi: AddNumber with an empty ID")
	}
	if n.Provider == "" {
		n.Provider = DefaultProvider
	}
	if n.State == "" {
		n.State = DefaultState
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rec, ok := a.numbers[n.ID]
	if !ok {
		rec = &numberRecord{createdAt: a.now().UTC().Truncate(time.Millisecond)}
		a.numbers[n.ID] = rec
	}
	legacy := n.Legacy
	n.Legacy = false
	rec.Number = n
	return a.rotateNumberLocked(rec, !legacy)
}

// RemoveNumber deletes a number and its key, as if it were removed in the dashboard. It reports
// whether the number existed.
func (a *API) RemoveNumber(id string) bool {
	return a.withNumber(id, func(rec *numberRecord) {
		delete(a.owners, rec.key.Raw)
		delete(a.ownersByID, rec.key.ID)
		delete(a.numbers, id)
	})
}

// RotateOutOfBand regenerates a number's key as the dashboard would: the old key dies and the new
// one is revealable. It is not counted as an API call. It reports false for an unknown number.
func (a *API) RotateOutOfBand(id string) (k Key, ok bool) {
	ok = a.withNumber(id, func(rec *numberRecord) { k = a.rotateNumberLocked(rec, true) })
	return k, ok
}

// CurrentKey returns a number's current key.
func (a *API) CurrentKey(id string) (k Key, ok bool) {
	ok = a.withNumber(id, func(rec *numberRecord) { k = rec.key })
	return k, ok
}

// MakeLegacy marks a number's current key as not revealable, as keys created before encryption
// are. The key keeps working. It reports false for an unknown number.
func (a *API) MakeLegacy(id string) bool {
	return a.withNumber(id, func(rec *numberRecord) { rec.key.Revealable = false })
}

// withNumber runs f on the number with id, under the lock. It reports false, without running f,
// for an unknown number.
func (a *API) withNumber(id string, f func(rec *numberRecord)) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	rec, ok := a.numbers[id]
	if ok {
		f(rec)
	}
	return ok
}

// IssuedKeys returns every raw key ever issued, tenant and numbers, dead or alive, in issue order.
// Leak tests search logs and state for these values.
func (a *API) IssuedKeys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// IssuedKeyIDs returns the id of every key ever issued, tenant and numbers, dead or alive, in issue
// order (parallel to [API.IssuedKeys]). A key id authenticates as x-api-key-id, so it is a
// credential: leak tests search logs and state for these values too.
func (a *API) IssuedKeyIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issuedIDs...)
}

// Calls returns how many requests reached the handler for endpoint (one of the Endpoint
// constants, such as "POST /v1/api-keys"), including faulted, rate-limited and rejected ones.
func (a *API) Calls(endpoint string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[endpoint]
}

// Regenerated returns how many keys POST /v1/api-keys regenerated: the requests that did their
// work, whatever answer reached the client. [API.Calls] counts requests, this counts rotations.
func (a *API) Regenerated() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.regenerated
}

// TotalCalls returns how many non-admin requests reached the handler, including those to unknown
// paths or with a wrong method.
func (a *API) TotalCalls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.total
}

// ResetCalls sets every call counter, the rate-limited and the regenerated counters back to zero.
func (a *API) ResetCalls() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.calls)
	a.total = 0
	a.rateLimited = 0
	a.regenerated = 0
}

// callsReport is the body of GET /_admin/calls.
func (a *API) callsReport() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int, len(endpoints)+2)
	for _, e := range endpoints {
		out[e] = a.calls[e]
	}
	out["total"] = a.total
	out["rate_limited"] = a.rateLimited
	out["regenerated"] = a.regenerated
	return out
}

// Start serves the API on a new httptest server bound to 127.0.0.1 and returns its base URL
// (without a trailing slash) and a function that stops it. Stopping cancels the context of
// requests still in flight, so a pending FaultDelay ends at once, and waits for the requests that
// faults carry out late.
func (a *API) Start() (baseURL string, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(a)
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	// Dropped connections and aborted handlers are intended; keep test output quiet.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	return srv.URL, sync.OnceFunc(func() {
		cancel()
		srv.Close()
		a.background.Wait()
	})
}
