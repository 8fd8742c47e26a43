package fakeapi

import (
	"math"
	"strconv"
	"time"
)

// bucket is a token bucket: it holds at most burst tokens and gains rate tokens per second.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// take spends one token at now. When none is left it returns false and how long until one is.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// SetRateLimit puts a token bucket in front of every non-admin request: burst requests at once,
// then perSecond on average. A request beyond it is answered 429 {"error":"Too many requests"} with
// Retry-After in whole seconds (at least 1). The bucket starts full and refills by the Options.Now
// clock, so an injected clock controls it. perSecond <= 0 disables the limiter; burst < 1 means 1.
func (a *API) SetRateLimit(perSecond float64, burst int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if perSecond <= 0 {
		a.limiter = nil
		return
	}
	burst = max(burst, 1)
	a.limiter = &bucket{rate: perSecond, burst: float64(burst), tokens: float64(burst), last: a.now()}
}

// RateLimited returns how many 429 answers the rate limiter and FaultRateLimit faults gave.
func (a *API) RateLimited() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rateLimited
}

// takeToken asks the limiter for one request; when refused it returns the Retry-After value.
func (a *API) takeToken() (limited bool, retryAfter string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.limiter == nil {
		return false, ""
	}
	ok, wait := a.limiter.take(a.now())
	if ok {
		return false, ""
	}
	a.rateLimited++
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	return true, strconv.FormatInt(secs, 10)
}
