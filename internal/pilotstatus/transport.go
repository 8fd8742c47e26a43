package pilotstatus

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// attemptTransport sees every attempt of a call: it counts them, records whether one without an
// answer may have reached the server (outcome.go), tells the limiter each answer, and logs each
// attempt and its redacted bodies.
type attemptTransport struct {
	base     http.RoundTripper
	logger   Logger
	redactor *redactor
	limiter  *limiter // told every answer's status, to learn the API's rate limit
}

func (t *attemptTransport) log(ctx context.Context, level Level, msg string, fields map[string]any) {
	if t.logger != nil {
		t.logger.Log(ctx, level, msg, fields)
	}
}

// RoundTrip implements http.RoundTripper.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl == nil {
		cl = &call{method: req.Method, path: req.URL.EscapedPath()}
	}
	attempt := cl.attempts.Add(1)
	req, sent := traceSending(req)
	t.logRequestBody(ctx, cl, attempt)

	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	duration := time.Since(start)

	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if err == nil {
		t.observeAnswer(ctx, start, resp)
	}
	class := t.logAttempt(ctx, cl, attempt, duration, status, err)
	cl.finished(class, err != nil && mayHaveReached(err, sent.wroteHeaders.Load(), sent.traced.Load()))
	if err == nil && t.logger != nil && resp.Body != nil {
		resp.Body = t.loggedResponseBody(ctx, cl, attempt, resp)
	}
	return resp, err
}

// sending tells whether an attempt's request left this process: without a trace (a transport that
// does not report one) a failure is judged from the error alone.
type sending struct {
	traced, wroteHeaders atomic.Bool
}

func traceSending(req *http.Request) (*http.Request, *sending) {
	s := &sending{}
	trace := &httptrace.ClientTrace{
		GetConn:      func(string) { s.traced.Store(true) },
		WroteHeaders: func() { s.wroteHeaders.Store(true) },
	}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), trace)), s
}

// observeAnswer tells the limiter an answer's status and the pause its Retry-After asks for.
func (t *attemptTransport) observeAnswer(ctx context.Context, sentAt time.Time, resp *http.Response) {
	if t.limiter == nil {
		return
	}
	var wait time.Duration
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d <= MaxRetryAfter {
		wait = d
	}
	t.limiter.observe(ctx, sentAt, resp.StatusCode, wait)
}

func (t *attemptTransport) logRequestBody(ctx context.Context, cl *call, attempt int64) {
	if t.logger == nil || len(cl.reqBody) == 0 {
		return
	}
	t.log(ctx, LevelTrace, "Pilot Status API request body", map[string]any{
		"method":  cl.method,
		"path":    cl.path,
		"attempt": attempt,
		"body":    cut(t.redactor.redact(string(cl.reqBody)), maxLoggedBody),
	})
}

// logAttempt writes the attempt's debug line and returns its error class.
func (t *attemptTransport) logAttempt(ctx context.Context, cl *call, attempt int64, duration time.Duration, status int, err error) string {
	fields := map[string]any{
		"method":      cl.method,
		"path":        cl.path,
		"status":      status,
		"attempt":     attempt,
		"duration_ms": duration.Milliseconds(),
	}
	var class string
	if err != nil {
		class = errorClass(ctx, err)
		fields["error"] = t.redactor.redact(unwrapURLError(err).Error())
	} else {
		class = statusClass(status)
	}
	if class != "" {
		fields["error_class"] = class
	}
	t.log(ctx, LevelDebug, "Pilot Status API request", fields)
	return class
}

// loggedResponseBody wraps an answer's body so that, once the caller closes it, what was read is
// logged at trace, redacted.
func (t *attemptTransport) loggedResponseBody(ctx context.Context, cl *call, attempt int64, resp *http.Response) io.ReadCloser {
	return &loggedBody{
		rc: resp.Body,
		onClose: func(b []byte, complete bool) {
			body := string(b)
			if complete {
				body = t.redactor.redact(body)
			} else {
				body = t.redactor.redactPartial(body)
			}
			t.log(ctx, LevelTrace, "Pilot Status API response body", map[string]any{
				"method":  cl.method,
				"path":    cl.path,
				"status":  resp.StatusCode,
				"attempt": attempt,
				"body":    cut(body, maxLoggedBody),
			})
		},
	}
}
