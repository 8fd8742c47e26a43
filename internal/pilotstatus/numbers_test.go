package pilotstatus_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

const numberJSON = `{"id":%q,"instanceName":"inst-1","number":"5511999999999","name":"Suporte","provider":"PILOT_STATUS",
  "state":"OPEN","isFullyConnected":true,"apiKeys":[{"name":"default","keyPrefix":"ps_","keyLast4":"1234","extra":1}],
  "createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-06-28T10:00:00.000Z","webhookUrl":"https://x"}`

func wantNumber(id string) pilotstatus.Number {
	return pilotstatus.Number{
		ID: id, Number: "5511999999999", Name: "Suporte", Provider: "PILOT_STATUS",
		State: "OPEN", IsFullyConnected: true,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC),
		UpdatedAt: time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC),
	}
}

func numberBody(id string) string {
	b, _ := json.Marshal(id)
	return strings.Replace(numberJSON, "%q", string(b), 1)
}

func TestListNumbersDecodes(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/numbers" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		writeJSON(w, 200, `[`+numberBody("wn_1")+`,{"id":"num_01HZX","state":"CLOSE","apiKeys":null}]`)
	})
	got, err := newClient(t, srv.URL).ListNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []pilotstatus.Number{wantNumber("wn_1"), {ID: "num_01HZX", State: "CLOSE"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestListNumbersMapping: each row is one item of a GET /v1/numbers answer and the Number it
// becomes, written out from the documented item {id, instanceName, number, name, provider, state,
// isFullyConnected, apiKeys: [{name, keyPrefix, keyLast4}], createdAt, updatedAt}. The provider
// uses neither instanceName nor apiKeys: they are not decoded, so they cannot make an answer
// malformed either.
func TestListNumbersMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item string
		want pilotstatus.Number
	}{
		{
			name: "values are kept as the API writes them",
			item: `{"id":"wa_abc","instanceName":"inst-2","number":"5511888888888","name":"Vendas 👩‍💻","provider":"META","state":"CLOSED","isFullyConnected":false}`,
			want: pilotstatus.Number{ID: "wa_abc", Number: "5511888888888", Name: "Vendas 👩‍💻", Provider: "META", State: "CLOSED"},
		},
		{
			name: "instanceName and the masked keys are not decoded",
			item: `{"id":"wn_1","instanceName":"inst-2","apiKeys":[{"name":"default","keyPrefix":"ps_","keyLast4":"1234"},{"name":"old","keyPrefix":"ps_","keyLast4":"wxyz"}]}`,
			want: pilotstatus.Number{ID: "wn_1"},
		},
		{
			name: "nor checked: of another type, they are ignored",
			item: `{"id":"wn_1","instanceName":7,"apiKeys":[{"name":5}]}`,
			want: pilotstatus.Number{ID: "wn_1"},
		},
		{
			name: "apiKeys that is not an array is ignored",
			item: `{"id":"wn_1","apiKeys":"x"}`,
			want: pilotstatus.Number{ID: "wn_1"},
		},
		{
			name: "null members are empty",
			item: `{"id":"wn_1","instanceName":null,"number":null,"name":null,"provider":null,"state":null,"isFullyConnected":null,"apiKeys":null,"createdAt":null,"updatedAt":null}`,
			want: pilotstatus.Number{ID: "wn_1"},
		},
		{
			name: "times with an offset and without a fraction",
			item: `{"id":"wn_1","createdAt":"2026-01-02T03:04:05+02:00","updatedAt":"2026-06-28T10:00:00Z"}`,
			want: pilotstatus.Number{
				ID: "wn_1", CreatedAt: time.Date(2026, 1, 2, 1, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[`+tt.item+`]`) })
			got, err := newClient(t, srv.URL).ListNumbers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d numbers, want 1", len(got))
			}
			n := got[0]
			// The same instants, whatever zone the answer wrote them in.
			if !n.CreatedAt.Equal(tt.want.CreatedAt) || !n.UpdatedAt.Equal(tt.want.UpdatedAt) {
				t.Fatalf("createdAt %s, updatedAt %s; want %s, %s", n.CreatedAt, n.UpdatedAt, tt.want.CreatedAt, tt.want.UpdatedAt)
			}
			n.CreatedAt, n.UpdatedAt = tt.want.CreatedAt, tt.want.UpdatedAt
			if !reflect.DeepEqual(n, tt.want) {
				t.Fatalf("got %+v\nwant %+v", n, tt.want)
			}
		})
	}
}

func TestListNumbersMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{name: "missing id", body: `[{"name":"x"}]`, want: `item 0: "id" is missing`},
		{name: "null id", body: `[{"id":null}]`, want: `item 0: "id" is missing or empty`},
		{name: "id not a string", body: `[{"id":7}]`, want: `field "id" is a JSON number, want a string`},
		{name: "second item without id", body: `[{"id":"wn_1"},{"id":""}]`, want: `item 1: "id" is missing or empty`},
		{name: "isFullyConnected not a boolean", body: `[{"id":"wn_1","isFullyConnected":"yes"}]`, want: `field "isFullyConnected" is a JSON string, want a boolean`},
		{name: "bad createdAt", body: `[{"id":"wn_1","createdAt":"2026-13-45T00:00:00Z"}]`, want: `"createdAt" is not an RFC 3339 time`},
		{name: "bad updatedAt", body: `[{"id":"wn_1","updatedAt":"2026-13-45"}]`, want: `"updatedAt" is not an RFC 3339 time`},
		{name: "item not an object", body: `["wn_1"]`, want: "item 0: the body is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tt.body) })
			_, err := newClient(t, srv.URL).ListNumbers(context.Background())
			if !errors.Is(err, pilotstatus.ErrMalformedResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want ErrMalformedResponse mentioning %q, got %v", tt.want, err)
			}
		})
	}
}
