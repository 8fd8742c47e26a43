package pilotstatus

import (
	"context"
	"sync"
	"sync/atomic"
)

// call is the state of one client method call, shared by its attempts through the request context.
type call struct {
	method  string
	path    string // API path, e.g. /v1/api-keys
	reqBody []byte
	// attempts counts the attempts sent so far.
	attempts atomic.Int64

	mu        sync.Mutex
	lastClass string // the last attempt's error class, for logs
	reached   bool   // the last attempt, if it got no answer, may have reached the server
}

// finished records what the transport saw of an attempt: its error class, and for one without an
// answer whether it may have reached the server (see mayHaveReached).
func (cl *call) finished(class string, reached bool) {
	cl.mu.Lock()
	cl.lastClass, cl.reached = class, reached
	cl.mu.Unlock()
}

func (cl *call) last() (class string, reached bool) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.lastClass, cl.reached
}

type callKey struct{}

func withCall(ctx context.Context, cl *call) context.Context {
	return context.WithValue(ctx, callKey{}, cl)
}

func callFrom(ctx context.Context) *call {
	cl, _ := ctx.Value(callKey{}).(*call)
	return cl
}
