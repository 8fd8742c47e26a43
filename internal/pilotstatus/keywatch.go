package pilotstatus

import (
	"context"
	"errors"
	"sync"
	"time"
)

// keyWatch shares fresh reads of the key list between the regenerations of one Client that wait
// for an outcome to settle: a caller asks for a list read that started at or after a moment, and
// one request in flight serves every caller it is fresh enough for.
type keyWatch struct {
	mu       sync.Mutex
	last     *listRead // the newest read that succeeded
	inflight *listRead // the newest read in flight
}

// listRead is one GET /v1/api-keys made for the watch.
type listRead struct {
	start time.Time
	done  chan struct{}
	keys  []NumberKey
	err   error
}

// fresh returns a key list read that started at or after after, and when it started. It joins the
// read in flight or reuses the last one when they are fresh enough, and otherwise reads with
// fetch. A read that a caller's cancelled context ended is not shared: another caller reads again.
func (w *keyWatch) fresh(ctx context.Context, after time.Time, fetch func(context.Context) ([]NumberKey, error)) ([]NumberKey, time.Time, error) {
	for {
		w.mu.Lock()
		if l := w.last; l != nil && !l.start.Before(after) {
			w.mu.Unlock()
			return l.keys, l.start, nil
		}
		r := w.inflight
		owner := r == nil || r.start.Before(after)
		if owner {
			r = &listRead{start: time.Now(), done: make(chan struct{})}
			w.inflight = r
		}
		w.mu.Unlock()

		if owner {
			r.keys, r.err = fetch(ctx)
			w.mu.Lock()
			if w.inflight == r {
				w.inflight = nil
			}
			if r.err == nil && (w.last == nil || w.last.start.Before(r.start)) {
				w.last = r
			}
			w.mu.Unlock()
			close(r.done)
			return r.keys, r.start, r.err
		}

		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		}
		if r.err != nil && errors.Is(r.err, context.Canceled) && ctx.Err() == nil {
			continue // the owner's context ended, not ours: read again
		}
		return r.keys, r.start, r.err
	}
}
