// Command pilotstatus-localapi serves the in-memory fake Pilot Status API (internal/fakeapi) on a
// local address, for the demo, benchmarks and manual runs of the provider.
//
// Usage:
//
//	pilotstatus-localapi [-listen 127.0.0.1:8080] [-tenant-key ps_...] \
//	    [-numbers 'wn_1=5511999990001:Suporte,wn_2!=5511999990002:Vendas'] [-generate N] \
//	    [-rate-limit RPS] [-rate-burst N] [-rate-window DURATION] [-rate-retry-after-pad S] \
//	    [-addr-file PATH] [-v]
//
// -rate-limit puts a token bucket in front of the API (-rate-burst requests at once, then RPS a
// second); with -rate-window it is a fixed window instead, -rate-limit requests per window. The limit
// is the server's: two provider processes applying against it at once share it. Its 429s carry
// Retry-After: the wait rounded up to whole seconds (at least 1), plus -rate-retry-after-pad.
//
// The tenant key comes from -tenant-key, else from PILOTSTATUS_LOCAL_TENANT_KEY, else it is random
// and printed to stderr once: it is the fake's own credential, needed to call it. No other key is
// ever printed; the numbers' keys are read through GET /v1/api-keys like on the real API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr))
}

// run parses args, serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "pilotstatus-localapi: %v\n", err)
		return 2
	}
	if err := serve(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "pilotstatus-localapi: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the fake API described by cfg until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, cfg config, stderr io.Writer) error {
	api := newAPI(cfg, stderr)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return err
	}
	baseURL := "http://" + ln.Addr().String()

	var handler http.Handler = api
	if cfg.verbose {
		handler = logRequests(api, stderr)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	if !cfg.verbose {
		srv.ErrorLog = discardLogger() // dropped connections are intended
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	if cfg.addrFile != "" {
		if err := writeFileAtomic(cfg.addrFile, baseURL+"\n"); err != nil {
			_ = srv.Close()
			return fmt.Errorf("writing -addr-file: %w", err)
		}
	}
	fmt.Fprintf(stderr, "pilotstatus-localapi: serving %d numbers on %s\n", len(cfg.numbers), baseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(srv, errc, stderr)
}

// newAPI builds the fake API of cfg, with its rate limit, and prints a generated tenant key.
func newAPI(cfg config, stderr io.Writer) *fakeapi.API {
	api := fakeapi.New(fakeapi.Options{TenantKey: cfg.tenantKey, Numbers: cfg.numbers})
	switch {
	case cfg.rateWindow > 0:
		api.SetFixedWindowLimit(int(cfg.rateLimit), cfg.rateWindow)
	case cfg.rateLimit > 0:
		api.SetRateLimit(cfg.rateLimit, cfg.rateBurst)
	}
	api.SetRetryAfterPadding(cfg.retryAfterPad)
	if cfg.tenantKey == "" {
		// The only key this program ever prints: the fake's own, freshly generated credential.
		fmt.Fprintf(stderr, "tenant key (generated; set -tenant-key or PILOTSTATUS_LOCAL_TENANT_KEY to choose one): %s\n", api.TenantKey())
	}
	return api
}

// shutdown stops srv gracefully, giving requests in flight five seconds; errc has Serve's result.
func shutdown(srv *http.Server, errc <-chan error, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stderr, "pilotstatus-localapi: stopped")
	return nil
}

// writeFileAtomic writes data to path through a temporary file and a rename, so a script polling
// for path never reads it half written.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	// Once renamed, the temporary name is gone and removing it fails: that is success.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.WriteString(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { //nolint:gosec // G302: the file holds only the base URL, for other processes to read
		return err
	}
	return os.Rename(tmp.Name(), path)
}
