package pilotstatus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// seenRequest is what a server saw of one request.
type seenRequest struct {
	method      string
	escapedPath string
	requestURI  string
	rawQuery    string
	body        []byte
}

// recordingServer is an httptest server that records every request and answers with answer.
type recordingServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

// newRecordingServer starts a server that accepts request lines of up to 16 MiB (the default of
// 1 MiB would refuse a path that carries a 1 MB id before the handler sees it).
func newRecordingServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *recordingServer {
	t.Helper()
	s := &recordingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{
			method:      r.Method,
			escapedPath: r.URL.EscapedPath(),
			requestURI:  r.RequestURI,
			rawQuery:    r.URL.RawQuery,
			body:        body,
		})
		s.mu.Unlock()
		answer(w, r, body)
	}))
	s.Config.MaxHeaderBytes = 16 << 20
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *recordingServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// hostileID is a number id that a configuration or an API could hand the client.
type hostileID struct {
	name string
	id   string
	// refused: the client must refuse it before sending anything.
	refused bool
}

func hostileIDs() []hostileID {
	return []hostileID{
		{name: "empty", id: "", refused: true},
		{name: "invalid UTF-8", id: "wn_\xff\xfe", refused: true},
		{name: "plain", id: "wn_1"},
		{name: "1 MB", id: strings.Repeat("wn/é?#% ", 1<<17)},
		{name: "slash", id: "/"},
		{name: "slashes", id: "a/b/c"},
		{name: "question mark", id: "?"},
		{name: "query", id: "a?b=c&d=e"},
		{name: "hash", id: "#"},
		{name: "fragment", id: "a#b"},
		{name: "percent", id: "%"},
		{name: "percent 100", id: "100%"},
		{name: "escaped slash", id: "%2F"},
		{name: "escaped slash in id", id: "a%2Fb"},
		{name: "double escaped", id: "%252F"},
		{name: "dot", id: "."},
		{name: "dot dot", id: ".."},
		{name: "traversal", id: "../../v1/api-keys"},
		{name: "inner spaces", id: "wn 1 2"},
		{name: "only spaces", id: "   "},
		{name: "newline", id: "\n"},
		{name: "CRLF header injection", id: "wn_1\r\nx-api-key: ps_injected"},
		{name: "NUL", id: "wn\x00"},
		{name: "tab", id: "wn\t1"},
		{name: "quotes", id: `wn"1'`},
		{name: "JSON injection", id: `wn_1","whatsappNumberId":"wn_2`},
		{name: "JSON object", id: `{"whatsappNumberId":"wn_2"}`},
		{name: "backslashes", id: `\wn\\1\"`},
		{name: "emoji", id: "📞👩‍💻"},
		{name: "RTL override", id: "wn\u202e1_\u202c"},
		{name: "Hebrew and Arabic", id: "מספר-رقم"},
		{name: "line separator", id: "wn\u20281"},
		{name: "semicolon and plus", id: "k;v+w=x"},
		{name: "template", id: "${var.x}%{if}"},
		{name: "ps_ lookalike", id: "ps_notAKey"},
	}
}

// The regeneration body stays well-formed JSON whatever the id holds, and names exactly that id;
// the id never reaches the path or the query.
func TestHostileIDsInRegenerateBody(t *testing.T) {
	t.Parallel()
	for _, tt := range hostileIDs() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newRecordingServer(t, func(w http.ResponseWriter, _ *http.Request, body []byte) {
				var req struct {
					WhatsappNumberID string `json:"whatsappNumberId"`
				}
				_ = json.Unmarshal(body, &req)
				answer, _ := json.Marshal(map[string]string{
					"numberId": req.WhatsappNumberID, "keyId": "k_new", "key": numberKeyB,
				})
				writeJSON(w, http.StatusOK, string(answer))
			})
			got, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), tt.id, "k_before")
			seen := srv.requests()
			if tt.refused {
				if err == nil || len(seen) != 0 {
					t.Fatalf("err %v after %d requests, want a refusal before any request", err, len(seen))
				}
				if errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
					t.Fatalf("nothing was sent, yet the outcome is unknown: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests", len(seen))
			}
			r := seen[0]
			if r.method != http.MethodPost || r.escapedPath != "/v1/api-keys" || r.requestURI != "/v1/api-keys" || r.rawQuery != "" {
				t.Fatalf("server saw %s %.100q (query %.100q)", r.method, r.requestURI, r.rawQuery)
			}
			if !json.Valid(r.body) {
				t.Fatalf("the request body is not JSON: %.200q", r.body)
			}
			// Exactly one member, whatsappNumberId, holding exactly the id: no member was
			// injected and no duplicate could win in another decoder.
			dec := json.NewDecoder(bytes.NewReader(r.body))
			if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
				t.Fatalf("the request body is not an object: %.200q", r.body)
			}
			var names []string
			var value string
			for dec.More() {
				tok, _ := dec.Token()
				name, _ := tok.(string)
				names = append(names, name)
				if err := dec.Decode(&value); err != nil {
					t.Fatalf("member %q is not a string: %v", name, err)
				}
			}
			if len(names) != 1 || names[0] != "whatsappNumberId" || value != tt.id {
				t.Fatalf("the body has members %q, whatsappNumberId %.100q; want only whatsappNumberId = %.100q", names, value, tt.id)
			}
			if got.NumberID != tt.id || got.Key != numberKeyB {
				t.Fatalf("got number %.100q key %q", got.NumberID, got.Key)
			}
		})
	}
}

// Every answer is read up to 8 MiB: a 10 MB success body is a malformed answer, a 10 MB error body
// an APIError with the status text, and an endless body is not read to its end.
func TestBodySizeIsBounded(t *testing.T) {
	t.Parallel()
	tenMB := func() []byte {
		var b bytes.Buffer
		b.WriteString(`[{"numberId":"wn_1","keyId":"k_1","key":"` + numberKeyA + `","pad":"`)
		b.WriteString(strings.Repeat("x", 10_000_000))
		b.WriteString(`"}]`)
		return b.Bytes()
	}()
	calls := map[string]func(c *pilotstatus.Client) error{
		"list keys": func(c *pilotstatus.Client) error { _, err := c.ListAPIKeys(context.Background()); return err },
		"regenerate": func(c *pilotstatus.Client) error {
			_, err := c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
			return err
		},
		"list numbers": func(c *pilotstatus.Client) error { _, err := c.ListNumbers(context.Background()); return err },
	}
	for name, call := range calls {
		t.Run(name+": 10 MB success", func(t *testing.T) {
			t.Parallel()
			c, _ := cannedClient(t, http.StatusOK, tenMB, false)
			err := call(c)
			if !errors.Is(err, pilotstatus.ErrMalformedResponse) || !strings.Contains(err.Error(), "larger than 8 MiB") {
				t.Fatalf("want ErrMalformedResponse about the size, got %v", err)
			}
			checkCleanText(t, "error", err.Error(), maxErrorText, fuzzTenantKey, numberKeyA)
		})
		t.Run(name+": 10 MB error", func(t *testing.T) {
			t.Parallel()
			body := append([]byte(`{"error":"`+numberKeyA+`","code":"BIG","pad":"`), tenMB...)
			c, _ := cannedClient(t, http.StatusBadRequest, body, false)
			err := call(c)
			var apiErr *pilotstatus.APIError
			if !errors.As(err, &apiErr) || apiErr.Message != "Bad Request" || apiErr.Code != "" {
				t.Fatalf("want an APIError with the status text only, got %v", err)
			}
		})
		t.Run(name+": endless", func(t *testing.T) {
			t.Parallel()
			for _, status := range []int{http.StatusOK, http.StatusBadGateway} {
				body := &endlessBody{}
				tr := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					if name == "regenerate" && req.Method == http.MethodGet {
						// The key list that settles the unusable answer: unreadable, so nothing more is sent.
						return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
					}
					return &http.Response{StatusCode: status, Header: http.Header{}, Body: body, ContentLength: -1, Request: req}, nil
				})
				c, err := pilotstatus.New(pilotstatus.Config{BaseURL: fuzzBaseURL, APIKey: fuzzTenantKey, Transport: tr, SettleTime: 30 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				if err := call(c); err == nil {
					t.Fatal("an endless body decoded")
				}
				// 8 MiB, one byte to notice the excess, the 64 KiB drain and one read buffer.
				if limit := int64(8<<20 + 1 + 64<<10 + 32<<10); body.read.Load() > limit || !body.closed.Load() {
					t.Fatalf("HTTP %d: %d bytes read (limit %d), closed %v", status, body.read.Load(), limit, body.closed.Load())
				}
			}
		})
	}
}

// endlessBody is a response body that never ends; it counts what was read.
type endlessBody struct {
	read   atomic.Int64
	closed atomic.Bool
}

func (b *endlessBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	b.read.Add(int64(len(p)))
	return len(p), nil
}

func (b *endlessBody) Close() error {
	b.closed.Store(true)
	return nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// The empty id, and for a regeneration an id that is not UTF-8, are refused with a clear error.
func TestIDRefusalsAreClear(t *testing.T) {
	t.Parallel()
	c, tr := cannedClient(t, http.StatusOK, []byte(`{}`), false)
	_, err := c.RegenerateAPIKey(context.Background(), "", "k_before")
	if err == nil || !strings.Contains(err.Error(), "needs a number id; it is empty") {
		t.Errorf("empty id: %v", err)
	}
	_, err = c.RegenerateAPIKey(context.Background(), "wn_\xff", "k_before")
	if err == nil || !strings.Contains(err.Error(), "UTF-8") || !utf8.ValidString(err.Error()) {
		t.Errorf("invalid UTF-8 id: %q", err)
	}
	if n := tr.hits.Load(); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}
