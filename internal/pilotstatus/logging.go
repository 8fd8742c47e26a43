package pilotstatus

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
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
