package pilotstatus

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter is the longest Retry-After the client waits for before a retry. A longer one
// ends the retries and the answer (429 or 5xx) is returned.
const MaxRetryAfter = 5 * time.Minute

// backoff returns how long to wait before retry number attempt+1 (attempt counts from 0) after resp (nil after a network error). A usable Retry-After header on resp wins;
// otherwise the wait is drawn uniformly from [0, min(max, min·2^attempt)] ("full jitter") with
// rnd(n), which must return a value in [0, n). It is pure: the clock and the randomness are
// arguments.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response, now time.Time, rnd func(n int64) int64) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
			return d
		}
	}
	ceiling := minWait
	for i := 0; i < attempt && ceiling < maxWait; i++ {
		if ceiling > maxWait/2 {
			ceiling = maxWait
			break
		}
		ceiling *= 2
	}
	if ceiling > maxWait {
		ceiling = maxWait
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rnd(int64(ceiling) + 1))
}

// maxRetryAfterSeconds keeps a Retry-After in seconds from overflowing a time.Duration.
const maxRetryAfterSeconds = math.MaxInt64 / int64(time.Second)

// retryAfter parses a Retry-After value: a whole number of seconds, or an HTTP date in the future.
// A date in the past, a negative number or anything else is ignored (ok is false).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > maxRetryAfterSeconds {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return d, true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// isCertError reports a TLS certificate problem, which no retry can fix.
func isCertError(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}

// unwrapURLError drops the *url.Error layer, whose text holds the full request URL.
func unwrapURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) && uerr.Err != nil {
		return uerr.Err
	}
	return err
}

// errorClass names a failed attempt that got no answer, for logs.
func errorClass(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return "canceled"
	case isTLSError(err):
		return "tls"
	case isTimeout(err):
		return "timeout"
	default:
		return "network"
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

// statusClass names an unsuccessful answer for logs; "" for a success.
func statusClass(status int) string {
	switch {
	case status >= 200 && status <= 299:
		return ""
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status >= 500:
		return "server_error"
	case status >= 400:
		return "client_error"
	default:
		return "unexpected_status"
	}
}
