package pilotstatus

import (
	"context"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter paces every attempt of one Client, so that a large run stays under the API's rate limit
// instead of running into 429s. Pilot Status documents that it answers 429 but not its limit, so
// the limiter learns it, in the way the AWS SDKs' "adaptive" retry mode does: no pacing until the
// first 429; then a token bucket (golang.org/x/time/rate, one request at a time). After the first
// 429 the bucket starts at the rate of answers the API accepted in the last second and doubles
// every slowStartDoubling while requests succeed (a burst at the start of a run says little about
// the rate); from the next 429 on, each 429 drops the rate to a fraction of the rate the client was
// sending at, and it grows back while requests succeed along a cubic curve that levels off near
// the rate of the last 429 before it probes beyond it. A Retry-After pauses the whole bucket, and
// the growth counts from the end of the pause. MaxRequestsPerSecond is a ceiling the rate never
// passes; set alone, without 429s, it paces evenly at that rate. The wait for a turn does not count
// against the request timeout.
type limiter struct {
	ceiling float64 // requests per second at most; 0: none
	now     func() time.Time
	// sleep waits d, or until wake is closed (woken), or until ctx ends.
	sleep func(ctx context.Context, d time.Duration, wake <-chan struct{}) (woken bool, err error)
	// log receives the limiter's lines (rate changes at debug, the settled rate at info).
	log func(ctx context.Context, level Level, msg string, fields map[string]any)

	mu           sync.Mutex
	bucket       *rate.Limiter // nil: no pacing at all
	throttled    bool          // a 429 was seen: the rate is learnt
	slowStart    bool          // after the first 429, until the second: the rate doubles
	current      float64       // the bucket's rate while throttled
	start        float64       // the rate at the last 429's lowering
	lastMax      float64       // the rate at the last 429 (CUBIC's W_max)
	lastThrottle time.Time
	growFrom     time.Time     // when the rate may start growing again: the end of a pause
	changed      chan struct{} // closed, and replaced, when the rate changes or a pause begins
	accepted     []time.Time
	pausedUntil  time.Time
	sent         []time.Time // when the attempts of the last measureWindow were let through
	settled      bool        // the settled rate was logged
	throttles    int
}

// The constants of the adaptation, as in the AWS SDKs' adaptive mode.
const (
	// throttleBeta is the fraction of the sending rate a 429 leaves.
	throttleBeta = 0.9
	// cubicScale is CUBIC's C: how fast the rate grows back, in requests per second per second
	// cubed. A tenth of TCP's 0.4: an API's limit does not move, so the rate lingers near the
	// last 429's (at 20 requests a second it is back there 3.7 s after the 429 and stays within 5%
	// of it for 6.6 s), and a run of a few seconds is not throttled again, and paused by the
	// Retry-After, by its own probing. A limit another process freed is still found within seconds.
	// (BenchmarkRotateAllRateLimited, burst 5: 1.24× the floor at 0.1, 1.18× at 0.04.)
	cubicScale = 0.04
	// minLearnedRate is the lowest rate 429s can drive the bucket to.
	minLearnedRate = 0.5
	// measureWindow is how far back the sending rate is measured.
	measureWindow = time.Second
	// settleAfter is how long the rate must go without a 429 to count as settled.
	settleAfter = 5 * time.Second
	// slowStartDoubling is how often the rate doubles between the first 429 and the second.
	slowStartDoubling = 250 * time.Millisecond
)

func newLimiter(ceiling float64) *limiter {
	l := &limiter{ceiling: ceiling, now: time.Now, sleep: sleepUntilWoken, changed: make(chan struct{}),
		log: func(context.Context, Level, string, map[string]any) {}}
	if ceiling > 0 {
		l.bucket = rate.NewLimiter(rate.Limit(ceiling), 1)
	}
	return l
}

// wait blocks until the caller's turn, or until ctx ends, and returns how long it waited: past a
// pause that a Retry-After asked for, then until the bucket has a token. Waiters do not queue
// turns: each sleeps until a token may be there and tries again, and a change of the rate or a new
// pause wakes every waiter, so a rate that grows is used at once.
func (l *limiter) wait(ctx context.Context) (time.Duration, error) {
	start, slept := l.now(), false
	for {
		l.mu.Lock()
		now := l.now()
		var delay time.Duration
		switch {
		case l.pausedUntil.After(now):
			delay = l.pausedUntil.Sub(now)
		case l.bucket != nil && !l.bucket.AllowN(now, 1):
			missing := 1 - l.bucket.TokensAt(now)
			delay = max(time.Duration(missing/float64(l.bucket.Limit())*float64(time.Second)), time.Millisecond)
		}
		if delay <= 0 {
			l.record(now)
			l.mu.Unlock()
			if !slept {
				return 0, nil
			}
			return now.Sub(start), nil
		}
		slept = true
		changed := l.changed
		l.mu.Unlock()
		if _, err := l.sleep(ctx, delay, changed); err != nil {
			return l.now().Sub(start), err
		}
	}
}

// wakeWaiters makes every waiter take a new turn: the rate changed or a pause began.
func (l *limiter) wakeWaiters() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// record notes an attempt let through at t, for the measured sending rate.
func (l *limiter) record(t time.Time) { l.sent = appendWindow(l.sent, t) }

// appendWindow appends t to times, dropping what is older than measureWindow before t.
func appendWindow(times []time.Time, t time.Time) []time.Time {
	cut := 0
	for cut < len(times) && t.Sub(times[cut]) > measureWindow {
		cut++
	}
	return append(times[cut:], t)
}

// measuredRate is the rate at which attempts were let through over the last measureWindow.
func (l *limiter) measuredRate(now time.Time) float64 { return windowRate(l.sent, now) }

func windowRate(times []time.Time, now time.Time) float64 {
	n := 0
	for _, t := range times {
		if d := now.Sub(t); d >= 0 && d <= measureWindow {
			n++
		}
	}
	return float64(n) / measureWindow.Seconds()
}

// observe adapts the rate to the answer of an attempt sent at sentAt: a 429 lowers it (once for
// every attempt sent before the lowering); a 429 or a 503 that asks for a pause (retryAfter) pauses
// every attempt for it; an answer the API accepted (neither a 429 nor a 5xx) lets the rate grow
// back. A 5xx tells nothing of the rate: it neither counts as accepted nor grows it.
func (l *limiter) observe(ctx context.Context, sentAt time.Time, status int, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter > 0 &&
		now.Add(retryAfter).After(l.pausedUntil) {
		l.pausedUntil = now.Add(retryAfter)
		l.wakeWaiters()
		l.log(ctx, LevelDebug, "Pilot Status API asked to wait: every request pauses", map[string]any{
			"status": status, "retry_after_ms": retryAfter.Milliseconds(),
		})
	}
	switch {
	case status >= 500:
		l.growFrom = later(l.growFrom, l.pausedUntil)
		return
	case status != http.StatusTooManyRequests:
		l.accepted = appendWindow(l.accepted, now)
		l.grow(ctx, now)
		return
	}
	l.growFrom = later(now, l.pausedUntil)
	if l.throttled && !sentAt.After(l.lastThrottle) {
		return // sent at the rate already lowered for
	}
	first := !l.throttled
	l.lastThrottle = now
	l.throttles++
	l.throttled = true
	l.settled = false
	if first {
		// A first 429 comes after a run started unpaced, typically in a burst: start from what the
		// API accepted and find the rate by doubling.
		l.slowStart = true
		l.start = math.Max(l.measuredRate(now), minLearnedRate)
		l.lastMax = l.start
		l.setRate(ctx, now, l.start, "the API answered 429 Too Many Requests")
	} else {
		// The rate the API accepted over the last second: once the client sends faster than the
		// limit, that is the limit (and what is left of a burst).
		l.slowStart = false
		l.lastMax = math.Max(math.Min(windowRate(l.accepted, now), l.current), minLearnedRate)
		l.start = l.lastMax * throttleBeta
		l.setRate(ctx, now, l.start, "the API answered 429 Too Many Requests")
	}
	if first {
		l.log(ctx, LevelInfo, "Pilot Status API rate limit reached; pacing requests to stay under it", map[string]any{
			"requests_per_second": roundRate(l.current),
		})
	}
}

// grow lets the rate of a throttled limiter grow back after a success, along CUBIC's curve
// C·(t−K)³ + W_max, and at most to twice the measured rate and to the ceiling.
func (l *limiter) grow(ctx context.Context, now time.Time) {
	if !l.throttled || now.Before(l.growFrom) {
		return
	}
	t := now.Sub(l.growFrom).Seconds()
	var next float64
	if l.slowStart {
		next = l.start * math.Pow(2, t/slowStartDoubling.Seconds())
	} else {
		k := math.Cbrt(l.lastMax * (1 - throttleBeta) / cubicScale)
		d := t - k
		next = cubicScale*d*d*d + l.lastMax
	}
	// Grow only as far as the requests keep up with: at most twice the measured rate.
	next = math.Min(next, 2*l.measuredRate(now))
	next = math.Max(next, l.current) // a success never lowers the rate
	if math.Abs(next-l.current) >= 0.05*l.current {
		l.setRate(ctx, now, next, "requests succeed")
	}
	if !l.settled && now.Sub(l.lastThrottle) >= settleAfter {
		l.settled = true
		l.log(ctx, LevelInfo, "Pilot Status API rate limit learnt: requests settled at this rate; set max_requests_per_second to it to avoid the 429s that taught it",
			map[string]any{"requests_per_second": roundRate(l.current), "throttled": l.throttles})
	}
}

// setRate sets the bucket's rate, within the bounds, and logs the change and its reason.
func (l *limiter) setRate(ctx context.Context, now time.Time, r float64, why string) {
	r = math.Max(r, minLearnedRate)
	if l.ceiling > 0 {
		r = math.Min(r, l.ceiling)
	}
	if r == l.current {
		return
	}
	old := l.current
	l.current = r
	if l.bucket == nil {
		l.bucket = rate.NewLimiter(rate.Limit(r), 1)
	} else {
		l.bucket.SetLimitAt(now, rate.Limit(r))
	}
	l.wakeWaiters()
	l.log(ctx, LevelDebug, "Pilot Status API request rate changed", map[string]any{
		"from_requests_per_second": roundRate(old),
		"requests_per_second":      roundRate(r),
		"reason":                   why,
	})
}

// learnedRate returns the rate the limiter paces at after 429s, and false when no 429 was seen.
func (l *limiter) learnedRate() (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current, l.throttled
}

func roundRate(r float64) float64 { return math.Round(r*100) / 100 }

func sleepUntilWoken(ctx context.Context, d time.Duration, wake <-chan struct{}) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false, nil
	case <-wake:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// sleepContext waits d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	_, err := sleepUntilWoken(ctx, d, nil) // a nil channel never wakes
	return err
}
