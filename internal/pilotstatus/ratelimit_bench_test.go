package pilotstatus_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// BenchmarkRotateAllRateLimited regenerates the keys of n numbers from ten workers, as
// terraform apply does with its default parallelism, against a local API limited to 20 requests
// a second whose 429s carry a Retry-After rounded up to whole seconds plus one, with the client
// learning the limit (or paced by a ceiling). "shared" rows split the keys between two clients
// working at once, as two concurrent applies do. It reports the mean wall time (until the slower
// client is done) as a multiple of the floor n/20 s, and the share of answers that were 429.
func BenchmarkRotateAllRateLimited(b *testing.B) {
	const (
		n     = 200
		limit = 20.0
	)
	for _, tc := range []struct {
		name    string
		burst   int
		clients int
		ceiling float64
	}{
		{"adaptive burst 5", 5, 1, 0},
		{"adaptive burst 20", 20, 1, 0},
		{"adaptive burst 5 shared", 5, 2, 0},
		{"ceiling 20 burst 5", 5, 1, limit},
		{"ceiling 10 burst 5 shared", 5, 2, limit / 2},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var elapsed time.Duration
			runs, refused, calls := 0, 0, 0
			for b.Loop() {
				numbers := make([]fakeapi.Number, n)
				for i := range numbers {
					numbers[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%d", i)}
				}
				api := fakeapi.New(fakeapi.Options{Numbers: numbers})
				url, stop := api.Start()
				api.SetRateLimit(limit, tc.burst)
				api.SetRetryAfterPadding(1)
				start := time.Now()
				var clients sync.WaitGroup
				per := n / tc.clients
				for k := range tc.clients {
					clients.Go(func() { rotateRateLimited(b, api, url, tc.ceiling, k*per, per) })
				}
				clients.Wait()
				elapsed += time.Since(start)
				stop()
				runs++
				refused += api.RateLimited()
				calls += api.TotalCalls()
			}
			b.ReportMetric(elapsed.Seconds()/float64(runs)/(n/limit), "x-floor")
			b.ReportMetric(100*float64(refused)/float64(calls), "%429")
		})
	}
}

// rotateRateLimited regenerates the keys of numbers wn_from to wn_(from+count-1) with one client and
// ten workers, and fails b when any regeneration fails.
func rotateRateLimited(b *testing.B, api *fakeapi.API, url string, ceiling float64, from, count int) {
	c, err := pilotstatus.New(pilotstatus.Config{BaseURL: url, APIKey: api.TenantKey(), MaxRetries: 4,
		RequestTimeout: 10 * time.Second, MaxRequestsPerSecond: ceiling})
	if err != nil {
		b.Error(err)
		return
	}
	jobs := make(chan string)
	var workers sync.WaitGroup
	var failed atomic.Int32
	for range 10 {
		workers.Go(func() {
			for id := range jobs {
				prev, _ := api.CurrentKey(id)
				if _, err := c.RegenerateAPIKey(context.Background(), id, prev.ID); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	for i := from; i < from+count; i++ {
		jobs <- fmt.Sprintf("wn_%d", i)
	}
	close(jobs)
	workers.Wait()
	if f := failed.Load(); f > 0 {
		b.Errorf("%d of %d regenerations failed", f, count)
	}
}
