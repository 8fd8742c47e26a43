package fakeapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

const regenerateWN1 = `{"whatsappNumberId":"wn_1"}`

// waitUntil polls cond until it holds, and fails the test when it does not within limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// giveUp regenerates wn_1 from a client that gives up after timeout: it must get no answer.
func giveUp(t *testing.T, base string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	r, err := try(ctx, base, http.MethodPost, "/v1/api-keys", tenant(), regenerateWN1)
	if err == nil {
		t.Fatalf("the held request was answered before the client gave up: %d %s", r.status, r.body)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the client did not give up on its own: %v", err)
	}
}

// listed returns a number's item in GET /v1/api-keys.
func listed(t *testing.T, base, id string) map[string]any {
	t.Helper()
	r := do(t, base, http.MethodGet, "/v1/api-keys", tenant(), "")
	if r.status != http.StatusOK {
		t.Fatalf("list keys: %d %s", r.status, r.body)
	}
	for _, item := range array(t, r.body) {
		if item["numberId"] == id {
			return item
		}
	}
	t.Fatalf("list keys: no item for %s in %s", id, r.body)
	return nil
}

// TestLateWork shows that a FaultLateWork request rotates the key once Delay has passed, and not
// before, whether or not its client is still there, and that the wait does not lock the fake.
func TestLateWork(t *testing.T) {
	t.Parallel()
	const delay = time.Second
	tests := []struct {
		name   string
		giveUp bool
	}{
		{"client gives up", true},
		{"client waits", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			old := currentKey(t, api, "wn_1")
			issued := len(api.IssuedKeys())
			api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultLateWork, Delay: delay})
			start := time.Now()
			var answer result
			if tt.giveUp {
				giveUp(t, base, 100*time.Millisecond)
				// The request is held, not done, and holding it does not lock the fake: a key
				// list is answered at once, with the old key.
				if got := api.Held(fakeapi.EndpointRegenerate); got != 1 {
					t.Fatalf("Held = %d after the client gave up, want 1", got)
				}
				if got := listed(t, base, "wn_1")["key"]; got != old.Raw {
					t.Fatalf("%v after the request was sent, the list shows %v, not the old key: the work did not wait for Delay %v",
						time.Since(start), got, delay)
				}
				waitUntil(t, delay+10*time.Second, "the held work", func() bool {
					return api.Held(fakeapi.EndpointRegenerate) == 0
				})
			} else {
				answer = regenerate(t, base, "wn_1")
			}
			if elapsed := time.Since(start); elapsed < delay {
				t.Errorf("the work was done %v after the request was sent, before Delay %v", elapsed, delay)
			}
			cur := currentKey(t, api, "wn_1")
			if cur.Raw == old.Raw {
				t.Fatal("the held request did not rotate the key")
			}
			if alive(t, base, withKey(old.Raw)) {
				t.Error("the old key survived the held work")
			}
			if got := len(api.IssuedKeys()) - issued; got != 1 {
				t.Errorf("%d keys issued, want exactly 1", got)
			}
			if !tt.giveUp && (answer.status != http.StatusOK || object(t, answer.body)["key"] != cur.Raw) {
				t.Errorf("the waiting client got %d %s, want 200 with the current key", answer.status, answer.body)
			}
			if got := api.Calls(fakeapi.EndpointRegenerate); got != 1 {
				t.Errorf("Calls = %d, want 1", got)
			}
		})
	}
}

// TestLateWorkDoesTheRealWork drives the handler with a context that has already ended: both
// late-work kinds still authenticate, validate and act after Delay exactly as a normal request
// would (FaultLateWorkAfterNext through its fallback, as no next request comes).
func TestLateWorkDoesTheRealWork(t *testing.T) {
	t.Parallel()
	const delay = 30 * time.Millisecond
	const scopeMessage = "Number-scoped keys cannot call tenant endpoints"
	tests := []struct {
		name        string
		headers     func(wn1 fakeapi.Key) auth
		body        string
		status      int
		message     string
		code        string
		wantRotated bool
	}{
		{"tenant key rotates", func(fakeapi.Key) auth { return tenant() }, regenerateWN1, 200, "", "", true},
		{"unknown number", func(fakeapi.Key) auth { return tenant() }, `{"whatsappNumberId":"wn_404"}`, 404, "Number not found", "NUMBER_NOT_FOUND", false},
		{"invalid body", func(fakeapi.Key) auth { return tenant() }, `{"whatsappNumberId":""}`, 400, "Validation error", "VALIDATION_ERROR", false},
		{"no key", func(fakeapi.Key) auth { return nil }, regenerateWN1, 401, "Unauthorized", "", false},
		{"unknown key", func(fakeapi.Key) auth { return withKey("ps_nope") }, regenerateWN1, 401, "Unauthorized", "", false},
		{"number key", func(k fakeapi.Key) auth { return withKey(k.Raw) }, regenerateWN1, 403, scopeMessage, "NUMBER_SCOPE_NOT_ALLOWED", false},
		{"number key id", func(k fakeapi.Key) auth { return withID(k.ID) }, regenerateWN1, 403, scopeMessage, "NUMBER_SCOPE_NOT_ALLOWED", false},
	}
	for _, kind := range []fakeapi.FaultKind{fakeapi.FaultLateWork, fakeapi.FaultLateWorkAfterNext} {
		for _, tt := range tests {
			t.Run(kind.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				api := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
				old := currentKey(t, api, "wn_1")
				api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: kind, Delay: delay})
				ctx, cancel := context.WithCancel(context.Background())
				cancel() // the client has gone before the request is served
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/api-keys", strings.NewReader(tt.body))
				for k, v := range tt.headers(old) {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				start := time.Now()
				api.ServeHTTP(rec, req)
				if elapsed := time.Since(start); elapsed < delay {
					t.Errorf("answered after %v, before Delay %v", elapsed, delay)
				}
				cur := currentKey(t, api, "wn_1")
				if rotated := cur != old; rotated != tt.wantRotated {
					t.Fatalf("rotated = %v, want %v", rotated, tt.wantRotated)
				}
				r := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
				if tt.status == 200 {
					if r.status != 200 || object(t, r.body)["key"] != cur.Raw {
						t.Errorf("answer %d %s, want 200 with the current key", r.status, r.body)
					}
				} else {
					wantError(t, r, tt.status, tt.message, tt.code)
				}
				if got := api.Held(fakeapi.EndpointRegenerate); got != 0 {
					t.Errorf("Held = %d after the answer, want 0", got)
				}
				if got := api.Calls(fakeapi.EndpointRegenerate); got != 1 {
					t.Errorf("Calls = %d, want 1", got)
				}
			})
		}
	}
}

// TestLateWorkAfterNext shows the lost-race a client meets when it regenerates again after giving
// up: the second answer holds a key that the held request has already replaced.
func TestLateWorkAfterNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		giveUp bool
	}{
		{"first client gives up", true},
		{"first client waits", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			old := currentKey(t, api, "wn_1")
			issued := len(api.IssuedKeys())
			// A Delay long enough that the fallback cannot be what releases the first request.
			api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultLateWorkAfterNext, Delay: time.Minute})
			type answer struct {
				r   result
				err error
			}
			first := make(chan answer, 1)
			if tt.giveUp {
				giveUp(t, base, 100*time.Millisecond)
			} else {
				go func() {
					r, err := try(t.Context(), base, http.MethodPost, "/v1/api-keys", tenant(), regenerateWN1)
					first <- answer{r, err}
				}()
			}
			waitUntil(t, 10*time.Second, "the first request held", func() bool {
				return api.Held(fakeapi.EndpointRegenerate) == 1
			})
			if cur := currentKey(t, api, "wn_1"); cur != old {
				t.Fatal("the held request did its work before the next request came")
			}

			second := regenerate(t, base, "wn_1")
			if second.status != http.StatusOK {
				t.Fatalf("second request: %d %s", second.status, second.body)
			}
			m := object(t, second.body)
			k2, _ := m["key"].(string)
			k2ID, _ := m["keyId"].(string)
			if k2 == "" || k2 == old.Raw {
				t.Fatalf("second answer %v holds no new key", m)
			}

			// Right after the second answer, the held request's key K1 is the current one.
			item := listed(t, base, "wn_1")
			k1, _ := item["key"].(string)
			if k1 == k2 || k1 == old.Raw || item["keyId"] == k2ID {
				t.Fatalf("after the second answer the list shows key id %v (K2 is %v, the old key %v), want the held request's key",
					item["keyId"], k2ID, old.ID)
			}
			if cur := currentKey(t, api, "wn_1"); cur.Raw != k1 {
				t.Errorf("the list shows %v, the current key is %v", item["keyId"], cur.ID)
			}
			if got := api.Held(fakeapi.EndpointRegenerate); got != 0 {
				t.Errorf("Held = %d after the second answer, want 0", got)
			}
			if alive(t, base, withKey(k2)) || alive(t, base, withID(k2ID)) {
				t.Error("the second answer's key still authenticates")
			}
			if !alive(t, base, withKey(k1)) {
				t.Error("the held request's key does not authenticate")
			}
			if !tt.giveUp {
				a := <-first
				if a.err != nil {
					t.Fatalf("the waiting first client got no answer: %v", a.err)
				}
				if a.r.status != http.StatusOK || object(t, a.r.body)["key"] != k1 {
					t.Errorf("the first client got %d %s, want 200 with K1", a.r.status, a.r.body)
				}
			}
			if got := len(api.IssuedKeys()) - issued; got != 2 {
				t.Errorf("%d keys issued, want 2", got)
			}
			if got := api.Calls(fakeapi.EndpointRegenerate); got != 2 {
				t.Errorf("Calls = %d, want 2", got)
			}
		})
	}
}

// TestLateWorkAfterNextFallback shows that a held request with no next request does its work once
// Delay has passed, and leaves nothing behind that would hold a later request.
func TestLateWorkAfterNextFallback(t *testing.T) {
	t.Parallel()
	const delay = time.Second
	api, base, _ := fake(t, fakeapi.Options{})
	old := currentKey(t, api, "wn_1")
	issued := len(api.IssuedKeys())
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultLateWorkAfterNext, Delay: delay})
	start := time.Now()
	giveUp(t, base, 100*time.Millisecond)
	if got := api.Held(fakeapi.EndpointRegenerate); got != 1 {
		t.Fatalf("Held = %d after the client gave up, want 1", got)
	}
	// Requests to other endpoints are not the next request, and the hold does not lock the fake.
	if got := listed(t, base, "wn_1")["key"]; got != old.Raw {
		t.Fatalf("%v after the request was sent, the list shows %v, not the old key", time.Since(start), got)
	}
	waitUntil(t, delay+10*time.Second, "the fallback work", func() bool {
		return api.Held(fakeapi.EndpointRegenerate) == 0
	})
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("the fallback work was done %v after the request was sent, before Delay %v", elapsed, delay)
	}
	held := currentKey(t, api, "wn_1")
	if held.Raw == old.Raw {
		t.Fatal("the held request did not rotate the key")
	}
	if got := len(api.IssuedKeys()) - issued; got != 1 {
		t.Errorf("%d keys issued, want exactly 1", got)
	}

	// A later regeneration is neither held nor followed by other work: its key stays current.
	r := regenerate(t, base, "wn_1")
	cur := currentKey(t, api, "wn_1")
	if r.status != http.StatusOK || object(t, r.body)["key"] != cur.Raw || cur.Raw == held.Raw {
		t.Errorf("later regeneration: %d %s", r.status, r.body)
	}
	if got := api.Calls(fakeapi.EndpointRegenerate); got != 2 {
		t.Errorf("Calls = %d, want 2", got)
	}
}

// TestKeyIDAuthentication shows that a number-scoped key's id, sent as x-api-key-id, authenticates
// as that number (403 on tenant endpoints, its own key on POST /v1/api-keys/regenerate) until the
// key is regenerated, after which the id gets 401; with or without the requests held by
// FaultLateWork.
func TestKeyIDAuthentication(t *testing.T) {
	t.Parallel()
	const scopeMessage = "Number-scoped keys cannot call tenant endpoints"
	for _, late := range []bool{false, true} {
		name := "normal"
		if late {
			name = "late work"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			if late {
				for _, e := range []string{fakeapi.EndpointListKeys, fakeapi.EndpointRegenerateSelf} {
					api.AddFault(fakeapi.Fault{Endpoint: e, Kind: fakeapi.FaultLateWork, Delay: 20 * time.Millisecond, Times: 10})
				}
			}
			old := currentKey(t, api, "wn_1")
			wn2 := currentKey(t, api, "wn_2")

			wantError(t, do(t, base, http.MethodGet, "/v1/api-keys", withID(old.ID), ""), 403, scopeMessage, "NUMBER_SCOPE_NOT_ALLOWED")

			r := do(t, base, http.MethodPost, "/v1/api-keys/regenerate", withID(old.ID), "")
			if r.status != http.StatusCreated {
				t.Fatalf("regenerate own key by id: %d %s", r.status, r.body)
			}
			cur := currentKey(t, api, "wn_1")
			m := object(t, r.body)
			if m["numberId"] != "wn_1" || m["scope"] != "number" || m["keyId"] != cur.ID || m["key"] != cur.Raw || cur.ID == old.ID {
				t.Errorf("answer %v, want wn_1's new key %v", m, cur.ID)
			}
			if currentKey(t, api, "wn_2") != wn2 || api.TenantKey() != tenantKey {
				t.Error("regenerating by a number key's id rotated another key")
			}

			// The regenerated key's id is dead; the new one authenticates as the number.
			wantError(t, do(t, base, http.MethodGet, "/v1/api-keys", withID(old.ID), ""), 401, "Unauthorized", "")
			wantError(t, do(t, base, http.MethodPost, "/v1/api-keys/regenerate", withID(old.ID), ""), 401, "Unauthorized", "")
			wantError(t, do(t, base, http.MethodGet, "/v1/api-keys", withID(cur.ID), ""), 403, scopeMessage, "NUMBER_SCOPE_NOT_ALLOWED")
			if currentKey(t, api, "wn_1") != cur {
				t.Error("a rejected request rotated the key")
			}
		})
	}
}

// writeSpy is a ResponseRecorder that calls before when the answer's header is written.
type writeSpy struct {
	*httptest.ResponseRecorder
	before func()
}

func (w *writeSpy) WriteHeader(code int) {
	w.before()
	w.ResponseRecorder.WriteHeader(code)
}

// TestLateWorkAfterNextAnswersAfterHeldWork looks at the fake at the moment the next request
// writes its answer: the held request's work must already have replaced the key in that answer.
func TestLateWorkAfterNextAnswersAfterHeldWork(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultLateWorkAfterNext, Delay: time.Minute})
	post := func() *http.Request {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/v1/api-keys", strings.NewReader(regenerateWN1))
		req.Header.Set("x-api-key", tenantKey)
		return req
	}
	held := httptest.NewRecorder()
	heldDone := make(chan struct{})
	go func() {
		defer close(heldDone)
		api.ServeHTTP(held, post())
	}()
	waitUntil(t, 10*time.Second, "the first request held", func() bool {
		return api.Held(fakeapi.EndpointRegenerate) == 1
	})

	var atWrite fakeapi.Key
	var heldAtWrite int
	next := &writeSpy{ResponseRecorder: httptest.NewRecorder(), before: func() {
		atWrite = currentKey(t, api, "wn_1")
		heldAtWrite = api.Held(fakeapi.EndpointRegenerate)
	}}
	api.ServeHTTP(next, post())
	m := object(t, next.Body.Bytes())
	if next.Code != http.StatusOK || m["key"] == nil {
		t.Fatalf("next answer: %d %v", next.Code, m)
	}
	if atWrite.Raw == m["key"] || heldAtWrite != 0 {
		t.Errorf("when the next answer was written, its key was still current (Held = %d): the held work had not landed", heldAtWrite)
	}
	<-heldDone
	if got := object(t, held.Body.Bytes())["key"]; held.Code != http.StatusOK || got != atWrite.Raw || got != currentKey(t, api, "wn_1").Raw {
		t.Errorf("held answer %d %s, want 200 with the key current when the next answer was written", held.Code, held.Body)
	}
}

// TestGatewayLateWork shows that a FaultGatewayLateWork request is answered at once with the
// gateway's page, the key unchanged, and rotates the key Delay later, without its client; stopping
// the server waits for it.
func TestGatewayLateWork(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	api, base, _ := fake(t, fakeapi.Options{})
	old := currentKey(t, api, "wn_1")
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultGatewayLateWork, Delay: delay})
	start := time.Now()
	r := regenerate(t, base, "wn_1")
	if r.status != http.StatusGatewayTimeout || !strings.Contains(string(r.body), "504 Gateway Timeout") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("answer %d %q %q, want the gateway's 504 page", r.status, r.header.Get("Content-Type"), r.body)
	}
	if elapsed := time.Since(start); elapsed >= delay {
		t.Fatalf("the gateway answered after %v, not before the work (%v)", elapsed, delay)
	}
	if got := listed(t, base, "wn_1")["key"]; got != old.Raw || api.Held(fakeapi.EndpointRegenerate) != 1 {
		t.Fatalf("right after the 504 the list shows %v (held %d), want the old key, held 1", got, api.Held(fakeapi.EndpointRegenerate))
	}
	waitUntil(t, delay+10*time.Second, "the late work", func() bool { return api.Held(fakeapi.EndpointRegenerate) == 0 })
	if cur := currentKey(t, api, "wn_1"); cur.Raw == old.Raw || api.Regenerated() != 1 {
		t.Fatalf("the request that reached the API late did not rotate the key once (regenerated %d)", api.Regenerated())
	}

	// Stop waits for a request still on its way.
	api2 := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
	base2, stop := api2.Start()
	api2.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultGatewayLateWork, Delay: delay})
	regenerate(t, base2, "wn_1")
	stop()
	if api2.Regenerated() != 1 || api2.Held(fakeapi.EndpointRegenerate) != 0 {
		t.Errorf("stop returned before the late work landed (regenerated %d)", api2.Regenerated())
	}
}
