package fakeapi

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"net/http"
	"slices"
	"time"
)

// defaultHoldLimit is how long a FaultLateWorkAfterNext waits for the next request when
// [Fault].Delay is zero.
const defaultHoldLimit = 30 * time.Second

// holds records the requests that FaultLateWork and FaultLateWorkAfterNext hold. Its fields are
// guarded by API.mu; the zero value is ready (maps are made on first use).
type holds struct {
	count   map[string]int            // per endpoint: held requests whose work is not done yet
	waiting map[string][]*heldRequest // per endpoint: FaultLateWorkAfterNext requests, in arrival order
}

// heldRequest is a FaultLateWorkAfterNext request waiting for the next request to its endpoint.
type heldRequest struct {
	release chan struct{} // closed by the next request once it has done its work
	done    chan struct{} // closed by the held request once it has done its own work
}

// Held returns how many requests to endpoint a FaultLateWork or FaultLateWorkAfterNext holds right
// now: their body has been read and their work is not done yet. A test waits for it to reach 1
// before sending the request a FaultLateWorkAfterNext waits for, and for 0 to know that the held
// work has landed.
func (a *API) Held(endpoint string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.held.count[endpoint]
}

// serveLateWork answers a request that FaultLateWork or FaultLateWorkAfterNext applies to. The
// request's context is not consulted: the work is done whether or not the client is still there,
// and the answer is written regardless (a write to a client that has gone fails unnoticed).
func (a *API) serveLateWork(w http.ResponseWriter, r *http.Request, rt route, f Fault) {
	// The work reads the body after the wait, when the client may have gone: read it now.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	a.addHeld(rt.endpoint, 1)
	var resp response
	if f.Kind == FaultLateWorkAfterNext {
		h := a.waitForNext(rt.endpoint, cmp.Or(f.Delay, defaultHoldLimit))
		// act, not work: the held request's own work is not the "next request" of another held
		// request.
		resp = a.act(r, rt)
		a.addHeld(rt.endpoint, -1)
		close(h.done)
	} else {
		sleep(context.Background(), f.Delay) // the client's leaving must not end the wait
		resp = a.work(r, rt)
		a.addHeld(rt.endpoint, -1)
	}
	resp.write(w)
}

// addHeld changes the count of requests held for endpoint by delta.
func (a *API) addHeld(endpoint string, delta int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held.count == nil {
		a.held.count = make(map[string]int)
	}
	a.held.count[endpoint] += delta
	if a.held.count[endpoint] == 0 {
		delete(a.held.count, endpoint)
	}
}

// waitForNext holds a FaultLateWorkAfterNext request until the next request to endpoint has done
// its work (see releaseHeld) or limit has passed. The caller does its work and then closes the
// returned request's done channel, which the next request, if it took this one, waits for.
func (a *API) waitForNext(endpoint string, limit time.Duration) *heldRequest {
	h := &heldRequest{release: make(chan struct{}), done: make(chan struct{})}
	a.mu.Lock()
	if a.held.waiting == nil {
		a.held.waiting = make(map[string][]*heldRequest)
	}
	a.held.waiting[endpoint] = append(a.held.waiting[endpoint], h)
	a.mu.Unlock()

	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-h.release:
	case <-t.C:
		// No next request in time: leave the queue, so that no later request waits for this one.
		// A request that took the queue meanwhile waits for done, which the caller closes.
		a.mu.Lock()
		a.held.waiting[endpoint] = slices.DeleteFunc(a.held.waiting[endpoint], func(o *heldRequest) bool { return o == h })
		if len(a.held.waiting[endpoint]) == 0 {
			delete(a.held.waiting, endpoint)
		}
		a.mu.Unlock()
	}
	return h
}

// releaseHeld is called by a request that has done its work: it lets every FaultLateWorkAfterNext
// request waiting on endpoint do its own work, one after the other in arrival order, and returns
// once all of them have, so that the caller's answer is written after their work.
func (a *API) releaseHeld(endpoint string) {
	a.mu.Lock()
	waiting := a.held.waiting[endpoint]
	delete(a.held.waiting, endpoint)
	a.mu.Unlock()
	for _, h := range waiting {
		close(h.release)
		<-h.done
	}
}

// serveGatewayLateWork answers a FaultGatewayLateWork request with the gateway's page at once and
// carries the request out f.Delay later, in the background: the client has its answer (a 504)
// while the regeneration is still on its way to the API.
func (a *API) serveGatewayLateWork(w http.ResponseWriter, r *http.Request, rt route, f Fault) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	late := r.Clone(context.Background())
	late.Body = io.NopCloser(bytes.NewReader(body))
	a.addHeld(rt.endpoint, 1)
	a.background.Go(func() {
		sleep(context.Background(), f.Delay)
		a.work(late, rt)
		a.addHeld(rt.endpoint, -1)
	})
	writeGatewayPage(w, cmp.Or(f.Status, http.StatusGatewayTimeout))
}
