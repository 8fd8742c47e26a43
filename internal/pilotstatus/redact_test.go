package pilotstatus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// keyIDFake starts a fake API with three numbers and returns it with a client for its tenant key.
func keyIDFake(t *testing.T, mods ...func(*pilotstatus.Config)) (*fakeapi.API, *pilotstatus.Client) {
	t.Helper()
	api := fakeapi.New(fakeapi.Options{Numbers: []fakeapi.Number{
		{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
		{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
		{ID: "wn_3", Number: "5511999990003", Name: "Antigo", Legacy: true},
	}})
	base, stop := api.Start()
	t.Cleanup(stop)
	mods = append([]func(*pilotstatus.Config){func(c *pilotstatus.Config) { c.APIKey = api.TenantKey() }}, mods...)
	return api, newClient(t, base, mods...)
}

// numberKeyIDs returns the current key id of every number of the fake, checked against the list.
func numberKeyIDs(t *testing.T, api *fakeapi.API, keys []pilotstatus.NumberKey) []string {
	t.Helper()
	var ids []string
	for _, k := range keys {
		cur, ok := api.CurrentKey(k.NumberID)
		if !ok || cur.ID != k.KeyID || k.KeyID == "" {
			t.Fatalf("number %s: listed key id %q, the fake holds %q", k.NumberID, k.KeyID, cur.ID)
		}
		ids = append(ids, k.KeyID)
	}
	if len(ids) != 3 {
		t.Fatalf("listed %d keys, want 3", len(ids))
	}
	return ids
}

// echoKeyID makes the next call to endpoint fail with a 403 whose message repeats id.
func echoKeyID(api *fakeapi.API, endpoint, id string) {
	api.AddFault(fakeapi.Fault{
		Endpoint: endpoint, Kind: fakeapi.FaultStatus, Status: 403, Code: "KEY_NOT_ALLOWED",
		Message: "key " + id + " may not do this",
	})
}

// TestListedKeyIDsAreMaskedInLogs: the trace line of the key list masks every "keyId" member,
// and once listed, a key id is masked in every later line, even where the API repeats it in an
// error message.
func TestListedKeyIDsAreMaskedInLogs(t *testing.T) {
	t.Parallel()
	logger := &recordingLogger{}
	api, c := keyIDFake(t, func(c *pilotstatus.Config) { c.Logger = logger })
	keys, err := c.ListAPIKeys(context.Background())
	if err != nil {
		t.Fatalf("ListAPIKeys: %v", err)
	}
	ids := numberKeyIDs(t, api, keys)

	echoKeyID(api, fakeapi.EndpointListNumbers, ids[0])
	_, err = c.ListNumbers(context.Background())
	var apiErr *pilotstatus.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("ListNumbers: want the 403, got %v", err)
	}
	if want := "key *** may not do this"; apiErr.Message != want {
		t.Errorf("APIError.Message = %q, want %q", apiErr.Message, want)
	}
	secrets := append(append([]string{api.TenantKey()}, ids...), api.IssuedKeys()...)
	assertNoSecret(t, "error", err.Error(), secrets...)
	assertLogsClean(t, logger, secrets...)

	// The bodies were logged, masked: the test saw what it claims to check.
	var bodies []string
	for _, e := range logger.at(pilotstatus.LevelTrace) {
		if e.Msg == "Pilot Status API response body" {
			bodies = append(bodies, fmt.Sprint(e.Fields["body"]))
		}
	}
	if len(bodies) != 2 {
		t.Fatalf("want the trace lines of two response bodies, got %d: %q", len(bodies), bodies)
	}
	if n := strings.Count(bodies[0], `"keyId":"***"`); n != 3 {
		t.Errorf("the list's trace line masks %d keyId members, want 3: %s", n, bodies[0])
	}
	if !strings.Contains(bodies[1], "key *** may not do this") {
		t.Errorf("the error's trace line does not mask the listed key id: %s", bodies[1])
	}
}

// TestListedKeyIDsAreMaskedInErrors: without any logger (so nothing but the list itself can teach
// the client its key ids), a key id listed by ListAPIKeys is masked in a later APIError that
// repeats it, whichever endpoint answers it.
func TestListedKeyIDsAreMaskedInErrors(t *testing.T) {
	t.Parallel()
	api, c := keyIDFake(t)
	ctx := context.Background()

	// Before the list, the client cannot know the id: the message keeps it. This shows that the
	// masking below comes from the list and not from a pattern.
	before, _ := api.CurrentKey("wn_2")
	echoKeyID(api, fakeapi.EndpointListNumbers, before.ID)
	_, err := c.ListNumbers(ctx)
	if err == nil || !strings.Contains(err.Error(), before.ID) {
		t.Fatalf("before the list, want the 403 naming %s, got %v", before.ID, err)
	}

	keys, err := c.ListAPIKeys(ctx)
	if err != nil {
		t.Fatalf("ListAPIKeys: %v", err)
	}
	for i, id := range numberKeyIDs(t, api, keys) {
		endpoint := []string{fakeapi.EndpointListNumbers, fakeapi.EndpointListKeys, fakeapi.EndpointListNumbers}[i]
		echoKeyID(api, endpoint, id)
		var err error
		switch endpoint {
		case fakeapi.EndpointListNumbers:
			_, err = c.ListNumbers(ctx)
		default:
			_, err = c.ListAPIKeys(ctx)
		}
		if !pilotstatus.IsForbidden(err) {
			t.Fatalf("%s: want the 403, got %v", endpoint, err)
		}
		assertNoSecret(t, endpoint+" error", err.Error(), id)
		if !strings.Contains(err.Error(), "key *** may not do this") {
			t.Errorf("%s: error %q does not show the masked message", endpoint, err)
		}
	}
}
