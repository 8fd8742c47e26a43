package pilotstatus_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestClientSendsHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        func(*pilotstatus.Config)
		wantHeader string
		wantValue  string
		otherAuth  string
		wantUA     string
	}{
		{
			name:       "api key",
			cfg:        func(c *pilotstatus.Config) {},
			wantHeader: "x-api-key", wantValue: tenantKey, otherAuth: "x-api-key-id",
			wantUA: "terraform-provider-pilotstatus/dev",
		},
		{
			name: "api key id and custom user agent",
			cfg: func(c *pilotstatus.Config) {
				c.APIKey, c.APIKeyID, c.UserAgent = "", tenantKeyID, "terraform-provider-pilotstatus/1.2.3"
			},
			wantHeader: "x-api-key-id", wantValue: tenantKeyID, otherAuth: "x-api-key",
			wantUA: "terraform-provider-pilotstatus/1.2.3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []http.Header
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Header.Clone())
				mu.Unlock()
				if r.Method == http.MethodPost {
					writeJSON(w, 200, `{"numberId":"wn_1","keyId":"k_new","key":"`+numberKeyB+`"}`)
					return
				}
				writeJSON(w, 200, `[]`)
			})
			c := newClient(t, srv.URL, tt.cfg)
			ctx := context.Background()
			if _, err := c.ListNumbers(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.RegenerateAPIKey(ctx, "wn_1", "k_before"); err != nil {
				t.Fatal(err)
			}
			if len(seen) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(seen))
			}
			for i, h := range seen {
				if got := h.Get(tt.wantHeader); got != tt.wantValue {
					t.Errorf("request %d: %s = %q, want %q", i, tt.wantHeader, got, tt.wantValue)
				}
				if got := h.Get(tt.otherAuth); got != "" {
					t.Errorf("request %d: %s is set", i, tt.otherAuth)
				}
				if got := h.Get("Authorization"); got != "" {
					t.Errorf("request %d: Authorization is set", i)
				}
				if got := h.Get("User-Agent"); got != tt.wantUA {
					t.Errorf("request %d: User-Agent = %q, want %q", i, got, tt.wantUA)
				}
				if got := h.Get("Accept"); got != "application/json" {
					t.Errorf("request %d: Accept = %q", i, got)
				}
			}
			if got := seen[0].Get("Content-Type"); got != "" {
				t.Errorf("GET has Content-Type %q", got)
			}
			if got := seen[1].Get("Content-Type"); got != "application/json" {
				t.Errorf("POST Content-Type = %q", got)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     pilotstatus.Config
		wantErr string
	}{
		{name: "defaults with key", cfg: pilotstatus.Config{APIKey: tenantKey}},
		{name: "defaults with key id", cfg: pilotstatus.Config{APIKeyID: tenantKeyID}},
		{name: "no credential", cfg: pilotstatus.Config{}, wantErr: "no credential"},
		{name: "both credentials", cfg: pilotstatus.Config{APIKey: tenantKey, APIKeyID: tenantKeyID}, wantErr: "exactly one"},
		{name: "key without prefix", cfg: pilotstatus.Config{APIKey: "sk_tenantSECRETkey0001"}, wantErr: `does not start with "ps_"`},
		{name: "key with newline", cfg: pilotstatus.Config{APIKey: tenantKey + "\n"}, wantErr: "line breaks"},
		{name: "key id with space", cfg: pilotstatus.Config{APIKeyID: "kid_TENANT secret"}, wantErr: "spaces"},
		{name: "bad base URL", cfg: pilotstatus.Config{APIKey: tenantKey, BaseURL: "http://example.com"}, wantErr: "plain http"},
		{name: "negative retries", cfg: pilotstatus.Config{APIKey: tenantKey, MaxRetries: -1}, wantErr: "retries must be 0 or more"},
		{name: "zero retries", cfg: pilotstatus.Config{APIKey: tenantKey, MaxRetries: 0}},
		{name: "negative wait min", cfg: pilotstatus.Config{APIKey: tenantKey, RetryWaitMin: -time.Second}, wantErr: "minimum retry wait must not be negative"},
		{name: "negative wait max", cfg: pilotstatus.Config{APIKey: tenantKey, RetryWaitMax: -time.Second}, wantErr: "maximum retry wait must not be negative"},
		{name: "min above max", cfg: pilotstatus.Config{APIKey: tenantKey, RetryWaitMin: time.Minute, RetryWaitMax: time.Second}, wantErr: "longer than the maximum"},
		{name: "min above default max", cfg: pilotstatus.Config{APIKey: tenantKey, RetryWaitMin: time.Hour}, wantErr: "longer than the maximum"},
		{name: "negative timeout", cfg: pilotstatus.Config{APIKey: tenantKey, RequestTimeout: -time.Second}, wantErr: "request timeout must not be negative"},
		{name: "user agent with newline", cfg: pilotstatus.Config{APIKey: tenantKey, UserAgent: "a\r\nX-Evil: 1"}, wantErr: "user agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := pilotstatus.New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
			assertNoSecret(t, "error", err.Error(), tenantKey, tenantKeyID, "sk_tenantSECRETkey0001", "kid_TENANT secret")
		})
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/v1/numbers", http.StatusFound)
	})
	c := newClient(t, srv.URL)
	_, err := c.ListNumbers(context.Background())
	var apiErr *pilotstatus.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusFound {
		t.Fatalf("want an APIError 302, got %v", err)
	}
	if n := elsewhere.hits.Load(); n != 0 {
		t.Fatalf("the redirect target was called %d times: the credential went with it", n)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.RegenerateAPIKey(ctx, "wn_1", "k_before")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
		t.Fatalf("nothing was sent, yet the outcome is reported unknown: %v", err)
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests", n)
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/numbers" {
			writeJSON(w, 200, `[{"id":"wn_1"}]`)
			return
		}
		writeJSON(w, 503, `{}`)
	})
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.Logger = &recordingLogger{} })
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, err := c.ListNumbers(context.Background())
				errs <- err
				return
			}
			_, err := c.ListAPIKeys(context.Background())
			var apiErr *pilotstatus.APIError
			if !errors.As(err, &apiErr) || apiErr.Attempts != 4 {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
