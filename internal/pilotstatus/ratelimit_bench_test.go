package pilotstatus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// BenchmarkRotateAllRateLimited regenerates the keys of n numbers from ten workers, as
// terraform apply does with its default parallelism, against a local API limited to 20 requests
// a second, with the client learning the limit (or paced by a ceiling). It reports the wall time
// as a multiple of the floor n/20 s, and the share of answers that were 429.
func BenchmarkRotateAllRateLimited(b *testing.B) {
	const (
		n       = 200
		limit   = 20.0
		workers = 10
	)
	for _, tc := range []struct {
		name    string
		burst   int
		ceiling float64
	}{
		{"adaptive burst 5", 5, 0},
		{"adaptive burst 20", 20, 0},
		{"ceiling 20 burst 5", 5, limit},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				numbers := make([]fakeapi.Number, n)
				for i := range numbers {
					numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%d", i)}
				}
				api := fakeapi.New(fakeapi.Options{Numbers: numbers})
				url, stop := api.Start()
				api.SetRateLimit(limit, tc.burst)
				c, err := pilotstatus.New(pilotstatus.Config{BaseURL: url, APIKey: api.TenantKey(), MaxRetries: 4,
					RequestTimeout: 10 * time.Second, MaxRequestsPerSecond: tc.ceiling})
				if err != nil {
					b.Fatal(err)
				}
				jobs := make(chan int)
				var wg sync.WaitGroup
				failed := 0
				var mu sync.Mutex
				start := time.Now()
				for range workers {
					wg.Go(func() {
						for i := range jobs {
							prev, _ := api.CurrentKey(fmt.Sprintf("wn_%d", i))
							if _, err := c.RegenerateAPIKey(context.Background(), fmt.Sprintf("wn_%d", i), prev.ID); err != nil {
								mu.Lock()
								failed++
								mu.Unlock()
							}
						}
					})
				}
				for i := range n {
					jobs <- i
				}
				close(jobs)
				wg.Wait()
				elapsed := time.Since(start)
				stop()
				if failed > 0 {
					b.Errorf("%d of %d regenerations failed", failed, n)
				}
				b.ReportMetric(elapsed.Seconds()/(n/limit), "x-floor")
				b.ReportMetric(100*float64(api.RateLimited())/float64(api.TotalCalls()), "%429")
			}
		})
	}
}
