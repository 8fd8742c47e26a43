package fakeapi

import (
	"math"
	"strconv"
	"time"
)

// rateLimit is a shape of rate limit: take spends one request at now, or reports how long until
// one is allowed.
type rateLimit interface {
	take(now time.Time) (bool, time.Duration)
}

// bucket is a token bucket: it holds at most burst tokens and gains rate tokens per second.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	// strict: a refused request spends a token too (down to -burst), so a client that keeps
	// sending while refused stays refused for longer.
	strict bool
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
	if b.strict {
		b.tokens = math.Max(b.tokens-1, -b.burst)
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// SetRateLimit puts a token bucket in front of every non-admin request: burst requests at once,
// then perSecond on average. A request beyond it is answered 429 {"error":"Too many requests"} with
// Retry-After in whole seconds (at least 1). The bucket starts full and refills by the Options.Now
// clock, so an injected clock controls it. It replaces any other limit; perSecond <= 0 disables it;
// burst < 1 means 1. The limit is the API's, whoever calls: two provider processes applying against
// one API share it, as two runs against one tenant do.
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

// SetStrictRateLimit is SetRateLimit with a limiter that also charges refused requests: each 429
// spends a token too, down to burst tokens in debt, as APIs that punish clients which keep sending
// while limited do.
func (a *API) SetStrictRateLimit(perSecond float64, burst int) {
	a.SetRateLimit(perSecond, burst)
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.limiter.(*bucket); ok {
		b.strict = true
	}
}

// window is a fixed-window limit: at most limit requests in each window of length size, counted
// from the first request; the count starts over when a new window begins.
type window struct {
	limit int
	size  time.Duration
	start time.Time
	count int
}

func (w *window) take(now time.Time) (bool, time.Duration) {
	if w.start.IsZero() || !now.Before(w.start.Add(w.size)) {
		w.start, w.count = now, 0
	}
	if w.count < w.limit {
		w.count++
		return true, 0
	}
	return false, w.start.Add(w.size).Sub(now)
}

// SetFixedWindowLimit puts a fixed-window limit in front of every non-admin request, as many APIs
// count requests: at most limit in each window of length size (a window begins with the first
// request after the last one ended); beyond it the answer is 429 with Retry-After in whole seconds
// until the window ends (at least 1). It replaces any other limit; limit <= 0 disables it.
func (a *API) SetFixedWindowLimit(limit int, size time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if limit <= 0 || size <= 0 {
		a.limiter = nil
		return
	}
	a.limiter = &window{limit: limit, size: size}
}

// RateLimited returns how many 429 answers the rate limiter and FaultRateLimit faults gave.
func (a *API) RateLimited() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rateLimited
}

// SetRetryAfterPadding adds seconds to the Retry-After of every 429 the rate limiter answers, as
// APIs do that round the wait up to whole seconds and add one for safety: with 1, a wait of 50 ms
// is answered Retry-After: 2. 0, the default, answers the wait rounded up (at least 1).
func (a *API) SetRetryAfterPadding(seconds int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.retryAfterPad = max(seconds, 0)
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
	secs := max(int64(math.Ceil(wait.Seconds())), 1) + int64(a.retryAfterPad)
	return true, strconv.FormatInt(secs, 10)
}
