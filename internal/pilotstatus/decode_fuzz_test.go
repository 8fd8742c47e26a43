package pilotstatus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// The fuzz targets below feed arbitrary answers to the client through an in-memory transport and
// check what the client promises about them, not only that it does not panic:
//   - a 2xx body either decodes, with every required field non-empty and every value exactly what
//     the body held, or fails with an error that wraps ErrMalformedResponse and holds no body
//     content (no ps_ token, no control character, a bounded length);
//   - a non-2xx body always becomes an *APIError whose Message and Code are redacted, bounded and
//     free of control characters, and which is the status text when the body is not JSON.

// Credentials of the fuzzed clients; they must never come back in an error.
const (
	fuzzTenantKey   = "ps_fuzzTENANTsecret0042"
	fuzzTenantKeyID = "kid_FUZZ-tenant-secret"
	fuzzBaseURL     = "https://api.pilotstatus.test"
)

// maxErrorText bounds the text of a decoding error, path aside: it names a field, never a value.
const maxErrorText = 400

// cannedTransport answers every request with one status and body, and records the requests.
type cannedTransport struct {
	status int
	body   []byte
	// listUnavailable answers GET /v1/api-keys with 503, unrecorded: the list that settles an
	// unusable regeneration answer cannot be read, so the regeneration is not sent again.
	listUnavailable bool

	hits atomic.Int64
	mu   sync.Mutex
	reqs []recordedRequest
}

// recordedRequest is what a server would have seen of one request.
type recordedRequest struct {
	method     string
	requestURI string // the request line's target: escaped path and query
	rawQuery   string
	fragment   string
	body       []byte
}

func (tr *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if tr.listUnavailable && req.Method == http.MethodGet && req.URL.Path == "/v1/api-keys" {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
	}
	tr.hits.Add(1)
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	tr.mu.Lock()
	tr.reqs = append(tr.reqs, recordedRequest{
		method:     req.Method,
		requestURI: req.URL.RequestURI(),
		rawQuery:   req.URL.RawQuery,
		fragment:   req.URL.Fragment,
		body:       body,
	})
	tr.mu.Unlock()
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", tr.status, http.StatusText(tr.status)),
		StatusCode:    tr.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(tr.body)),
		ContentLength: int64(len(tr.body)),
		Request:       req,
	}, nil
}

func (tr *cannedTransport) requests() []recordedRequest {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]recordedRequest(nil), tr.reqs...)
}

// cannedClient is a client without retries whose every request gets status and body.
func cannedClient(t *testing.T, status int, body []byte, useKeyID bool) (*pilotstatus.Client, *cannedTransport) {
	t.Helper()
	tr := &cannedTransport{status: status, body: body}
	cfg := pilotstatus.Config{BaseURL: fuzzBaseURL, APIKey: fuzzTenantKey, Transport: tr, SettleTime: 20 * time.Millisecond}
	if useKeyID {
		cfg.APIKey, cfg.APIKeyID = "", fuzzTenantKeyID
	}
	c, err := pilotstatus.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, tr
}

// member is one top-level member of a JSON object, in the order of the body.
type member struct {
	name  string
	value json.RawMessage
}

// members reads an object's top-level members in order, duplicates included. It is an oracle
// independent of the client's decoding: it walks the tokens instead of filling a struct.
func members(t *testing.T, raw []byte) []member {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		t.Fatalf("oracle: a decoded item is not an object (%v)", err)
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("oracle: reading a member name: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			t.Fatalf("oracle: member name %v is not a string", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("oracle: reading member %q: %v", name, err)
		}
		out = append(out, member{name: name, value: v})
	}
	return out
}

// stringField is what the body says about a string field: encoding/json matches member names
// without regard to case, lets a later member win, and leaves a plain string untouched on null.
func stringField(t *testing.T, ms []member, name string) string {
	t.Helper()
	var v string
	for _, m := range ms {
		if !strings.EqualFold(m.name, name) || string(m.value) == "null" {
			continue
		}
		if err := json.Unmarshal(m.value, &v); err != nil {
			t.Fatalf("oracle: member %q of a decoded item is not a string: %v", m.name, err)
		}
	}
	return v
}

// nullableField is like stringField for a pointer field, which null resets to nil.
func nullableField[T any](t *testing.T, ms []member, name string) *T {
	t.Helper()
	var v *T
	for _, m := range ms {
		if !strings.EqualFold(m.name, name) {
			continue
		}
		if string(m.value) == "null" {
			v = nil
			continue
		}
		var x T
		if err := json.Unmarshal(m.value, &x); err != nil {
			t.Fatalf("oracle: member %q of a decoded item has the wrong type: %v", m.name, err)
		}
		v = &x
	}
	return v
}

// arrayItems splits a body that the client accepted as an array.
func arrayItems(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("oracle: the client accepted a body that is not a JSON array: %v", err)
	}
	return items
}

// lastRunes returns the last n characters of s.
func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[len(r)-n:])
}

// checkValidText fails when a decoded value cannot be stored by Terraform (which holds UTF-8).
func checkValidText(t *testing.T, what string, values ...string) {
	t.Helper()
	for _, v := range values {
		if !utf8.ValidString(v) {
			t.Errorf("%s holds invalid UTF-8: %q", what, v)
		}
	}
}

// checkDecodeError checks the error of a 2xx answer that did not decode: it wraps
// ErrMalformedResponse, is neither an APIError nor a TransportError, and holds no body content.
// path, when set, is removed before the content checks (it may hold a fuzzed id, escaped).
func checkDecodeError(t *testing.T, err error, path string) {
	t.Helper()
	if !errors.Is(err, pilotstatus.ErrMalformedResponse) {
		t.Fatalf("a 2xx answer failed without ErrMalformedResponse: %v", err)
	}
	var apiErr *pilotstatus.APIError
	var te *pilotstatus.TransportError
	if errors.As(err, &apiErr) || errors.As(err, &te) {
		t.Fatalf("a 2xx answer failed as an APIError or TransportError: %v", err)
	}
	text := err.Error()
	if path != "" {
		text = strings.ReplaceAll(text, path, "<path>")
	}
	checkCleanText(t, "decoding error", text, maxErrorText, fuzzTenantKey, fuzzTenantKeyID)
}

// checkCleanText fails when text holds a ps_ token, one of secrets or a control character, is not
// UTF-8 or is longer than limit bytes.
func checkCleanText(t *testing.T, what, text string, limit int, secrets ...string) {
	t.Helper()
	if m := pilotstatus.KeyPattern.FindString(text); m != "" {
		t.Errorf("%s holds a ps_ value %q: %q", what, m, text)
	}
	for _, secret := range secrets {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds a configured credential: %q", what, text)
		}
	}
	if strings.ContainsFunc(text, unicode.IsControl) {
		t.Errorf("%s holds a control character: %q", what, text)
	}
	if !utf8.ValidString(text) {
		t.Errorf("%s is not UTF-8: %q", what, text)
	}
	if len(text) > limit {
		t.Errorf("%s is %d bytes long (limit %d), it may repeat the body: %.200q…", what, len(text), limit, text)
	}
}

// checkOneRequest fails unless exactly one request, method on wantURI, reached the transport.
func checkOneRequest(t *testing.T, tr *cannedTransport, method, wantURI string) recordedRequest {
	t.Helper()
	reqs := tr.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests were sent, want 1 (a 2xx or a non-retried status is never retried)", len(reqs))
	}
	r := reqs[0]
	if r.method != method || r.requestURI != wantURI || r.rawQuery != "" || r.fragment != "" {
		t.Fatalf("request %s %q (query %q, fragment %q), want %s %q", r.method, r.requestURI, r.rawQuery, r.fragment, method, wantURI)
	}
	return r
}

// hostileBodies are answers that are wrong in every way the fuzz targets share as seeds.
func hostileBodies() []string {
	huge := strings.Repeat("A", 4<<10)
	return []string{
		``,
		` `,
		"\n\t\r ",
		`null`,
		`true`,
		`0`,
		`-1e999`,
		`"` + fuzzTenantKey + `"`,
		`[]`,
		`{}`,
		`[{}]`,
		`[null]`,
		`[[]]`,
		`[{},{}`,
		`{"`,
		`[{"numberId":"wn_1","keyId":"k_1","key":"ps_trunc`,
		`<html><head><title>502 Bad Gateway</title></head><body>` + fuzzTenantKey + `</body></html>`,
		`<!DOCTYPE html><html>ps_leakedKEY123</html>`,
		"\xef\xbb\xbf[]",           // a byte order mark
		"[] []",                    // two documents
		"{} garbage",               // trailing garbage
		strings.Repeat("[", 10001), // deeper than encoding/json allows
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		`{"a":` + strings.Repeat(`{"a":`, 2000) + `1` + strings.Repeat(`}`, 2001),
		`[{"numberId":"` + huge + `","keyId":"` + huge + `","key":"ps_` + huge + `"}]`,
		`{"id":"` + huge + `","numberId":"wn_1","keyId":"` + huge + `","key":"ps_` + huge + `"}`,
		"[\"\xff\xfe\"]",
		"{\"id\":\"\xff\xfe\",\"numberId\":\"\xc3\",\"key\":\"ps_\xff\"}",
	}
}

// FuzzListAPIKeys decodes arbitrary GET /v1/api-keys answers.
func FuzzListAPIKeys(f *testing.F) {
	for _, b := range hostileBodies() {
		f.Add([]byte(b))
	}
	for _, b := range []string{
		`[{"numberId":"wn_1","number":"5511999999999","displayName":"Suporte","keyId":"k_aaa","keyLast4":"wxyz","key":"ps_4f1cAAAAwxyz","revealable":true}]`,
		`[{"numberId":"wn_2","keyId":"k_b","key":null,"revealable":false}]`,
		`[{"numberId":"wn_3","keyId":"k_c","key":"ps_x","revealable":false}]`,
		`[{"numberId":"wn_4","keyId":"k_d","key":null,"revealable":true}]`,
		`[{"numberId":"wn_5","keyId":"k_e","key":""}]`,
		`[{"numberId":null,"keyId":"k_1"}]`,
		`[{"numberId":"wn_1","keyId":null}]`,
		`[{"numberId":"wn_1","keyId":"k_1","key":12}]`,
		`[{"numberId":"wn_1","keyId":"k_1","revealable":"true"}]`,
		`[{"numberId":["wn_1"],"keyId":"k_1"}]`,
		`[{"numberId":{"$ne":""},"keyId":"k_1"}]`,
		`[{"numberId":"wn_1","keyId":"k_1","key":"sk_live_123"}]`,
		`[{"numberId":"wn_1","keyId":"k_1","key":"ps_a","key":null}]`,
		`[{"numberId":"wn_1","keyId":"k_1","KEY":"ps_upper","Key":"ps_last"}]`,
		`[{"numberId":"wn_1","numberId":null,"keyId":"k_1"}]`,
		`[{"numberId":"📞 wn \u202eRTL\u202c","keyId":"k_☎","displayName":"Suporte 👩‍💻 עברית","key":"ps_é☎👍","revealable":true}]`,
		`[{"numberId":"\u0000\u001f","keyId":"\ud800","key":"\u0070s_escaped"}]`,
		`[{"numberId":"wn_1","keyId":"k_1","key":"ps_ab☎é","revealable":true}]`,
		`[{"numberId":"wn_1","keyId":"k_1","nested":{"a":[1,{"b":null}],"key":"ps_nested"}}]`,
		`[{"numberId":"wn_1","keyId":"k_1"},"wn_2"]`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, tr := cannedClient(t, http.StatusOK, body, false)
		keys, err := c.ListAPIKeys(context.Background())
		checkOneRequest(t, tr, http.MethodGet, "/v1/api-keys")
		if err != nil {
			checkDecodeError(t, err, "")
			return
		}
		items := arrayItems(t, bytes.TrimSpace(body))
		if len(keys) != len(items) {
			t.Fatalf("%d keys decoded from %d items", len(keys), len(items))
		}
		for i, k := range keys {
			ms := members(t, items[i])
			if k.NumberID == "" || k.KeyID == "" {
				t.Errorf("item %d: a required field is empty: %+v", i, k)
			}
			if k.NumberID != stringField(t, ms, "numberId") || k.KeyID != stringField(t, ms, "keyId") ||
				k.Number != stringField(t, ms, "number") || k.DisplayName != stringField(t, ms, "displayName") {
				t.Errorf("item %d: a field differs from the body: %+v", i, k)
			}
			key := nullableField[string](t, ms, "key")
			revealable := key != nil && *key != ""
			if r := nullableField[bool](t, ms, "revealable"); r != nil {
				revealable = *r
			}
			wantKey := ""
			if revealable && key != nil {
				wantKey = *key
			}
			if k.Revealable != revealable || k.Key != wantKey {
				t.Errorf("item %d: got key %q revealable %v, the body holds %q revealable %v", i, k.Key, k.Revealable, wantKey, revealable)
			}
			if k.Key != "" && !strings.HasPrefix(k.Key, "ps_") {
				t.Errorf("item %d: key %q does not start with ps_", i, k.Key)
			}
			wantLast4 := stringField(t, ms, "keyLast4")
			if wantLast4 == "" && k.Key != "" {
				wantLast4 = lastRunes(k.Key, 4)
			}
			if k.KeyLast4 != wantLast4 {
				t.Errorf("item %d: keyLast4 %q, want %q", i, k.KeyLast4, wantLast4)
			}
			checkValidText(t, fmt.Sprintf("item %d", i), k.NumberID, k.Number, k.DisplayName, k.KeyID, k.KeyLast4, k.Key)
		}
	})
}

// FuzzRegenerateAPIKey decodes arbitrary POST /v1/api-keys answers for arbitrary number ids, and
// checks the request each id produces.
func FuzzRegenerateAPIKey(f *testing.F) {
	valid := `{"numberId":"wn_1","keyId":"k_new","keyPrefix":"ps_","keyLast4":"wxyz","key":"ps_4f1cAAAAwxyz","createdAt":"2026-06-28T10:00:00.000Z"}`
	for _, b := range hostileBodies() {
		f.Add([]byte(b), "wn_1")
	}
	for _, s := range []struct{ body, id string }{
		{valid, "wn_1"},
		{valid, "wn_2"},
		{valid, ""},
		{`{"keyId":"k_new","key":"ps_x"}`, `wn "quoted" \ /?#%2F.. ` + "\n\t"},
		{`{"keyId":"k_new","key":"ps_x","numberId":""}`, "📞\u202ewn\u202c"},
		{`{"keyId":"k_new","key":"ps_x","numberId":"wn_1","id":"key_1","name":"default","scope":"NUMBER"}`, "wn_1"},
		{`{"keyId":"k_new","key":null}`, "wn_1"},
		{`{"keyId":"k_new","key":"sk_x"}`, "wn_1"},
		{`{"keyId":null,"key":"ps_x"}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","createdAt":"yesterday"}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","createdAt":12}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","createdAt":null,"keyLast4":null,"keyPrefix":null}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_ab☎é"}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","KEY":"ps_y","numberID":"wn_1"}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","key":null}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x","numberId":"WN_1"}`, "wn_1"},
		{`{"keyId":"k_new","key":"ps_x"}`, "wn\xff\xfe"},
		{`{"keyId":"k_new","key":"ps_x"}`, "wn\x00nul"},
		{`{"keyId":"k_new","key":"ps_x"}`, strings.Repeat("é", 4096)},
		{`[` + valid + `]`, "wn_1"},
	} {
		f.Add([]byte(s.body), s.id)
	}
	f.Fuzz(func(t *testing.T, body []byte, numberID string) {
		c, tr := cannedClient(t, http.StatusOK, body, false)
		tr.listUnavailable = true // a regeneration whose answer is unusable is settled by the list: it fails
		key, err := c.RegenerateAPIKey(context.Background(), numberID, "k_before")
		if numberID == "" || !utf8.ValidString(numberID) {
			// Refused before any request: an empty id names no number, and an id that is not
			// UTF-8 cannot be written into JSON as it is.
			if err == nil || tr.hits.Load() != 0 {
				t.Fatalf("id %q: err %v after %d requests, want a refusal before any request", numberID, err, tr.hits.Load())
			}
			if errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
				t.Fatalf("nothing was sent, yet the outcome is unknown: %v", err)
			}
			return
		}
		req := checkOneRequest(t, tr, http.MethodPost, "/v1/api-keys")
		var sent map[string]any
		if jerr := json.Unmarshal(req.body, &sent); jerr != nil {
			t.Fatalf("the request body is not JSON: %v: %q", jerr, req.body)
		}
		if got, ok := sent["whatsappNumberId"].(string); len(sent) != 1 || !ok || got != numberID {
			t.Fatalf("the request body %q does not name exactly the number %q", req.body, numberID)
		}
		if err != nil {
			checkDecodeError(t, err, "")
			if !errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
				t.Fatalf("a malformed 2xx answer to a regeneration must leave the outcome unknown: %v", err)
			}
			return
		}
		ms := members(t, bytes.TrimSpace(body))
		if key.Key == "" || !strings.HasPrefix(key.Key, "ps_") || key.Key != stringField(t, ms, "key") {
			t.Errorf("key %q is not the body's key", key.Key)
		}
		if key.KeyID == "" || key.KeyID != stringField(t, ms, "keyId") {
			t.Errorf("keyId %q is empty or not the body's", key.KeyID)
		}
		if key.NumberID != numberID {
			t.Errorf("numberId %q, want the number asked for, %q", key.NumberID, numberID)
		}
		if id := stringField(t, ms, "numberId"); id != "" && id != numberID {
			t.Errorf("an answer about number %q was accepted for %q", id, numberID)
		}
		if key.KeyPrefix == "" {
			t.Error("keyPrefix is empty")
		}
		wantLast4 := stringField(t, ms, "keyLast4")
		if wantLast4 == "" {
			wantLast4 = lastRunes(key.Key, 4)
		}
		if key.KeyLast4 != wantLast4 {
			t.Errorf("keyLast4 %q, want %q", key.KeyLast4, wantLast4)
		}
		if stringField(t, ms, "createdAt") == "" && !key.CreatedAt.IsZero() {
			t.Errorf("createdAt %s without one in the body", key.CreatedAt)
		}
		checkValidText(t, "regenerated key", key.NumberID, key.KeyID, key.KeyPrefix, key.KeyLast4, key.Key)
	})
}

// numberSeeds are GET /v1/numbers item bodies.
var numberSeeds = []string{
	`{"id":"wn_1","instanceName":"inst-1","number":"5511999999999","name":"Suporte","provider":"PILOT_STATUS","state":"OPEN","isFullyConnected":true,"apiKeys":[{"name":"default","keyPrefix":"ps_","keyLast4":"1234"}],"createdAt":"2026-01-02T03:04:05.678Z","updatedAt":"2026-06-28T10:00:00.000Z"}`,
	`{"id":"num_01HZX","state":"CLOSE","apiKeys":null}`,
	`{"id":"wa_abc","apiKeys":[]}`,
	`{"id":null}`,
	`{"id":""}`,
	`{"id":7}`,
	`{"id":"wn_1","isFullyConnected":"yes"}`,
	`{"id":"wn_1","apiKeys":"ps_notAnArray"}`,
	`{"id":"wn_1","apiKeys":[null,{"name":null},{"name":5}]}`,
	`{"id":"wn_1","apiKeys":[{"keyPrefix":"ps_","key":"ps_secretValue"}]}`,
	`{"id":"wn_1","createdAt":"2026-13-45T00:00:00Z"}`,
	`{"id":"wn_1","updatedAt":"0000-00-00"}`,
	`{"id":"wn_1","createdAt":"9999-12-31T23:59:59.999999999+14:00"}`,
	`{"id":"wn/é ?%#..","name":"📞 \u202eRTL\u202c 👩‍💻","number":"٠١٢٣"}`,
	`{"id":"wn_1","ID":"wn_2","Id":null}`,
	`{"id":"\u0000","name":"\ud800\udc00\ud800"}`,
}

// FuzzListNumbers decodes arbitrary GET /v1/numbers answers.
func FuzzListNumbers(f *testing.F) {
	for _, b := range hostileBodies() {
		f.Add([]byte(b))
	}
	for _, s := range numberSeeds {
		f.Add([]byte("[" + s + "]"))
	}
	f.Add([]byte("[" + numberSeeds[0] + "," + numberSeeds[1] + "," + numberSeeds[3] + "]"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, tr := cannedClient(t, http.StatusOK, body, false)
		numbers, err := c.ListNumbers(context.Background())
		checkOneRequest(t, tr, http.MethodGet, "/v1/numbers")
		if err != nil {
			checkDecodeError(t, err, "")
			return
		}
		items := arrayItems(t, bytes.TrimSpace(body))
		if len(numbers) != len(items) {
			t.Fatalf("%d numbers decoded from %d items", len(numbers), len(items))
		}
		for i, n := range numbers {
			checkNumber(t, fmt.Sprintf("item %d", i), n, members(t, items[i]))
		}
	})
}

// checkNumber compares a decoded number with the members of its item.
func checkNumber(t *testing.T, what string, n pilotstatus.Number, ms []member) {
	t.Helper()
	if n.ID == "" {
		t.Errorf("%s: the id is empty", what)
	}
	for _, f := range []struct{ got, name string }{
		{n.ID, "id"}, {n.InstanceName, "instanceName"}, {n.Number, "number"}, {n.Name, "name"},
		{n.Provider, "provider"}, {n.State, "state"},
	} {
		if want := stringField(t, ms, f.name); f.got != want {
			t.Errorf("%s: %s is %q, the body holds %q", what, f.name, f.got, want)
		}
	}
	var keys []json.RawMessage
	for _, m := range ms {
		if strings.EqualFold(m.name, "apiKeys") {
			keys = nil
			_ = json.Unmarshal(m.value, &keys)
		}
	}
	if len(n.APIKeys) != len(keys) {
		t.Errorf("%s: %d api keys decoded, the body holds %d", what, len(n.APIKeys), len(keys))
	}
	if stringField(t, ms, "createdAt") == "" && !n.CreatedAt.IsZero() || stringField(t, ms, "updatedAt") == "" && !n.UpdatedAt.IsZero() {
		t.Errorf("%s: a time was decoded from nothing: %s, %s", what, n.CreatedAt, n.UpdatedAt)
	}
	values := []string{n.ID, n.InstanceName, n.Number, n.Name, n.Provider, n.State}
	for _, k := range n.APIKeys {
		values = append(values, k.Name, k.KeyPrefix, k.KeyLast4)
	}
	checkValidText(t, what, values...)
}

// codeShape is what a kept error code may look like.
var codeShape = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// FuzzAPIError decodes arbitrary error bodies ({"error": ..., "code": ...}) for any non-2xx status.
func FuzzAPIError(f *testing.F) {
	for _, b := range hostileBodies() {
		f.Add(uint16(502), []byte(b), false)
	}
	for _, s := range []struct {
		status uint16
		body   string
	}{
		{400, `{"error":"Validation error","code":"VALIDATION_ERROR"}`},
		{401, `{"error":"Unauthorized"}`},
		{403, `{"error":"Number-scoped keys cannot call tenant endpoints","code":"NUMBER_SCOPE_NOT_ALLOWED"}`},
		{404, `{"error":"Number not found","code":"NUMBER_NOT_FOUND","details":{"id":"x"}}`},
		{429, `{"error":"Too many requests"}`},
		{500, `{"error":null,"code":null}`},
		{500, `{"error":"","code":""}`},
		{500, `{"error":"   ","code":" X "}`},
		{400, `{"error":{"issues":["ps_nestedKEY1"]},"code":"VALIDATION_ERROR"}`},
		{400, `{"error":["a","b"],"code":7}`},
		{400, `{"error":"bad","code":7}`},
		{401, `{"error":"key ` + fuzzTenantKey + ` (id ` + fuzzTenantKeyID + `) is revoked","code":"` + fuzzTenantKey + `"}`},
		{401, `{"error":"\u0070s_escapedKEY and \"key\":\"hidden\"","code":"ps_code"}`},
		{401, `{"error":"kid_FUZZ-tenant-secretkid_FUZZ-tenant-secret","code":"kid_FUZZ-tenant-secret"}`},
		{403, `{"ERROR":"upper","CODE":"UPPER"}`},
		{404, `{"error":"first","error":"second ps_dupKEY","code":"A","code":"B"}`},
		{400, `{"error":"line1\nline2\u0000\u007f\r\t\u001b[31mred\u2028\u0085"}`},
		{400, `{"error":"raw ` + "\x1b[31m" + ` escape"}`},
		{400, `{"error":"c1 \u009b31m csi\u0085nel"}`},
		{400, `{"error":"` + strings.Repeat("é", 300) + `"}`},
		{400, `{"error":"` + strings.Repeat("x", 199) + `ps_cutHERE123"}`},
		{400, `{"error":"📞 \u202eRTL\u202c 👩‍💻 עברית","code":"ÜNICODE"}`},
		{400, `{"error":"x","code":"` + strings.Repeat("C", 65) + `"}`},
		{400, `{"error":"x","code":"A B\nC"}`},
		{400, "{\"error\":\"\xff\xfe invalid utf-8\"}"},
		{302, `{"error":"moved"}`},
		{101, `{"error":"switching"}`},
		{304, ``},
		{418, `{"error":"teapot"}`},
		{499, `{"error":"client closed"}`},
		{501, `{"error":"nope"}`},
		{599, `{"error":"edge"}`},
		{600, `{"error":"beyond"}`},
		{999, `<html>` + fuzzTenantKeyID + `</html>`},
	} {
		f.Add(s.status, []byte(s.body), false)
		f.Add(s.status, []byte(s.body), true)
	}
	f.Fuzz(func(t *testing.T, rawStatus uint16, body []byte, useKeyID bool) {
		status := int(rawStatus) % 1000
		if status < 100 {
			status += 100
		}
		if status >= 200 && status <= 299 {
			status += 100
		}
		c, tr := cannedClient(t, status, body, useKeyID)
		credential := fuzzTenantKey
		if useKeyID {
			credential = fuzzTenantKeyID
		}
		_, err := c.ListAPIKeys(context.Background())
		checkOneRequest(t, tr, http.MethodGet, "/v1/api-keys")
		var apiErr *pilotstatus.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("HTTP %d: want an *APIError, got %T %v", status, err, err)
		}
		if errors.Is(err, pilotstatus.ErrMalformedResponse) {
			t.Fatalf("HTTP %d: an error answer is not a malformed success: %v", status, err)
		}
		if apiErr.Status != status || apiErr.Method != http.MethodGet || apiErr.Path != "/v1/api-keys" || apiErr.Attempts != 1 {
			t.Fatalf("got status %d, %s %s, %d attempts; want %d, GET /v1/api-keys, 1", apiErr.Status, apiErr.Method, apiErr.Path, apiErr.Attempts, status)
		}
		if apiErr.Message == "" || utf8.RuneCountInString(apiErr.Message) > 200 || strings.TrimSpace(apiErr.Message) != apiErr.Message {
			t.Errorf("message %q is empty, longer than 200 characters or not trimmed", apiErr.Message)
		}
		checkCleanText(t, "message", apiErr.Message, 4*200, credential)
		if apiErr.Code != "" {
			if !codeShape.MatchString(apiErr.Code) {
				t.Errorf("code %q is not a code", apiErr.Code)
			}
			checkCleanText(t, "code", apiErr.Code, 64, credential)
		}
		checkCleanText(t, "error text", err.Error(), 4*200+64+32, credential)
		if !strings.HasSuffix(err.Error(), fmt.Sprintf("(HTTP %d)", status)) {
			t.Errorf("error text %q does not end with the status", err)
		}
		// A body that is not a JSON object yields the status text and no code: nothing of it is
		// echoed.
		trimmed := bytes.TrimSpace(body)
		if !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
			want := http.StatusText(status)
			if want == "" {
				want = "Unexpected HTTP status"
			}
			if apiErr.Message != want || apiErr.Code != "" {
				t.Errorf("a body that is not a JSON object gave message %q and code %q, want %q and none", apiErr.Message, apiErr.Code, want)
			}
		}
		preds := map[string]struct {
			is   func(error) bool
			want bool
		}{
			"IsNotFound":     {pilotstatus.IsNotFound, status == 404},
			"IsUnauthorized": {pilotstatus.IsUnauthorized, status == 401},
			"IsForbidden":    {pilotstatus.IsForbidden, status == 403},
			"IsRateLimited":  {pilotstatus.IsRateLimited, status == 429},
			"IsServerError":  {pilotstatus.IsServerError, status >= 500 && status <= 599},
			"IsValidation":   {pilotstatus.IsValidation, status == 400},
		}
		for name, p := range preds {
			if p.is(err) != p.want {
				t.Errorf("HTTP %d: %s = %v", status, name, !p.want)
			}
		}
		// The same answer to a regeneration is the same APIError; its outcome is unknown exactly
		// when the server may have done the work (a 5xx other than 501).
		c2, _ := cannedClient(t, status, body, useKeyID)
		_, rerr := c2.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
		var regErr *pilotstatus.APIError
		if !errors.As(rerr, &regErr) || regErr.Message != apiErr.Message || regErr.Code != apiErr.Code || regErr.Status != status {
			t.Fatalf("HTTP %d: the regeneration failed differently: %v", status, rerr)
		}
		mayHaveActed := status >= 500 && status <= 599 && status != http.StatusNotImplemented
		if errors.Is(rerr, pilotstatus.ErrOutcomeUnknown) != mayHaveActed {
			t.Errorf("HTTP %d: errors.Is(err, ErrOutcomeUnknown) = %v, want %v", status, !mayHaveActed, mayHaveActed)
		}
	})
}
