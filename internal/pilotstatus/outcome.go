package pilotstatus

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
)

// The outcome of one attempt: could the API have carried it out? This decides custody of a
// number's key. A regeneration that may have been carried out has invalidated the key before
// it, even when no answer came back, and a second regeneration must not be sent while the first
// may still land (see RegenerateAPIKey).

// attemptMayHaveActed reports whether an attempt may have reached the server and been carried
// out. wroteHeaders tells that the request headers left this process, and traced that the
// transport reported connection events at all; status is the answer's status (0 without one).
//
//   - An answer: a success, or a server error other than 501, may have done the work (the server
//     may have failed after it). 429, 501 and every other 4xx did nothing.
//   - No answer: once the headers were written, the server may have the request. Before that,
//     a failure to dial (refused, DNS) or a TLS handshake failure certainly sent nothing; so did
//     any failure when the transport does not report traces, unless it is not a dial error.
func attemptMayHaveActed(status int, err error, wroteHeaders, traced bool) bool {
	if err == nil {
		return mayHaveActedStatus(status)
	}
	if wroteHeaders {
		return true
	}
	if traced {
		return false
	}
	return !isDialError(err) && !isTLSError(err)
}

// mayHaveActedStatus reports whether an answer with this status leaves open that the server did
// the work: a success, or a server error other than 501 (the work may have been done before the
// failure).
func mayHaveActedStatus(status int) bool {
	return (status >= 200 && status <= 299) ||
		(status >= 500 && status <= 599 && status != http.StatusNotImplemented)
}

// isDialError reports a failure to reach the server at all (DNS, connection refused), after which
// the request certainly was not sent.
func isDialError(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// isTLSError reports a TLS failure that no retry can fix: a certificate that does not verify, a
// server that does not speak TLS, or a handshake the server refused. The request was not sent.
func isTLSError(err error) bool {
	if isCertError(err) {
		return true
	}
	var recErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var echErr *tls.ECHRejectionError
	return errors.As(err, &recErr) || errors.As(err, &alertErr) || errors.As(err, &echErr) ||
		// net/http turns the RecordHeaderError of a plain-HTTP server into this untyped error.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// IsTLSError reports whether err is a TLS failure that no retry can fix (see isTLSError): the base
// URL's server did not present a certificate this machine trusts, or does not speak TLS.
func IsTLSError(err error) bool { return isTLSError(err) }
