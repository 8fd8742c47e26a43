package provider

import (
	"context"
	"reflect"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The private state of a pilotstatus_number_api_key: what the provider tells itself between
// operations, never shown and never a credential. Each key holds a JSON value (Terraform requires
// one): a quoted string, or true.
const (
	// privateImported marks an object that came from an import and has not recorded keepers yet.
	privateImported = "imported"
	// privateExternalRotation marks a key that the refresh found regenerated outside Terraform; it
	// holds the last four characters of the number's current key (never a key id: that is a
	// credential).
	privateExternalRotation = "external_rotation"
	// privatePlanned marks an object planned by this provider configuration, so that the create
	// half of its replacement is not taken for a second resource of the same number. Plans only.
	privatePlanned = "planned"
	// privateIntent holds the plan's action (decide), which Update carries out: keep, store or
	// adopt. Plans only.
	privateIntent = "intent"
)

// privateData is the part of the framework's private state the resource uses: a plan's, a
// refresh's or an apply's.
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// absent reports whether p holds no private state at all: a nil pointer, as requests built outside
// Terraform (unit tests) carry.
func absent(p privateData) bool {
	return p == nil || reflect.ValueOf(p).IsNil()
}

// getPrivate returns the value of key, nil when unset.
func getPrivate(ctx context.Context, p privateData, key string, diags *diag.Diagnostics) []byte {
	if absent(p) {
		return nil
	}
	v, d := p.GetKey(ctx, key)
	diags.Append(d...)
	return v
}

// setPrivate sets key to value, or removes it when value is nil; absent private state is left
// alone.
func setPrivate(ctx context.Context, p privateData, key string, value []byte, diags *diag.Diagnostics) {
	if absent(p) {
		return
	}
	diags.Append(p.SetKey(ctx, key, value)...)
}

// unquote reads a private-state string, written with strconv.Quote (a JSON string); "" when it is
// not one.
func unquote(b []byte) string {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return ""
	}
	return s
}
