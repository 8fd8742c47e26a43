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
		ID: id, InstanceName: "inst-1", Number: "5511999999999", Name: "Suporte", Provider: "PILOT_STATUS",
		State: "OPEN", IsFullyConnected: true,
		APIKeys:   []pilotstatus.NumberAPIKeyInfo{{Name: "default", KeyPrefix: "ps_", KeyLast4: "1234"}},
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

func TestListNumbersMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{name: "missing id", body: `[{"name":"x"}]`, want: `item 0: "id" is missing`},
		{name: "bad updatedAt", body: `[{"id":"wn_1","updatedAt":"2026-13-45"}]`, want: `"updatedAt" is not an RFC 3339 time`},
		{name: "apiKeys not an array", body: `[{"id":"wn_1","apiKeys":"x"}]`, want: `"apiKeys" is a JSON string, want an array`},
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
