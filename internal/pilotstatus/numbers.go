package pilotstatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

const numbersPath = "/v1/numbers"

// Number is one of the tenant's WhatsApp numbers, with the fields the provider uses: the answer's
// instanceName and apiKeys (the number's keys, masked) are not decoded.
type Number struct {
	// ID is the number's opaque id.
	ID string
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
	// CreatedAt and UpdatedAt are zero when the API did not say.
	CreatedAt, UpdatedAt time.Time
}

type numberJSON struct {
	ID               string `json:"id"`
	Number           string `json:"number"`
	Name             string `json:"name"`
	Provider         string `json:"provider"`
	State            string `json:"state"`
	IsFullyConnected bool   `json:"isFullyConnected"`
	CreatedAt        string `json:"createdAt"`
	UpdatedAt        string `json:"updatedAt"`
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
	return Number{
		ID:               n.ID,
		Number:           n.Number,
		Name:             n.Name,
		Provider:         n.Provider,
		State:            n.State,
		IsFullyConnected: n.IsFullyConnected,
		CreatedAt:        created,
		UpdatedAt:        updated,
	}, nil
}

// ListNumbers lists the tenant's WhatsApp numbers (GET /v1/numbers).
func (c *Client) ListNumbers(ctx context.Context) ([]Number, error) {
	body, err := c.read(ctx, numbersPath, c.maxRetries)
	if err != nil {
		return nil, err
	}
	items, err := decodeArray(body)
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
