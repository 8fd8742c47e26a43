package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string
	}{
		{
			name: "defaults",
			want: config{listen: "127.0.0.1:8080"},
		},
		{
			name: "everything",
			args: []string{"-listen", "127.0.0.1:0", "-tenant-key", "ps_flag", "-numbers",
				"wn_1=5511999990001:Suporte, wn_2!=5511999990002:Vendas e Pós,wa/x=55", "-rate-limit", "2.5",
				"-rate-burst", "4", "-rate-retry-after-pad", "1", "-addr-file", "/tmp/addr", "-v"},
			want: config{
				listen:    "127.0.0.1:0",
				tenantKey: "ps_flag",
				numbers: []fakeapi.Number{
					{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
					{ID: "wn_2", Number: "5511999990002", Name: "Vendas e Pós", Legacy: true},
					{ID: "wa/x", Number: "55"},
				},
				rateLimit:     2.5,
				rateBurst:     4,
				retryAfterPad: 1,
				addrFile:      "/tmp/addr",
				verbose:       true,
			},
		},
		{
			name: "tenant key from the environment",
			env:  map[string]string{tenantKeyEnv: "ps_env"},
			want: config{listen: "127.0.0.1:8080", tenantKey: "ps_env"},
		},
		{
			name: "flag beats the environment",
			args: []string{"-tenant-key", "ps_flag"},
			env:  map[string]string{tenantKeyEnv: "ps_env"},
			want: config{listen: "127.0.0.1:8080", tenantKey: "ps_flag"},
		},
		{
			name: "generate after explicit numbers",
			args: []string{"-numbers", "x=1:X", "-generate", "2"},
			want: config{listen: "127.0.0.1:8080", numbers: []fakeapi.Number{
				{ID: "x", Number: "1", Name: "X"},
				{ID: "wn_0001", Number: "5511900000001", Name: "Number 0001"},
				{ID: "wn_0002", Number: "5511900000002", Name: "Number 0002"},
			}},
		},
		{
			name: "burst defaults to the rate",
			args: []string{"-rate-limit", "2.5"},
			want: config{listen: "127.0.0.1:8080", rateLimit: 2.5, rateBurst: 3},
		},
		{
			name: "slow rate has a burst of one",
			args: []string{"-rate-limit", "0.1"},
			want: config{listen: "127.0.0.1:8080", rateLimit: 0.1, rateBurst: 1},
		},
		{
			name: "fixed window",
			args: []string{"-rate-limit", "20", "-rate-window", "1s"},
			want: config{listen: "127.0.0.1:8080", rateLimit: 20, rateBurst: 20, rateWindow: time.Second},
		},
		{name: "fixed window without a whole limit", args: []string{"-rate-limit", "2.5", "-rate-window", "1s"}, wantErr: "-rate-window must be > 0"},
		{name: "fixed window without a limit", args: []string{"-rate-window", "1s"}, wantErr: "-rate-window must be > 0"},
		{name: "tenant key without prefix", args: []string{"-tenant-key", "secret"}, wantErr: "must start with ps_"},
		{name: "bare prefix", env: map[string]string{tenantKeyEnv: "ps_"}, wantErr: "must start with ps_"},
		{name: "number without =", args: []string{"-numbers", "wn_1:5511"}, wantErr: "want id=number"},
		{name: "empty id", args: []string{"-numbers", "!=5511:X"}, wantErr: "empty id"},
		{name: "duplicate id", args: []string{"-numbers", "a=1,a=2"}, wantErr: "duplicate id"},
		{name: "non-digit phone", args: []string{"-numbers", "a=+55 11:X"}, wantErr: "digits only"},
		{name: "empty phone", args: []string{"-numbers", "a=:X"}, wantErr: "digits only"},
		{name: "generate clashes", args: []string{"-numbers", "wn_0001=1", "-generate", "1"}, wantErr: "already given"},
		{name: "negative generate", args: []string{"-generate", "-1"}, wantErr: "-generate"},
		{name: "huge generate", args: []string{"-generate", "100000"}, wantErr: "-generate"},
		{name: "negative rate", args: []string{"-rate-limit", "-1"}, wantErr: "-rate-limit"},
		{name: "infinite rate", args: []string{"-rate-limit", "+Inf"}, wantErr: "-rate-limit"},
		{name: "negative burst", args: []string{"-rate-burst", "-1"}, wantErr: "-rate-burst"},
		{name: "negative Retry-After padding", args: []string{"-rate-retry-after-pad", "-1"}, wantErr: "-rate-retry-after-pad"},
		{name: "unknown flag", args: []string{"-port", "1"}, wantErr: "flag provided but not defined"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFlags(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("config = %+v\nwant     %+v", got, tt.want)
			}
		})
	}
}

func TestParseFlagsGenerateMany(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-generate", "1200"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	last := cfg.numbers[len(cfg.numbers)-1]
	if len(cfg.numbers) != 1200 || last.ID != "wn_1200" || last.Number != "5511900001200" {
		t.Fatalf("%d numbers, last %+v", len(cfg.numbers), last)
	}
}

// The rate limit flags reach the API: its 429s carry the padded Retry-After.
func TestNewAPIRateLimit(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-tenant-key", "ps_k", "-rate-limit", "20", "-rate-burst", "1", "-rate-retry-after-pad", "2"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	api := newAPI(cfg, io.Discard)
	var last *httptest.ResponseRecorder
	for range 2 {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/api-keys", nil)
		req.Header.Set("x-api-key", "ps_k")
		last = httptest.NewRecorder()
		api.ServeHTTP(last, req)
	}
	if last.Code != http.StatusTooManyRequests || last.Header().Get("Retry-After") != "3" {
		t.Errorf("second request: %d, Retry-After %q; want 429 with 3 (50 ms rounded up to 1 s, plus 2)", last.Code, last.Header().Get("Retry-After"))
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, env(nil), &out); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(out.String(), "-addr-file") {
		t.Fatalf("usage does not list the flags: %s", out.String())
	}
	if code := run(context.Background(), []string{"-generate", "x"}, env(nil), io.Discard); code != 2 {
		t.Fatalf("bad flag: exit code %d, want 2", code)
	}
	if _, err := parseFlags([]string{"-help"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-help: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitForFile polls until path exists.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			return string(b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
	return ""
}

func TestServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		printedKey bool
	}{
		{"generated key is printed", nil, nil, true},
		{"given key is not printed", nil, map[string]string{tenantKeyEnv: "ps_fromTheEnvironment"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addrFile := filepath.Join(t.TempDir(), "addr")
			args := append([]string{"-listen", "127.0.0.1:0", "-addr-file", addrFile, "-v",
				"-numbers", "wn_1=5511999990001:Suporte,wn_2!=5511999990002:Vendas"}, tt.args...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr syncBuffer
			done := make(chan int, 1)
			go func() { done <- run(ctx, args, env(tt.env), &stderr) }()

			base := strings.TrimSpace(waitForFile(t, addrFile))
			if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
				t.Fatalf("addr file holds %q", base)
			}
			key := tt.env[tenantKeyEnv]
			if tt.printedKey {
				_, after, ok := strings.Cut(stderr.String(), "): ")
				if !ok {
					t.Fatalf("generated key not printed: %s", stderr.String())
				}
				key, _, _ = strings.Cut(after, "\n")
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/api-keys", nil)
			req.Header.Set("x-api-key", key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var items []struct {
				NumberID   string  `json:"numberId"`
				Key        *string `json:"key"`
				Revealable bool    `json:"revealable"`
			}
			err = json.NewDecoder(resp.Body).Decode(&items)
			_ = resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || len(items) != 2 {
				t.Fatalf("GET /v1/api-keys with the tenant key: %d %v %+v", resp.StatusCode, err, items)
			}
			if items[0].Key == nil || !items[0].Revealable || items[1].Key != nil || items[1].Revealable {
				t.Errorf("the legacy marker was not applied: %+v", items)
			}

			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no graceful shutdown")
			}
			log := stderr.String()
			if !strings.Contains(log, "GET /v1/api-keys 200\n") {
				t.Errorf("-v did not log the request: %s", log)
			}
			count := strings.Count(log, key)
			if tt.printedKey && count != 1 {
				t.Errorf("generated key printed %d times, want once", count)
			}
			if !tt.printedKey && count != 0 {
				t.Error("a given tenant key was printed")
			}
			if *items[0].Key != "" && strings.Contains(log, *items[0].Key) {
				t.Error("a number key reached the log")
			}
		})
	}
}

// TestLogRequestsKeepsHijack proves the -v wrapper still lets the fake drop connections, and logs
// what happened without headers.
func TestLogRequestsKeepsHijack(t *testing.T) {
	t.Parallel()
	api := fakeapi.New(fakeapi.Options{TenantKey: "ps_logTest", Numbers: []fakeapi.Number{{ID: "wn_1", Number: "1"}}})
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListNumbers, Kind: fakeapi.FaultDropBeforeWork})
	api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 503})
	var out syncBuffer
	srv := httptest.NewServer(logRequests(api, &out))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
		req.Header.Set("x-api-key", "ps_logTest")
		return client.Do(req)
	}
	if resp, err := get("/v1/numbers"); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("connection not dropped: %d", resp.StatusCode)
	}
	resp, err := get("/v1/api-keys")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	// A hijacked connection no longer holds up srv.Close, so the line of the dropped
	// request may come after the second answer: wait for both lines.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// The two lines may be written in either order: the first is logged after the drop.
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	slices.Sort(got)
	if want := []string{"GET /v1/api-keys 503", "GET /v1/numbers dropped"}; !slices.Equal(got, want) {
		t.Fatalf("log lines = %q, want %q", got, want)
	}
}
