package fakeapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

func TestFaultsOnRegenerate(t *testing.T) {
	t.Parallel()
	const httpDate = "Wed, 21 Oct 2026 07:28:00 GMT"
	tests := []struct {
		name        string
		fault       fakeapi.Fault
		wantRotated bool
		check       func(t *testing.T, r result, err error, cur fakeapi.Key, api *fakeapi.API)
	}{
		{"status with code", fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 503, Code: "MAINTENANCE"}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 503, "Service Unavailable", "MAINTENANCE")
			}},
		{"status defaults", fakeapi.Fault{Kind: fakeapi.FaultStatus}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 500, "Internal Server Error", "")
			}},
		{"status with Retry-After", fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 503, RetryAfter: "3"}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 503, "Service Unavailable", "")
				if got := r.header.Get("Retry-After"); got != "3" {
					t.Errorf("Retry-After = %q, want 3", got)
				}
			}},
		{"status after the work", fakeapi.Fault{Kind: fakeapi.FaultStatusAfterWork, Status: 503, RetryAfter: "2"}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, api *fakeapi.API) {
				wantError(t, r, 503, "Service Unavailable", "")
				if got := r.header.Get("Retry-After"); got != "2" {
					t.Errorf("Retry-After = %q, want 2", got)
				}
				if strings.Contains(string(r.body), cur.Raw) {
					t.Error("the failure answer carries the new key")
				}
				if api.Regenerated() != 1 {
					t.Errorf("Regenerated = %d, want 1", api.Regenerated())
				}
			}},
		{"status after the work defaults", fakeapi.Fault{Kind: fakeapi.FaultStatusAfterWork}, true,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 500, "Internal Server Error", "")
			}},
		{"status with message", fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 409, Message: "busy", Code: "CONFLICT"}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 409, "busy", "CONFLICT")
			}},
		{"rate limit seconds", fakeapi.Fault{Kind: fakeapi.FaultRateLimit, RetryAfter: "7"}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, api *fakeapi.API) {
				wantError(t, r, 429, "Too many requests", "")
				if got := r.header.Get("Retry-After"); got != "7" {
					t.Errorf("Retry-After = %q, want 7", got)
				}
				if api.RateLimited() != 1 {
					t.Errorf("RateLimited = %d, want 1", api.RateLimited())
				}
			}},
		{"rate limit date", fakeapi.Fault{Kind: fakeapi.FaultRateLimit, RetryAfter: httpDate}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 429, "Too many requests", "")
				if got := r.header.Get("Retry-After"); got != httpDate {
					t.Errorf("Retry-After = %q, want %q", got, httpDate)
				}
			}},
		{"rate limit without header", fakeapi.Fault{Kind: fakeapi.FaultRateLimit}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				wantError(t, r, 429, "Too many requests", "")
				if _, present := r.header["Retry-After"]; present {
					t.Error("Retry-After present")
				}
			}},
		{"drop after work", fakeapi.Fault{Kind: fakeapi.FaultDropAfterWork}, true,
			func(t *testing.T, _ result, err error, _ fakeapi.Key, _ *fakeapi.API) {
				if err == nil {
					t.Error("the answer was not lost")
				}
			}},
		{"drop before work", fakeapi.Fault{Kind: fakeapi.FaultDropBeforeWork}, false,
			func(t *testing.T, _ result, err error, _ fakeapi.Key, _ *fakeapi.API) {
				if err == nil {
					t.Error("the answer was not lost")
				}
			}},
		{"delay", fakeapi.Fault{Kind: fakeapi.FaultDelay, Delay: 20 * time.Millisecond}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, _ *fakeapi.API) {
				if r.status != 200 || object(t, r.body)["key"] != cur.Raw {
					t.Errorf("delayed answer: %d %s", r.status, r.body)
				}
			}},
		{"malformed JSON", fakeapi.Fault{Kind: fakeapi.FaultMalformedJSON}, true,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				if r.status != 200 || json.Valid(r.body) || len(r.body) == 0 {
					t.Errorf("answer %d %q, want 200 and a non-JSON body", r.status, r.body)
				}
			}},
		{"missing key", fakeapi.Fault{Kind: fakeapi.FaultMissingKey}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, _ *fakeapi.API) {
				m := object(t, r.body)
				if _, present := m["key"]; present || r.status != 200 {
					t.Errorf("answer %d %v still has a key", r.status, m)
				}
				if m["keyId"] != cur.ID || m["numberId"] != "wn_1" || m["keyLast4"] != cur.Last4 {
					t.Errorf("answer %v lost more than the key", m)
				}
			}},
		{"truncated body", fakeapi.Fault{Kind: fakeapi.FaultTruncatedBody}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, _ *fakeapi.API) {
				if r.status != 200 || json.Valid(r.body) {
					t.Errorf("answer %d %q, want 200 and cut JSON", r.status, r.body)
				}
				if !strings.HasPrefix(string(r.body), `{"numberId":"wn_1","keyId":"`+cur.ID+`"`) {
					t.Errorf("body %q is not the start of the real answer", r.body)
				}
				if strings.Contains(string(r.body), cur.Raw) {
					t.Errorf("body %q is not cut in half", r.body)
				}
			}},
		{"late work", fakeapi.Fault{Kind: fakeapi.FaultLateWork, Delay: 20 * time.Millisecond}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, _ *fakeapi.API) {
				if r.status != 200 || object(t, r.body)["key"] != cur.Raw {
					t.Errorf("late answer: %d %s", r.status, r.body)
				}
			}},
		{"late work after next, none comes", fakeapi.Fault{Kind: fakeapi.FaultLateWorkAfterNext, Delay: 20 * time.Millisecond}, true,
			func(t *testing.T, r result, _ error, cur fakeapi.Key, _ *fakeapi.API) {
				if r.status != 200 || object(t, r.body)["key"] != cur.Raw {
					t.Errorf("late answer: %d %s", r.status, r.body)
				}
			}},
		{"HTML error", fakeapi.Fault{Kind: fakeapi.FaultHTMLError}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<html>") {
					t.Errorf("answer %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
				}
			}},
		{"HTML error with a status", fakeapi.Fault{Kind: fakeapi.FaultHTMLError, Status: 503}, false,
			func(t *testing.T, r result, _ error, _ fakeapi.Key, _ *fakeapi.API) {
				if r.status != 503 || !strings.Contains(string(r.body), "503 Service Unavailable") || json.Valid(r.body) {
					t.Errorf("answer %d %q", r.status, r.body)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			old := currentKey(t, api, "wn_1")
			tt.fault.Endpoint = fakeapi.EndpointRegenerate
			api.AddFault(tt.fault)
			r, err := try(t.Context(), base, "POST", "/v1/api-keys", tenant(), `{"whatsappNumberId":"wn_1"}`)
			if err != nil && tt.fault.Kind != fakeapi.FaultDropAfterWork && tt.fault.Kind != fakeapi.FaultDropBeforeWork {
				t.Fatalf("transport error: %v", err)
			}
			cur := currentKey(t, api, "wn_1")
			if rotated := cur.Raw != old.Raw; rotated != tt.wantRotated {
				t.Fatalf("rotated = %v, want %v", rotated, tt.wantRotated)
			}
			if tt.wantRotated && alive(t, base, withKey(old.Raw)) {
				t.Error("the old key survived the work")
			}
			tt.check(t, r, err, cur, api)
			if got := api.Calls(fakeapi.EndpointRegenerate); got != 1 {
				t.Errorf("Calls = %d, want 1", got)
			}
			// The fault is spent: the next call behaves.
			if r := regenerate(t, base, "wn_1"); r.status != 200 || object(t, r.body)["key"] != currentKey(t, api, "wn_1").Raw {
				t.Errorf("after the fault: %d %s", r.status, r.body)
			}
		})
	}
}

// TestBodyFaultsKeepErrors shows that faults which alter a success body pass real errors through
// unchanged, and are spent by them.
func TestBodyFaultsKeepErrors(t *testing.T) {
	t.Parallel()
	for _, kind := range []fakeapi.FaultKind{fakeapi.FaultMalformedJSON, fakeapi.FaultMissingKey, fakeapi.FaultTruncatedBody} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: kind})
			wantError(t, regenerate(t, base, "wn_404"), 404, "Number not found", "NUMBER_NOT_FOUND")
			r := regenerate(t, base, "wn_1")
			if r.status != 200 || object(t, r.body)["key"] != currentKey(t, api, "wn_1").Raw {
				t.Errorf("second call still faulted: %d %s", r.status, r.body)
			}
		})
	}
}

func TestFaultsOnOtherEndpoints(t *testing.T) {
	t.Parallel()
	t.Run("missing keyId in the key list", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultMissingKey})
		r := do(t, base, "GET", "/v1/api-keys", tenant(), "")
		items := array(t, r.body)
		if r.status != 200 || len(items) != 3 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for _, it := range items {
			if _, present := it["keyId"]; present {
				t.Errorf("item %v has keyId", it["numberId"])
			}
		}
		if items[0]["key"] != currentKey(t, api, "wn_1").Raw {
			t.Error("the fault removed more than keyId")
		}
	})
	t.Run("missing key in the key list", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultMissingKey, Field: "key"})
		r := do(t, base, "GET", "/v1/api-keys", tenant(), "")
		items := array(t, r.body)
		if r.status != 200 || len(items) != 3 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for _, it := range items {
			if _, present := it["key"]; present {
				t.Errorf("item %v has key", it["numberId"])
			}
		}
		if cur := currentKey(t, api, "wn_1"); items[0]["keyId"] != cur.ID || items[0]["revealable"] != true {
			t.Error("the fault removed more than key")
		}
		if r := do(t, base, "GET", "/v1/api-keys", tenant(), ""); array(t, r.body)[0]["key"] != currentKey(t, api, "wn_1").Raw {
			t.Error("the fault outlived its one use")
		}
	})
	t.Run("missing keyId in a regeneration", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultMissingKey, Field: "keyId"})
		m := object(t, regenerate(t, base, "wn_1").body)
		if _, present := m["keyId"]; present || m["key"] != currentKey(t, api, "wn_1").Raw {
			t.Errorf("answer %v", m)
		}
	})
	t.Run("missing apiKeys in numbers", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListNumbers, Kind: fakeapi.FaultMissingKey})
		items := array(t, do(t, base, "GET", "/v1/numbers", tenant(), "").body)
		if len(items) != 3 {
			t.Fatalf("%d items, want 3", len(items))
		}
		for _, it := range items {
			if _, present := it["apiKeys"]; present {
				t.Errorf("item %v has apiKeys", it["id"])
			}
		}
		if items[0]["id"] != "wn_1" {
			t.Error("the fault removed more than apiKeys")
		}
		if api.Calls(fakeapi.EndpointListNumbers) != 1 {
			t.Error("not counted")
		}
	})
	t.Run("regenerate own key keeps 201", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerateSelf, Kind: fakeapi.FaultMissingKey})
		r := do(t, base, "POST", "/v1/api-keys/regenerate", tenant(), "")
		m := object(t, r.body)
		if _, present := m["key"]; r.status != 201 || present {
			t.Errorf("answer %d %v", r.status, m)
		}
		if api.TenantKey() == tenantKey || m["keyId"] != api.TenantKeyID() {
			t.Error("the tenant key was not rotated")
		}
	})
	t.Run("drop a list", func(t *testing.T) {
		t.Parallel()
		api, base, _ := fake(t, fakeapi.Options{})
		api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListNumbers, Kind: fakeapi.FaultDropBeforeWork})
		if _, err := try(t.Context(), base, "GET", "/v1/numbers", tenant(), ""); err == nil {
			t.Error("answer not lost")
		}
		if api.Calls(fakeapi.EndpointListNumbers) != 1 {
			t.Errorf("Calls = %d, want 1 (no transparent retry)", api.Calls(fakeapi.EndpointListNumbers))
		}
	})
}

func TestFaultQueue(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 503, Times: 2})
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultRateLimit})   // Times 0 means 1
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultHTMLError}) // another endpoint

	if r := do(t, base, "GET", "/v1/numbers", tenant(), ""); r.status != 200 {
		t.Fatalf("an unfaulted endpoint answered %d", r.status)
	}
	var got []int
	for range 4 {
		got = append(got, do(t, base, "GET", "/v1/api-keys", tenant(), "").status)
	}
	if want := []int{503, 503, 429, 200}; !slices.Equal(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	api.ClearFaults()
	if r := regenerate(t, base, "wn_1"); r.status != 200 {
		t.Fatalf("ClearFaults left a fault: %d", r.status)
	}
	defer func() {
		if recover() == nil {
			t.Error("AddFault with an unknown endpoint did not panic")
		}
	}()
	api.AddFault(fakeapi.Fault{Endpoint: "GET /v1/api-key", Kind: fakeapi.FaultStatus})
}

// TestFaultDelayEndsOnStop proves that stopping the server ends a pending delay at once, without
// doing the work.
func TestFaultDelayEndsOnStop(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
	base, stop := api.Start()
	t.Cleanup(stop)
	old := currentKey(t, api, "wn_1")
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDelay, Delay: time.Hour})
	errc := make(chan error, 1)
	go func() {
		_, err := try(t.Context(), base, "POST", "/v1/api-keys", tenant(), `{"whatsappNumberId":"wn_1"}`)
		errc <- err
	}()
	for api.Calls(fakeapi.EndpointRegenerate) == 0 {
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("stop is blocked by a delayed request")
	}
	if err := <-errc; err == nil {
		t.Error("the delayed request got an answer")
	}
	if currentKey(t, api, "wn_1") != old {
		t.Error("an abandoned delayed request did the work")
	}
}

// TestFaultDelayEndsWhenClientLeaves proves that a client that gives up ends a pending delay without
// the work, for a request with a body too.
func TestFaultDelayEndsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
	returned := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }()
		api.ServeHTTP(w, r)
	}))
	// Stopping the server ends the delay even when the test fails.
	base, stop := context.WithCancel(context.Background())
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	t.Cleanup(func() {
		stop()
		srv.Close()
	})
	old := currentKey(t, api, "wn_1")
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDelay, Delay: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for api.Calls(fakeapi.EndpointRegenerate) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := try(ctx, srv.URL, "POST", "/v1/api-keys", tenant(), `{"whatsappNumberId":"wn_1"}`); err == nil {
		t.Fatal("the delayed request got an answer")
	}
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("the delay goes on after the client left")
	}
	if currentKey(t, api, "wn_1") != old {
		t.Error("a request whose client left did the work")
	}
}

// TestFaultsWithoutHijacker drives the handler directly: a cancelled client ends a delay without the
// work, and connection drops fall back to http.ErrAbortHandler.
func TestFaultsWithoutHijacker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       fakeapi.Fault
		cancelled   bool
		wantRotated bool
	}{
		{"delay with cancelled client", fakeapi.Fault{Kind: fakeapi.FaultDelay, Delay: time.Hour}, true, false},
		{"drop before work", fakeapi.Fault{Kind: fakeapi.FaultDropBeforeWork}, false, false},
		{"drop after work", fakeapi.Fault{Kind: fakeapi.FaultDropAfterWork}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := fakeapi.New(fakeapi.Options{TenantKey: tenantKey, Numbers: seedNumbers})
			old := currentKey(t, api, "wn_1")
			tt.fault.Endpoint = fakeapi.EndpointRegenerate
			api.AddFault(tt.fault)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancelled {
				cancel()
			}
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, "POST", "/v1/api-keys", strings.NewReader(`{"whatsappNumberId":"wn_1"}`))
			req.Header.Set("x-api-key", tenantKey)
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				api.ServeHTTP(httptest.NewRecorder(), req)
			}()
			if err, _ := recovered.(error); !errors.Is(err, http.ErrAbortHandler) {
				t.Fatalf("recovered %v, want http.ErrAbortHandler", recovered)
			}
			if rotated := currentKey(t, api, "wn_1") != old; rotated != tt.wantRotated {
				t.Errorf("rotated = %v, want %v", rotated, tt.wantRotated)
			}
		})
	}
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	list := func() result { return do(t, base, "GET", "/v1/api-keys", tenant(), "") }
	wantLimited := func(r result, retryAfter string) {
		t.Helper()
		wantError(t, r, 429, "Too many requests", "")
		if got := r.header.Get("Retry-After"); got != retryAfter {
			t.Errorf("Retry-After = %q, want %q", got, retryAfter)
		}
	}

	api.SetRateLimit(1, 2)
	if first, second := list(), list(); first.status != 200 || second.status != 200 {
		t.Fatal("burst of 2 refused")
	}
	wantLimited(list(), "1")
	clock.Advance(500 * time.Millisecond)
	wantLimited(list(), "1") // half a token: rounded up to one second
	if r := do(t, base, "GET", "/_admin/calls", nil, ""); r.status != 200 {
		t.Errorf("admin request limited: %d", r.status)
	}
	clock.Advance(500 * time.Millisecond)
	if r := list(); r.status != 200 {
		t.Fatalf("token not refilled: %d", r.status)
	}
	if got := api.RateLimited(); got != 2 {
		t.Errorf("RateLimited = %d, want 2", got)
	}
	if got := api.Calls(fakeapi.EndpointListKeys); got != 5 {
		t.Errorf("Calls = %d, want 5 (limited requests count)", got)
	}

	// The bucket never holds more than burst; unknown paths are limited too.
	clock.Advance(time.Hour)
	if first, second := list(), list(); first.status != 200 || second.status != 200 {
		t.Fatal("burst refused after a long pause")
	}
	wantLimited(do(t, base, "GET", "/v1/nowhere", tenant(), ""), "1")

	// A limited request does not spend a queued fault.
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 503})
	wantLimited(list(), "1")
	clock.Advance(time.Second)
	wantError(t, list(), 503, "Service Unavailable", "")

	// Slow rates give longer waits.
	api.SetRateLimit(0.25, 1)
	list()
	wantLimited(list(), "4")

	// Padding: the wait rounded up to whole seconds, plus the padding.
	api.SetRetryAfterPadding(1)
	api.SetRateLimit(20, 1)
	list()
	wantLimited(list(), "2") // 50 ms: 1 s, plus 1
	api.SetRetryAfterPadding(0)

	// perSecond 0 switches the limiter off.
	api.SetRateLimit(0, 0)
	for range 10 {
		if r := list(); r.status != 200 {
			t.Fatalf("limiter still on: %d", r.status)
		}
	}

	var report map[string]int
	if err := json.Unmarshal(do(t, base, "GET", "/_admin/calls", nil, "").body, &report); err != nil {
		t.Fatal(err)
	}
	if report["rate_limited"] != api.RateLimited() || report["rate_limited"] != 6 {
		t.Errorf("admin rate_limited = %d, RateLimited = %d, want 6", report["rate_limited"], api.RateLimited())
	}
	api.ResetCalls()
	if api.RateLimited() != 0 {
		t.Error("ResetCalls kept the rate-limited count")
	}
}

// A fixed window allows limit requests per window, whatever their spacing, and answers 429 until
// the window ends; a new window starts with the next request after it. It replaces a bucket.
func TestFixedWindowLimit(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	list := func() result { return do(t, base, "GET", "/v1/api-keys", tenant(), "") }
	api.SetRateLimit(100, 100)
	api.SetFixedWindowLimit(3, 2*time.Second)
	for i := range 3 {
		if r := list(); r.status != 200 {
			t.Fatalf("request %d of a window of 3 refused: %d", i+1, r.status)
		}
		clock.Advance(100 * time.Millisecond)
	}
	r := list()
	wantError(t, r, 429, "Too many requests", "")
	if got := r.header.Get("Retry-After"); got != "2" { // 1.7s left, rounded up
		t.Errorf("Retry-After = %q, want 2", got)
	}
	clock.Advance(1700 * time.Millisecond) // the window has ended
	for i := range 3 {
		if r := list(); r.status != 200 {
			t.Fatalf("request %d of the next window refused: %d", i+1, r.status)
		}
	}
	if r := list(); r.status != 429 {
		t.Fatalf("a fourth request in the second window got %d", r.status)
	}
	if got := api.RateLimited(); got != 2 {
		t.Errorf("RateLimited = %d, want 2", got)
	}
	api.SetFixedWindowLimit(0, 0)
	for range 10 {
		if r := list(); r.status != 200 {
			t.Fatalf("limit still on: %d", r.status)
		}
	}
}
