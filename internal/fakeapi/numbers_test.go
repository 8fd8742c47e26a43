package fakeapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

func TestNumbers(t *testing.T) {
	t.Parallel()
	odd := []string{"a/b", "50%", "with space", "número-ü", "wa_abc?x=1", "#frag", "num_01HZX"}
	numbers := append([]fakeapi.Number(nil), seedNumbers...)
	for i, id := range odd {
		numbers = append(numbers, fakeapi.Number{ID: id, Number: fmt.Sprintf("55110000%05d", i), Name: "Odd " + id})
	}
	api, base, clock := fake(t, fakeapi.Options{Numbers: numbers})

	r := do(t, base, "GET", "/v1/numbers", tenant(), "")
	if r.status != 200 {
		t.Fatalf("status = %d", r.status)
	}
	items := array(t, r.body)
	var ids []string
	for _, it := range items {
		id, ok := it["id"].(string)
		if !ok {
			t.Fatalf("id is not a string: %v", it)
		}
		ids = append(ids, id)
	}
	wantIDs := append([]string{"wn_1", "wn_2", "wn_3"}, odd...)
	slices.Sort(wantIDs)
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("ids = %q, want %q", ids, wantIDs)
	}
	for _, raw := range api.IssuedKeys() {
		if strings.Contains(string(r.body), raw) {
			t.Fatal("GET /v1/numbers leaks a key value")
		}
	}

	created := clock.Now().Format(timeLayout)
	tests := []struct {
		id   string
		want map[string]any
	}{
		{"wn_1", map[string]any{
			"id": "wn_1", "instanceName": "inst_wn_1", "number": "5511999990001", "name": "Suporte",
			"provider": "PILOT_STATUS", "state": "OPEN", "isFullyConnected": true,
			"apiKeys":   []any{map[string]any{"name": "default", "keyPrefix": "ps_", "keyLast4": currentKey(t, api, "wn_1").Last4}},
			"createdAt": created, "updatedAt": currentKey(t, api, "wn_1").CreatedAt.Format(timeLayout),
		}},
		{"wn_3", map[string]any{
			"id": "wn_3", "instanceName": "inst_wn_3", "number": "5511999990003", "name": "Antigo",
			"provider": "META", "state": "CONNECTING", "isFullyConnected": false,
			"apiKeys":   []any{map[string]any{"name": "default", "keyPrefix": "ps_", "keyLast4": currentKey(t, api, "wn_3").Last4}},
			"createdAt": created, "updatedAt": currentKey(t, api, "wn_3").CreatedAt.Format(timeLayout),
		}},
	}
	for _, tt := range tests {
		if got := items[slices.Index(ids, tt.id)]; fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("list item %s = %v\nwant %v", tt.id, got, tt.want)
		}
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/nope", 404, ""},
		{"GET", "/", 404, ""},
		{"GET", "/v1/api-keys/", 404, ""},
		{"GET", "/v2/api-keys", 404, ""},
		{"DELETE", "/v1/api-keys", 405, "GET, POST"},
		{"PUT", "/v1/api-keys", 405, "GET, POST"},
		{"GET", "/v1/api-keys/regenerate", 405, "POST"},
		{"POST", "/v1/numbers", 405, "GET"},
		// A single number is not served: its path is unknown, whatever the method and the id.
		{"GET", "/v1/numbers/wn_1", 404, ""},
		{"DELETE", "/v1/numbers/wn_1", 404, ""},
		{"GET", "/v1/numbers/wn_404", 404, ""},
		{"GET", "/v1/numbers/a%2Fb", 404, ""},
		{"GET", "/v1/numbers/a/b", 404, ""},
		{"GET", "/v1/numbers/", 404, ""},
	}
	for _, tt := range tests {
		r := do(t, base, tt.method, tt.path, tenant(), "")
		if tt.status == 404 {
			wantError(t, r, 404, "Not found", "")
			continue
		}
		wantError(t, r, 405, "Method not allowed", "")
		if got := r.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
	if api.TotalCalls() != len(tests) {
		t.Errorf("TotalCalls = %d, want %d (rejected requests count)", api.TotalCalls(), len(tests))
	}
	if api.Calls(fakeapi.EndpointListKeys)+api.Calls(fakeapi.EndpointRegenerate)+api.Calls(fakeapi.EndpointListNumbers) != 0 {
		t.Error("a rejected request was counted against an endpoint")
	}
}

func TestCallCounting(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	wn1 := currentKey(t, api, "wn_1")
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListNumbers, Kind: fakeapi.FaultStatus, Status: 503})

	do(t, base, "GET", "/v1/api-keys", tenant(), "")
	do(t, base, "GET", "/v1/api-keys", nil, "")              // 401
	do(t, base, "GET", "/v1/api-keys", withKey(wn1.Raw), "") // 403
	regenerate(t, base, "wn_1")
	do(t, base, "POST", "/v1/api-keys", tenant(), "{}") // 400
	do(t, base, "POST", "/v1/api-keys/regenerate", tenant(), "")
	do(t, base, "GET", "/v1/numbers", tenant(), "") // faulted
	do(t, base, "GET", "/v1/numbers", tenant(), "")
	do(t, base, "GET", "/v1/numbers/wn_1", nil, "")  // unknown path
	do(t, base, "GET", "/v1/numbers/a%2Fb", nil, "") // unknown path
	do(t, base, "GET", "/v1/nowhere", nil, "")
	api.RotateOutOfBand("wn_2")                  // not an API call
	do(t, base, "GET", "/_admin/calls", nil, "") // not counted

	want := map[string]int{
		fakeapi.EndpointListKeys:       3,
		fakeapi.EndpointRegenerate:     2,
		fakeapi.EndpointRegenerateSelf: 1,
		fakeapi.EndpointListNumbers:    2,
		"GET /v1/nowhere":              0,
	}
	for e, n := range want {
		if got := api.Calls(e); got != n {
			t.Errorf("Calls(%q) = %d, want %d", e, got, n)
		}
	}
	if got := api.TotalCalls(); got != 11 {
		t.Errorf("TotalCalls = %d, want 11", got)
	}
	report := map[string]int{}
	if err := json.Unmarshal(do(t, base, "GET", "/_admin/calls", nil, "").body, &report); err != nil {
		t.Fatal(err)
	}
	wantReport := map[string]int{
		fakeapi.EndpointListKeys: 3, fakeapi.EndpointRegenerate: 2, fakeapi.EndpointRegenerateSelf: 1,
		fakeapi.EndpointListNumbers: 2, "total": 11, "rate_limited": 0, "regenerated": 1,
	}
	if !maps.Equal(report, wantReport) {
		t.Errorf("admin calls = %v, want %v", report, wantReport)
	}
	api.ResetCalls()
	if api.TotalCalls() != 0 || api.Calls(fakeapi.EndpointListKeys) != 0 || api.Regenerated() != 0 {
		t.Error("ResetCalls left counts behind")
	}
}

func TestAdmin(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{Numbers: append([]fakeapi.Number{{ID: "x/y"}}, seedNumbers...)})
	do(t, base, "GET", "/v1/numbers", tenant(), "")

	if r := do(t, base, "POST", "/_admin/reset-calls", nil, ""); r.status != 204 || api.TotalCalls() != 0 {
		t.Fatalf("reset-calls: %d, total %d", r.status, api.TotalCalls())
	}

	old := currentKey(t, api, "wn_1")
	r := do(t, base, "POST", "/_admin/rotate?number=wn_1", nil, "")
	cur := currentKey(t, api, "wn_1")
	if r.status != 204 || len(r.body) != 0 || cur.Raw == old.Raw {
		t.Fatalf("rotate: %d %q, rotated %v", r.status, r.body, cur.Raw != old.Raw)
	}
	wantError(t, do(t, base, "POST", "/_admin/rotate?number=wn_404", nil, ""), 404, "Number not found", "NUMBER_NOT_FOUND")
	wantError(t, do(t, base, "POST", "/_admin/rotate", nil, ""), 400, "Validation error", "VALIDATION_ERROR")
	wantError(t, do(t, base, "GET", "/_admin/rotate?number=wn_1", nil, ""), 405, "Method not allowed", "")

	if r := do(t, base, "DELETE", "/_admin/numbers/x%2Fy", nil, ""); r.status != 204 {
		t.Fatalf("delete x/y: %d %s", r.status, r.body)
	}
	wantError(t, regenerate(t, base, "x/y"), 404, "Number not found", "NUMBER_NOT_FOUND")
	wantError(t, do(t, base, "DELETE", "/_admin/numbers/x%2Fy", nil, ""), 404, "Number not found", "NUMBER_NOT_FOUND")
	if r := do(t, base, "DELETE", "/_admin/numbers/wn_1", nil, ""); r.status != 204 {
		t.Fatalf("delete wn_1: %d", r.status)
	}
	if alive(t, base, withKey(cur.Raw)) {
		t.Error("a removed number's key still authenticates")
	}
	wantError(t, do(t, base, "GET", "/_admin/nope", nil, ""), 404, "Not found", "")
	if api.TotalCalls() != 2 { // the regeneration of x/y and the alive probe
		t.Errorf("admin calls were counted: total %d", api.TotalCalls())
	}
}
