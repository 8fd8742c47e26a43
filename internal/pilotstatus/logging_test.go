package pilotstatus_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{name: "key field", in: `{"keyId":"k_1","key":"ps_abc123"}`, want: `{"keyId":"***","key":"***"}`},
		{name: "key id field with spaces", in: `{"keyId" : "k_abc"}`, want: `{"keyId":"***"}`},
		{name: "key id field whatever it looks like", in: `{"keyId":"k\"1\\x","n":1}`, want: `{"keyId":"***","n":1}`},
		{name: "key id echoed elsewhere in the same text", in: `{"keyId":"k_9q","note":"see k_9q"}`, want: `{"keyId":"***","note":"see ***"}`},
		{name: "key id field cut by the end of the text", in: `{"keyId":"k_abc`, want: `{"keyId":"***"`},
		{name: "key_id field", in: `{"key_id":"k_1"}`, want: `{"key_id":"***"}`},
		{name: "apiKeyId field", in: `{"apiKeyId":"kid_1"}`, want: `{"apiKeyId":"***"}`},
		{name: "api_key_id field", in: `{"api_key_id":"kid_1"}`, want: `{"api_key_id":"***"}`},
		{name: "null key id kept", in: `{"keyId":null}`, want: `{"keyId":null}`},
		{name: "key id-like names untouched", in: `{"keyIds":"a","xkeyId":"b","keyLast4":"c"}`, want: `{"keyIds":"a","xkeyId":"b","keyLast4":"c"}`},
		{name: "key field with spaces", in: `{"key" : "ps_abc"}`, want: `{"key":"***"}`},
		{name: "key field not a ps_ value", in: `{"key":"whatever-it-is"}`, want: `{"key":"***"}`},
		{name: "key field with escapes", in: `{"key":"a\"b\\c","next":1}`, want: `{"key":"***","next":1}`},
		{name: "null key kept", in: `{"key":null}`, want: `{"key":null}`},
		{name: "other fields untouched", in: `{"keyLast4":"wxyz","keyPrefix":"ps_"}`, want: `{"keyLast4":"wxyz","keyPrefix":"ps_"}`},
		{name: "bare keys", in: "use ps_abc-DEF_1 or ps_Z9 now", want: "use ps_*** or ps_*** now"},
		{name: "key in a sentence", in: "invalid key ps_live_0123456789abcdef.", want: "invalid key ps_***."},
		{name: "configured key id", in: "id kid_123 rejected", secrets: []string{"kid_123"}, want: "id *** rejected"},
		{name: "configured key with characters outside the pattern", in: "x ps_abc.def y", secrets: []string{"ps_abc.def"}, want: "x *** y"},
		{name: "key that starts with a configured secret", in: "x ps_abcdef y", secrets: []string{"ps_abc"}, want: "x ps_*** y"},
		{name: "secret that starts inside a key", in: "x ps_abc.def y", secrets: []string{"c.def"}, want: "x *** y"},
		{name: "overlapping secrets", in: "x abcdef y", secrets: []string{"abcd", "cdef"}, want: "x *** y"},
		{name: "secret inside a secret", in: "x abcdef y", secrets: []string{"abcdef", "cd"}, want: "x *** y"},
		{name: "several secrets, longest first", in: "aa aaaa", secrets: []string{"aa", "aaaa"}, want: "*** ***"},
		{name: "empty secret ignored", in: "nothing here", secrets: []string{""}, want: "nothing here"},
		{name: "regexp characters in a secret", in: "id a.b*c", secrets: []string{"a.b*c"}, want: "id ***"},
		{name: "secret in a JSON body", in: `{"error":"bad id k_T"}`, secrets: []string{"k_T"}, want: `{"error":"bad id ***"}`},
		{name: "prefix alone is not a key", in: "keyPrefix ps_", want: "keyPrefix ps_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := pilotstatus.Redact(tt.in, tt.secrets...); got != tt.want {
				t.Fatalf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyPatternMatchesWholeKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{tenantKey, numberKeyA, numberKeyB, "ps_4f1c-AB_z"} {
		if got := pilotstatus.KeyPattern.FindString("x " + k + " y"); got != k {
			t.Errorf("KeyPattern found %q in a line holding %q", got, k)
		}
	}
}

// TestLogging runs a retried regeneration, a key listing and a failing call with a recording
// logger, then checks what was logged and that no secret was.
func TestLogging(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(*pilotstatus.Config)
		cred string // the configured credential, which the server echoes back
	}{
		{name: "api key", cfg: func(c *pilotstatus.Config) {}, cred: tenantKey},
		{name: "api key id", cfg: func(c *pilotstatus.Config) { c.APIKey, c.APIKeyID = "", tenantKeyID }, cred: tenantKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var posts atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				switch {
				case r.Method == http.MethodPost && posts.Add(1) == 1:
					// The rate limit answer itself leaks the credential and a key.
					writeJSON(w, 429, `{"error":"slow down `+tt.cred+` / `+numberKeyA+`"}`)
				case r.Method == http.MethodPost:
					writeJSON(w, 200, `{"numberId":"wn_1","keyId":"k_new","keyPrefix":"ps_","keyLast4":"9876","key":"`+numberKeyB+`","createdAt":"2026-06-28T10:00:00.000Z"}`)
				case r.URL.Path == "/v1/api-keys":
					writeJSON(w, 200, `[{"numberId":"wn_1","keyId":"k_aaa","key":"`+numberKeyA+`","revealable":true,"note":"also `+numberKeyA+`"}]`)
				default:
					writeJSON(w, 401, `{"error":"Unauthorized: `+tt.cred+`"}`)
				}
			})
			logger := &recordingLogger{}
			c := newClient(t, srv.URL, tt.cfg, func(c *pilotstatus.Config) { c.Logger = logger })
			ctx := context.Background()

			key, err := c.RegenerateAPIKey(ctx, "wn_1", "k_before")
			if err != nil || key.Key != numberKeyB {
				t.Fatalf("RegenerateAPIKey: %v", err)
			}
			if _, err := c.ListAPIKeys(ctx); err != nil {
				t.Fatalf("ListAPIKeys: %v", err)
			}
			_, err = c.ListNumbers(ctx)
			if err == nil {
				t.Fatal("want a 401")
			}
			assertNoSecret(t, "error", err.Error())
			assertLogsClean(t, logger)

			// One Debug line per attempt: 2 regenerate attempts, 1 list, 1 numbers.
			type line struct {
				method, path string
				status       int
				attempt      int64
				class        string
			}
			var got []line
			for _, e := range logger.at(pilotstatus.LevelDebug) {
				if e.Msg != "Pilot Status API request" {
					continue
				}
				if _, ok := e.Fields["duration_ms"].(int64); !ok {
					t.Errorf("duration_ms missing or not an int64: %+v", e.Fields)
				}
				class, _ := e.Fields["error_class"].(string)
				method, okMethod := e.Fields["method"].(string)
				path, okPath := e.Fields["path"].(string)
				status, okStatus := e.Fields["status"].(int)
				attempt, okAttempt := e.Fields["attempt"].(int64)
				if !okMethod || !okPath || !okStatus || !okAttempt {
					t.Fatalf("method, path, status or attempt missing or of the wrong type: %+v", e.Fields)
				}
				got = append(got, line{method: method, path: path, status: status, attempt: attempt, class: class})
			}
			want := []line{
				{"POST", "/v1/api-keys", 429, 1, "rate_limited"},
				{"POST", "/v1/api-keys", 200, 2, ""},
				{"GET", "/v1/api-keys", 200, 1, ""},
				{"GET", "/v1/numbers", 401, 1, "client_error"},
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("debug lines:\n got %v\nwant %v", got, want)
			}

			warns := logger.at(pilotstatus.LevelWarn)
			if len(warns) != 1 || warns[0].Fields["status"] != 429 || warns[0].Fields["attempt"] != 1 || warns[0].Fields["path"] != "/v1/api-keys" {
				t.Fatalf("want one retry warning for the 429, got %+v", warns)
			}
			if _, ok := warns[0].Fields["wait_ms"].(int64); !ok {
				t.Fatalf("wait_ms missing: %+v", warns[0].Fields)
			}

			// Trace lines carry the bodies, redacted.
			var bodies []string
			for _, e := range logger.at(pilotstatus.LevelTrace) {
				bodies = append(bodies, e.Msg+": "+fmt.Sprint(e.Fields["body"]))
			}
			all := strings.Join(bodies, "\n")
			for _, want := range []string{
				`Pilot Status API request body: {"whatsappNumberId":"wn_1"}`,
				`"key":"***"`,
				`"note":"also ps_***"`,
				`slow down `,
				`/ ps_***"}`,
			} {
				if !strings.Contains(all, want) {
					t.Errorf("trace lines lack %q:\n%s", want, all)
				}
			}
			// No line ever carries a header.
			for _, e := range logger.all() {
				for k := range e.Fields {
					if strings.Contains(strings.ToLower(k), "header") || strings.Contains(strings.ToLower(k), "api-key") {
						t.Errorf("a log field is named %q", k)
					}
				}
			}
		})
	}
}

// TestLoggingIncompleteBody: a body read only in part (the connection broke in the middle of it)
// must not leak a secret cut at the end.
func TestLoggingIncompleteBody(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// The answer stops in the middle of the key id: the client reads only its first part.
			partial := `{"error":"` + strings.Repeat("x", 4000) + tenantKeyID[:len(tenantKeyID)-3]
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(partial)+1000))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, partial)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			hangUp(w, r)
			return
		}
		writeJSON(w, 200, `[]`)
	})
	logger := &recordingLogger{}
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) {
		c.APIKey, c.APIKeyID = "", tenantKeyID
		c.Logger = logger
	})
	if _, err := c.ListNumbers(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertLogsClean(t, logger, tenantKeyID, tenantKeyID[:5])
	if len(logger.at(pilotstatus.LevelTrace)) == 0 {
		t.Fatal("no trace line")
	}
}

func TestNilLoggerIsFine(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	_, err := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.Logger = nil }).ListNumbers(context.Background())
	if !pilotstatus.IsServerError(err) {
		t.Fatalf("got %v", err)
	}
}
