package provider

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// stubClient answers the provider's API calls from memory, as the unit tests want them, and counts
// the key list reads (fresh: those that asked for a read newer than the run's), and the
// regenerations.
type stubClient struct {
	keys        []pilotstatus.NumberKey
	listErr     error
	lists       atomic.Int64
	fresh       atomic.Int64
	regenerates atomic.Int64
}

func (c *stubClient) Keys(_ context.Context, since time.Time) ([]pilotstatus.NumberKey, error) {
	c.lists.Add(1)
	if !since.IsZero() {
		c.fresh.Add(1)
	}
	return c.keys, c.listErr
}

func (c *stubClient) CurrentKey(ctx context.Context, numberID string, since time.Time) (pilotstatus.NumberKey, bool, error) {
	keys, err := c.Keys(ctx, since)
	for _, k := range keys {
		if k.NumberID == numberID {
			return k, true, err
		}
	}
	return pilotstatus.NumberKey{}, false, err
}

func (c *stubClient) RegenerateAPIKey(context.Context, string, string) (pilotstatus.RegeneratedKey, error) {
	c.regenerates.Add(1)
	return pilotstatus.RegeneratedKey{}, errors.New("not used")
}

func (c *stubClient) ListNumbers(context.Context) ([]pilotstatus.Number, error) {
	return nil, errors.New("not used")
}

func (c *stubClient) Redact(s string) string { return pilotstatus.Redact(s) }
