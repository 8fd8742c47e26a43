package fakeapi_test

import (
	"slices"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// TestIssuedKeyIDs: every key id ever issued (the tenant's, the seeds', one made by a regeneration
// through the API, one by the tenant's self-regeneration, one out of band, and a removed number's)
// is listed in issue order, parallel to IssuedKeys.
func TestIssuedKeyIDs(t *testing.T) {
	t.Parallel()
	api, base, _ := fake(t, fakeapi.Options{})
	want := []string{fakeapi.DefaultTenantKeyID}
	for _, n := range seedNumbers {
		want = append(want, currentKey(t, api, n.ID).ID)
	}
	if got := api.IssuedKeyIDs(); !slices.Equal(got, want) {
		t.Fatalf("after seeding, IssuedKeyIDs = %q, want %q", got, want)
	}

	if r := regenerate(t, base, "wn_1"); r.status != 200 {
		t.Fatalf("regenerate: %d %s", r.status, r.body)
	}
	want = append(want, currentKey(t, api, "wn_1").ID)
	if r := do(t, base, "POST", "/v1/api-keys/regenerate", tenant(), ""); r.status != 201 {
		t.Fatalf("regenerate self: %d %s", r.status, r.body)
	}
	want = append(want, api.TenantKeyID())
	rotated, ok := api.RotateOutOfBand("wn_2")
	if !ok {
		t.Fatal("RotateOutOfBand: unknown number")
	}
	want = append(want, rotated.ID)
	if !api.RemoveNumber("wn_2") {
		t.Fatal("RemoveNumber: unknown number")
	}

	got := api.IssuedKeyIDs()
	if !slices.Equal(got, want) {
		t.Fatalf("IssuedKeyIDs = %q, want %q", got, want)
	}
	if n := len(api.IssuedKeys()); n != len(got) {
		t.Fatalf("IssuedKeys has %d keys, IssuedKeyIDs %d ids; they must be parallel", n, len(got))
	}
	// The answer is a copy.
	got[0] = "changed"
	if api.IssuedKeyIDs()[0] != fakeapi.DefaultTenantKeyID {
		t.Fatal("IssuedKeyIDs returned its own slice")
	}
}
