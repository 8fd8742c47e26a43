package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

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
	var diags diag.Diagnostics
	if v == nil {
		return nil, diags
	}
	d, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
		return nil, diags
	}
	return d, diags
}

// requireConfigured adds an error and returns false when the provider was not
// configured before what (a resource, data source or ephemeral resource) was used.
func requireConfigured(d *providerData, what string, diags interface{ AddError(string, string) }) bool {
	if d != nil {
		return true
	}
	diags.AddError("Unconfigured Pilot Status Provider",
		"The provider was not configured before the "+what+" was used. This is a bug in the provider or in Terraform; please report it.")
	return false
}

// keyCache holds the answer of GET /v1/api-keys for the rest of the run, so that
// refreshing any number of keys costs one list call. Concurrent callers wait for
// the one request in flight; a failed call is not cached.
type keyCache struct {
	fetch func(ctx context.Context) ([]pilotstatus.NumberKey, error)

	mu       sync.Mutex
	loaded   bool
	byNumber map[string]pilotstatus.NumberKey
	order    []string
	inflight *keyFetch
}

type keyFetch struct {
	done chan struct{}
	err  error
}

func newKeyCache(fetch func(ctx context.Context) ([]pilotstatus.NumberKey, error)) *keyCache {
	return &keyCache{fetch: fetch}
}

// get returns the number's current key metadata; found is false when the tenant
// has no such number.
func (c *keyCache) get(ctx context.Context, numberID string) (key pilotstatus.NumberKey, found bool, err error) {
	for {
		c.mu.Lock()
		if c.loaded {
			key, found = c.byNumber[numberID]
			c.mu.Unlock()
			return key, found, nil
		}
		if f := c.inflight; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil {
					return key, false, f.err
				}
				continue
			case <-ctx.Done():
				return key, false, ctx.Err()
			}
		}
		f := &keyFetch{done: make(chan struct{})}
		c.inflight = f
		c.mu.Unlock()

		list, err := c.fetch(ctx)

		c.mu.Lock()
		c.inflight = nil
		if err == nil {
			c.byNumber = make(map[string]pilotstatus.NumberKey, len(list))
			c.order = make([]string, 0, len(list))
			for _, k := range list {
				if _, dup := c.byNumber[k.NumberID]; !dup {
					c.order = append(c.order, k.NumberID)
				}
				c.byNumber[k.NumberID] = k
			}
			c.loaded = true
		}
		f.err = err
		close(f.done)
		c.mu.Unlock()
		if err != nil {
			return key, false, err
		}
	}
}

// all returns every number's current key metadata, in the order the API listed them.
func (c *keyCache) all(ctx context.Context) ([]pilotstatus.NumberKey, error) {
	if _, _, err := c.get(ctx, ""); err != nil {
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

// regenerated records a key this run made, so later lookups see it.
func (c *keyCache) regenerated(k pilotstatus.RegeneratedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
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
