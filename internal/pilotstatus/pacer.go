package pilotstatus

import (
	"context"
	"sync"
	"time"
)

// pacer spaces the attempts of every call of one Client evenly, at most perSecond
// a second, so that a large run stays under an API's rate limit instead of
// running into 429s. The time an attempt waits for its turn does not count
// against the request timeout.
type pacer struct {
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time // when the next attempt may start
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return nil
	}
	return &pacer{
		interval: time.Duration(float64(time.Second) / perSecond),
		now:      time.Now,
		sleep:    sleepContext,
	}
}

// wait blocks until the caller's turn, or until ctx ends. It returns how long it
// waited. A nil pacer never waits.
func (p *pacer) wait(ctx context.Context) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	p.mu.Lock()
	now := p.now()
	turn := p.next
	if turn.Before(now) {
		turn = now
	}
	p.next = turn.Add(p.interval)
	p.mu.Unlock()
	d := turn.Sub(now)
	if d <= 0 {
		return 0, nil
	}
	return d, p.sleep(ctx, d)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
