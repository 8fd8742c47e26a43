package pilotstatus_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestAPIErrorClasses(t *testing.T) {
	t.Parallel()
	longMsg := strings.Repeat("é", 300)
	tests := []struct {
		name        string
		status      int
		body        string
		maxRetries  int
		wantAttempt int
		wantCode    string
		wantMessage string
		wantString  string
		is          func(error) bool // nil for a status that no predicate names
	}{
		{
			name: "400 validation", status: 400, body: `{"error":"Validation error","code":"VALIDATION_ERROR"}`,
			wantAttempt: 1, wantCode: "VALIDATION_ERROR", wantMessage: "Validation error",
			wantString: "VALIDATION_ERROR: Validation error (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "401 without code", status: 401, body: `{"error":"Unauthorized"}`,
			wantAttempt: 1, wantMessage: "Unauthorized", wantString: "Unauthorized (HTTP 401)", is: pilotstatus.IsUnauthorized,
		},
		{
			name: "403 number scope", status: 403,
			body:        `{"error":"Number-scoped keys cannot call tenant endpoints","code":"NUMBER_SCOPE_NOT_ALLOWED"}`,
			wantAttempt: 1, wantCode: "NUMBER_SCOPE_NOT_ALLOWED", wantMessage: "Number-scoped keys cannot call tenant endpoints",
			wantString: "NUMBER_SCOPE_NOT_ALLOWED: Number-scoped keys cannot call tenant endpoints (HTTP 403)", is: pilotstatus.IsForbidden,
		},
		{
			name: "404 number not found", status: 404, body: `{"error":"Number not found","code":"NUMBER_NOT_FOUND","details":{"id":"x"}}`,
			wantAttempt: 1, wantCode: "NUMBER_NOT_FOUND", wantMessage: "Number not found",
			wantString: "NUMBER_NOT_FOUND: Number not found (HTTP 404)", is: pilotstatus.IsNotFound,
		},
		{
			name: "429 exhausted", status: 429, body: `{"error":"Too many requests"}`, maxRetries: 2,
			wantAttempt: 3, wantMessage: "Too many requests", wantString: "Too many requests (HTTP 429)", is: pilotstatus.IsRateLimited,
		},
		{
			name: "503 exhausted", status: 503, body: `{"error":"Service unavailable"}`, maxRetries: 1,
			wantAttempt: 2, wantMessage: "Service unavailable", wantString: "Service unavailable (HTTP 503)", is: pilotstatus.IsServerError,
		},
		{
			name: "501 not retried", status: 501, body: `{"error":"nope"}`, maxRetries: 3,
			wantAttempt: 1, wantMessage: "nope", wantString: "nope (HTTP 501)", is: pilotstatus.IsServerError,
		},
		{
			name: "HTML error page", status: 502, body: `<html><body>Bad gateway ` + tenantKey + `</body></html>`,
			wantAttempt: 1, wantMessage: "Bad Gateway", wantString: "Bad Gateway (HTTP 502)", is: pilotstatus.IsServerError,
		},
		{
			name: "empty body", status: 404, body: ``,
			wantAttempt: 1, wantMessage: "Not Found", wantString: "Not Found (HTTP 404)", is: pilotstatus.IsNotFound,
		},
		{
			name: "error field not a string", status: 400, body: `{"error":{"issues":["` + numberKeyA + `"]},"code":"VALIDATION_ERROR"}`,
			wantAttempt: 1, wantMessage: "Bad Request", wantString: "Bad Request (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "secrets in the message are redacted", status: 401,
			body:        `{"error":"key ` + tenantKey + ` (id ` + tenantKeyID + `) is revoked","code":"` + numberKeyA + `"}`,
			wantAttempt: 1, wantMessage: "key ps_*** (id ***) is revoked",
			wantString: "key ps_*** (id ***) is revoked (HTTP 401)", is: pilotstatus.IsUnauthorized,
		},
		{
			name: "long message is cut", status: 400, body: `{"error":"` + longMsg + `"}`,
			wantAttempt: 1, wantMessage: strings.Repeat("é", 200), is: pilotstatus.IsValidation,
		},
		{
			name: "control characters flattened", status: 400, body: `{"error":"line1\nline2\u0000"}`,
			wantAttempt: 1, wantMessage: "line1 line2", is: pilotstatus.IsValidation,
		},
		{
			name: "blank message: the status text", status: 400, body: `{"error":" \t ","code":"VALIDATION_ERROR"}`,
			wantAttempt: 1, wantCode: "VALIDATION_ERROR", wantMessage: "Bad Request",
			wantString: "VALIDATION_ERROR: Bad Request (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "null message and code: the status text", status: 404, body: `{"error":null,"code":null}`,
			wantAttempt: 1, wantMessage: "Not Found", wantString: "Not Found (HTTP 404)", is: pilotstatus.IsNotFound,
		},
		{
			name: "code not a string: the status text only", status: 400, body: `{"error":"Validation error","code":7}`,
			wantAttempt: 1, wantMessage: "Bad Request", wantString: "Bad Request (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "code of letters, digits, dots, dashes and underscores is kept", status: 400, body: `{"error":"x","code":"api.v1-ERR_2"}`,
			wantAttempt: 1, wantCode: "api.v1-ERR_2", wantMessage: "x", wantString: "api.v1-ERR_2: x (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "code of 64 characters is kept", status: 400, body: `{"error":"x","code":"` + strings.Repeat("C", 64) + `"}`,
			wantAttempt: 1, wantCode: strings.Repeat("C", 64), wantMessage: "x", is: pilotstatus.IsValidation,
		},
		{
			name: "code of 65 characters is dropped", status: 400, body: `{"error":"x","code":"` + strings.Repeat("C", 65) + `"}`,
			wantAttempt: 1, wantMessage: "x", wantString: "x (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "code with a space is dropped", status: 400, body: `{"error":"x","code":"VALIDATION ERROR"}`,
			wantAttempt: 1, wantMessage: "x", wantString: "x (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "code outside ASCII is dropped", status: 400, body: `{"error":"x","code":"ÜNICODE"}`,
			wantAttempt: 1, wantMessage: "x", wantString: "x (HTTP 400)", is: pilotstatus.IsValidation,
		},
		{
			name: "the credential's key id as the code is dropped", status: 401, body: `{"error":"x","code":"` + tenantKeyID + `"}`,
			wantAttempt: 1, wantMessage: "x", wantString: "x (HTTP 401)", is: pilotstatus.IsUnauthorized,
		},
		{
			name: "a status without a text of its own", status: 600, body: `<html>` + tenantKeyID + `</html>`,
			wantAttempt: 1, wantMessage: "Unexpected HTTP status", wantString: "Unexpected HTTP status (HTTP 600)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = fmt.Fprint(w, tt.body)
			})
			c := newClient(t, srv.URL, func(c *pilotstatus.Config) {
				c.MaxRetries = tt.maxRetries
				c.APIKeyID, c.APIKey = tenantKeyID, ""
			})
			_, err := c.ListNumbers(context.Background())
			var apiErr *pilotstatus.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want an APIError, got %T %v", err, err)
			}
			if apiErr.Status != tt.status || apiErr.Code != tt.wantCode || apiErr.Message != tt.wantMessage {
				t.Fatalf("got status %d code %q message %q", apiErr.Status, apiErr.Code, apiErr.Message)
			}
			if apiErr.Method != http.MethodGet || apiErr.Path != "/v1/numbers" {
				t.Fatalf("got %s %s", apiErr.Method, apiErr.Path)
			}
			if apiErr.Attempts != tt.wantAttempt || srv.hits.Load() != int64(tt.wantAttempt) {
				t.Fatalf("Attempts = %d, server saw %d, want %d", apiErr.Attempts, srv.hits.Load(), tt.wantAttempt)
			}
			if apiErr.Elapsed <= 0 {
				t.Fatalf("Elapsed = %s", apiErr.Elapsed)
			}
			if tt.wantString != "" && err.Error() != tt.wantString {
				t.Fatalf("Error() = %q, want %q", err.Error(), tt.wantString)
			}
			if tt.is != nil && !tt.is(err) {
				t.Fatal("the predicate does not match")
			}
			// Wrapped errors still match.
			if tt.is != nil && !tt.is(fmt.Errorf("reading number: %w", err)) {
				t.Fatal("the predicate does not see through wrapping")
			}
			assertNoSecret(t, "error", err.Error())
			assertNoSecret(t, "error", fmt.Sprintf("%+v", *apiErr))
			if strings.Contains(err.Error(), "<html") {
				t.Fatalf("the error holds raw body content: %q", err)
			}
		})
	}
}

func TestPredicatesAreExclusive(t *testing.T) {
	t.Parallel()
	preds := map[string]func(error) bool{
		"IsNotFound": pilotstatus.IsNotFound, "IsUnauthorized": pilotstatus.IsUnauthorized,
		"IsForbidden": pilotstatus.IsForbidden, "IsRateLimited": pilotstatus.IsRateLimited,
		"IsServerError": pilotstatus.IsServerError, "IsValidation": pilotstatus.IsValidation,
	}
	tests := []struct {
		err  error
		want string
	}{
		{&pilotstatus.APIError{Status: 404}, "IsNotFound"},
		{&pilotstatus.APIError{Status: 401}, "IsUnauthorized"},
		{&pilotstatus.APIError{Status: 403}, "IsForbidden"},
		{&pilotstatus.APIError{Status: 429}, "IsRateLimited"},
		{&pilotstatus.APIError{Status: 500}, "IsServerError"},
		{&pilotstatus.APIError{Status: 599}, "IsServerError"},
		{&pilotstatus.APIError{Status: 400}, "IsValidation"},
		{&pilotstatus.APIError{Status: 409}, ""},
		{errors.New("plain"), ""},
		{nil, ""},
		{&pilotstatus.TransportError{Err: errors.New("x")}, ""},
	}
	for _, tt := range tests {
		for name, p := range preds {
			if got := p(tt.err); got != (name == tt.want) {
				t.Errorf("%s(%v) = %v", name, tt.err, got)
			}
		}
	}
}

func TestRateLimitRetriedThenSuccess(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			writeJSON(w, 429, `{"error":"Too many requests"}`)
			return
		}
		writeJSON(w, 200, `[]`)
	})
	if _, err := newClient(t, srv.URL).ListNumbers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.hits.Load() != 3 {
		t.Fatalf("server saw %d requests, want 3", srv.hits.Load())
	}
}

func TestServerErrorsRetriedThenSuccess(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					writeJSON(w, status, `{"error":"oops"}`)
					return
				}
				writeJSON(w, 200, `[]`)
			})
			if _, err := newClient(t, srv.URL).ListAPIKeys(context.Background()); err != nil {
				t.Fatal(err)
			}
			if srv.hits.Load() != 2 {
				t.Fatalf("server saw %d requests, want 2", srv.hits.Load())
			}
		})
	}
}

func TestNoRetriesWhenMaxRetriesIsZero(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	_, err := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.MaxRetries = 0 }).ListNumbers(context.Background())
	if !pilotstatus.IsServerError(err) || srv.hits.Load() != 1 {
		t.Fatalf("got %v after %d requests", err, srv.hits.Load())
	}
}

func TestNetworkDropRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			hangUp(w, r)
			return
		}
		writeJSON(w, 200, `[]`)
	})
	if _, err := newClient(t, srv.URL).ListNumbers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.hits.Load() != 2 {
		t.Fatalf("server saw %d requests, want 2", srv.hits.Load())
	}
}

func TestNetworkDropExhausted(t *testing.T) {
	t.Parallel()
	srv := newServer(t, hangUp)
	_, err := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.MaxRetries = 2 }).ListNumbers(context.Background())
	var te *pilotstatus.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("want a TransportError, got %T %v", err, err)
	}
	if te.Attempts != 3 || srv.hits.Load() != 3 || te.Method != http.MethodGet || te.Path != "/v1/numbers" || te.Err == nil {
		t.Fatalf("got %+v after %d requests", te, srv.hits.Load())
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("the error holds the full URL: %q", err)
	}
	if !strings.HasPrefix(err.Error(), "GET /v1/numbers: no answer after 3 attempt(s)") {
		t.Fatalf("Error() = %q", err)
	}
}

func TestRequestTimeoutIsPerAttempt(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, 200, `[]`)
	})
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.RequestTimeout = 500 * time.Millisecond })
	if _, err := c.ListNumbers(context.Background()); err != nil {
		t.Fatalf("the second attempt should succeed: %v", err)
	}
	if srv.hits.Load() != 2 {
		t.Fatalf("server saw %d requests, want 2", srv.hits.Load())
	}
}

// TestContextCancelledDuringBackoff: the waits are an hour long, so only an early return on the
// cancelled context lets the call finish.
func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, method string
		status       int
	}{
		{"list keys after a 503", http.MethodGet, 503},
		{"regeneration after a 429", http.MethodPost, 429},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, `{}`) })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			logger := &recordingLogger{onLog: func(level pilotstatus.Level, _ string) {
				if level == pilotstatus.LevelWarn { // the retry is announced: the wait begins
					cancel()
				}
			}}
			c := newClient(t, srv.URL, func(c *pilotstatus.Config) {
				c.MaxRetries = 5
				c.RetryWaitMin, c.RetryWaitMax = time.Hour, time.Hour
				c.Logger = logger
			})
			done := make(chan error, 1)
			go func() {
				var err error
				if tt.method == http.MethodGet {
					_, err = c.ListAPIKeys(ctx)
				} else {
					_, err = c.RegenerateAPIKey(ctx, "wn_1", "k_before")
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the call did not return after its context was cancelled")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("want context.Canceled wrapped, got %v", err)
			}
			if tt.method == http.MethodPost && (!errors.Is(err, pilotstatus.ErrInterrupted) || errors.Is(err, pilotstatus.ErrOutcomeUnknown)) {
				t.Fatalf("a 429 did nothing and nothing more was sent: want ErrInterrupted without ErrOutcomeUnknown, got %v", err)
			}
			if srv.hits.Load() != 1 {
				t.Fatalf("server saw %d requests", srv.hits.Load())
			}
		})
	}
}

// TestRetryAfterIsHonoured: the configured waits are an hour, so the call can only finish fast if
// the server's Retry-After: 0 is used instead.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"Too many requests"}`)
			return
		}
		writeJSON(w, 200, `[]`)
	})
	logger := &recordingLogger{}
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) {
		c.RetryWaitMin, c.RetryWaitMax = time.Hour, time.Hour
		c.Logger = logger
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.ListNumbers(ctx); err != nil {
		t.Fatal(err)
	}
	warns := logger.at(pilotstatus.LevelWarn)
	if len(warns) != 1 || warns[0].Fields["wait_ms"] != int64(0) || warns[0].Fields["status"] != 429 {
		t.Fatalf("want one retry warning with wait_ms 0 and status 429, got %+v", warns)
	}
}

// Ctrl-C while a regeneration that will be refused is in flight: the call ends as interrupted with
// nothing regenerated, and no retry is announced.
func TestInterruptedDuringRefusedAttemptAnnouncesNoRetry(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		writeJSON(w, http.StatusTooManyRequests, `{"error":"Too many requests"}`)
	})
	logger := &recordingLogger{}
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.MaxRetries = 5; c.Logger = logger })
	_, err := c.RegenerateAPIKey(ctx, "wn_1", "k_before")
	if !errors.Is(err, pilotstatus.ErrInterrupted) || errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
		t.Fatalf("want ErrInterrupted without ErrOutcomeUnknown, got %v", err)
	}
	for _, e := range logger.all() {
		if strings.Contains(e.Msg, "retrying") {
			t.Errorf("a retry was announced after Ctrl-C: %q", e.Msg)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("server saw %d requests, want 1", n)
	}
}
