package provider

import "testing"

func TestClaimSet(t *testing.T) {
	t.Parallel()
	s := newClaimSet()
	if !s.claim("wn_1") {
		t.Fatal("first claim refused")
	}
	if s.claim("wn_1") {
		t.Error("second claim of the same number accepted")
	}
	if !s.claim("wn_2") {
		t.Error("claim of another number refused")
	}
}
