package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// apiClient is the part of the API client the resources use.
type apiClient interface {
	ListAPIKeys(ctx context.Context) ([]pilotstatus.NumberKey, error)
	RegenerateAPIKey(ctx context.Context, numberID, previousKeyID string) (pilotstatus.RegeneratedKey, error)
	ListNumbers(ctx context.Context) ([]pilotstatus.Number, error)
}

// providerData is shared by every resource of one provider process, that is one
// Terraform run (plan or apply).
type providerData struct {
	client apiClient
	keys   *keyCache
	claims *claimSet
	plans  *planSet
	// anchors hands rotation anchors from destroyed keys to their replacements.
	anchors *anchorBook
	// cred is the configured credential: its source for advice, its values for masking.
	cred credential
	// now is the clock of scheduled rotation; tests replace it.
	now func() time.Time
}

func newProviderData(client apiClient, cred credential) *providerData {
	return &providerData{
		client:  client,
		keys:    newKeyCache(client.ListAPIKeys),
		claims:  newClaimSet(),
		plans:   newPlanSet(),
		anchors: newAnchorBook(),
		cred:    cred,
		now:     time.Now,
	}
}

// maskContext returns ctx with log masks for every value that must never reach a
// log: the configured credentials, every ps_ value and the key field.
func (d *providerData) maskContext(ctx context.Context) context.Context {
	return maskContext(ctx, d.cred.secrets)
}

func maskContext(ctx context.Context, secrets []string) context.Context {
	// A key id is a credential (the API accepts it as x-api-key-id): every field that may carry one
	// is masked like the key.
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "key", "api_key", "api_key_id",
		"key_id", "state_key_id", "current_key_id", "new_key_id")
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, pilotstatus.KeyPattern)
	ctx = tflog.MaskMessageRegexes(ctx, pilotstatus.KeyPattern)
	if len(secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
	}
	return ctx
}

// providerDataFrom converts what Configure handed to a resource. A nil value is
// fine (the provider is not configured yet, e.g. during validation).
func providerDataFrom(v any) (*providerData, diag.Diagnostics) {
	if v == nil {
		return nil, nil
	}
	d, ok := v.(*providerData)
	if !ok {
		return nil, diag.Diagnostics{unexpectedProviderData(v)}
	}
	return d, nil
}

// requireConfigured adds an error and returns false when the provider was not
// configured before what (a resource, data source or ephemeral resource) was used.
func requireConfigured(d *providerData, what string, diags *diag.Diagnostics) bool {
	if d != nil {
		return true
	}
	diags.Append(unconfiguredProvider(what))
	return false
}

// keyCache holds the answer of GET /v1/api-keys for the rest of the run, so that
// refreshing any number of keys costs one list call. Concurrent callers share the one
// request in flight and its outcome; a failed call is not cached, so the next caller
// asks again. A caller whose context ends stops waiting; the request goes on for the others
// under the context of the caller that started it.
type keyCache struct {
	fetch func(ctx context.Context) ([]pilotstatus.NumberKey, error)
	calls singleflight.Group

	mu       sync.Mutex
	byNumber map[string]pilotstatus.NumberKey // nil until a list call succeeds
	order    []string                         // the numbers in the order the API listed them
}

func newKeyCache(fetch func(ctx context.Context) ([]pilotstatus.NumberKey, error)) *keyCache {
	return &keyCache{fetch: fetch}
}

// get returns the number's current key metadata; found is false when the tenant
// has no such number.
func (c *keyCache) get(ctx context.Context, numberID string) (key pilotstatus.NumberKey, found bool, err error) {
	if err := c.load(ctx); err != nil {
		return key, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key, found = c.byNumber[numberID]
	return key, found, nil
}

// all returns every number's current key metadata, in the order the API listed them.
func (c *keyCache) all(ctx context.Context) ([]pilotstatus.NumberKey, error) {
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]pilotstatus.NumberKey, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.byNumber[id])
	}
	return out, nil
}

// load makes sure the list is cached: it lists the keys, or waits for the list call in flight.
func (c *keyCache) load(ctx context.Context) error {
	if c.loaded() {
		return nil
	}
	done := c.calls.DoChan("list", func() (any, error) {
		if c.loaded() { // a call that ended after the check above
			return nil, nil
		}
		list, err := c.fetch(ctx)
		if err == nil {
			c.store(list)
		}
		return nil, err
	})
	select {
	case r := <-done:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *keyCache) loaded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byNumber != nil
}

// store caches a list; a number listed twice keeps its first place and its last entry.
func (c *keyCache) store(list []pilotstatus.NumberKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byNumber = make(map[string]pilotstatus.NumberKey, len(list))
	c.order = make([]string, 0, len(list))
	for _, k := range list {
		if _, dup := c.byNumber[k.NumberID]; !dup {
			c.order = append(c.order, k.NumberID)
		}
		c.byNumber[k.NumberID] = k
	}
}

// regenerated records a key this run made, so later lookups see it.
func (c *keyCache) regenerated(k pilotstatus.RegeneratedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byNumber == nil {
		return
	}
	entry := c.byNumber[k.NumberID]
	entry.NumberID = k.NumberID
	entry.KeyID = k.KeyID
	entry.KeyLast4 = k.KeyLast4
	entry.Key = k.Key
	entry.Revealable = true
	c.byNumber[k.NumberID] = entry
}

// claimSet remembers which numbers had their key regenerated in this run.
type claimSet struct {
	mu      sync.Mutex
	claimed map[string]bool
}

func newClaimSet() *claimSet { return &claimSet{claimed: map[string]bool{}} }

// claim returns false when the number was claimed before in this run.
func (s *claimSet) claim(numberID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claimed[numberID] {
		return false
	}
	s.claimed[numberID] = true
	return true
}

// planSet counts, per number, the pilotstatus_number_api_key resources that one provider
// configuration plans, to refuse two resources for one number at plan time.
type planSet struct {
	// marker is set in the private state of every object planned from state, so that the create
	// half of its replacement, planned next with that private state, is recognised.
	marker []byte

	mu       sync.Mutex
	byNumber map[string]int
}

func newPlanSet() *planSet {
	return &planSet{marker: []byte(strconv.Quote(rand.Text())), byNumber: map[string]int{}}
}

// isOurs reports whether a private-state marker was set by this provider configuration's plan.
func (p *planSet) isOurs(marker []byte) bool {
	return len(marker) > 0 && bytes.Equal(marker, p.marker)
}

// add counts one more resource for the number and returns how many there are now.
func (p *planSet) add(numberID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byNumber[numberID]++
	return p.byNumber[numberID]
}
