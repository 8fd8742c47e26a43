package pilotstatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

const numbersPath = "/v1/numbers"

// NumberAPIKeyInfo is the masked description of a key attached to a number; it holds no secret.
type NumberAPIKeyInfo struct {
	// Name is the key's name.
	Name string
	// KeyPrefix is the key's public prefix ("ps_").
	KeyPrefix string
	// KeyLast4 is the last four characters of the key.
	KeyLast4 string
}

// Number is one of the tenant's WhatsApp numbers.
type Number struct {
	// ID is the number's opaque id.
	ID string
	// InstanceName is the number's instance name.
	InstanceName string
	// Number is the phone number, digits only.
	Number string
	// Name is the number's name.
	Name string
	// Provider is "PILOT_STATUS" or "META".
	Provider string
	// State is the connection state: "OPEN", "CONNECTING", "CLOSED" or "CLOSE".
	State string
	// IsFullyConnected reports whether the number is fully connected.
	IsFullyConnected bool
	// APIKeys describes the number's keys, masked.
	APIKeys []NumberAPIKeyInfo
	// CreatedAt and UpdatedAt are zero when the API did not say.
	CreatedAt, UpdatedAt time.Time
}

type numberJSON struct {
	ID               string `json:"id"`
	InstanceName     string `json:"instanceName"`
	Number           string `json:"number"`
	Name             string `json:"name"`
	Provider         string `json:"provider"`
	State            string `json:"state"`
	IsFullyConnected bool   `json:"isFullyConnected"`
	APIKeys          []struct {
		Name      string `json:"name"`
		KeyPrefix string `json:"keyPrefix"`
		KeyLast4  string `json:"keyLast4"`
	} `json:"apiKeys"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func (n *numberJSON) toNumber() (Number, error) {
	if n.ID == "" {
		return Number{}, errors.New(`"id" is missing or empty`)
	}
	created, err := parseTime("createdAt", n.CreatedAt)
	if err != nil {
		return Number{}, err
	}
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return Number{}, err
	}
	out := Number{
		ID:               n.ID,
		InstanceName:     n.InstanceName,
		Number:           n.Number,
		Name:             n.Name,
		Provider:         n.Provider,
		State:            n.State,
		IsFullyConnected: n.IsFullyConnected,
		CreatedAt:        created,
		UpdatedAt:        updated,
	}
	for _, k := range n.APIKeys {
		out.APIKeys = append(out.APIKeys, NumberAPIKeyInfo{Name: k.Name, KeyPrefix: k.KeyPrefix, KeyLast4: k.KeyLast4})
	}
	return out, nil
}

// ListNumbers lists the tenant's WhatsApp numbers (GET /v1/numbers).
func (c *Client) ListNumbers(ctx context.Context) ([]Number, error) {
	res, err := c.do(ctx, http.MethodGet, numbersPath, nil)
	if err != nil {
		return nil, err
	}
	items, err := decodeArray(res.body)
	if err != nil {
		return nil, malformed(http.MethodGet, numbersPath, err.Error())
	}
	numbers := make([]Number, 0, len(items))
	for i, raw := range items {
		var doc numberJSON
		if err := decodeObject(raw, &doc); err != nil {
			return nil, malformed(http.MethodGet, numbersPath, fmt.Sprintf("item %d: %v", i, err))
		}
		n, err := doc.toNumber()
		if err != nil {
			return nil, malformed(http.MethodGet, numbersPath, fmt.Sprintf("item %d: %v", i, err))
		}
		numbers = append(numbers, n)
	}
	return numbers, nil
}
