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

// A base URL with a path prefix keeps it, joined to /v1/... with one slash; a query, a fragment
// or user information is refused with an error that says which, and repeats no password.
func TestHostileBaseURL(t *testing.T) {
	t.Parallel()
	srv := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		t.Errorf("a request reached the shared server: %s", r.URL)
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name     string
		base     string
		wantPath string // the path the server sees for GET /v1/numbers
		wantErr  string // substring of the refusal
	}{
		{name: "no path", base: srv.URL, wantPath: "/v1/numbers"},
		{name: "root slash", base: srv.URL + "/", wantPath: "/v1/numbers"},
		{name: "double root slash", base: srv.URL + "//", wantPath: "/v1/numbers"},
		{name: "prefix", base: srv.URL + "/prefix", wantPath: "/prefix/v1/numbers"},
		{name: "prefix slash", base: srv.URL + "/prefix/", wantPath: "/prefix/v1/numbers"},
		{name: "prefix slashes", base: srv.URL + "/prefix///", wantPath: "/prefix/v1/numbers"},
		{name: "two segments", base: srv.URL + "/a/b/", wantPath: "/a/b/v1/numbers"},
		{name: "prefix ending in v1", base: srv.URL + "/v1", wantPath: "/v1/v1/numbers"},
		{name: "escaped slash inside", base: srv.URL + "/a%2Fb/", wantPath: "/a%2Fb/v1/numbers"},
		{name: "space", base: srv.URL + "/pre fix", wantPath: "/pre%20fix/v1/numbers"},
		{name: "unicode", base: srv.URL + "/é", wantPath: "/%C3%A9/v1/numbers"},
		{name: "empty fragment", base: srv.URL + "/prefix#", wantPath: "/prefix/v1/numbers"},
		{name: "query", base: srv.URL + "?a=b", wantErr: "must not contain a query"},
		{name: "prefix and query", base: srv.URL + "/prefix?a=b", wantErr: "must not contain a query"},
		{name: "empty query", base: srv.URL + "/prefix?", wantErr: "must not contain a query"},
		{name: "escaped query", base: srv.URL + "/prefix%3Fa=b", wantPath: "/prefix%3Fa=b/v1/numbers"},
		{name: "fragment", base: srv.URL + "#frag", wantErr: "must not contain a fragment"},
		{name: "prefix and fragment", base: srv.URL + "/prefix/#frag", wantErr: "must not contain a fragment"},
		{name: "user and password", base: "http://admin:hunter2@" + host, wantErr: "must not contain user information"},
		{name: "user", base: "http://admin@" + host + "/prefix", wantErr: "must not contain user information"},
		{name: "empty user information", base: "http://@" + host, wantErr: "must not contain user information"},
		{name: "line break in path", base: srv.URL + "/pre\nfix", wantErr: "not a valid URL"},
		{name: "trailing line break", base: srv.URL + "/prefix\n", wantErr: "spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Each subtest has its own server, so that the one request it sees is this base's.
			own := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				writeJSON(w, http.StatusOK, `[]`)
			})
			base := strings.Replace(tt.base, srv.URL, own.URL, 1)
			c, err := pilotstatus.New(pilotstatus.Config{BaseURL: base, APIKey: tenantKey})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%q): err %v, want one containing %q", tt.base, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("the error repeats the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.base, err)
			}
			u, err := pilotstatus.ValidateBaseURL(base)
			if err != nil || strings.HasSuffix(u.String(), "/") {
				t.Fatalf("ValidateBaseURL(%q) = %v, %v; want no error and no trailing slash", base, u, err)
			}
			if _, err := c.ListNumbers(context.Background()); err != nil {
				t.Fatalf("ListNumbers: %v", err)
			}
			seen := own.requests()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}
			if seen[0].escapedPath != tt.wantPath || seen[0].rawQuery != "" {
				t.Fatalf("server saw %q (query %q), want %q", seen[0].escapedPath, seen[0].rawQuery, tt.wantPath)
			}
		})
	}
}

// A base URL given without a scheme, in the user:password@host form, is refused without the
// password in the error.
func TestBaseURLWithoutSchemeHidesPassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"admin:hunter2@pilotstatus.com.br", "admin:hunter2@pilotstatus.com.br/prefix"} {
		_, err := pilotstatus.ValidateBaseURL(raw)
		if err == nil {
			t.Fatalf("ValidateBaseURL(%q) accepted it", raw)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ValidateBaseURL(%q): the error repeats the password: %q", raw, err)
		}
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

// An escaped slash at the end of a base URL's path is part of the prefix (a segment that holds
// "/"), not a trailing slash: it is kept.
func TestBaseURLEscapedTrailingSlashIsKept(t *testing.T) {
	t.Parallel()
	srv := newRecordingServer(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, `[]`)
	})
	for _, tt := range []struct{ base, want string }{
		{base: srv.URL + "/a%2F", want: "/a%2F/v1/numbers"},
		{base: srv.URL + "/a%2F/", want: "/a%2F/v1/numbers"},
	} {
		if _, err := newClient(t, tt.base).ListNumbers(context.Background()); err != nil {
			t.Fatal(err)
		}
		seen := srv.requests()
		if got := seen[len(seen)-1].escapedPath; got != tt.want {
			t.Errorf("base URL %q: server saw %q, want %q", tt.base, got, tt.want)
		}
	}
}

// A refused base URL is repeated in the error only up to its query or fragment, and never its port:
// a key or a key id pasted there (?api_key=ps_..., #token) would otherwise be shown in a diagnostic.
func TestBaseURLErrorShowsNoQueryOrFragment(t *testing.T) {
	t.Parallel()
	const secret = "ps_Zq8vN3kT6wXy1Lm4"
	for _, raw := range []string{
		"https://api.example.com/?api_key=" + secret,
		"https://api.example.com/prefix?x=1&key_id=" + secret,
		"https://api.example.com/prefix#" + secret,
		"https://api.example.com/prefix?a=b#" + secret,
		"api.example.com?api_key=" + secret,
		"api.example.com#" + secret,
		"https://?api_key=" + secret,
		"https://u:p@?api_key=" + secret,
		"https://api.example.com:" + secret + "/",
	} {
		_, err := pilotstatus.ValidateBaseURL(raw)
		if err == nil {
			t.Errorf("ValidateBaseURL(%.40q…) accepted it", raw)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, secret[3:]) {
			t.Errorf("ValidateBaseURL(%.40q…) error repeats the secret: %s", raw, strings.ReplaceAll(msg, secret, "<secret>"))
		}
	}
}
