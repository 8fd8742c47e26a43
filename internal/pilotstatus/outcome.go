package pilotstatus

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
)

// What one attempt tells about its request: could the API have carried it out, and is it worth
// sending again? This is the one classification of answers. It decides custody of a number's key
// (a regeneration that may have been carried out has invalidated the key before it, even when no
// answer came back, and a second one must not be sent while the first may still land; see
// RegenerateAPIKey) and which attempts of a read are retried.

// class is what an attempt's outcome says about its request.
type class int

const (
	// classDone: a 2xx. The API carried the request out, whether or not its body can be used.
	classDone class = iota
	// classRefused: the API certainly did nothing, and the request is worth sending again: a 429,
	// or a failure before the request left this process (a refused connection, a failed lookup).
	classRefused
	// classRejected: the API certainly did nothing, and sending again would not help: any other
	// 4xx, a 501, a redirect (never followed), or a TLS failure.
	classRejected
	// classAPIFailure: the API's own failure answer, a 5xx (but 501, 502 and 504) whose body is the
	// API's error object. The request is no longer in flight, but whether it was carried out
	// before the failure is unknown: the key list tells.
	classAPIFailure
	// classNoAnswer: no answer from the API. A network failure once the request may have left this
	// process (a timeout, a reset connection), a gateway's 502 or 504 whatever its body, or a 5xx
	// whose body is not the API's. The request may have been carried out, and may still be, even
	// later than any window the client waits.
	classNoAnswer
)

// String names the class, for logs.
func (k class) String() string {
	switch k {
	case classDone:
		return "done"
	case classRefused:
		return "refused"
	case classRejected:
		return "rejected"
	case classAPIFailure:
		return "api_failure"
	default:
		return "no_answer"
	}
}

// classify says what attempt a tells about its request.
func classify(a attempt) class {
	if a.sendErr != nil {
		switch {
		case a.reached: // a failure after the request went out, a TLS one included, may have left it in flight
			return classNoAnswer
		case isTLSError(a.sendErr):
			return classRejected
		default:
			return classRefused
		}
	}
	switch s := a.status; {
	case s >= 200 && s <= 299:
		return classDone
	case s == http.StatusTooManyRequests:
		return classRefused
	case s == http.StatusBadGateway || s == http.StatusGatewayTimeout:
		// A gateway gave up on the request, which may still reach the API.
		return classNoAnswer
	case s == http.StatusNotImplemented:
		return classRejected
	case s >= 500 && s <= 599:
		if a.readErr == nil && isAPIAnswer(a.data) {
			return classAPIFailure
		}
		return classNoAnswer
	default:
		return classRejected
	}
}

// isAPIAnswer reports whether body is the API's own error answer: a JSON object whose "error"
// member is a string. A proxy's or a gateway's page is not.
func isAPIAnswer(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var doc struct {
		Error *string `json:"error"`
	}
	return json.Unmarshal(trimmed, &doc) == nil && doc.Error != nil
}

// mayHaveReached reports whether an attempt that got no answer may have reached the server.
// wroteHeaders tells that the request headers left this process, and traced that the transport
// reported connection events at all. Once the headers were written, the server may have the
// request. Before that, a failure to dial (refused, DNS) or a TLS handshake failure certainly sent
// nothing; so did any failure when the transport reports traces; without traces, any failure but
// those may have sent it.
func mayHaveReached(err error, wroteHeaders, traced bool) bool {
	switch {
	case wroteHeaders:
		return true
	case traced:
		return false
	}
	return !isDialError(err) && !isTLSError(err)
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
