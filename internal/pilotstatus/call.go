package pilotstatus

import (
	"context"
	"sync"
	"sync/atomic"
)

// call is the state of one client method call, shared by its attempts through the request context.
type call struct {
	method   string
	path     string // API path, e.g. /v1/api-keys
	reqBody  []byte
	attempts atomic.Int64
	// mayHaveActed turns true once an attempt may have reached the server and been carried out.
	mayHaveActed atomic.Bool

	mu        sync.Mutex
	lastClass string
}

func (cl *call) setLastClass(class string) {
	cl.mu.Lock()
	cl.lastClass = class
	cl.mu.Unlock()
}

func (cl *call) getLastClass() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.lastClass
}

type callKey struct{}

func withCall(ctx context.Context, cl *call) context.Context {
	return context.WithValue(ctx, callKey{}, cl)
}

func callFrom(ctx context.Context) *call {
	cl, _ := ctx.Value(callKey{}).(*call)
	return cl
}
