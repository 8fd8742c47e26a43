package pilotstatus

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Level is the severity of a log line written through a Logger.
type Level int

// The levels the client logs at, from the most to the least verbose.
const (
	// LevelTrace carries redacted request and response bodies.
	LevelTrace Level = iota
	// LevelDebug carries one line per HTTP attempt: method, path, status, attempt and duration.
	LevelDebug
	// LevelInfo carries lifecycle events.
	LevelInfo
	// LevelWarn carries retries and the wait before them.
	LevelWarn
)

// String returns the lower-case name of the level, such as "debug".
func (l Level) String() string {
	switch l {
	case LevelTrace:
		return "trace"
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelWarn:
		return "warn"
	default:
		return "unknown"
	}
}

// Logger receives the client's log lines. Field values are already redacted: they never hold a
// raw key, a configured credential, a header or a raw body.
type Logger interface {
	Log(ctx context.Context, level Level, msg string, fields map[string]any)
}

// maxLoggedBody bounds the size of a body written to a Trace line, after redaction.
const maxLoggedBody = 64 << 10

// cut shortens s to at most n runes, on a rune boundary.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n])
}

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

// loggingTransport sits under retryablehttp, so it sees every attempt: it counts them, records
// whether an attempt may have been carried out, and logs each one.
type loggingTransport struct {
	base     http.RoundTripper
	logger   Logger
	redactor *redactor
	limiter  *limiter // told every answer's status, to learn the API's rate limit
}

func (t *loggingTransport) log(ctx context.Context, level Level, msg string, fields map[string]any) {
	if t.logger != nil {
		t.logger.Log(ctx, level, msg, fields)
	}
}

// RoundTrip implements http.RoundTripper.
func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl == nil {
		cl = &call{method: req.Method, path: req.URL.EscapedPath()}
	}
	attempt := cl.attempts.Add(1)

	// The trace tells whether the request headers left this process; without it (a transport
	// that does not report traces) a failure is judged from the error alone.
	var traced, wroteHeaders atomic.Bool
	trace := &httptrace.ClientTrace{
		GetConn:      func(string) { traced.Store(true) },
		WroteHeaders: func() { wroteHeaders.Store(true) },
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))

	if t.logger != nil && len(cl.reqBody) > 0 {
		t.log(ctx, LevelTrace, "Pilot Status API request body", map[string]any{
			"method":  cl.method,
			"path":    cl.path,
			"attempt": attempt,
			"body":    cut(t.redactor.redact(string(cl.reqBody)), maxLoggedBody),
		})
	}

	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	duration := time.Since(start)

	fields := map[string]any{
		"method":      cl.method,
		"path":        cl.path,
		"status":      0,
		"attempt":     attempt,
		"duration_ms": duration.Milliseconds(),
	}
	var class string
	if err != nil {
		class = errorClass(ctx, err)
		fields["error"] = t.redactor.redact(unwrapURLError(err).Error())
	} else {
		fields["status"] = resp.StatusCode
		class = statusClass(resp.StatusCode)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if attemptMayHaveActed(status, err, wroteHeaders.Load(), traced.Load()) {
		cl.mayHaveActed.Store(true)
	}
	if err == nil && t.limiter != nil {
		var wait time.Duration
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d <= MaxRetryAfter {
			wait = d
		}
		t.limiter.observe(ctx, start, resp.StatusCode, wait)
	}
	if class != "" {
		fields["error_class"] = class
	}
	cl.setLastClass(class)
	t.log(ctx, LevelDebug, "Pilot Status API request", fields)

	if err == nil && t.logger != nil && resp.Body != nil {
		resp.Body = &loggedBody{
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
	return resp, err
}

// loggedBody keeps a copy of what the client reads from a response body and hands it over once,
// when the body is closed.
type loggedBody struct {
	rc       io.ReadCloser
	buf      bytes.Buffer
	complete bool
	once     sync.Once
	onClose  func(b []byte, complete bool)
}

func (b *loggedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && b.buf.Len() <= maxBodyBytes {
		b.buf.Write(p[:n])
	}
	if errors.Is(err, io.EOF) {
		b.complete = b.buf.Len() <= maxBodyBytes
	}
	return n, err
}

func (b *loggedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() { b.onClose(b.buf.Bytes(), b.complete) })
	return err
}
