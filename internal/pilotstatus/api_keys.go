package pilotstatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

const apiKeysPath = "/v1/api-keys" //nolint:gosec // G101: an API path, not a credential

// NumberKey is one number's current API key, as the key list has it (Keys).
type NumberKey struct {
	// NumberID is the WhatsApp number's id.
	NumberID string
	// Number is the phone number, digits only.
	Number string
	// DisplayName is the number's display name.
	DisplayName string
	// KeyID is the id of the number's current key; it changes on every regeneration.
	KeyID string
	// KeyLast4 is the last four characters of the current key.
	KeyLast4 string
	// Key is the raw current key; "" when the key is not revealable (a legacy key) or null.
	Key string
	// Revealable is false for legacy keys created before encryption; only a regeneration makes
	// such a key usable.
	Revealable bool
}

// Revealed reports whether the list reveals the key: a revealable key, with its value. It is the one
// rule for "the key list gives the key".
func (k NumberKey) Revealed() bool { return k.Revealable && k.Key != "" }

type numberKeyJSON struct {
	NumberID    string  `json:"numberId"`
	Number      string  `json:"number"`
	DisplayName string  `json:"displayName"`
	KeyID       string  `json:"keyId"`
	KeyLast4    string  `json:"keyLast4"`
	Key         *string `json:"key"`
	Revealable  *bool   `json:"revealable"`
}

// listAPIKeys reads the key list (GET /v1/api-keys) with at most maxRetries retries; keyList
// records what it read.
func (c *Client) listAPIKeys(ctx context.Context, maxRetries int) ([]NumberKey, error) {
	body, err := c.read(ctx, apiKeysPath, maxRetries)
	if err != nil {
		return nil, err
	}
	items, err := decodeArray(body)
	if err != nil {
		return nil, malformed(http.MethodGet, apiKeysPath, err.Error())
	}
	keys := make([]NumberKey, 0, len(items))
	for i, raw := range items {
		var item numberKeyJSON
		if err := decodeObject(raw, &item); err != nil {
			return nil, malformed(http.MethodGet, apiKeysPath, fmt.Sprintf("item %d: %v", i, err))
		}
		if err := item.check(); err != nil {
			return nil, malformed(http.MethodGet, apiKeysPath, fmt.Sprintf("item %d: %v", i, err))
		}
		// A key id authenticates as x-api-key-id: mask it from now on, like a key.
		c.redactor.learn(item.KeyID)
		k := NumberKey{
			NumberID:    item.NumberID,
			Number:      item.Number,
			DisplayName: item.DisplayName,
			KeyID:       item.KeyID,
			KeyLast4:    item.KeyLast4,
			// Without "revealable", a key that is present is taken as revealed.
			Revealable: item.Key != nil && *item.Key != "",
		}
		if item.Revealable != nil {
			k.Revealable = *item.Revealable
		}
		if k.Revealable && item.Key != nil {
			k.Key = *item.Key
			if k.KeyLast4 == "" {
				k.KeyLast4 = last4(k.Key)
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (k *numberKeyJSON) check() error {
	switch {
	case k.NumberID == "":
		return errors.New(`"numberId" is missing or empty`)
	case k.KeyID == "":
		return errors.New(`"keyId" is missing or empty`)
	case k.Key != nil && *k.Key != "" && !strings.HasPrefix(*k.Key, KeyPrefix):
		return errors.New(`"key" does not start with "` + KeyPrefix + `"`)
	}
	return nil
}

// RegeneratedKey is the answer to RegenerateAPIKey: the number's new key, shown only this once.
type RegeneratedKey struct {
	// NumberID is the number whose key was regenerated.
	NumberID string
	// KeyID is the new key's id.
	KeyID string
	// KeyLast4 is the last four characters of the new key.
	KeyLast4 string
	// Key is the new raw key.
	Key string
	// CreatedAt is when the key was created; zero when the API did not say, or when the key was
	// taken from the key list.
	CreatedAt time.Time
	// Recovery says how the key was obtained when not from the answer of the only request.
	Recovery Recovery
}

type regeneratedKeyJSON struct {
	NumberID  string `json:"numberId"`
	KeyID     string `json:"keyId"`
	KeyLast4  string `json:"keyLast4"`
	Key       string `json:"key"`
	CreatedAt string `json:"createdAt"`
}

type regenerateRequest struct {
	WhatsappNumberID string `json:"whatsappNumberId"`
}

func decodeRegenerated(data []byte, numberID string) (RegeneratedKey, error) {
	var doc regeneratedKeyJSON
	if err := decodeObject(data, &doc); err != nil {
		return RegeneratedKey{}, err
	}
	switch {
	case doc.Key == "":
		return RegeneratedKey{}, errors.New(`"key" is missing or empty`)
	case !strings.HasPrefix(doc.Key, KeyPrefix):
		return RegeneratedKey{}, errors.New(`"key" does not start with "` + KeyPrefix + `"`)
	case doc.KeyID == "":
		return RegeneratedKey{}, errors.New(`"keyId" is missing or empty`)
	case doc.NumberID != "" && doc.NumberID != numberID:
		return RegeneratedKey{}, errors.New(`"numberId" is not the number that was asked for`)
	}
	created, err := parseTime("createdAt", doc.CreatedAt)
	if err != nil {
		return RegeneratedKey{}, err
	}
	k := RegeneratedKey{
		NumberID:  numberID,
		KeyID:     doc.KeyID,
		KeyLast4:  doc.KeyLast4,
		Key:       doc.Key,
		CreatedAt: created,
	}
	// The last four characters are derived from the key when the answer leaves them out.
	if k.KeyLast4 == "" {
		k.KeyLast4 = last4(k.Key)
	}
	return k, nil
}

// last4 returns the last four characters (not bytes) of a key.
func last4(key string) string {
	i := len(key)
	for range 4 {
		if i == 0 {
			break
		}
		_, size := utf8.DecodeLastRuneInString(key[:i])
		i -= size
	}
	return key[i:]
}
