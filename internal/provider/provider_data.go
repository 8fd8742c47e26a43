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

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// apiClient is the part of the API client the resources use. Keys and CurrentKey with the zero
// time read the key list once per run, shared by every caller; the client lays the keys it
// regenerated over it.
type apiClient interface {
	Keys(ctx context.Context, since time.Time) ([]pilotstatus.NumberKey, error)
	CurrentKey(ctx context.Context, numberID string, since time.Time) (pilotstatus.NumberKey, bool, error)
	RegenerateAPIKey(ctx context.Context, numberID, previousKeyID string) (pilotstatus.RegeneratedKey, error)
	ListNumbers(ctx context.Context) ([]pilotstatus.Number, error)
	// Redact masks in s every key, every key id the client has seen and the credentials.
	Redact(s string) string
}

// providerData is shared by every resource of one provider process, that is one
// Terraform run (plan or apply).
type providerData struct {
	client apiClient
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

// currentKey returns numberID's current key from the run's key list (read once per run).
func (d *providerData) currentKey(ctx context.Context, numberID string) (pilotstatus.NumberKey, bool, error) {
	return d.client.CurrentKey(ctx, numberID, time.Time{})
}

// allKeys returns every number's current key from the run's key list, in the API's order.
func (d *providerData) allKeys(ctx context.Context) ([]pilotstatus.NumberKey, error) {
	return d.client.Keys(ctx, time.Time{})
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
