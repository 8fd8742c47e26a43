package fakeapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	wn1 := currentKey(t, api, "wn_1")
	legacy := currentKey(t, api, "wn_3")
	tests := []struct {
		name    string
		method  string
		path    string
		headers auth
		body    string
		status  int
		message string
		code    string
	}{
		{"no header", "GET", "/v1/api-keys", nil, "", 401, "Unauthorized", ""},
		{"empty header", "GET", "/v1/api-keys", auth{"x-api-key": ""}, "", 401, "Unauthorized", ""},
		{"tenant raw key", "GET", "/v1/api-keys", tenant(), "", 200, "", ""},
		{"tenant key id", "GET", "/v1/numbers", withID(fakeapi.DefaultTenantKeyID), "", 200, "", ""},
		{"bearer is ignored", "GET", "/v1/api-keys", auth{"Authorization": "Bearer " + tenantKey}, "", 401, "Unauthorized", ""},
		{"unknown raw key", "GET", "/v1/api-keys", withKey("ps_nope"), "", 401, "Unauthorized", ""},
		{"unknown key id", "GET", "/v1/api-keys", withID("k_nope"), "", 401, "Unauthorized", ""},
		{"raw key wins over id", "GET", "/v1/api-keys", auth{"x-api-key": "ps_nope", "x-api-key-id": fakeapi.DefaultTenantKeyID}, "", 401, "Unauthorized", ""},
		{"number key lists keys", "GET", "/v1/api-keys", withKey(wn1.Raw), "", 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"number key id lists keys", "GET", "/v1/api-keys", withID(wn1.ID), "", 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"number key regenerates", "POST", "/v1/api-keys", withKey(wn1.Raw), `{"whatsappNumberId":"wn_2"}`, 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"number key lists numbers", "GET", "/v1/numbers", withKey(wn1.Raw), "", 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"number key id lists numbers", "GET", "/v1/numbers", withID(wn1.ID), "", 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"legacy key authenticates", "GET", "/v1/api-keys", withKey(legacy.Raw), "", 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
		{"auth checked before validation", "POST", "/v1/api-keys", nil, `not json`, 401, "Unauthorized", ""},
		{"scope checked before validation", "POST", "/v1/api-keys", withKey(wn1.Raw), `not json`, 403, "Number-scoped keys cannot call tenant endpoints", "NUMBER_SCOPE_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, base, tt.method, tt.path, tt.headers, tt.body)
			if tt.status == 200 {
				if r.status != 200 {
					t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
				}
				return
			}
			wantError(t, r, tt.status, tt.message, tt.code)
		})
	}
	// None of the calls above may rotate anything; cleanups run after the parallel subtests.
	wn2 := currentKey(t, api, "wn_2")
	t.Cleanup(func() {
		if currentKey(t, api, "wn_1") != wn1 || currentKey(t, api, "wn_2") != wn2 || api.TenantKey() != tenantKey {
			t.Error("a key changed during the auth tests")
		}
	})
}

func TestKeyDiesAfterRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rotate func(t *testing.T, api *fakeapi.API, base string, old fakeapi.Key)
	}{
		{"POST /v1/api-keys", func(t *testing.T, _ *fakeapi.API, base string, _ fakeapi.Key) {
			if r := regenerate(t, base, "wn_1"); r.status != 200 {
				t.Fatalf("regenerate: %d %s", r.status, r.body)
			}
		}},
		{"regenerate own key", func(t *testing.T, _ *fakeapi.API, base string, old fakeapi.Key) {
			if r := do(t, base, "POST", "/v1/api-keys/regenerate", withKey(old.Raw), ""); r.status != 201 {
				t.Fatalf("regenerate self: %d %s", r.status, r.body)
			}
		}},
		{"out of band", func(t *testing.T, api *fakeapi.API, _ string, _ fakeapi.Key) {
			if _, ok := api.RotateOutOfBand("wn_1"); !ok {
				t.Fatal("RotateOutOfBand: unknown number")
			}
		}},
		{"admin rotate", func(t *testing.T, _ *fakeapi.API, base string, _ fakeapi.Key) {
			if r := do(t, base, "POST", "/_admin/rotate?number=wn_1", nil, ""); r.status != 204 {
				t.Fatalf("admin rotate: %d %s", r.status, r.body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, base, _ := fake(t, fakeapi.Options{})
			old := currentKey(t, api, "wn_1")
			if !alive(t, base, withKey(old.Raw)) || !alive(t, base, withID(old.ID)) {
				t.Fatal("seeded key does not authenticate")
			}
			tt.rotate(t, api, base, old)
			cur := currentKey(t, api, "wn_1")
			if cur.Raw == old.Raw || cur.ID == old.ID {
				t.Fatalf("key not rotated: %v", cur.ID)
			}
			if alive(t, base, withKey(old.Raw)) {
				t.Error("old raw key still authenticates")
			}
			if alive(t, base, withID(old.ID)) {
				t.Error("old key id still authenticates")
			}
			if !alive(t, base, withKey(cur.Raw)) || !alive(t, base, withID(cur.ID)) {
				t.Error("new key does not authenticate")
			}
			if !cur.Revealable {
				t.Error("rotated key is not revealable")
			}
		})
	}
}

func TestRegenerateOwnTenantKey(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	r := do(t, base, "POST", "/v1/api-keys/regenerate", withID(fakeapi.DefaultTenantKeyID), "")
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201 (%s)", r.status, r.body)
	}
	m := object(t, r.body)
	raw, _ := m["key"].(string)
	if !rawKeyPattern.MatchString(raw) || raw != api.TenantKey() {
		t.Fatalf("key %q is not the new tenant key", raw)
	}
	if v, present := m["numberId"]; !present || v != nil {
		t.Errorf("numberId = %v (present %v), want null", v, present)
	}
	if m["scope"] != "tenant" || m["keyId"] != api.TenantKeyID() || m["id"] != m["keyId"] {
		t.Errorf("answer = %v", m)
	}
	if m["createdAt"] != clock.Now().Add(time.Millisecond).Format(timeLayout) {
		t.Errorf("createdAt = %v, want the seed's createdAt + 1ms with a frozen clock", m["createdAt"])
	}
	wantError(t, do(t, base, "GET", "/v1/numbers", tenant(), ""), 401, "Unauthorized", "")
	wantError(t, do(t, base, "GET", "/v1/numbers", withID(fakeapi.DefaultTenantKeyID), ""), 401, "Unauthorized", "")
	if r := do(t, base, "GET", "/v1/numbers", withKey(raw), ""); r.status != 200 {
		t.Fatalf("new tenant key: status %d", r.status)
	}
	if !slices.Contains(api.IssuedKeys(), raw) {
		t.Error("IssuedKeys misses the new tenant key")
	}
}

func TestRegenerateOwnNumberKey(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	old := currentKey(t, api, "wn_3") // legacy
	r := do(t, base, "POST", "/v1/api-keys/regenerate", withKey(old.Raw), "")
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201 (%s)", r.status, r.body)
	}
	m := object(t, r.body)
	cur := currentKey(t, api, "wn_3")
	if m["numberId"] != "wn_3" || m["key"] != cur.Raw || m["keyId"] != cur.ID || m["scope"] != "number" {
		t.Fatalf("answer = %v, current key id %s", m, cur.ID)
	}
	if !cur.Revealable {
		t.Error("regenerated legacy key is still not revealable")
	}
	if api.TenantKey() != tenantKey {
		t.Error("a number rotating its own key changed the tenant key")
	}
}

func TestListKeys(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	r := do(t, base, "GET", "/v1/api-keys", tenant(), "")
	if r.status != 200 {
		t.Fatalf("status = %d", r.status)
	}
	items := array(t, r.body)
	var ids []string
	for _, it := range items {
		id, _ := it["numberId"].(string)
		ids = append(ids, id)
	}
	if want := []string{"wn_1", "wn_2", "wn_3"}; !slices.Equal(ids, want) {
		t.Fatalf("numberIds = %v, want %v (sorted)", ids, want)
	}
	wantFields := []string{"numberId", "number", "displayName", "keyId", "keyLast4", "key", "revealable", "scope", "name"}
	for i, it := range items {
		id := ids[i]
		k := currentKey(t, api, id)
		if got := slices.Sorted(maps.Keys(it)); !slices.Equal(got, slices.Sorted(slices.Values(wantFields))) {
			t.Errorf("%s fields = %v, want %v", id, got, wantFields)
		}
		if it["keyId"] != k.ID || it["keyLast4"] != k.Last4 || it["scope"] != "number" || it["name"] != "default" {
			t.Errorf("%s item = %v", id, it)
		}
		if k.Last4 != k.Raw[len(k.Raw)-4:] {
			t.Errorf("%s Last4 %q is not the end of the key", id, k.Last4)
		}
	}
	if items[0]["key"] != currentKey(t, api, "wn_1").Raw || items[0]["revealable"] != true {
		t.Errorf("wn_1 key not revealed: %v", items[0])
	}
	if items[0]["number"] != "5511999990001" || items[0]["displayName"] != "Suporte" {
		t.Errorf("wn_1 number/displayName = %v/%v", items[0]["number"], items[0]["displayName"])
	}
	if v, present := items[2]["key"]; !present || v != nil || items[2]["revealable"] != false {
		t.Errorf("legacy wn_3: key = %v (present %v), revealable = %v; want null and false", v, present, items[2]["revealable"])
	}
	if strings.Contains(string(r.body), currentKey(t, api, "wn_3").Raw) {
		t.Error("the legacy key's value appears in the list")
	}
	if strings.Contains(string(r.body), tenantKey) {
		t.Error("the tenant key appears in the list")
	}

	// MakeLegacy hides a key that was revealable; regenerating reveals it again.
	if !api.MakeLegacy("wn_1") {
		t.Fatal("MakeLegacy(wn_1) = false")
	}
	items = array(t, do(t, base, "GET", "/v1/api-keys", tenant(), "").body)
	if items[0]["key"] != nil || items[0]["revealable"] != false {
		t.Errorf("after MakeLegacy: %v", items[0])
	}
	if !alive(t, base, withKey(currentKey(t, api, "wn_1").Raw)) {
		t.Error("MakeLegacy killed the key")
	}
	regenerate(t, base, "wn_3")
	items = array(t, do(t, base, "GET", "/v1/api-keys", tenant(), "").body)
	if items[2]["key"] != currentKey(t, api, "wn_3").Raw || items[2]["revealable"] != true {
		t.Errorf("legacy key not revealable after regeneration: %v", items[2])
	}
}

func TestListKeysEmptyTenant(t *testing.T) {
	t.Parallel()
	_, base, _ := fake(t, fakeapi.Options{Numbers: []fakeapi.Number{}})
	for _, path := range []string{"/v1/api-keys", "/v1/numbers"} {
		r := do(t, base, "GET", path, tenant(), "")
		if r.status != 200 || string(r.body) != "[]" {
			t.Errorf("GET %s = %d %s, want 200 []", path, r.status, r.body)
		}
	}
}

func TestRegenerateAnswer(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	old := currentKey(t, api, "wn_1")
	clock.Advance(time.Hour + 1500*time.Microsecond)
	r := regenerate(t, base, "wn_1")
	if r.status != 200 {
		t.Fatalf("status = %d (%s)", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	m := object(t, r.body)
	cur := currentKey(t, api, "wn_1")
	want := map[string]any{
		"numberId":  "wn_1",
		"keyId":     cur.ID,
		"keyPrefix": "ps_",
		"keyLast4":  cur.Last4,
		"key":       cur.Raw,
		"createdAt": "2026-06-28T11:00:00.001Z", // milliseconds, truncated, UTC
		"id":        cur.ID,
		"name":      "default",
		"scope":     "number",
	}
	if !maps.Equal(m, want) {
		t.Fatalf("answer = %v\nwant %v", m, want)
	}
	if !rawKeyPattern.MatchString(cur.Raw) || !keyIDPattern.MatchString(cur.ID) {
		t.Errorf("key %q / id %q do not have the documented shapes", cur.Raw, cur.ID)
	}
	if cur.Raw == old.Raw || cur.ID == old.ID {
		t.Error("regeneration kept the old key")
	}
	if got := cur.CreatedAt.Format(timeLayout); got != want["createdAt"] {
		t.Errorf("CurrentKey.CreatedAt = %s", got)
	}
	issued := api.IssuedKeys()
	if !slices.Contains(issued, old.Raw) || !slices.Contains(issued, cur.Raw) {
		t.Error("IssuedKeys misses the old or the new key")
	}
}

func TestRegenerateCreatedAtIncreases(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	seeded := currentKey(t, api, "wn_1").CreatedAt
	createdAt := func() time.Time {
		t.Helper()
		r := regenerate(t, base, "wn_1")
		s, ok := object(t, r.body)["createdAt"].(string)
		if !ok {
			t.Fatalf("createdAt is not a string: %s", r.body)
		}
		ts, err := time.Parse(timeLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	// Frozen clock: each regeneration is 1ms after the one before.
	first, second := createdAt(), createdAt()
	if !first.Equal(seeded.Add(time.Millisecond)) || !second.Equal(first.Add(time.Millisecond)) {
		t.Fatalf("frozen clock: %v, %v after seed %v", first, second, seeded)
	}
	// Clock moves on: createdAt follows it.
	clock.Advance(time.Minute)
	third := createdAt()
	if !third.Equal(clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("createdAt = %v, want the clock's %v", third, clock.Now())
	}
	// Clock goes backwards: still increasing.
	clock.Set(clock.Now().Add(-24 * time.Hour))
	if fourth := createdAt(); !fourth.Equal(third.Add(time.Millisecond)) {
		t.Fatalf("clock went back: createdAt = %v, want %v", fourth, third.Add(time.Millisecond))
	}
	// Other numbers keep their own sequence.
	if k := currentKey(t, api, "wn_2"); !k.CreatedAt.Equal(seeded) {
		t.Fatalf("wn_2's key createdAt = %v, want its seed time %v", k.CreatedAt, seeded)
	}
}

func TestRegenerateRejects(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	before := currentKey(t, api, "wn_1")
	invalid := []struct{ name, body string }{
		{"empty body", ""},
		{"whitespace", "  "},
		{"not JSON", "whatsappNumberId=wn_1"},
		{"null", "null"},
		{"array", `[{"whatsappNumberId":"wn_1"}]`},
		{"string", `"wn_1"`},
		{"number", `1`},
		{"empty object", `{}`},
		{"wrong field name", `{"numberId":"wn_1"}`},
		{"empty id", `{"whatsappNumberId":""}`},
		{"null id", `{"whatsappNumberId":null}`},
		{"number id", `{"whatsappNumberId":1}`},
		{"bool id", `{"whatsappNumberId":true}`},
		{"array id", `{"whatsappNumberId":["wn_1"]}`},
		{"object id", `{"whatsappNumberId":{"id":"wn_1"}}`},
		{"trailing garbage", `{"whatsappNumberId":"wn_1"} x`},
		{"truncated", `{"whatsappNumberId":"wn_1"`},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, base, "POST", "/v1/api-keys", tenant(), tt.body)
			wantError(t, r, 400, "Validation error", "VALIDATION_ERROR")
		})
	}
	t.Run("unknown number", func(t *testing.T) {
		t.Parallel()
		wantError(t, regenerate(t, base, "wn_404"), 404, "Number not found", "NUMBER_NOT_FOUND")
	})
	t.Run("case matters", func(t *testing.T) {
		t.Parallel()
		wantError(t, regenerate(t, base, "WN_1"), 404, "Number not found", "NUMBER_NOT_FOUND")
	})
	t.Cleanup(func() {
		if after := currentKey(t, api, "wn_1"); after.Raw != before.Raw {
			t.Error("a rejected regeneration rotated wn_1")
		}
	})
}

func TestRegenerateToleratesExtraFields(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	before := currentKey(t, api, "wn_2")
	r := do(t, base, "POST", "/v1/api-keys", tenant(), `{"whatsappNumberId":"wn_2","name":"x","extra":[1]}`)
	if r.status != 200 || object(t, r.body)["numberId"] != "wn_2" {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	if currentKey(t, api, "wn_2").Raw == before.Raw {
		t.Error("key not rotated")
	}
}

func TestSeedingAndAccessors(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(fakeapi.Options{})
	if !rawKeyPattern.MatchString(api.TenantKey()) || api.TenantKeyID() != "k_tenant" {
		t.Fatalf("defaults: key %q id %q", api.TenantKey(), api.TenantKeyID())
	}
	if other := fakeapi.New(fakeapi.Options{}); other.TenantKey() == api.TenantKey() {
		t.Fatal("two fakes share a random tenant key")
	}
	custom := fakeapi.New(fakeapi.Options{TenantKey: "ps_custom", TenantKeyID: "k_custom"})
	if custom.TenantKey() != "ps_custom" || custom.TenantKeyID() != "k_custom" {
		t.Fatal("custom tenant key ignored")
	}

	k := api.AddNumber(fakeapi.Number{ID: "wn_9", Legacy: true})
	if k.Revealable || !rawKeyPattern.MatchString(k.Raw) || !keyIDPattern.MatchString(k.ID) || k.Last4 != k.Raw[39:] {
		t.Fatalf("AddNumber legacy key = %+v", k)
	}
	if cur, ok := api.CurrentKey("wn_9"); !ok || cur != k {
		t.Fatalf("CurrentKey = %+v, %v; want %+v", cur, ok, k)
	}
	again := api.AddNumber(fakeapi.Number{ID: "wn_9", Name: "Renamed"})
	if again.Raw == k.Raw || !again.Revealable {
		t.Fatal("re-adding a number did not issue a new revealable key")
	}
	rotated, ok := api.RotateOutOfBand("wn_9")
	if !ok || rotated.Raw == again.Raw || !rotated.Revealable || !rotated.CreatedAt.After(again.CreatedAt) {
		t.Fatalf("RotateOutOfBand = %+v, %v", rotated, ok)
	}
	if want := []string{api.TenantKey(), k.Raw, again.Raw, rotated.Raw}; !slices.Equal(api.IssuedKeys(), want) {
		t.Fatalf("IssuedKeys = %q, want %q", api.IssuedKeys(), want)
	}
	if !api.RemoveNumber("wn_9") || api.RemoveNumber("wn_9") {
		t.Fatal("RemoveNumber did not report existence")
	}
	if _, ok := api.CurrentKey("wn_9"); ok {
		t.Fatal("CurrentKey found a removed number")
	}
	if _, ok := api.RotateOutOfBand("wn_9"); ok || api.MakeLegacy("wn_9") {
		t.Fatal("operations on an unknown number reported success")
	}
	if len(api.IssuedKeys()) != 4 {
		t.Fatal("IssuedKeys forgot keys of a removed number")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("AddNumber with an empty ID did not panic")
			}
		}()
		api.AddNumber(fakeapi.Number{})
	}()
}

// TestConcurrency hammers the fake from many goroutines (run with -race) and then checks that
// the state is consistent: one live key per number, the newest one issued, all others dead.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	api, base, clock := fake(t, fakeapi.Options{})
	ids := []string{"wn_1", "wn_2", "wn_3"}
	const workers, rounds = 24, 12

	type issued struct{ key, createdAt string }
	var mu sync.Mutex
	byNumber := map[string][]issued{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				id := ids[(w+i)%len(ids)]
				switch (w + i) % 4 {
				case 0, 1:
					r, err := try(t.Context(), base, "POST", "/v1/api-keys", tenant(), fmt.Sprintf(`{"whatsappNumberId":%q}`, id))
					var ans struct{ Key, CreatedAt string }
					if err == nil {
						err = json.Unmarshal(r.body, &ans)
					}
					if err != nil || r.status != 200 {
						t.Errorf("regenerate %s: %d %v", id, r.status, err)
						continue
					}
					mu.Lock()
					byNumber[id] = append(byNumber[id], issued{ans.Key, ans.CreatedAt})
					mu.Unlock()
				case 2, 3:
					path := "/v1/api-keys"
					if (w+i)%4 == 3 {
						path = "/v1/numbers"
						clock.Advance(300 * time.Microsecond)
					}
					r, err := try(t.Context(), base, "GET", path, tenant(), "")
					var items []map[string]any
					if err == nil {
						err = json.Unmarshal(r.body, &items)
					}
					if err != nil || r.status != 200 || len(items) != len(ids) {
						t.Errorf("GET %s: %d %v, %d items", path, r.status, err, len(items))
					}
				}
			}
		})
	}
	wg.Wait()

	total := 0
	list := array(t, do(t, base, "GET", "/v1/api-keys", tenant(), "").body)
	for i, id := range ids {
		got := byNumber[id]
		total += len(got)
		seen := map[string]bool{}
		newest := issued{}
		for _, is := range got {
			if seen[is.createdAt] {
				t.Errorf("%s: createdAt %s issued twice", id, is.createdAt)
			}
			seen[is.createdAt] = true
			if is.createdAt > newest.createdAt { // fixed-width format: string order is time order
				newest = is
			}
		}
		cur := currentKey(t, api, id)
		if cur.Raw != newest.key || cur.CreatedAt.Format(timeLayout) != newest.createdAt {
			t.Errorf("%s: the live key is not the one with the newest createdAt", id)
		}
		if list[i]["key"] != cur.Raw {
			t.Errorf("%s: list shows %v, current key differs", id, list[i]["key"])
		}
		for _, is := range got {
			if is.key != cur.Raw && alive(t, base, withKey(is.key)) {
				t.Errorf("%s: a superseded key still authenticates", id)
			}
		}
	}
	if want := workers * rounds / 2; total != want {
		t.Errorf("%d regenerations answered, want %d", total, want)
	}
	if got := api.Calls(fakeapi.EndpointRegenerate); got != workers*rounds/2 {
		t.Errorf("Calls(regenerate) = %d, want %d", got, workers*rounds/2)
	}
	if got := len(api.IssuedKeys()); got != 1+len(seedNumbers)+total {
		t.Errorf("IssuedKeys has %d keys, want %d", got, 1+len(seedNumbers)+total)
	}
}
