package pilotstatus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// The one loop that sends a call's attempts, for reads and regenerations alike: every attempt
// waits for its turn (the limiter), is sent and read in full, and is judged by the call's policy;
// one worth another try waits for the answer's Retry-After or a backoff, and is logged.

// policy is how run treats the attempts of one call.
type policy struct {
	// detached: an attempt, once sent, finishes under the request timeout even when the caller's
	// context ends, and its answer is read. A regeneration's answer may hold the number's one
	// working key, so it is never abandoned; a read's attempt ends with the caller's context.
	detached bool
	// maxRetries bounds how often the call is tried again; retries counts it. A regeneration
	// shares one count between its rounds, so the bound holds per key and call.
	maxRetries int
	retries    *int
	// again reports whether the call is worth another attempt after a.
	again func(ctx context.Context, a attempt) bool
}

// attempt is one request sent and what came back: the answer, read in full, or sendErr when none
// came.
type attempt struct {
	status  int
	header  http.Header
	data    []byte
	readErr error
	sendErr error
	// reached: without an answer, the request may have reached the server (mayHaveReached).
	reached bool
	// at is when the answer, or the failure, came back.
	at time.Time
}

// errStopped is wrapped by run's error when the caller's context ended before an attempt could be
// sent; run's attempt is then the last one sent, or the zero attempt when none was.
var errStopped = errors.New("not sent")

// run sends cl's request until an attempt is final for pol: pol.again says no, the retries are
// spent, or the answer asks for a longer pause than MaxRetryAfter. It returns the last attempt;
// the error, wrapping errStopped and the context's error, says that ctx ended first.
func (c *Client) run(ctx context.Context, cl *call, pol policy) (attempt, error) {
	var last attempt
	for {
		if err := c.waitTurn(ctx, cl); err != nil {
			return last, err
		}
		last = c.send(ctx, cl, pol.detached)
		if !pol.again(ctx, last) || *pol.retries >= pol.maxRetries {
			return last, nil
		}
		wait, ok := c.pause(last, *pol.retries)
		if !ok {
			return last, nil
		}
		if err := ctx.Err(); err != nil { // interrupted while the attempt was out: no retry to announce
			return last, stopped(err)
		}
		c.log(ctx, LevelWarn, "Pilot Status API request failed, retrying", map[string]any{
			"method":       cl.method,
			"path":         cl.path,
			"status":       last.status,
			"attempt":      int(cl.attempts.Load()),
			"error_class":  errorClassOf(cl, last),
			"wait_ms":      wait.Milliseconds(),
			"retries_left": pol.maxRetries - *pol.retries,
		})
		*pol.retries++
		if err := sleepContext(ctx, wait); err != nil {
			return last, stopped(err)
		}
	}
}

// stopped is run's error when ctx ended before an attempt could be sent.
func stopped(ctxErr error) error {
	return fmt.Errorf("%w: %w (%w)", errStopped, ErrInterrupted, ctxErr)
}

// waitTurn waits for the limiter before the next attempt of cl.
func (c *Client) waitTurn(ctx context.Context, cl *call) error {
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}
	waited, err := c.limiter.wait(ctx)
	if err == nil {
		err = ctx.Err() // a turn and Ctrl-C may come at once: no attempt starts after Ctrl-C
	}
	if err != nil {
		return stopped(err)
	}
	if waited > 0 {
		c.log(ctx, LevelTrace, "Pilot Status API request paced", map[string]any{
			"method": cl.method, "path": cl.path, "attempt": cl.attempts.Load() + 1, "wait_ms": waited.Milliseconds(),
		})
	}
	return nil
}

// send sends one attempt of cl and reads the answer in full.
func (c *Client) send(ctx context.Context, cl *call, detached bool) attempt {
	if detached {
		ctx = context.WithoutCancel(ctx)
	}
	var body *bytes.Reader
	if cl.reqBody != nil {
		body = bytes.NewReader(cl.reqBody)
	}
	req, err := newRequest(withCall(ctx, cl), cl.method, c.baseURL+cl.path, body)
	if err != nil {
		return attempt{sendErr: fmt.Errorf("building the request: %w", unwrapURLError(err)), at: time.Now()}
	}
	c.setHeaders(req.Header, cl.reqBody != nil)
	resp, err := c.httpClient.Do(req) //nolint:bodyclose // drainAndClose(resp.Body) closes it below
	if err != nil {
		_, reached := cl.last()
		return attempt{sendErr: unwrapURLError(err), reached: reached, at: time.Now()}
	}
	data, readErr := readLimited(resp.Body)
	drainAndClose(resp.Body)
	return attempt{status: resp.StatusCode, header: resp.Header, data: data, readErr: readErr, at: time.Now()}
}

// newRequest builds a request; a nil body stays nil, so that a GET carries none.
func newRequest(ctx context.Context, method, url string, body *bytes.Reader) (*http.Request, error) {
	if body == nil {
		return http.NewRequestWithContext(ctx, method, url, nil)
	}
	return http.NewRequestWithContext(ctx, method, url, body)
}

// pause is how long to wait before retry number retry+1 after a: the answer's Retry-After, else a
// backoff. ok is false when the answer asks for more than MaxRetryAfter: the call is not held for
// that long and the answer is reported at once.
func (c *Client) pause(a attempt, retry int) (time.Duration, bool) {
	var resp *http.Response
	if a.sendErr == nil {
		resp = &http.Response{StatusCode: a.status, Header: a.header}
		if d, ok := retryAfter(a.header.Get("Retry-After"), time.Now()); ok && d > MaxRetryAfter {
			return 0, false
		}
	}
	return backoff(c.waitMin, c.waitMax, retry, resp, time.Now(), rand.Int64N), true
}

// errorClassOf names a failed attempt for the retry log line.
func errorClassOf(cl *call, a attempt) string {
	if a.sendErr == nil {
		return statusClass(a.status)
	}
	class, _ := cl.last()
	return class
}

// outcomeError is the error of a call whose last attempt a did not succeed: an *APIError for an
// answer, a *TransportError for none, ErrMalformedResponse for a 2xx body that cannot be read.
// start is when the call began. It is nil for a readable 2xx.
func (c *Client) outcomeError(cl *call, a attempt, start time.Time) error {
	switch {
	case a.sendErr != nil:
		return &TransportError{Method: cl.method, Path: cl.path, Attempts: int(cl.attempts.Load()), Elapsed: time.Since(start), Err: a.sendErr}
	case a.status < 200 || a.status > 299:
		return c.apiError(a.status, a.data, a.readErr, cl, time.Since(start))
	case errors.Is(a.readErr, errTooLarge):
		return malformed(cl.method, cl.path, fmt.Sprintf("the body is larger than %d MiB", maxBodyBytes>>20))
	case a.readErr != nil:
		return malformed(cl.method, cl.path, "the body could not be read completely")
	}
	return nil
}

// read runs a call that changes nothing (the list calls), retrying up to maxRetries times every
// attempt that may succeed another time: a refusal, the API's failure, no answer; never one the
// caller's context ended. It returns the body of the 2xx answer.
func (c *Client) read(ctx context.Context, apiPath string, maxRetries int) ([]byte, error) {
	cl := &call{method: http.MethodGet, path: apiPath}
	start, retries := time.Now(), 0
	a, err := c.run(ctx, cl, policy{maxRetries: maxRetries, retries: &retries, again: func(ctx context.Context, a attempt) bool {
		if ctx.Err() != nil {
			return false
		}
		switch classify(a) {
		case classRefused, classAPIFailure, classNoAnswer:
			return true
		}
		return false
	}})
	if err != nil {
		return nil, &TransportError{Method: cl.method, Path: cl.path, Attempts: int(cl.attempts.Load()), Elapsed: time.Since(start), Err: err}
	}
	if err := c.outcomeError(cl, a, start); err != nil {
		return nil, err
	}
	return a.data, nil
}
