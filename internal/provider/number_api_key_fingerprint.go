package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// fingerprintPrefix starts every key_fingerprint.
const fingerprintPrefix = "sha256:"

// fingerprintPattern is the form of a key_fingerprint.
var fingerprintPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// keyFingerprint is the one-way fingerprint of a raw key: "sha256:" and the hex SHA-256 of the
// key. A raw key is long and random, so its hash cannot be turned back into it. Only the raw key is
// ever fingerprinted, never a key id: a key id is a short credential that a hash would not protect.
func keyFingerprint(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return fingerprintPrefix + hex.EncodeToString(sum[:])
}

// listedFingerprint is the fingerprint of the number's current key, null when the list does not
// reveal it.
func listedFingerprint(k pilotstatus.NumberKey) types.String {
	if !k.Revealed() {
		return types.StringNull()
	}
	return types.StringValue(keyFingerprint(k.Key))
}

// storesKey reports whether the object keeps the key and its id in state: store_key is true, or
// not known yet (a plan then leaves the credentials unknown, which covers both outcomes).
func storesKey(store types.Bool) bool {
	return store.IsUnknown() || store.ValueBool()
}

// isKnown reports whether v holds a value.
func isKnown(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

// isStateKey reports whether the number's current key, as the key list has it, is the key in
// state. It compares what state holds: the key id when the key is stored; otherwise the
// fingerprint of the raw key; and for a legacy key the API never revealed (kept without its id,
// so without either), that the current key is still unrevealable with the same last four
// characters: a regeneration always makes a revealable key, so a legacy key that is gone never
// comes back.
func isStateKey(m numberAPIKeyModel, current pilotstatus.NumberKey) bool {
	switch {
	case isKnown(m.KeyID):
		return current.KeyID == m.KeyID.ValueString()
	case isKnown(m.KeyFingerprint):
		return current.Revealed() && keyFingerprint(current.Key) == m.KeyFingerprint.ValueString()
	default:
		return !current.Revealable && current.KeyLast4 == m.KeyLast4.ValueString()
	}
}

// listTellsKey reports whether the list says enough to tell whether the current key is the key in
// state: without a key id in state, a key marked revealable must come with its value.
func listTellsKey(m numberAPIKeyModel, current pilotstatus.NumberKey) bool {
	return isKnown(m.KeyID) || !current.Revealable || current.Revealed()
}
