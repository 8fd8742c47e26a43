package pilotstatus

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// keyList is a Client's one record of the key list (GET /v1/api-keys). A caller asks for a list
// read that started at or after a moment: the zero time for any (the run's list, read once and
// shared), the moment of an answer for a read the answer cannot have preceded (the settle watch,
// the confirmation, the look after the API's failure). One read in flight serves every caller it
// is fresh enough for; a read that failed is not kept. The keys this Client regenerated are laid
// over every read that started before their answer came, so a list read before a regeneration
// never hides it.
type keyList struct {
	mu       sync.Mutex
	last     *listRead // the newest read that succeeded
	inflight *listRead // the newest read in flight
	made     map[string]madeKey
}

// listRead is one GET /v1/api-keys.
type listRead struct {
	start    time.Time
	done     chan struct{}
	keys     []NumberKey
	byNumber map[string]int // index into keys; a number listed twice keeps its first entry
	err      error
}

// madeKey is a key the Client regenerated, and when its answer came.
type madeKey struct {
	key NumberKey
	at  time.Time
}

// read returns a list read that started at or after since, and when it started. It reuses the
// last read or joins the one in flight when they are fresh enough, and otherwise reads with fetch.
// A read that a caller's cancelled context ended is not shared: another caller reads again.
func (w *keyList) read(ctx context.Context, since time.Time, fetch func(context.Context) ([]NumberKey, error)) (*listRead, error) {
	for {
		w.mu.Lock()
		if l := w.last; l != nil && !l.start.Before(since) {
			w.mu.Unlock()
			return l, nil
		}
		r := w.inflight
		owner := r == nil || r.start.Before(since)
		if owner {
			r = &listRead{start: time.Now(), done: make(chan struct{})}
			w.inflight = r
		}
		w.mu.Unlock()

		if owner {
			w.fill(ctx, r, fetch)
			return r, r.err
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.err != nil && errors.Is(r.err, context.Canceled) && ctx.Err() == nil {
			continue // the owner's context ended, not ours: read again
		}
		return r, r.err
	}
}

// fill makes read r with fetch and records it.
func (w *keyList) fill(ctx context.Context, r *listRead, fetch func(context.Context) ([]NumberKey, error)) {
	r.keys, r.err = fetch(ctx)
	if r.err == nil {
		r.byNumber = make(map[string]int, len(r.keys))
		for i, k := range r.keys {
			if _, dup := r.byNumber[k.NumberID]; !dup {
				r.byNumber[k.NumberID] = i
			}
		}
	}
	w.mu.Lock()
	if w.inflight == r {
		w.inflight = nil
	}
	if r.err == nil && (w.last == nil || w.last.start.Before(r.start)) {
		w.last = r
	}
	w.mu.Unlock()
	close(r.done)
}

// key returns numberID's key in read r, or the key the Client regenerated after r started.
func (w *keyList) key(r *listRead, numberID string) (NumberKey, bool) {
	i, found := r.byNumber[numberID]
	var k NumberKey
	if found {
		k = r.keys[i]
	}
	w.mu.Lock()
	m, made := w.made[numberID]
	w.mu.Unlock()
	if made && m.at.After(r.start) && found {
		return m.overlay(k), true
	}
	return k, found
}

// all returns read r's keys, in the API's order, each overlaid as key does.
func (w *keyList) all(r *listRead) []NumberKey {
	out := slices.Clone(r.keys)
	for i := range out {
		if j := r.byNumber[out[i].NumberID]; j == i {
			out[i], _ = w.key(r, out[i].NumberID)
		}
	}
	return out
}

// record notes a key the Client regenerated, at the time its answer came.
func (w *keyList) record(k RegeneratedKey, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.made == nil {
		w.made = make(map[string]madeKey)
	}
	w.made[k.NumberID] = madeKey{key: NumberKey{NumberID: k.NumberID, KeyID: k.KeyID, KeyLast4: k.KeyLast4, Key: k.Key, Revealable: true}, at: at}
}

// overlay is listed with the key m made: the number's details stay as listed.
func (m madeKey) overlay(listed NumberKey) NumberKey {
	listed.KeyID, listed.KeyLast4, listed.Key, listed.Revealable = m.key.KeyID, m.key.KeyLast4, m.key.Key, true
	return listed
}

// Keys returns every number's current key, in the API's order, from a key list read that started
// at or after since: the zero time takes the list this Client read last, or reads it once for all
// its callers. A key this Client regenerated after that read started replaces the listed one. It
// needs a tenant-scoped credential: a number-scoped one gets a 403 APIError
// (NUMBER_SCOPE_NOT_ALLOWED).
func (c *Client) Keys(ctx context.Context, since time.Time) ([]NumberKey, error) {
	r, err := c.keys.read(ctx, since, c.fetchKeys)
	if err != nil {
		return nil, err
	}
	return c.keys.all(r), nil
}

// CurrentKey returns numberID's current key as Keys has it; found is false when the tenant has no
// such number.
func (c *Client) CurrentKey(ctx context.Context, numberID string, since time.Time) (key NumberKey, found bool, err error) {
	r, err := c.keys.read(ctx, since, c.fetchKeys)
	if err != nil {
		return NumberKey{}, false, err
	}
	key, found = c.keys.key(r, numberID)
	return key, found, nil
}

// ListAPIKeys lists every number's current key in a key list read that starts now (GET
// /v1/api-keys), or joins one that started since; see Keys.
func (c *Client) ListAPIKeys(ctx context.Context) ([]NumberKey, error) {
	return c.Keys(ctx, time.Now())
}

// keyAfter reads numberID's key from a list read that started at or after since, for the settle
// watch, the confirmation and the look after the API's failure. When ctx has ended, before or
// during the read, the read is made without it (one list call with no retry, or a read without it
// already under way): it is owed to a request that was sent. found is false when the list no longer has the number.
func (c *Client) keyAfter(ctx context.Context, numberID string, since time.Time) (key NumberKey, start time.Time, found bool, err error) {
	var r *listRead
	if ctx.Err() == nil {
		r, err = c.keys.read(ctx, since, c.fetchKeys)
	}
	if ctx.Err() != nil {
		r, err = c.keys.read(context.WithoutCancel(ctx), since, func(ctx context.Context) ([]NumberKey, error) {
			return c.listAPIKeys(ctx, 0)
		})
	}
	if err != nil {
		return NumberKey{}, time.Time{}, false, err
	}
	key, found = c.keys.key(r, numberID)
	return key, r.start, found, nil
}

// fetchKeys is the list call of a key list read: the configured retries.
func (c *Client) fetchKeys(ctx context.Context) ([]NumberKey, error) {
	return c.listAPIKeys(ctx, c.maxRetries)
}
