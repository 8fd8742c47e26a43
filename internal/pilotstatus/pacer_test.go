package pilotstatus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakePace is a clock that only moves when the pacer sleeps, recording each sleep.
type fakePace struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (f *fakePace) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakePace) sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	return nil
}

func (f *fakePace) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func TestPacerSpacesAttempts(t *testing.T) {
	t.Parallel()
	if newPacer(0) != nil {
		t.Fatal("a rate of 0 must mean no pacer")
	}
	var nilPacer *pacer
	if d, err := nilPacer.wait(context.Background()); d != 0 || err != nil {
		t.Fatalf("a nil pacer waited %s, %v", d, err)
	}

	clock := &fakePace{t: time.Unix(1_000_000, 0)}
	p := newPacer(4) // one attempt every 250ms
	p.now, p.sleep = clock.now, clock.sleep

	// Four attempts at the same moment: the first goes at once, the others in turn.
	var waits []time.Duration
	for range 4 {
		d, err := p.wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, d)
	}
	want := []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	// After a quiet second the next attempt goes at once again: no burst credit is
	// saved up beyond one attempt.
	clock.advance(2 * time.Second)
	if d, _ := p.wait(context.Background()); d != 0 {
		t.Errorf("after a quiet period the attempt waited %s", d)
	}
	if d, _ := p.wait(context.Background()); d != 250*time.Millisecond {
		t.Errorf("the attempt right after waited %s, want 250ms", d)
	}
}

func TestPacerHonoursContext(t *testing.T) {
	t.Parallel()
	p := newPacer(0.001) // one attempt every 1000 s
	if _, err := p.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.wait(ctx); err == nil {
		t.Error("a canceled context did not end the wait")
	}
}

// Every attempt of every call goes through the client's pacer, retries included.
func TestClientPacesEveryAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable) // one retry
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{
		BaseURL: srv.URL, APIKey: "ps_test_credential", MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond,
		MaxRequestsPerSecond: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakePace{t: time.Unix(1_000_000, 0)}
	c.pacer.now, c.pacer.sleep = clock.now, clock.sleep
	for range 3 {
		if _, err := c.ListAPIKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Four attempts (one retried call, two more), all at the same fake moment:
	// the pacer held back the three after the first by 100, 200 and 300ms.
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	if len(clock.sleeps) != len(want) {
		t.Fatalf("the pacer slept %v, want %v", clock.sleeps, want)
	}
	for i := range want {
		if clock.sleeps[i] != want[i] {
			t.Fatalf("the pacer slept %v, want %v", clock.sleeps, want)
		}
	}
	if _, err := New(Config{BaseURL: srv.URL, APIKey: "ps_test_credential", MaxRequestsPerSecond: -1}); err == nil {
		t.Error("a negative rate was accepted")
	}
}

// The wait for a turn is not part of an attempt: calls whose turn comes long after
// the request timeout still succeed.
func TestPacingWaitIsOutsideTheRequestTimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{
		BaseURL: srv.URL, APIKey: "ps_test_credential", MaxRetries: 0,
		RequestTimeout:       50 * time.Millisecond,
		MaxRequestsPerSecond: 5, // turns 200ms apart: the third call waits 400ms
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.ListAPIKeys(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d failed while waiting for its turn: %v", i, err)
		}
	}
}
