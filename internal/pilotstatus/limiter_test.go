package pilotstatus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
)

// sleepOn is the limiter's sleep on a test clock: it returns at once, the clock
// advanced by the wait.
func sleepOn(clock *clocktest.Clock) func(context.Context, time.Duration, <-chan struct{}) (bool, error) {
	return func(_ context.Context, d time.Duration, _ <-chan struct{}) (bool, error) {
		clock.Sleep(d)
		return false, nil
	}
}

func TestLimiterCeilingSpacesAttempts(t *testing.T) {
	t.Parallel()
	unpaced := newLimiter(0)
	for range 100 {
		if d, err := unpaced.wait(context.Background()); d != 0 || err != nil {
			t.Fatalf("without a ceiling or a 429 the limiter waited %s, %v", d, err)
		}
	}

	clock := clocktest.New(time.Unix(1_000_000, 0))
	p := newLimiter(4) // one attempt every 250ms
	p.now, p.sleep = clock.Now, sleepOn(clock)

	// Four attempts one after the other: the first goes at once, the others each a quarter of a
	// second after the one before.
	var waits []time.Duration
	for range 4 {
		d, err := p.wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, d)
	}
	want := []time.Duration{0, 250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	// After a quiet second the next attempt goes at once again: no burst credit is
	// saved up beyond one attempt.
	clock.Advance(2 * time.Second)
	if d, _ := p.wait(context.Background()); d != 0 {
		t.Errorf("after a quiet period the attempt waited %s", d)
	}
	if d, _ := p.wait(context.Background()); d != 250*time.Millisecond {
		t.Errorf("the attempt right after waited %s, want 250ms", d)
	}
}

func TestLimiterHonoursContext(t *testing.T) {
	t.Parallel()
	p := newLimiter(0.001) // one attempt every 1000 s
	if _, err := p.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.wait(ctx); err == nil {
		t.Error("a canceled context did not end the wait")
	}
}

// Every attempt of every call goes through the client's limiter, retries included.
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
	clock := clocktest.New(time.Unix(1_000_000, 0))
	c.limiter.now, c.limiter.sleep = clock.Now, sleepOn(clock)
	for range 3 {
		if _, err := c.ListAPIKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Four attempts (one retried call, two more) in a row: the limiter held back
	// each after the first by 100ms.
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	slept := clock.Sleeps()
	if len(slept) != len(want) {
		t.Fatalf("the pacer slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("the pacer slept %v, want %v", slept, want)
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

// adaptiveLimiter is a limiter on a fake clock that records its log lines.
func adaptiveLimiter(ceiling float64) (*limiter, *clocktest.Clock, *[]string) {
	clock := clocktest.New(time.Unix(1_000_000, 0))
	l := newLimiter(ceiling)
	l.now, l.sleep = clock.Now, sleepOn(clock)
	var lines []string
	var mu sync.Mutex
	l.log = func(_ context.Context, level Level, msg string, _ map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, level.String()+": "+msg)
	}
	return l, clock, &lines
}

// sendAt lets n attempts through at the fake clock's moment, as concurrent callers would.
func sendAt(t *testing.T, l *limiter, n int) {
	t.Helper()
	for range n {
		if _, err := l.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func near(got, want float64) bool { return math.Abs(got-want) < 0.01 }

// sendFor records the attempts a limiter lets through at rate r for d, and their accepted answers.
func sendFor(l *limiter, clock *clocktest.Clock, r float64, d time.Duration, accepted bool) {
	steps := int(d / (10 * time.Millisecond))
	carry := 0.0
	for range steps {
		clock.Advance(10 * time.Millisecond)
		carry += r / 100
		for ; carry >= 1; carry-- {
			l.mu.Lock()
			l.record(clock.Now())
			l.mu.Unlock()
			if accepted {
				l.observe(context.Background(), clock.Now(), 200, 0)
			}
		}
	}
}

// The first 429 turns pacing on at the rate the client was sending at, and the rate then doubles
// while the requests keep up; the 429 after that drops it to a fraction of the rate the API
// accepted, once for all the attempts sent before the drop.
func TestLimiterBacksOffOn429(t *testing.T) {
	t.Parallel()
	l, clock, lines := adaptiveLimiter(0)
	if _, throttled := l.learnedRate(); throttled {
		t.Fatal("throttled before any 429")
	}
	sentBefore := clock.Now()
	sendAt(t, l, 40) // 40 attempts in the last second
	l.observe(context.Background(), sentBefore, 429, 0)
	if r, throttled := l.learnedRate(); !throttled || !near(r, 40) {
		t.Fatalf("after a first 429 at 40 requests a second the rate is %v (throttled %t), want 40", r, throttled)
	}
	for range 9 { // the other attempts sent before it
		l.observe(context.Background(), sentBefore, 429, 0)
	}
	if r, _ := l.learnedRate(); !near(r, 40) {
		t.Fatalf("429s of attempts sent before the lowering changed the rate, to %v", r)
	}
	// Slow start: the rate doubles every slowStartDoubling while the requests keep up with it.
	sendFor(l, clock, 40, time.Second, true)
	sendFor(l, clock, 80, 260*time.Millisecond, true)
	if r, _ := l.learnedRate(); r < 79 || r > 161 {
		t.Fatalf("after a second and a quarter of successes the rate is %v, want it doubled at least once and capped at twice the rate sent", r)
	}
	// The API accepts 30 a second and throttles the rest: the rate drops below 30.
	sendFor(l, clock, 30, time.Second, true)
	for range 10 {
		l.observe(context.Background(), clock.Now(), 429, 0)
	}
	if r, _ := l.learnedRate(); r > 30*throttleBeta+0.01 || r < 1 {
		t.Fatalf("a 429 after the slow start left the rate at %v, want at most %v", r, 30*throttleBeta)
	}
	if got := strings.Join(*lines, "\n"); strings.Count(got, "info: Pilot Status API rate limit reached") != 1 ||
		strings.Count(got, "debug: Pilot Status API request rate changed") < 3 {
		t.Fatalf("want one info line for the first 429 and a debug line per change, got:\n%s", got)
	}
}

// While requests succeed after the second 429, the rate grows back along the cubic curve: it is
// back at the rate the API accepted after K seconds, lingers there, then probes beyond it; it never passes the
// ceiling, and a settled rate is logged once.
func TestLimiterRecovers(t *testing.T) {
	t.Parallel()
	for _, ceiling := range []float64{0, 45} {
		t.Run(fmt.Sprintf("ceiling %v", ceiling), func(t *testing.T) {
			t.Parallel()
			l, clock, lines := adaptiveLimiter(ceiling)
			sendFor(l, clock, 60, time.Second, false)
			l.observe(context.Background(), clock.Now().Add(-time.Millisecond), 429, 0) // slow start
			sendFor(l, clock, 40, time.Second, true)                                    // 40 a second accepted
			l.observe(context.Background(), clock.Now(), 429, 0)
			start, _ := l.learnedRate()
			k := math.Cbrt(40 * (1 - throttleBeta) / cubicScale)
			prev, checkedK := start, false
			for ms := 100; ms <= 15000; ms += 100 {
				sendFor(l, clock, prev, 100*time.Millisecond, true)
				r, _ := l.learnedRate()
				if r < prev {
					t.Fatalf("the rate fell from %v to %v on a success", prev, r)
				}
				if ceiling > 0 && r > ceiling {
					t.Fatalf("the rate %v passed the ceiling %v", r, ceiling)
				}
				prev = r
				// An API's limit does not move: for seven and a half seconds after the 429 the
				// rate stays within 5% of the last 429's, so that a run of a few seconds is not
				// throttled again by its own probing (each 429 with a Retry-After pauses every
				// request).
				if at := float64(ms) / 1000; ceiling == 0 && at <= 7.5 && r > 40*1.05 {
					t.Fatalf("%.1fs after the 429 the rate is already %v: it probes beyond the last 429's 40 too soon", at, r)
				}
				if at := float64(ms) / 1000; ceiling == 0 && !checkedK && at >= k {
					checkedK = true
					if r < 38 || r > 42 {
						t.Fatalf("after K = %.2fs the rate is %v, want it back near 40", k, r)
					}
				}
			}
			if ceiling == 0 && (!checkedK || prev <= 42) {
				t.Fatalf("fifteen seconds without a 429 left the rate at %v: it does not probe beyond the last 429's", prev)
			}
			if ceiling > 0 && prev != ceiling {
				t.Fatalf("fifteen seconds without a 429 left the rate at %v, want the ceiling %v", prev, ceiling)
			}
			if start >= prev {
				t.Fatalf("the rate did not grow: %v, then %v", start, prev)
			}
			if strings.Count(strings.Join(*lines, "\n"), "info: Pilot Status API rate limit learnt") != 1 {
				t.Fatalf("want one info line with the settled rate, got:\n%s", strings.Join(*lines, "\n"))
			}
		})
	}
}

// A Retry-After pauses the attempts that follow, not only the one it answered; a ceiling alone
// paces without any 429, and 429s never lift the rate above it.
func TestLimiterHonoursRetryAfterAndCeiling(t *testing.T) {
	t.Parallel()
	l, clock, _ := adaptiveLimiter(10)
	sendAt(t, l, 1)
	l.observe(context.Background(), clock.Now(), 429, 2*time.Second)
	if d, err := l.wait(context.Background()); err != nil || d < 2*time.Second {
		t.Fatalf("the attempt after a Retry-After of 2s waited %s, %v", d, err)
	}
	if r, _ := l.learnedRate(); r > 10 {
		t.Fatalf("the rate %v passed the ceiling 10", r)
	}
	clock.Advance(time.Minute)
	if d, _ := l.wait(context.Background()); d != 0 {
		t.Fatalf("after the pause the first attempt waited %s", d)
	}
}

// A 503 tells nothing of the rate limit: it neither counts as accepted nor grows a learnt rate; its
// Retry-After pauses every attempt, as a 429's does. An unpaced client stays unpaced.
func TestLimiter503(t *testing.T) {
	t.Parallel()
	l, clock, _ := adaptiveLimiter(0)
	sendAt(t, l, 1)
	l.observe(context.Background(), clock.Now(), 503, 0)
	if _, throttled := l.learnedRate(); throttled {
		t.Fatal("a 503 throttled the client")
	}
	l.observe(context.Background(), clock.Now(), 503, 2*time.Second)
	if d, err := l.wait(context.Background()); err != nil || d < 2*time.Second {
		t.Fatalf("the attempt after a 503's Retry-After of 2s waited %s, %v", d, err)
	}

	// Throttled at some rate: a stream of 503s does not grow it, where as many successes do.
	l, clock, _ = adaptiveLimiter(0)
	sendFor(l, clock, 20, time.Second, true)
	l.observe(context.Background(), clock.Now(), 429, 0)
	before, _ := l.learnedRate()
	accepted := len(l.accepted)
	for range 50 {
		clock.Advance(100 * time.Millisecond)
		sendAt(t, l, 1)
		l.observe(context.Background(), clock.Now(), 503, 0)
	}
	if after, _ := l.learnedRate(); after != before {
		t.Fatalf("5 s of 503s moved the learnt rate from %v to %v", before, after)
	}
	if len(l.accepted) > accepted {
		t.Fatalf("503s were counted as accepted answers")
	}
	for range 50 {
		clock.Advance(100 * time.Millisecond)
		sendAt(t, l, 1)
		l.observe(context.Background(), clock.Now(), 200, 0)
	}
	if after, _ := l.learnedRate(); after <= before {
		t.Fatalf("5 s of successes did not grow the learnt rate %v", before)
	}
}

// A waiter takes a new turn when the rate changes: one that waits behind a low rate goes as soon as
// the rate is raised, not when its old turn comes.
func TestLimiterWaitersFollowTheRate(t *testing.T) {
	t.Parallel()
	l := newLimiter(0)
	l.observe(context.Background(), time.Now().Add(-time.Second), 429, 0) // pacing at the floor rate
	if _, err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan time.Duration, 1)
	go func() { d, _ := l.wait(context.Background()); done <- d }()
	time.Sleep(50 * time.Millisecond)
	l.mu.Lock()
	l.setRate(context.Background(), l.now(), 1000, "test")
	l.mu.Unlock()
	select {
	case d := <-done:
		if d > time.Second {
			t.Fatalf("the waiter waited %s", d)
		}
	case <-time.After(time.Second):
		t.Fatal("the waiter still waits for its turn at the old rate of one every two seconds")
	}
}

// A request that keeps getting 429 fails with the rate the client had slowed down to, for the
// diagnostic to name it.
func TestRateLimitedErrorCarriesTheLearnedRate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, APIKey: "ps_test_credential", MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListAPIKeys(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || apiErr.LearnedRate <= 0 {
		t.Fatalf("want a 429 APIError with the learnt rate, got %#v", err)
	}
}

// A turn that comes at the moment of Ctrl-C does not start an attempt: the regeneration waiting for
// it is not sent, and the call says it was interrupted before anything was sent.
func TestCtrlCAtTheTurnSendsNothing(t *testing.T) {
	t.Parallel()
	var posts sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Store(r.URL.Path, true)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, APIKey: "ps_test_credential", MaxRequestsPerSecond: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	clock := clocktest.New(time.Unix(1_000_000, 0))
	paced := sleepOn(clock)
	c.limiter.now = clock.Now
	c.limiter.sleep = func(ctx context.Context, d time.Duration, wake <-chan struct{}) (bool, error) {
		cancel() // Ctrl-C while the turn is due: the pace ends without the context's error
		return paced(ctx, d, wake)
	}
	if _, err := c.ListAPIKeys(context.Background()); err != nil { // takes the bucket's one token
		t.Fatal(err)
	}
	_, err = c.RegenerateAPIKey(ctx, "wn_1", "k_before")
	if !errors.Is(err, ErrInterrupted) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want interrupted before anything was sent", err)
	}
	posts.Range(func(p, _ any) bool {
		t.Errorf("POST %s was sent after Ctrl-C", p)
		return true
	})
}
