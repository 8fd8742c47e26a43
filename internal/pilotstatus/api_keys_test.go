package pilotstatus_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestListAPIKeysDecodes(t *testing.T) {
	t.Parallel()
	body := `[
	  {"numberId":"wn_1","number":"5511999999999","displayName":"Suporte","keyId":"k_aaa","keyLast4":"1234",
	   "key":"` + numberKeyA + `","revealable":true,"id":"extra","scope":"NUMBER","nested":{"x":[1,2]}},
	  {"numberId":"wn_2","number":"5511888888888","displayName":"Vendas","keyId":"k_bbb","keyLast4":"wxyz",
	   "key":null,"revealable":false}
	]`
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/api-keys" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		writeJSON(w, 200, body)
	})
	got, err := newClient(t, srv.URL).ListAPIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []pilotstatus.NumberKey{
		{NumberID: "wn_1", Number: "5511999999999", DisplayName: "Suporte", KeyID: "k_aaa", KeyLast4: "1234", Key: numberKeyA, Revealable: true},
		{NumberID: "wn_2", Number: "5511888888888", DisplayName: "Vendas", KeyID: "k_bbb", KeyLast4: "wxyz", Revealable: false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestListAPIKeysMapping: each row is one item of a GET /v1/api-keys answer and the NumberKey it
// becomes, written out from the API's description of the list: "key" is the usable key when
// "revealable" is true and null for a legacy key (revealable false), and "keyLast4" is the last
// four characters of the current key.
func TestListAPIKeysMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item string
		want pilotstatus.NumberKey
	}{
		{
			name: "a legacy key's value is not handed out",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz","key":"ps_legacyVALUEwxyz","revealable":false}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz"},
		},
		{
			name: "a legacy key's last four are not taken from a value it should not have",
			item: `{"numberId":"wn_1","keyId":"k_1","key":"ps_legacyVALUEwxyz","revealable":false}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1"},
		},
		{
			name: "revealable with a null key: no key to hand out",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz","key":null,"revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz", Revealable: true},
		},
		{
			name: "neither key nor revealable: not revealable",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz"}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz"},
		},
		{
			name: "an empty key without revealable: not revealable",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz","key":""}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz"},
		},
		{
			name: "a key with a null revealable: revealed",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz","key":"ps_liveVALUEwxyz","revealable":null}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz", Key: "ps_liveVALUEwxyz", Revealable: true},
		},
		{
			name: "keyLast4 is the answer's, not recomputed from the key",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"wxyz","key":"ps_liveVALUE1234","revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "wxyz", Key: "ps_liveVALUE1234", Revealable: true},
		},
		{
			name: "a null keyLast4: the key's last four characters",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":null,"key":"ps_liveVALUE1234","revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "1234", Key: "ps_liveVALUE1234", Revealable: true},
		},
		{
			name: "an empty keyLast4: the key's last four characters",
			item: `{"numberId":"wn_1","keyId":"k_1","keyLast4":"","key":"ps_liveVALUE1234","revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "1234", Key: "ps_liveVALUE1234", Revealable: true},
		},
		{
			name: "the last four are characters, not bytes",
			item: `{"numberId":"wn_1","keyId":"k_1","key":"ps_4f1c☎é👍","revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "c☎é👍", Key: "ps_4f1c☎é👍", Revealable: true},
		},
		{
			name: "a key of fewer than four characters is its own last four",
			item: `{"numberId":"wn_1","keyId":"k_1","key":"ps_","revealable":true}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1", KeyLast4: "ps_", Key: "ps_", Revealable: true},
		},
		{
			name: "null optional members are empty",
			item: `{"numberId":"wn_1","number":null,"displayName":null,"keyId":"k_1","keyLast4":null,"key":null,"revealable":null}`,
			want: pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_1"},
		},
		{
			name: "text is kept as written, in any script",
			item: `{"numberId":"wn_📞","displayName":"Suporte 👩‍💻 \u202eעברית\u202c","keyId":"k_☎","keyLast4":"wxyz","key":"ps_liveVALUEwxyz","revealable":true}`,
			want: pilotstatus.NumberKey{
				NumberID: "wn_📞", DisplayName: "Suporte 👩‍💻 \u202eעברית\u202c", KeyID: "k_☎", KeyLast4: "wxyz",
				Key: "ps_liveVALUEwxyz", Revealable: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[`+tt.item+`]`) })
			got, err := newClient(t, srv.URL).ListAPIKeys(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestListAPIKeysEmptyArray(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, ` [] `) })
	got, err := newClient(t, srv.URL).ListAPIKeys(context.Background())
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestRegenerateAPIKeyDecodesAndSendsEscapedBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		numberID string
	}{
		{name: "plain", numberID: "wn_1"},
		{name: "needs JSON escaping", numberID: `wn "quoted" \ <tag> & ☎` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotID atomic.Value
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v1/api-keys" {
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
				}
				var req map[string]any
				if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
					t.Errorf("request body is not JSON: %v", err)
				}
				if len(req) != 1 {
					t.Errorf("request body has %d fields, want only whatsappNumberId", len(req))
				}
				id, _ := req["whatsappNumberId"].(string)
				gotID.Store(id)
				resp, _ := json.Marshal(map[string]any{
					"numberId": id, "keyId": "k_new", "keyPrefix": "ps_", "keyLast4": "9876",
					"key": numberKeyB, "createdAt": "2026-06-28T10:00:00.000Z",
					"id": "key_1", "name": "default", "scope": "NUMBER",
				})
				writeJSON(w, 200, string(resp))
			})
			got, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), tt.numberID, "k_before")
			if err != nil {
				t.Fatal(err)
			}
			if id := gotID.Load(); id != tt.numberID {
				t.Fatalf("server got whatsappNumberId %q, want %q", id, tt.numberID)
			}
			want := pilotstatus.RegeneratedKey{
				NumberID: tt.numberID, KeyID: "k_new", KeyLast4: "9876", Key: numberKeyB,
				CreatedAt: time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC),
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestRegenerateAPIKeyMapping: each row is a POST /v1/api-keys answer for number wn_1 and the
// RegeneratedKey it becomes, written out from the documented answer
// {"numberId","keyId","keyPrefix":"ps_","keyLast4","key","createdAt"}: what the answer leaves out
// is taken from the key (its last four characters) or from the request (the number), the answer's
// own values are kept as they are, and keyPrefix is not decoded (the provider takes the prefix from
// the key).
func TestRegenerateAPIKeyMapping(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		answer string
		want   pilotstatus.RegeneratedKey
	}{
		{
			name:   "keyLast4 is the answer's, not recomputed from the key",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyPrefix":"ps_","keyLast4":"wxyz","key":"ps_newVALUE9876"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "wxyz", Key: "ps_newVALUE9876"},
		},
		{
			name:   "keyPrefix is not decoded, whatever it holds",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyPrefix":5,"keyLast4":"9876","key":"ps_newVALUE9876"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876"},
		},
		{
			name:   "null keyLast4 and createdAt: from the key, no time",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyPrefix":null,"keyLast4":null,"key":"ps_newVALUE9876","createdAt":null}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876"},
		},
		{
			name:   "empty keyLast4 and createdAt: from the key, no time",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyPrefix":"","keyLast4":"","key":"ps_newVALUE9876","createdAt":""}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876"},
		},
		{
			name:   "the last four are characters, not bytes",
			answer: `{"numberId":"wn_1","keyId":"k_new","key":"ps_4f1c☎é👍"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "c☎é👍", Key: "ps_4f1c☎é👍"},
		},
		{
			name:   "a null numberId: the number asked for",
			answer: `{"numberId":null,"keyId":"k_new","keyLast4":"9876","key":"ps_newVALUE9876"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876"},
		},
		{
			name:   "an empty numberId: the number asked for",
			answer: `{"numberId":"","keyId":"k_new","keyLast4":"9876","key":"ps_newVALUE9876"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876"},
		},
		{
			name:   "createdAt with an offset",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyLast4":"9876","key":"ps_newVALUE9876","createdAt":"2026-06-28T12:00:00+02:00"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876", CreatedAt: created},
		},
		{
			name:   "createdAt without a fraction",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyLast4":"9876","key":"ps_newVALUE9876","createdAt":"2026-06-28T10:00:00Z"}`,
			want:   pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876", CreatedAt: created},
		},
		{
			name:   "createdAt in nanoseconds",
			answer: `{"numberId":"wn_1","keyId":"k_new","keyLast4":"9876","key":"ps_newVALUE9876","createdAt":"2026-06-28T10:00:00.123456789Z"}`,
			want: pilotstatus.RegeneratedKey{
				NumberID: "wn_1", KeyID: "k_new", KeyLast4: "9876", Key: "ps_newVALUE9876",
				CreatedAt: created.Add(123456789 * time.Nanosecond),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tt.answer) })
			got, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), "wn_1", "k_before")
			if err != nil {
				t.Fatal(err)
			}
			// The same instant, whatever zone the answer wrote it in.
			if !got.CreatedAt.Equal(tt.want.CreatedAt) {
				t.Fatalf("createdAt %s, want %s", got.CreatedAt, tt.want.CreatedAt)
			}
			got.CreatedAt = tt.want.CreatedAt
			if got != tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRegenerateAPIKeyRejectsEmptyID(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 500, `{}`) })
	if _, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), "", "k_before"); err == nil {
		t.Fatal("want an error")
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests", n)
	}
}

func TestMalformedSuccessBodies(t *testing.T) {
	t.Parallel()
	big := `[` + strings.Repeat(`{"numberId":"wn_1","keyId":"k_1"},`, 300000) + `{"numberId":"wn_1","keyId":"k_1"}]`
	tests := []struct {
		name       string
		regenerate bool
		body       string
		wantText   string // substring of the error
	}{
		{name: "list: not JSON", body: `not json ` + numberKeyA, wantText: "not valid JSON"},
		{name: "list: HTML", body: `<html><body>` + numberKeyA + `</body></html>`, wantText: "not valid JSON"},
		{name: "list: truncated", body: `[{"numberId":"wn_1","keyId":"k_1","key":"` + numberKeyA, wantText: "not valid JSON"},
		{name: "list: empty", body: ``, wantText: "empty"},
		{name: "list: object", body: `{"error":"x"}`, wantText: "not a JSON array"},
		{name: "list: null", body: `null`, wantText: "not a JSON array"},
		{name: "list: missing numberId", body: `[{"keyId":"k_1"}]`, wantText: `item 0: "numberId" is missing`},
		{name: "list: missing keyId", body: `[{"numberId":"wn_1","keyId":"k_1"},{"numberId":"wn_2"}]`, wantText: `item 1: "keyId" is missing`},
		{name: "list: wrong type", body: `[{"numberId":"wn_1","keyId":"k_1","revealable":"` + numberKeyA + `"}]`, wantText: `"revealable" is a JSON string, want a boolean`},
		{name: "list: number literal not echoed", body: `[{"numberId":5511999999999,"keyId":"k_1"}]`, wantText: `"numberId" is a JSON number, want a string`},
		{name: "list: key without prefix", body: `[{"numberId":"wn_1","keyId":"k_1","key":"xx_1","revealable":true}]`, wantText: `does not start with "ps_"`},
		{name: "list: legacy key without prefix", body: `[{"numberId":"wn_1","keyId":"k_1","key":"sk_123","revealable":false}]`, wantText: `item 0: "key" does not start with "ps_"`},
		{name: "list: null numberId", body: `[{"numberId":null,"keyId":"k_1"}]`, wantText: `item 0: "numberId" is missing or empty`},
		{name: "list: empty keyId", body: `[{"numberId":"wn_1","keyId":""}]`, wantText: `item 0: "keyId" is missing or empty`},
		{name: "list: item not an object", body: `[{"numberId":"wn_1","keyId":"k_1"},"wn_2"]`, wantText: "item 1: the body is not a JSON object"},
		{name: "list: oversized", body: big, wantText: "larger than 8 MiB"},
		{name: "regenerate: not JSON", regenerate: true, body: `<html>` + numberKeyB + `</html>`, wantText: "not valid JSON"},
		{name: "regenerate: truncated", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new","key":"` + numberKeyB, wantText: "not valid JSON"},
		{name: "regenerate: missing key", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new"}`, wantText: `"key" is missing`},
		{name: "regenerate: null key", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new","key":null}`, wantText: `"key" is missing`},
		{name: "regenerate: key without prefix", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new","key":"sk_123"}`, wantText: `"key" does not start with "ps_"`},
		{name: "regenerate: missing keyId", regenerate: true, body: `{"numberId":"wn_1","key":"` + numberKeyB + `"}`, wantText: `"keyId" is missing`},
		{name: "regenerate: other number", regenerate: true, body: `{"numberId":"wn_2","keyId":"k_new","key":"` + numberKeyB + `"}`, wantText: `"numberId" is not the number`},
		{name: "regenerate: number in other case", regenerate: true, body: `{"numberId":"WN_1","keyId":"k_new","key":"` + numberKeyB + `"}`, wantText: `"numberId" is not the number`},
		{name: "regenerate: createdAt not a string", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new","key":"` + numberKeyB + `","createdAt":1782640800}`, wantText: `field "createdAt" is a JSON number, want a string`},
		{name: "regenerate: bad createdAt", regenerate: true, body: `{"numberId":"wn_1","keyId":"k_new","key":"` + numberKeyB + `","createdAt":"yesterday"}`, wantText: `"createdAt" is not an RFC 3339 time`},
		{name: "regenerate: array", regenerate: true, body: `[]`, wantText: "not a JSON object"},
		{name: "regenerate: oversized", regenerate: true, body: `{"numberId":"wn_1","pad":"` + strings.Repeat("a", 9<<20) + `"}`, wantText: "larger than 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var posts atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if r.Method == http.MethodPost {
					posts.Add(1)
				}
				// The same body answers the key list that settles a regeneration: unreadable, or
				// (an empty array) without the number, so nothing is regenerated again.
				writeJSON(w, 200, tt.body)
			})
			c := newClient(t, srv.URL)
			var err error
			if tt.regenerate {
				_, err = c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
			} else {
				_, err = c.ListAPIKeys(context.Background())
			}
			if !errors.Is(err, pilotstatus.ErrMalformedResponse) {
				t.Fatalf("want ErrMalformedResponse, got %v", err)
			}
			if got := errors.Is(err, pilotstatus.ErrOutcomeUnknown); got != tt.regenerate {
				t.Fatalf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v (%v)", got, tt.regenerate, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("error %q does not contain %q", err, tt.wantText)
			}
			assertNoSecret(t, "error", err.Error(), append(allSecrets, "5511999999999", "<html", "sk_123", "yesterday", "WN_1", "wn_2", "1782640800")...)
			want, got := int64(1), srv.hits.Load()
			if tt.regenerate {
				got = posts.Load()
			}
			if got != want {
				t.Fatalf("a 2xx was retried: server saw %d requests", got)
			}
		})
	}
}

// TestTruncatedConnection cuts the answer short of its Content-Length.
func TestTruncatedConnection(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n" +
			`{"numberId":"wn_1","keyId":"k_new","key":"` + numberKeyB + `"`)
		_ = buf.Flush()
		_ = conn.Close()
	})
	_, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), "wn_1", "k_before")
	if !errors.Is(err, pilotstatus.ErrMalformedResponse) || !errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
		t.Fatalf("want ErrMalformedResponse and ErrOutcomeUnknown, got %v", err)
	}
	assertNoSecret(t, "error", err.Error())
}

// TestRegenerateUnreachableIsDefinitive: a refused connection sends nothing, so the key is intact.
func TestRegenerateUnreachableIsDefinitive(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := newClient(t, "http://"+addr, func(c *pilotstatus.Config) { c.MaxRetries = 1 })
	_, err = c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
	var te *pilotstatus.TransportError
	if !errors.As(err, &te) || te.Attempts != 2 {
		t.Fatalf("want a TransportError after 2 attempts, got %v", err)
	}
	if errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
		t.Fatalf("nothing reached a server, yet the outcome is unknown: %v", err)
	}
}

// Answers that leave out optional fields still decode: a present key without
// "revealable" is revealed, and the last four come from the key.
func TestDecodingToleratesMissingOptionalFields(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			writeJSON(w, 200, `[{"numberId":"wn_1","keyId":"k_1","key":"`+numberKeyA+`"},{"numberId":"wn_2","keyId":"k_2","key":null}]`)
			return
		}
		writeJSON(w, 200, `{"keyId":"k_new","key":"`+numberKeyA+`"}`)
	})
	c := newClient(t, srv.URL)
	list, err := c.ListAPIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantList := []pilotstatus.NumberKey{
		{NumberID: "wn_1", KeyID: "k_1", KeyLast4: numberKeyA[len(numberKeyA)-4:], Key: numberKeyA, Revealable: true},
		{NumberID: "wn_2", KeyID: "k_2"},
	}
	if !reflect.DeepEqual(list, wantList) {
		t.Errorf("list: got %+v\nwant %+v", list, wantList)
	}
	key, err := c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
	if err != nil {
		t.Fatal(err)
	}
	want := pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: numberKeyA[len(numberKeyA)-4:], Key: numberKeyA}
	if key != want {
		t.Errorf("regenerate: got %+v\nwant %+v", key, want)
	}
}
