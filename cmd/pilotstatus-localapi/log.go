package main

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// statusRecorder remembers the status a handler answered with. It unwraps to the original
// ResponseWriter so that http.ResponseController can still hijack the connection (the fake's
// connection-drop faults need it).
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack hands over the connection, remembering that no status was sent.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

// Unwrap exposes the wrapped ResponseWriter to http.ResponseController.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs one line per request: method, path and status ("dropped" when the connection
// was closed without an answer). It never logs headers, query strings or bodies, so no key can
// reach the log.
func logRequests(next http.Handler, out io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := strconv.Itoa(rec.status)
			switch {
			case rec.hijacked:
				status = "dropped"
			case rec.status == 0:
				status = "aborted"
			}
			mu.Lock()
			fmt.Fprintf(out, "%s %s %s\n", r.Method, r.URL.EscapedPath(), status)
			mu.Unlock()
		}()
		next.ServeHTTP(rec, r)
	})
}

// discardLogger silences net/http's own error log (dropped connections are intended).
func discardLogger() *log.Logger {
	return log.New(io.Discard, "", 0)
}
