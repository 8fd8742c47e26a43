package pilotstatus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
	"unicode/utf8"
)

// Custody of a number's key through a regeneration. Every regeneration invalidates the key before
// it, and a request whose answer is lost may still be carried out later: a second regeneration
// sent while the first may still land would leave the caller holding a key that the first one
// kills. RegenerateAPIKey therefore never has two regenerations in flight, settles an unknown
// outcome by watching the key list, and sends at most maxRegenerations requests that may have
// been carried out.

// maxRegenerations bounds the regeneration requests that may have been carried out, per call of
// RegenerateAPIKey, whatever MaxRetries says.
const maxRegenerations = 2

// The bounds of the interval between two polls of the key list while an outcome settles.
const (
	minSettlePoll = 10 * time.Millisecond
	maxSettlePoll = 2 * time.Second
)

// ErrInterrupted is wrapped when the caller's context ended (Terraform was asked to stop, such as by
// Ctrl-C) before the regeneration could be sent or its outcome learnt. A request already sent is
// never abandoned: it finishes under its own timeout and its answer is returned.
var ErrInterrupted = errors.New("the run was interrupted")

// ErrDelayedRegeneration is wrapped when a regeneration was answered, but an earlier request that
// had been given up landed after it, and the key list does not reveal the key it made: the number's
// current key is in nobody's hands, and only another regeneration gives a usable one.
var ErrDelayedRegeneration = errors.New("an earlier regeneration request, delayed in transit, regenerated the key again after the answer")

// Recovery says how RegenerateAPIKey came by a key other than through the answer of its only
// request.
type Recovery int

const (
	// RecoveryNone: the key is the answer of the regeneration.
	RecoveryNone Recovery = iota
	// RecoveryFromList: the answer was lost or unusable; the key list revealed the new key.
	RecoveryFromList
	// RecoveryDelayed: an earlier request, given up, landed after the answer and made the answer's key
	// dead; the key list revealed the number's current key, which was taken instead.
	RecoveryDelayed
	// RecoveryUnconfirmed: the key is the answer of a second request; the key list that would have
	// confirmed that no earlier request landed after it could not be read.
	RecoveryUnconfirmed
)

// RegenerateAPIKey regenerates the default key of one number (POST /v1/api-keys with
// {"whatsappNumberId": numberID}); the previous key stops working at once. previousKeyID is the
// number's key id before the call, as the caller last listed it; when empty, the key list is read
// first.
//
// Attempts that certainly did nothing (429, a refused connection) are retried up to MaxRetries
// times. An attempt whose outcome is unknown (a timeout, a lost answer, a reset, a 5xx, a 2xx that
// cannot be read) is never followed at once by another: for SettleTime the key list is watched, and
// if the number's key changed and the list reveals it, that key is returned (Recovery
// RecoveryFromList). Only when the settle time passes with no change is the key regenerated
// again, and at most maxRegenerations requests that may have been carried out are sent. After a
// second one, one more list confirms that the key returned is still the number's current key.
//
// When no usable key came back the error wraps ErrOutcomeUnknown (the previous key must be
// assumed invalid), ErrDelayedRegeneration, or ErrInterrupted, besides the cause. When ctx ends, a
// request in flight still finishes under the request timeout; no new one is sent, and an unknown
// outcome is looked up with a single list call.
func (c *Client) RegenerateAPIKey(ctx context.Context, numberID, previousKeyID string) (RegeneratedKey, error) {
	r := regeneration{numberID: numberID, previousKeyID: previousKeyID}
	if err := c.beforeRegenerating(ctx, &r); err != nil {
		return RegeneratedKey{}, err
	}
	for {
		key, mayHaveActed, err := c.regenerateRound(ctx, numberID)
		if mayHaveActed {
			r.acted++
		}
		switch {
		case err == nil && r.acted > 1:
			return c.confirm(ctx, numberID, key)
		case err == nil:
			return key, nil
		case !mayHaveActed && r.acted > 0:
			// An earlier request settled without a change, and this one was refused: nothing is
			// known to have changed, yet the earlier one may still land.
			return RegeneratedKey{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		case !mayHaveActed:
			return RegeneratedKey{}, err
		}
		key, again, err := c.settleRound(ctx, &r, err)
		if !again {
			return key, err
		}
	}
}

// regeneration is what RegenerateAPIKey knows between its rounds.
type regeneration struct {
	numberID string
	// previousKeyID is the number's key id before the requests that may still land.
	previousKeyID string
	// acted counts the requests that may have been carried out.
	acted int
}

// beforeRegenerating checks the number id and ctx, and reads the number's current key id from
// the key list when the caller did not give it.
func (c *Client) beforeRegenerating(ctx context.Context, r *regeneration) error {
	if r.numberID == "" {
		return errors.New("regenerating an API key needs a number id; it is empty")
	}
	if !utf8.ValidString(r.numberID) {
		// JSON would carry it with U+FFFD in place of the invalid bytes: another number's id.
		return errors.New("regenerating an API key needs a number id in UTF-8; it holds invalid bytes")
	}
	if err := ctx.Err(); err != nil {
		return notSent(err)
	}
	if r.previousKeyID != "" {
		return nil
	}
	keys, _, err := c.watch.fresh(ctx, time.Now(), c.listForWatch)
	if err != nil {
		return fmt.Errorf("reading the number's current key before regenerating it: %w", err)
	}
	if k, ok := findKey(keys, r.numberID); ok {
		r.previousKeyID = k.KeyID
	}
	return nil
}

// settleRound watches the key list after a round whose outcome is unknown (cause). It returns the
// key the list reveals, or an error, or again when the key may be regenerated once more.
func (c *Client) settleRound(ctx context.Context, r *regeneration, cause error) (key RegeneratedKey, again bool, err error) {
	c.log(ctx, LevelWarn, "Pilot Status API regeneration outcome unknown; watching the key list before anything else", map[string]any{
		"method":          http.MethodPost,
		"path":            apiKeysPath,
		"settle_ms":       c.settleTime.Milliseconds(),
		"regenerations":   r.acted,
		"max_regenerated": maxRegenerations,
	})
	listed, changed, serr := c.settle(ctx, r.numberID, r.previousKeyID)
	switch {
	case serr != nil && errors.Is(serr, ErrInterrupted):
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w; then %w", ErrOutcomeUnknown, cause, serr)
	case serr != nil:
		// The list's failure is told, not wrapped: the regeneration's own failure classifies the error.
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w (then %s)", ErrOutcomeUnknown, cause, serr.Error())
	case changed && listed.Revealable && listed.Key != "":
		c.log(ctx, LevelInfo, "The key list shows the key that the unanswered regeneration made; taking it", map[string]any{
			"key_last4": listed.KeyLast4,
		})
		return fromListed(listed, RecoveryFromList), false, nil
	case changed:
		// The key changed, but the list does not reveal it: only a regeneration gives a usable
		// key, and the request that changed it is no longer in flight.
		r.previousKeyID = listed.KeyID
	}
	if r.acted >= maxRegenerations {
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w; %d regeneration requests may have been carried out, the most one apply sends",
			ErrOutcomeUnknown, cause, r.acted)
	}
	if cerr := ctx.Err(); cerr != nil {
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w", ErrOutcomeUnknown, notSent(cerr))
	}
	c.log(ctx, LevelWarn, "The key did not change during the settle time; regenerating again", map[string]any{
		"method":    http.MethodPost,
		"path":      apiKeysPath,
		"settle_ms": c.settleTime.Milliseconds(),
	})
	return RegeneratedKey{}, true, nil
}

// notSent is the error of a regeneration not sent because ctx ended.
func notSent(ctxErr error) error {
	return fmt.Errorf("%s %s: not sent: %w (%w)", http.MethodPost, apiKeysPath, ErrInterrupted, ctxErr)
}

// regenerateRound sends POST /v1/api-keys, retrying only attempts that certainly did nothing (429,
// a refused connection, a failed TLS handshake is not retried), until one attempt may have been
// carried out or an answer is final. mayHaveActed reports whether an attempt may have been carried
// out. An attempt in flight finishes under the request timeout even when ctx ends.
func (c *Client) regenerateRound(ctx context.Context, numberID string) (key RegeneratedKey, mayHaveActed bool, err error) {
	body, err := json.Marshal(regenerateRequest{WhatsappNumberID: numberID})
	if err != nil {
		return RegeneratedKey{}, false, fmt.Errorf("%s %s: encoding the request: %w", http.MethodPost, apiKeysPath, err)
	}
	cl := &call{method: http.MethodPost, path: apiKeysPath, reqBody: body}
	// Not cancelled with ctx: the answer to a request that was sent holds the number's one valid key.
	sendCtx := withCall(context.WithoutCancel(ctx), cl)
	start := time.Now()
	for retry := 0; ; retry++ {
		if err := c.waitTurn(ctx, retry); err != nil {
			return RegeneratedKey{}, false, err
		}
		a := c.sendOnce(sendCtx, http.MethodPost, apiKeysPath, body)
		if a.sendErr == nil && a.status >= 200 && a.status <= 299 {
			// A 2xx was carried out, whether or not its answer can be used.
			key, err := c.regenerated(a, numberID)
			return key, true, err
		}
		if a.sendErr != nil {
			err = &TransportError{Method: http.MethodPost, Path: apiKeysPath, Attempts: int(cl.attempts.Load()),
				Elapsed: time.Since(start), Err: unwrapURLError(a.sendErr)}
		} else {
			err = c.apiError(a.status, a.data, a.readErr, cl, time.Since(start))
		}
		if cl.mayHaveActed.Load() {
			return RegeneratedKey{}, true, err
		}
		if !c.retryUnsent(a.status, a.header, a.sendErr) || retry >= c.maxRetries {
			return RegeneratedKey{}, false, err
		}
		if err := c.backoffUnsent(ctx, cl, retry, a); err != nil {
			return RegeneratedKey{}, false, err
		}
	}
}

// waitTurn waits for the limiter before attempt retry+1 of a regeneration; the error is notSent's
// when ctx ends first.
func (c *Client) waitTurn(ctx context.Context, retry int) error {
	if err := ctx.Err(); err != nil {
		return notSent(err)
	}
	waited, err := c.limiter.wait(ctx)
	if err != nil {
		return notSent(err)
	}
	if waited > 0 {
		c.log(ctx, LevelTrace, "Pilot Status API request paced", map[string]any{
			"method": http.MethodPost, "path": apiKeysPath, "attempt": retry + 1, "wait_ms": waited.Milliseconds(),
		})
	}
	return nil
}

// regenerated reads the key from a 2xx answer to a regeneration; an answer that cannot be read is
// ErrMalformedResponse.
func (c *Client) regenerated(a attempt, numberID string) (RegeneratedKey, error) {
	switch {
	case errors.Is(a.readErr, errTooLarge):
		return RegeneratedKey{}, malformed(http.MethodPost, apiKeysPath, fmt.Sprintf("the body is larger than %d MiB", maxBodyBytes>>20))
	case a.readErr != nil:
		return RegeneratedKey{}, malformed(http.MethodPost, apiKeysPath, "the body could not be read completely")
	}
	key, err := decodeRegenerated(a.data, numberID)
	if err != nil {
		return RegeneratedKey{}, malformed(http.MethodPost, apiKeysPath, err.Error())
	}
	c.redactor.learn(key.KeyID)
	return key, nil
}

// backoffUnsent logs and waits before retrying a regeneration attempt that certainly did nothing;
// the error is notSent's when ctx ends first.
func (c *Client) backoffUnsent(ctx context.Context, cl *call, retry int, a attempt) error {
	var resp *http.Response
	if a.sendErr == nil {
		resp = &http.Response{StatusCode: a.status, Header: a.header}
	}
	wait := backoff(c.waitMin, c.waitMax, retry, resp, time.Now(), rand.Int64N)
	c.log(ctx, LevelWarn, "Pilot Status API request failed, retrying", map[string]any{
		"method":       http.MethodPost,
		"path":         apiKeysPath,
		"status":       a.status,
		"attempt":      retry + 1,
		"error_class":  cl.getLastClass(),
		"wait_ms":      wait.Milliseconds(),
		"retries_left": c.maxRetries - retry,
	})
	if err := sleepContext(ctx, wait); err != nil {
		return notSent(err)
	}
	return nil
}

// retryUnsent reports whether a regeneration attempt that certainly did nothing is worth another:
// a 429 (unless its Retry-After is beyond MaxRetryAfter) or a network failure that is not a TLS
// failure.
func (c *Client) retryUnsent(status int, header http.Header, sendErr error) bool {
	if sendErr != nil {
		return !isTLSError(sendErr)
	}
	if status != http.StatusTooManyRequests {
		return false
	}
	d, ok := retryAfter(header.Get("Retry-After"), time.Now())
	return !ok || d <= MaxRetryAfter
}

// attempt is the outcome of one attempt: the answer, read in full, or sendErr when none came.
type attempt struct {
	status  int
	header  http.Header
	data    []byte
	readErr error
	sendErr error
}

// sendOnce sends one attempt and reads the answer in full.
func (c *Client) sendOnce(ctx context.Context, method, apiPath string, body []byte) attempt {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+apiPath, bytes.NewReader(body))
	if err != nil {
		return attempt{sendErr: fmt.Errorf("building the request: %w", unwrapURLError(err))}
	}
	c.setHeaders(req.Header, body != nil)
	resp, err := c.httpClient.Do(req) //nolint:bodyclose // drainAndClose(resp.Body) closes it below
	if err != nil {
		return attempt{sendErr: err}
	}
	data, readErr := readLimited(resp.Body)
	drainAndClose(resp.Body)
	return attempt{status: resp.StatusCode, header: resp.Header, data: data, readErr: readErr}
}

// settle watches the key list after a regeneration whose outcome is unknown, for the settle time
// from now. It returns the number's listed key and whether it differs from previousKeyID; changed
// is false only after a list read at or after the end of the settle time. When ctx ends, a single
// list call, under the request timeout, decides; when it cannot, the error wraps ErrInterrupted.
func (c *Client) settle(ctx context.Context, numberID, previousKeyID string) (NumberKey, bool, error) {
	givenUp := time.Now()
	deadline := givenUp.Add(c.settleTime)
	interval := min(max(c.settleTime/10, minSettlePoll), maxSettlePoll)
	after := givenUp // each poll asks for a read newer than the last one it saw
	for {
		if ctx.Err() != nil {
			return c.lastLook(ctx, numberID, previousKeyID)
		}
		if !time.Now().Before(deadline) {
			after = later(after, deadline)
		}
		keys, pollStart, err := c.watch.fresh(ctx, after, c.listForWatch)
		if err == nil {
			after = pollStart.Add(time.Nanosecond)
		} else {
			pollStart = time.Now()
		}
		switch {
		case err == nil:
			k, found := findKey(keys, numberID)
			if !found {
				return NumberKey{}, false, fmt.Errorf("the key list no longer has the number")
			}
			if k.KeyID != previousKeyID {
				return k, true, nil
			}
			if !pollStart.Before(deadline) {
				return k, false, nil
			}
		case ctx.Err() != nil:
			return c.lastLook(ctx, numberID, previousKeyID)
		case !pollStart.Before(deadline):
			return NumberKey{}, false, fmt.Errorf("the key list could not be read during the %s settle time: %w", c.settleTime, err)
		}
		_ = sleepContext(ctx, max(0, min(interval, time.Until(deadline))))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// lastLook is settle's single list call once ctx has ended.
func (c *Client) lastLook(ctx context.Context, numberID, previousKeyID string) (NumberKey, bool, error) {
	keys, err := c.listAPIKeys(context.WithoutCancel(ctx), 0)
	if err == nil {
		if k, found := findKey(keys, numberID); found && k.KeyID != previousKeyID {
			return k, true, nil
		}
	}
	cause := ctx.Err()
	if err != nil {
		return NumberKey{}, false, fmt.Errorf("%w (%w) before the key list showed whether the key changed: %w", ErrInterrupted, cause, err)
	}
	return NumberKey{}, false, fmt.Errorf("%w (%w) before the key list showed whether the key changed", ErrInterrupted, cause)
}

// confirm checks, after a second regeneration request, that the key it returned is still the
// number's current key: the first request, given up, may have landed after it.
func (c *Client) confirm(ctx context.Context, numberID string, key RegeneratedKey) (RegeneratedKey, error) {
	var (
		keys []NumberKey
		err  error
	)
	if ctx.Err() != nil {
		keys, err = c.listAPIKeys(context.WithoutCancel(ctx), 0)
	} else {
		keys, _, err = c.watch.fresh(ctx, time.Now(), c.listForWatch)
	}
	current, found := findKey(keys, numberID)
	switch {
	case err != nil || !found:
		// The key in hand is still the best there is: store it, and say it is unconfirmed.
		c.log(ctx, LevelWarn, "Could not confirm that the regenerated key is the number's current key", nil)
		key.Recovery = RecoveryUnconfirmed
		return key, nil //nolint:nilerr // the failed list is reported as RecoveryUnconfirmed
	case current.KeyID == key.KeyID:
		return key, nil
	case current.Revealable && current.Key != "":
		c.log(ctx, LevelWarn, "An earlier regeneration request landed after the answer; taking the number's current key from the key list", map[string]any{
			"key_last4": current.KeyLast4,
		})
		return fromListed(current, RecoveryDelayed), nil
	}
	return RegeneratedKey{}, fmt.Errorf("%w; the number's current key (ending in %q) cannot be revealed by the key list", ErrDelayedRegeneration, current.KeyLast4)
}

// listForWatch is the list call of the settle watch and of confirm: the configured retries.
func (c *Client) listForWatch(ctx context.Context) ([]NumberKey, error) {
	return c.listAPIKeys(ctx, c.maxRetries)
}

func findKey(keys []NumberKey, numberID string) (NumberKey, bool) {
	for _, k := range keys {
		if k.NumberID == numberID {
			return k, true
		}
	}
	return NumberKey{}, false
}

// fromListed is a listed, revealed key as a RegeneratedKey; the list does not say when the key was
// created.
func fromListed(k NumberKey, how Recovery) RegeneratedKey {
	return RegeneratedKey{
		NumberID: k.NumberID,
		KeyID:    k.KeyID,
		KeyLast4: k.KeyLast4,
		Key:      k.Key,
		Recovery: how,
	}
}
