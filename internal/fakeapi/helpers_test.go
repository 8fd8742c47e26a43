package fakeapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

var (
	rawKeyPattern = regexp.MustCompile(`^ps_[A-Za-z0-9]{40}$`)
	keyIDPattern  = regexp.MustCompile(`^k_[a-z0-9]{16}$`)
)

const timeLayout = "2006-01-02T15:04:05.000Z"

// clockStart is where the clock of fake starts.
var clockStart = time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC)

// seedNumbers is the default tenant of the tests.
var seedNumbers = []fakeapi.Number{
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_3", Number: "5511999990003", Name: "Antigo", Legacy: true, Provider: "META", State: "CONNECTING"},
}

const tenantKey = "ps_tenantTENANTtenantTENANTtenantTENANT0001"

// fake starts a fake API with the default tenant (unless opts has numbers) and a test clock.
func fake(t *testing.T, opts fakeapi.Options) (*fakeapi.API, string, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.New(clockStart)
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.TenantKey == "" {
		opts.TenantKey = tenantKey
	}
	if opts.Numbers == nil {
		opts.Numbers = seedNumbers
	}
	api := fakeapi.New(opts)
	base, stop := api.Start()
	t.Cleanup(stop)
	return api, base, clock
}

// client never reuses connections, so the Go transport never silently retries a request whose
// connection the fake dropped.
var client = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true},
	Timeout:   30 * time.Second,
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// auth is a set of request headers.
type auth map[string]string

func tenant() auth            { return auth{"x-api-key": tenantKey} }
func withKey(raw string) auth { return auth{"x-api-key": raw} }
func withID(id string) auth   { return auth{"x-api-key-id": id} }

// try sends a request and returns the answer or the transport error.
func try(ctx context.Context, base, method, path string, h auth, body string) (result, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return result{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{}, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return result{}, err
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// do sends a request that must get an answer.
func do(t *testing.T, base, method, path string, h auth, body string) result {
	t.Helper()
	r, err := try(t.Context(), base, method, path, h, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// regenerate calls POST /v1/api-keys for id with the tenant key.
func regenerate(t *testing.T, base, id string) result {
	t.Helper()
	return do(t, base, http.MethodPost, "/v1/api-keys", tenant(), fmt.Sprintf(`{"whatsappNumberId":%q}`, id))
}

func object(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", b, err)
	}
	return m
}

func array(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var a []map[string]any
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("body %q is not a JSON array of objects: %v", b, err)
	}
	return a
}

// wantError asserts an exact error answer; code "" means the field must be absent.
func wantError(t *testing.T, r result, status int, message, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	want := map[string]any{"error": message}
	if code != "" {
		want["code"] = code
	}
	if got := object(t, r.body); !maps.Equal(got, want) {
		t.Fatalf("body = %v, want %v", got, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
}

// alive reports whether a number key still authenticates: a live number key gets 403 on a tenant
// endpoint, a dead one 401.
func alive(t *testing.T, base string, h auth) bool {
	t.Helper()
	r := do(t, base, http.MethodGet, "/v1/api-keys", h, "")
	switch r.status {
	case http.StatusForbidden, http.StatusOK:
		return true
	case http.StatusUnauthorized:
		return false
	}
	t.Fatalf("unexpected status %d probing a key", r.status)
	return false
}

func currentKey(t *testing.T, api *fakeapi.API, id string) fakeapi.Key {
	t.Helper()
	k, ok := api.CurrentKey(id)
	if !ok {
		t.Fatalf("CurrentKey(%q): no such number", id)
	}
	return k
}
