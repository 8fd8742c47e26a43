package pilotstatus_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Secrets used across the tests; none may ever appear in an error or a log line.
const (
	tenantKey   = "ps_tenantSECRETkey0001"
	tenantKeyID = "kid_TENANT-secret-id"
	numberKeyA  = "ps_numberKEYaaaa1234"
	numberKeyB  = "ps_newKEY-bbbb_9876"
)

var allSecrets = []string{tenantKey, tenantKeyID, numberKeyA, numberKeyB}

// countingServer is an httptest server that counts the requests that reached it.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// newClient builds a client for srvURL with fast retries; mods adjust the config.
func newClient(t *testing.T, srvURL string, mods ...func(*pilotstatus.Config)) *pilotstatus.Client {
	t.Helper()
	cfg := pilotstatus.Config{
		BaseURL:      srvURL,
		APIKey:       tenantKey,
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		SettleTime:   30 * time.Millisecond,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := pilotstatus.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// hangUp reads the request, then closes the connection without answering.
func hangUp(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// logEntry is one line received by recordingLogger.
type logEntry struct {
	Level  pilotstatus.Level
	Msg    string
	Fields map[string]any
}

// recordingLogger keeps every line; onLog, when set, runs for each.
type recordingLogger struct {
	mu      sync.Mutex
	entries []logEntry
	onLog   func(level pilotstatus.Level, msg string)
}

func (l *recordingLogger) Log(_ context.Context, level pilotstatus.Level, msg string, fields map[string]any) {
	copied := make(map[string]any, len(fields))
	for k, v := range fields {
		copied[k] = v
	}
	l.mu.Lock()
	l.entries = append(l.entries, logEntry{Level: level, Msg: msg, Fields: copied})
	l.mu.Unlock()
	if l.onLog != nil {
		l.onLog(level, msg)
	}
}

func (l *recordingLogger) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}

func (l *recordingLogger) at(level pilotstatus.Level) []logEntry {
	var out []logEntry
	for _, e := range l.all() {
		if e.Level == level {
			out = append(out, e)
		}
	}
	return out
}

// assertNoSecret fails when text holds any of the secrets (allSecrets when none are given), half
// of a long one, or a ps_ value (secrettest).
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	if len(secrets) == 0 {
		secrets = allSecrets
	}
	secrettest.Check(t, what, text, secrettest.Named("a secret", secrets...))
}

// assertLogsClean scans every message and field value of every line for secrets.
func assertLogsClean(t *testing.T, l *recordingLogger, secrets ...string) {
	t.Helper()
	for _, e := range l.all() {
		assertNoSecret(t, "log message", e.Msg, secrets...)
		for k, v := range e.Fields {
			assertNoSecret(t, "log field "+k, fmt.Sprint(v), secrets...)
		}
	}
}
