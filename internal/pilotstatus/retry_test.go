package pilotstatus

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

func respWith(status int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: status, Header: h}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 28, 10, 0, 0, 0, time.UTC)
	top := func(n int64) int64 { return n - 1 } // the highest value full jitter can draw
	bottom := func(int64) int64 { return 0 }
	half := func(n int64) int64 { return n / 2 }
	const minW, maxW = 100 * time.Millisecond, 2 * time.Second
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		rnd     func(int64) int64
		min     time.Duration
		max     time.Duration
		want    time.Duration
	}{
		{name: "first retry, top of the range", attempt: 0, rnd: top, want: minW},
		{name: "first retry, bottom of the range", attempt: 0, rnd: bottom, want: 0},
		{name: "doubles per attempt", attempt: 2, rnd: top, want: 4 * minW},
		{name: "jitter inside the range", attempt: 2, rnd: half, want: 2 * minW},
		{name: "capped at max", attempt: 5, rnd: top, want: maxW},
		{name: "huge attempt does not overflow", attempt: 200, rnd: top, want: maxW},
		{name: "huge max does not overflow", attempt: 200, rnd: top, max: 1<<63 - 2, want: 1<<63 - 2},
		{name: "network error: no response", attempt: 1, resp: nil, rnd: top, want: 2 * minW},
		{name: "Retry-After seconds on 429", attempt: 0, resp: respWith(429, "1"), rnd: top, want: time.Second},
		{name: "Retry-After seconds above max is still honoured", attempt: 0, resp: respWith(429, "7"), rnd: top, want: 7 * time.Second},
		{name: "Retry-After zero", attempt: 3, resp: respWith(429, "0"), rnd: top, want: 0},
		{name: "Retry-After on 503", attempt: 0, resp: respWith(503, "2"), rnd: top, want: 2 * time.Second},
		{name: "Retry-After on 500", attempt: 0, resp: respWith(500, "3"), rnd: top, want: 3 * time.Second},
		{name: "Retry-After HTTP date", attempt: 0, resp: respWith(429, now.Add(5*time.Second).Format(http.TimeFormat)), rnd: top, want: 5 * time.Second},
		{name: "Retry-After RFC 850 date", attempt: 0, resp: respWith(429, now.Add(90*time.Second).Format(time.RFC850)), rnd: top, want: 90 * time.Second},
		{name: "Retry-After date in the past ignored", attempt: 1, resp: respWith(429, now.Add(-time.Minute).Format(http.TimeFormat)), rnd: top, want: 2 * minW},
		{name: "Retry-After date now ignored", attempt: 1, resp: respWith(429, now.Format(http.TimeFormat)), rnd: top, want: 2 * minW},
		{name: "Retry-After garbage ignored", attempt: 1, resp: respWith(429, "soon"), rnd: top, want: 2 * minW},
		{name: "Retry-After negative ignored", attempt: 1, resp: respWith(429, "-5"), rnd: top, want: 2 * minW},
		{name: "Retry-After fraction ignored", attempt: 1, resp: respWith(429, "1.5"), rnd: top, want: 2 * minW},
		{name: "Retry-After overflowing ignored", attempt: 1, resp: respWith(429, "99999999999999999999"), rnd: top, want: 2 * minW},
		{name: "Retry-After with spaces", attempt: 1, resp: respWith(429, " 4 "), rnd: top, want: 4 * time.Second},
		{name: "no Retry-After", attempt: 1, resp: respWith(503, ""), rnd: top, want: 2 * minW},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lo, hi := minW, maxW
			if tt.min != 0 {
				lo = tt.min
			}
			if tt.max != 0 {
				hi = tt.max
			}
			var asked []int64
			rnd := func(n int64) int64 {
				asked = append(asked, n)
				return tt.rnd(n)
			}
			if got := backoff(lo, hi, tt.attempt, tt.resp, now, rnd); got != tt.want {
				t.Fatalf("backoff = %s, want %s", got, tt.want)
			}
			for _, n := range asked {
				if n <= 0 || time.Duration(n-1) > hi {
					t.Fatalf("rnd asked for [0, %d): outside [0, max]", n)
				}
			}
		})
	}
}

// TestClassify holds the one classification of answers to the classes the API's behaviour gives
// them: a 2xx did the work; a 429 and a request that never left did nothing and may be tried again;
// other 4xx, 501, redirects and TLS failures did nothing and are final; the API's own failure answer
// (its JSON error object) is no longer in flight; a gateway's 502 or 504, a body not the API's, or
// no answer after the request left may still land.
func TestClassify(t *testing.T) {
	t.Parallel()
	certErr := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	apiBody := []byte(`{"error":"Service unavailable","code":"MAINTENANCE"}`)
	tests := []struct {
		name string
		a    attempt
		want class
	}{
		{"200", attempt{status: 200, data: []byte(`{}`)}, classDone},
		{"201 with an unreadable body", attempt{status: 201, readErr: io.ErrUnexpectedEOF}, classDone},
		{"429", attempt{status: 429, data: apiBody}, classRefused},
		{"429 with an HTML body", attempt{status: 429, data: []byte("<html>")}, classRefused},
		{"refused connection", attempt{sendErr: io.ErrUnexpectedEOF, reached: false}, classRefused},
		{"network failure after sending", attempt{sendErr: io.ErrUnexpectedEOF, reached: true}, classNoAnswer},
		{"TLS failure", attempt{sendErr: certErr}, classRejected},
		{"TLS record failure after sending", attempt{sendErr: tls.RecordHeaderError{Msg: "oversized record received"}, reached: true}, classNoAnswer},
		{"400", attempt{status: 400, data: apiBody}, classRejected},
		{"401", attempt{status: 401, data: apiBody}, classRejected},
		{"404 with an HTML body", attempt{status: 404, data: []byte("<html>")}, classRejected},
		{"302", attempt{status: 302}, classRejected},
		{"501 with the API's body", attempt{status: 501, data: apiBody}, classRejected},
		{"500 with the API's body", attempt{status: 500, data: apiBody}, classAPIFailure},
		{"503 with the API's body", attempt{status: 503, data: []byte(` {"error":""} `)}, classAPIFailure},
		{"503 with an HTML page", attempt{status: 503, data: []byte("<html>Service Unavailable</html>")}, classNoAnswer},
		{"503 with an empty body", attempt{status: 503}, classNoAnswer},
		{"503 whose error is not a string", attempt{status: 503, data: []byte(`{"error":{"message":"x"}}`)}, classNoAnswer},
		{"503 whose error is null", attempt{status: 503, data: []byte(`{"error":null}`)}, classNoAnswer},
		{"503 without an error member", attempt{status: 503, data: []byte(`{"message":"down"}`)}, classNoAnswer},
		{"503 with a cut body", attempt{status: 503, data: apiBody[:10]}, classNoAnswer},
		{"503 whose body could not be read", attempt{status: 503, data: apiBody, readErr: io.ErrUnexpectedEOF}, classNoAnswer},
		{"502 with the API's body", attempt{status: 502, data: apiBody}, classNoAnswer},
		{"504 with the API's body", attempt{status: 504, data: apiBody}, classNoAnswer},
		{"504 with a gateway page", attempt{status: 504, data: []byte("<html>504</html>")}, classNoAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.a); got != tt.want {
				t.Fatalf("classify = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestErrorTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{&APIError{Status: 404, Code: "NUMBER_NOT_FOUND", Message: "Number not found"}, "NUMBER_NOT_FOUND: Number not found (HTTP 404)"},
		{&APIError{Status: 401, Message: "Unauthorized"}, "Unauthorized (HTTP 401)"},
		{&APIError{Status: 429}, "Too Many Requests (HTTP 429)"},
		{&APIError{Status: 599}, "Unexpected HTTP status (HTTP 599)"},
		{&TransportError{Method: "POST", Path: "/v1/api-keys", Attempts: 3, Elapsed: 1234567 * time.Microsecond, Err: io.ErrUnexpectedEOF},
			"POST /v1/api-keys: no answer after 3 attempt(s) in 1.235s: unexpected EOF"},
		{&TransportError{Method: "GET", Path: "/v1/numbers", Attempts: 1, Err: fmt.Errorf("boom %s", "ps_leak123")},
			"GET /v1/numbers: no answer after 1 attempt(s) in 0s: boom ps_***"},
		{malformed("GET", "/v1/api-keys", `item 0: "keyId" is missing or empty`),
			`GET /v1/api-keys: item 0: "keyId" is missing or empty: the API answered with a body that is not the documented shape`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	te := &TransportError{Err: context.Canceled}
	if !errors.Is(te, context.Canceled) {
		t.Error("TransportError does not unwrap")
	}
}

func TestDefaultTransportIsClonedNotShared(t *testing.T) {
	t.Parallel()
	c, err := New(Config{APIKey: "ps_x"})
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := c.httpClient.Transport.(*attemptTransport)
	if !ok {
		t.Fatalf("transport is %T", c.httpClient.Transport)
	}
	if lt.base == http.DefaultTransport {
		t.Fatal("the client uses http.DefaultTransport itself; it must use a clone")
	}
	if _, ok := lt.base.(*http.Transport); !ok {
		t.Fatalf("base transport is %T", lt.base)
	}
	if c.httpClient.Timeout != DefaultRequestTimeout || c.waitMin != defaultRetryWaitMin || c.waitMax != defaultRetryWaitMax {
		t.Fatal("defaults not applied")
	}
	if c.baseURL != DefaultBaseURL || c.userAgent != defaultUserAgent {
		t.Fatalf("got base %q, user agent %q", c.baseURL, c.userAgent)
	}
}
