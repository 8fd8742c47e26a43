package pilotstatus_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// benchClient serves body for every request and returns a client for it. A
// recording logger at trace level makes the benchmark pay for the redacted body
// logging that TF_LOG=trace asks for; logger nil measures the path without logs.
func benchClient(b *testing.B, body string, logger pilotstatus.Logger) *pilotstatus.Client {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)
	c, err := pilotstatus.New(pilotstatus.Config{BaseURL: srv.URL, APIKey: tenantKey, MaxRetries: 0, Logger: logger, RequestTimeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// listBody is the api-keys list of n numbers.
func listBody(n int) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"numberId":"wn_%04d","number":"55119%08d","displayName":"Número %d","keyId":"k_%04d",`+
			`"keyLast4":"%04d","key":"ps_%032d","revealable":true}`, i, i, i, i, i, i)
	}
	sb.WriteByte(']')
	return sb.String()
}

// discardLogger takes every level and drops the line, so the client formats and
// redacts as it would for a real log.
type discardLogger struct{}

func (discardLogger) Log(context.Context, pilotstatus.Level, string, map[string]any) {}

// The list call of a refresh: one request, decoding every number's key.
func BenchmarkListAPIKeys(b *testing.B) {
	for _, n := range []int{10, 500} {
		for _, logged := range []bool{false, true} {
			var logger pilotstatus.Logger
			name := fmt.Sprintf("numbers=%d/logs=off", n)
			if logged {
				logger, name = discardLogger{}, fmt.Sprintf("numbers=%d/logs=trace", n)
			}
			b.Run(name, func(b *testing.B) {
				c := benchClient(b, listBody(n), logger)
				b.ReportAllocs()
				for b.Loop() {
					keys, err := c.ListAPIKeys(b.Context())
					if err != nil || len(keys) != n {
						b.Fatalf("ListAPIKeys: %d keys, %v", len(keys), err)
					}
				}
			})
		}
	}
}

// One regeneration: request encoding, the round trip and the answer's decoding.
func BenchmarkRegenerateAPIKey(b *testing.B) {
	body := `{"numberId":"wn_1","keyId":"k_new","keyPrefix":"ps_","keyLast4":"wxyz","key":"` + numberKeyB +
		`","createdAt":"2026-06-28T10:00:00.000Z"}`
	c := benchClient(b, body, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.RegenerateAPIKey(b.Context(), "wn_1", "k_before"); err != nil {
			b.Fatal(err)
		}
	}
}

// Redacting a trace body of 500 keys, as every logged list answer is.
func BenchmarkRedact(b *testing.B) {
	body := listBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if out := pilotstatus.Redact(body, tenantKey); strings.Contains(out, "ps_0") {
			b.Fatal("a key survived redaction")
		}
	}
}
