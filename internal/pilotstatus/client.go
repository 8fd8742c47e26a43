// Package pilotstatus is a client for the Pilot Status API (https://pilotstatus.com.br), the
// WhatsApp messaging platform. It is plain Go, free of any Terraform framework, and covers what the
// provider needs: listing and regenerating number API keys and reading numbers.
//
// Every answer is classified once (outcome.go): done, refused, rejected, the API's own failure, or
// no answer from the API. Reads retry every attempt that may succeed another time with backoff; a
// regeneration retries only attempts that did nothing, settling the API's failure answers with one
// fresh read of the key list and an unknown outcome by watching it (see RegenerateAPIKey). Every
// request is paced by a limiter that learns the API's rate limit from its 429s. Failures are
// reported as *APIError or *TransportError, and each attempt is logged through an optional Logger
// with every key, key id and credential redacted.
package pilotstatus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// DefaultRequestTimeout bounds each attempt when Config.RequestTimeout is zero.
const DefaultRequestTimeout = 60 * time.Second

// KeyPrefix starts every raw Pilot Status API key.
const KeyPrefix = "ps_"

// KeyPattern matches every raw Pilot Status API key: KeyPrefix and the characters keys are made of.
var KeyPattern = regexp.MustCompile(regexp.QuoteMeta(KeyPrefix) + `[A-Za-z0-9_\-]+`)

const (
	defaultUserAgent    = "terraform-provider-pilotstatus/dev"
	defaultRetryWaitMin = time.Second
	defaultRetryWaitMax = 30 * time.Second

	// maxBodyBytes bounds every response body read; a larger 2xx body is ErrMalformedResponse.
	maxBodyBytes = 8 << 20
)

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// BaseURL is the API's base URL; default DefaultBaseURL. See ValidateBaseURL.
	BaseURL string
	// APIKey is a raw key ("ps_..."), sent as x-api-key. Exactly one of APIKey and APIKeyID is set.
	APIKey string
	// APIKeyID is a key id, sent as x-api-key-id. Exactly one of APIKey and APIKeyID is set.
	APIKeyID string
	// UserAgent is sent as User-Agent; default "terraform-provider-pilotstatus/dev".
	UserAgent string
	// MaxRetries is how many retries follow the first attempt of a read (after a 429, a 5xx but 501,
	// a network failure), and how many attempts of a regeneration that did nothing (429s, the API's
	// failure answers that the key list disproves) are retried per call; 0 means no retries, a
	// negative value is invalid.
	MaxRetries int
	// RetryWaitMin is the first backoff ceiling, doubled per retry; default 1s.
	RetryWaitMin time.Duration
	// RetryWaitMax caps the backoff (not a server's Retry-After); default 30s.
	RetryWaitMax time.Duration
	// RequestTimeout bounds each attempt, reading the answer included; default DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Transport is the HTTP transport; default a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Logger receives the client's log lines; optional.
	Logger Logger
	// MaxRequestsPerSecond spaces the attempts of all calls evenly, at most this many a second
	// (retries included); 0 means no pacing, a negative value is invalid.
	MaxRequestsPerSecond float64
	// SettleTime is how long the key list is watched after a regeneration whose outcome is unknown
	// before the key may be regenerated again (see RegenerateAPIKey); default twice RequestTimeout.
	SettleTime time.Duration
}

// Client calls the Pilot Status API. It is safe for concurrent use.
type Client struct {
	baseURL    string // scheme://host[:port][/prefix], no trailing slash
	authHeader string
	authValue  string
	userAgent  string
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	httpClient *http.Client
	logger     Logger
	redactor   *redactor
	limiter    *limiter
	settleTime time.Duration
	keys       keyList
}

// hasControlOrSpace reports whether s holds anything but printable ASCII, leading or trailing
// spaces, or (unless allowInnerSpace) any space at all: such a value is not sent as a header.
func hasControlOrSpace(s string, allowInnerSpace bool) bool {
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c > 0x7e {
			return true
		}
		if c == ' ' && !allowInnerSpace {
			return true
		}
	}
	return strings.TrimSpace(s) != s
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := ValidateBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{baseURL: base.String(), logger: cfg.Logger}
	if c.authHeader, c.authValue, err = credentialHeader(cfg.APIKey, cfg.APIKeyID); err != nil {
		return nil, err
	}
	c.userAgent = cfg.UserAgent
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if hasControlOrSpace(c.userAgent, true) {
		return nil, errors.New("the user agent contains line breaks, control or non-ASCII characters")
	}
	timeout, err := c.setRetries(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRequestsPerSecond < 0 {
		return nil, fmt.Errorf("the maximum requests per second must be 0 (no pacing) or more, got %g", cfg.MaxRequestsPerSecond)
	}
	c.limiter = newLimiter(cfg.MaxRequestsPerSecond)
	c.limiter.log = c.log
	c.redactor = newRedactor([]string{cfg.APIKey, cfg.APIKeyID})
	c.httpClient = &http.Client{
		Transport: &attemptTransport{base: baseTransport(cfg.Transport), logger: cfg.Logger, redactor: c.redactor, limiter: c.limiter},
		// Per attempt: the wait for a turn and the backoff are outside it.
		Timeout: timeout,
		// A redirect would carry x-api-key to wherever it points: never follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// credentialHeader checks the credential, exactly one of a key and a key id, and returns the
// header that carries it.
func credentialHeader(apiKey, apiKeyID string) (header, value string, err error) {
	switch {
	case apiKey != "" && apiKeyID != "":
		return "", "", errors.New("both an API key and an API key id are set; set exactly one of them")
	case apiKey != "":
		if hasControlOrSpace(apiKey, false) {
			return "", "", errors.New("the API key contains spaces, line breaks or non-ASCII characters; check how it was copied")
		}
		if !strings.HasPrefix(apiKey, KeyPrefix) {
			return "", "", ErrNotAPIKey
		}
		return "x-api-key", apiKey, nil
	case apiKeyID != "":
		if hasControlOrSpace(apiKeyID, false) {
			return "", "", errors.New("the API key id contains spaces, line breaks or non-ASCII characters; check how it was copied")
		}
		return "x-api-key-id", apiKeyID, nil
	default:
		return "", "", errors.New("no credential is set; set an API key (sent as x-api-key) or an API key id (sent as x-api-key-id)")
	}
}

// setRetries checks and sets the retries, their waits and the settle time, and returns the
// request timeout.
func (c *Client) setRetries(cfg Config) (timeout time.Duration, err error) {
	if cfg.MaxRetries < 0 {
		return 0, fmt.Errorf("the maximum number of retries must be 0 or more, got %d", cfg.MaxRetries)
	}
	c.maxRetries = cfg.MaxRetries
	if c.waitMin, err = durationOrDefault("minimum retry wait", cfg.RetryWaitMin, defaultRetryWaitMin); err != nil {
		return 0, err
	}
	if c.waitMax, err = durationOrDefault("maximum retry wait", cfg.RetryWaitMax, defaultRetryWaitMax); err != nil {
		return 0, err
	}
	if c.waitMin > c.waitMax {
		return 0, fmt.Errorf("the minimum retry wait (%s) is longer than the maximum retry wait (%s)", c.waitMin, c.waitMax)
	}
	if timeout, err = durationOrDefault("request timeout", cfg.RequestTimeout, DefaultRequestTimeout); err != nil {
		return 0, err
	}
	if c.settleTime, err = durationOrDefault("settle time", cfg.SettleTime, 2*timeout); err != nil {
		return 0, err
	}
	return timeout, nil
}

// baseTransport is the configured transport, else a clone of http.DefaultTransport, so that
// nothing here changes the process's shared one.
func baseTransport(t http.RoundTripper) http.RoundTripper {
	if t != nil {
		return t
	}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		return dt.Clone()
	}
	return http.DefaultTransport
}

func durationOrDefault(name string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d < 0:
		return 0, fmt.Errorf("the %s must not be negative, got %s", name, d)
	case d == 0:
		return def, nil
	default:
		return d, nil
	}
}

func (c *Client) log(ctx context.Context, level Level, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Log(ctx, level, msg, fields)
	}
}

// setHeaders sets the credential and the headers every request carries.
func (c *Client) setHeaders(h http.Header, hasBody bool) {
	h.Set(c.authHeader, c.authValue)
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept", "application/json")
	if hasBody {
		h.Set("Content-Type", "application/json")
	}
}

var errTooLarge = errors.New("body too large")

// readLimited reads a body up to maxBodyBytes; a longer body yields errTooLarge.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBodyBytes+1))
	if err != nil {
		return data, err
	}
	if len(data) > maxBodyBytes {
		return data[:maxBodyBytes], errTooLarge
	}
	return data, nil
}

// drainAndClose reads a little of what is left of a body, so the connection can be reused, and
// closes it.
func drainAndClose(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// apiError turns a non-2xx answer into an *APIError. Only the documented "error" and "code"
// fields are taken from the body, redacted; anything else yields the status text.
func (c *Client) apiError(status int, data []byte, readErr error, cl *call, elapsed time.Duration) *APIError {
	e := &APIError{
		Status:   status,
		Message:  statusText(status),
		Method:   cl.method,
		Path:     cl.path,
		Attempts: int(cl.attempts.Load()),
		Elapsed:  elapsed,
	}
	if r, throttled := c.limiter.learnedRate(); status == http.StatusTooManyRequests && throttled {
		e.LearnedRate = roundRate(r)
	}
	if readErr != nil {
		return e
	}
	var doc struct {
		Error *string `json:"error"`
		Code  *string `json:"code"`
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &doc) != nil {
		return e
	}
	if doc.Error != nil {
		if msg := c.redactor.sanitizeMessage(*doc.Error); msg != "" {
			e.Message = msg
		}
	}
	if doc.Code != nil && codePattern.MatchString(*doc.Code) && c.redactor.redact(*doc.Code) == *doc.Code {
		e.Code = *doc.Code
	}
	return e
}
