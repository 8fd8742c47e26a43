package pilotstatus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// The fuzz targets below feed arbitrary answers to the client through an in-memory transport and
// check what the client promises of every answer, whatever it holds, not only that it does not
// panic:
//   - a 2xx body either decodes, with every required field non-empty, every key handed out usable
//     (ps_, revealable, with its last four characters), all text UTF-8 and each list item decoded
//     whatever its neighbours, or fails with an error that wraps ErrMalformedResponse and holds
//     no body content (no ps_ token, no control character, a bounded length);
//   - a non-2xx body always becomes an *APIError whose Message and Code are redacted, bounded and
//     free of control characters, and which echoes nothing of a body that is not a JSON object.
//
// They hold no second decoder and no copy of a mapping rule. Which JSON member becomes which
// field, and the rules for legacy keys, missing, empty and null members and the last four
// characters, are written out from the API's documentation in the tables of api_keys_test.go,
// numbers_test.go and errors_test.go.

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

// splitItems splits a body that the client accepted as an array into its items. It reads the
// array only, not the members of an item: which member becomes which field is checked by the
// tables in api_keys_test.go and numbers_test.go, written out from the API's documentation.
func splitItems(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("the client accepted a body that is not a JSON array: %v", err)
	}
	return items
}

// checkItemsIndependent fails unless the list decodes to one entry per item, and the same items in
// reverse order decode to the same entries in reverse order: each item is decoded on its own, and
// nothing of one (a member the next one leaves out) carries over into another. list decodes a
// whole GET answer, as the client does.
func checkItemsIndependent[T any](t *testing.T, body []byte, got []T, list func(body []byte) ([]T, error)) {
	t.Helper()
	items := splitItems(t, body)
	if len(got) != len(items) {
		t.Fatalf("%d entries decoded from %d items", len(got), len(items))
	}
	if len(items) < 2 {
		return
	}
	reversed := make([][]byte, len(items))
	for i, item := range items {
		reversed[len(items)-1-i] = item
	}
	back, err := list(append(append([]byte("["), bytes.Join(reversed, []byte(","))...), ']'))
	if err != nil {
		t.Fatalf("the items decode in one order but not in the other: %v", err)
	}
	for i := range got {
		if j := len(back) - 1 - i; j < 0 || !reflect.DeepEqual(back[j], got[i]) {
			t.Fatalf("item %d decodes to %+v, and otherwise when the list is reversed: %+v", i, got[i], back)
		}
	}
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

// checkCleanText fails when text holds a ps_ value or one of secrets (secrettest), or a control
// character, is not UTF-8 or is longer than limit bytes.
func checkCleanText(t *testing.T, what, text string, limit int, secrets ...string) {
	t.Helper()
	secrettest.Check(t, what, text, secrettest.Named("a configured credential", secrets...))
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
		`[{"numberId":"wn_1","number":"5511999999999","displayName":"Suporte","keyId":"k_1","keyLast4":"wxyz","key":"ps_firstKEYwxyz","revealable":true},{"numberId":"wn_2","keyId":"k_2"}]`,
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
		for i, k := range keys {
			checkNumberKey(t, fmt.Sprintf("item %d", i), k)
		}
		checkItemsIndependent(t, bytes.TrimSpace(body), keys, func(body []byte) ([]pilotstatus.NumberKey, error) {
			c, _ := cannedClient(t, http.StatusOK, body, false)
			return c.ListAPIKeys(context.Background())
		})
	})
}

// checkNumberKey checks what holds of every listed key, whatever the answer: the number and key
// ids are there; a key handed out starts with ps_, is revealable (a legacy key has none) and comes
// with its last four characters; the text is UTF-8.
func checkNumberKey(t *testing.T, what string, k pilotstatus.NumberKey) {
	t.Helper()
	if k.NumberID == "" || k.KeyID == "" {
		t.Errorf("%s: numberId %q or keyId %q is empty", what, k.NumberID, k.KeyID)
	}
	if k.Key != "" && (!strings.HasPrefix(k.Key, "ps_") || !k.Revealable || k.KeyLast4 == "") {
		t.Errorf("%s: key %q (revealable %v, last four %q) is not a usable key", what, k.Key, k.Revealable, k.KeyLast4)
	}
	checkValidText(t, what, k.NumberID, k.Number, k.DisplayName, k.KeyID, k.KeyLast4, k.Key)
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
		// What holds of every key handed out, whatever the answer: a usable key with its id, for
		// the number asked for, described by its last four characters, from the answer of the
		// only request.
		if !strings.HasPrefix(key.Key, "ps_") {
			t.Errorf("key %q does not start with ps_", key.Key)
		}
		if key.KeyID == "" {
			t.Error("keyId is empty")
		}
		if key.NumberID != numberID {
			t.Errorf("numberId %q, want the number asked for, %q", key.NumberID, numberID)
		}
		if key.KeyLast4 == "" {
			t.Error("keyLast4 is empty")
		}
		if key.Recovery != pilotstatus.RecoveryNone {
			t.Errorf("the answer of the only request came back as recovery %d", key.Recovery)
		}
		checkValidText(t, "regenerated key", key.NumberID, key.KeyID, key.KeyLast4, key.Key)
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
	f.Add([]byte("[" + numberSeeds[0] + "," + numberSeeds[2] + "]"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, tr := cannedClient(t, http.StatusOK, body, false)
		numbers, err := c.ListNumbers(context.Background())
		checkOneRequest(t, tr, http.MethodGet, "/v1/numbers")
		if err != nil {
			checkDecodeError(t, err, "")
			return
		}
		for i, n := range numbers {
			checkNumber(t, fmt.Sprintf("item %d", i), n)
		}
		checkItemsIndependent(t, bytes.TrimSpace(body), numbers, func(body []byte) ([]pilotstatus.Number, error) {
			c, _ := cannedClient(t, http.StatusOK, body, false)
			return c.ListNumbers(context.Background())
		})
	})
}

// checkNumber checks what holds of every listed number, whatever the answer: it has an id, and
// its text is UTF-8.
func checkNumber(t *testing.T, what string, n pilotstatus.Number) {
	t.Helper()
	if n.ID == "" {
		t.Errorf("%s: the id is empty", what)
	}
	checkValidText(t, what, n.ID, n.Number, n.Name, n.Provider, n.State)
}

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
			if strings.ContainsFunc(apiErr.Code, unicode.IsSpace) {
				t.Errorf("code %q holds a space", apiErr.Code)
			}
			checkCleanText(t, "code", apiErr.Code, 64, credential)
		}
		checkCleanText(t, "error text", err.Error(), 4*200+64+32, credential)
		if !strings.HasSuffix(err.Error(), fmt.Sprintf("(HTTP %d)", status)) {
			t.Errorf("error text %q does not end with the status", err)
		}
		// A body that is not a JSON object is not echoed at all: the error is the one of an empty
		// body with that status (the status text, where Go knows one), without a code.
		if trimmed := bytes.TrimSpace(body); !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
			empty, _ := cannedClient(t, status, nil, useKeyID)
			_, eerr := empty.ListAPIKeys(context.Background())
			var emptyErr *pilotstatus.APIError
			if !errors.As(eerr, &emptyErr) || apiErr.Message != emptyErr.Message || apiErr.Code != "" {
				t.Errorf("a body that is not a JSON object gave message %q and code %q; an empty body gives %v", apiErr.Message, apiErr.Code, eerr)
			}
			if text := http.StatusText(status); text != "" && apiErr.Message != text {
				t.Errorf("a body that is not a JSON object gave message %q, want the status text %q", apiErr.Message, text)
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
		// The same answer to a regeneration is the same APIError. Only a server error can leave
		// its outcome unknown (see ErrOutcomeUnknown): any other status says nothing was done.
		// Which 5xx do is written out in TestRegenerateCustody.
		c2, _ := cannedClient(t, status, body, useKeyID)
		_, rerr := c2.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
		var regErr *pilotstatus.APIError
		if !errors.As(rerr, &regErr) || regErr.Message != apiErr.Message || regErr.Code != apiErr.Code || regErr.Status != status {
			t.Fatalf("HTTP %d: the regeneration failed differently: %v", status, rerr)
		}
		if (status < 500 || status > 599) && errors.Is(rerr, pilotstatus.ErrOutcomeUnknown) {
			t.Errorf("HTTP %d says nothing was done, yet the outcome is unknown: %v", status, rerr)
		}
	})
}
