package fakeapi

import (
	"crypto/rand"
	"time"
)

// Key formats, from the docs: raw keys are "ps_" plus random characters, key ids "k_...".
const (
	keyPrefix     = "ps_"
	keyIDPrefix   = "k_"
	rawKeyLength  = 40
	keyIDLength   = 16
	rawAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	keyIDAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// owner is whom a key belongs to: the tenant, or one number.
type owner struct {
	tenant   bool
	numberID string
}

// numberRecord is a seeded number with its current key.
type numberRecord struct {
	Number
	key       Key
	createdAt time.Time
	updatedAt time.Time
}

// randomString returns n characters drawn uniformly from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	// Reject bytes at or above the largest multiple of len(alphabet) so every character is
	// equally likely.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails since Go 1.24
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// last4 returns the last four characters of a key (all of it when shorter).
func last4(raw string) string {
	if len(raw) <= 4 {
		return raw
	}
	return raw[len(raw)-4:]
}

// newRawLocked returns a raw key that no current key uses.
func (a *API) newRawLocked() string {
	for {
		raw := keyPrefix + randomString(rawAlphabet, rawKeyLength)
		if _, taken := a.owners[raw]; !taken {
			return raw
		}
	}
}

// newKeyIDLocked returns a key id that no current key uses.
func (a *API) newKeyIDLocked() string {
	for {
		id := keyIDPrefix + randomString(keyIDAlphabet, keyIDLength)
		if _, taken := a.ownersByID[id]; !taken {
			return id
		}
	}
}

// nextCreatedLocked returns the clock's time in UTC at millisecond precision, or prev plus one
// millisecond when the clock has not moved past prev, so that createdAt strictly increases.
func (a *API) nextCreatedLocked(prev time.Time) time.Time {
	t := a.now().UTC().Truncate(time.Millisecond)
	if !t.After(prev) {
		t = prev.Add(time.Millisecond)
	}
	return t
}

// issueLocked creates a new key whose createdAt follows prev.
func (a *API) issueLocked(prev time.Time, revealable bool) Key {
	raw := a.newRawLocked()
	return Key{
		ID:         a.newKeyIDLocked(),
		Raw:        raw,
		Last4:      last4(raw),
		CreatedAt:  a.nextCreatedLocked(prev),
		Revealable: revealable,
	}
}

// setTenantKeyLocked makes k the tenant key; the previous tenant key stops working.
func (a *API) setTenantKeyLocked(k Key) {
	delete(a.owners, a.tenant.Raw)
	delete(a.ownersByID, a.tenant.ID)
	a.tenant = k
	a.owners[k.Raw] = owner{tenant: true}
	a.ownersByID[k.ID] = owner{tenant: true}
	a.issued = append(a.issued, k.Raw)
	a.issuedIDs = append(a.issuedIDs, k.ID)
}

// rotateTenantLocked issues a new tenant key.
func (a *API) rotateTenantLocked() Key {
	k := a.issueLocked(a.tenant.CreatedAt, true)
	a.setTenantKeyLocked(k)
	return k
}

// rotateNumberLocked issues rec a new key; its previous key stops working at once.
func (a *API) rotateNumberLocked(rec *numberRecord, revealable bool) Key {
	k := a.issueLocked(a.lastCreated[rec.ID], revealable)
	if rec.key.Raw != "" {
		delete(a.owners, rec.key.Raw)
		delete(a.ownersByID, rec.key.ID)
	}
	rec.key = k
	rec.updatedAt = k.CreatedAt
	a.lastCreated[rec.ID] = k.CreatedAt
	a.owners[k.Raw] = owner{numberID: rec.ID}
	a.ownersByID[k.ID] = owner{numberID: rec.ID}
	a.issued = append(a.issued, k.Raw)
	a.issuedIDs = append(a.issuedIDs, k.ID)
	return k
}
