package pilotstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// Custody of a number's key through a regeneration. Every regeneration invalidates the key before
// it, and a request whose answer is lost may still be carried out later: a second regeneration
// sent while the first may still land would leave the caller holding a key that the first one
// kills. RegenerateAPIKey therefore acts on exactly what each attempt tells (classify):
//
//   - a refusal (429, a connection refused) did nothing: it is retried with backoff, honouring
//     Retry-After, and is not counted;
//   - the API's own failure answer (a 500 or 503 with its error body) is no longer in flight: one
//     fresh read of the key list, started after the answer, decides. The key unchanged, the request
//     did nothing: retried like a refusal, not counted. Changed and revealed: that key is taken.
//     Otherwise it counts as an unknown outcome;
//   - a 2xx was carried out and counts; a body that cannot be used is settled on the key list;
//   - no answer from the API (a timeout, a reset, a gateway's 502 or 504) may still land, even
//     after any window: it counts, and the key list is watched for the settle time before anything
//     else is sent.
//
// At most maxRegenerations counted requests are sent, and MaxRetries bounds the retried refusals.

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

// ErrNotRegenerated is wrapped when no regeneration request of the call was carried out: every
// attempt was refused (429), never reached the API, was rejected (4xx), or failed with the API's
// own answer while the key list showed the key unchanged. The number's key is the one it had.
var ErrNotRegenerated = errors.New("nothing was regenerated")

// ErrKeyUnchanged is wrapped, with ErrNotRegenerated, when the API answered with its own failure
// and the key list, read after each such answer, showed the number's key unchanged.
var ErrKeyUnchanged = errors.New("the key list shows the number's key unchanged after the API's failure answers")

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
	// RecoveryFromList: the answer was lost, unusable or a failure; the key list revealed the new key.
	RecoveryFromList
	// RecoveryDelayed: an earlier request, given up, landed after the answer and made the answer's key
	// dead; the key list revealed the number's current key, which was taken instead.
	RecoveryDelayed
	// RecoveryUnconfirmed: the key follows a request that may have been carried out; the key list
	// that would have confirmed that no earlier request landed after it could not be read.
	RecoveryUnconfirmed
)

// String names how a key was obtained, for logs: "answer", "from_list", "delayed" or "unconfirmed".
func (r Recovery) String() string {
	switch r {
	case RecoveryFromList:
		return "from_list"
	case RecoveryDelayed:
		return "delayed"
	case RecoveryUnconfirmed:
		return "unconfirmed"
	default:
		return "answer"
	}
}

// RegenerateAPIKey regenerates the default key of one number (POST /v1/api-keys with
// {"whatsappNumberId": numberID}); the previous key stops working at once. previousKeyID is the
// number's key id before the call, as the caller last listed it; when empty, the key list is read
// first. See the top of this file for how each answer is acted on. A key that follows a counted
// request is confirmed by one more read of the key list.
//
// When no usable key came back the error wraps ErrNotRegenerated (nothing was carried out; with
// ErrKeyUnchanged when the key list proved it), ErrOutcomeUnknown (the previous key must be assumed
// invalid) or ErrDelayedRegeneration, and ErrInterrupted when ctx ended, besides the cause. When
// ctx ends, a request in flight still finishes under the request timeout; no new one is sent, and
// an outcome still to learn is looked up with a single list call.
func (c *Client) RegenerateAPIKey(ctx context.Context, numberID, previousKeyID string) (RegeneratedKey, error) {
	r := &regeneration{numberID: numberID, previousKeyID: previousKeyID}
	if err := c.beforeRegenerating(ctx, r); err != nil {
		return RegeneratedKey{}, err
	}
	for {
		key, again, err := c.regenerateRound(ctx, r)
		if again {
			continue
		}
		if err == nil {
			c.keys.record(key, time.Now())
		}
		return key, err
	}
}

// regeneration is what RegenerateAPIKey knows between its attempts and rounds.
type regeneration struct {
	numberID string
	body     []byte
	// previousKeyID is the number's key id before the requests that may still land.
	previousKeyID string
	// counted counts the requests that were, or may have been, carried out.
	counted int
	// retries counts the attempts retried because they did nothing; disproven, those of them that
	// were the API's failure answers disproven by the key list.
	retries, disproven int
	// look is what the key list showed after the last of the API's failure answers.
	look listLook
}

// listLook is one fresh read of the number's key after the API's failure answer.
type listLook struct {
	key NumberKey
	err error
}

// unchanged reports whether the look shows the number with the key previousKeyID: the API's failure
// answer did nothing.
func (l listLook) unchanged(previousKeyID string) bool {
	return l.err == nil && l.key.KeyID == previousKeyID
}

// beforeRegenerating checks the number id and ctx, encodes the request, and reads the number's
// current key id from the key list when the caller did not give it.
func (c *Client) beforeRegenerating(ctx context.Context, r *regeneration) error {
	if r.numberID == "" {
		return errors.New("regenerating an API key needs a number id; it is empty")
	}
	if !utf8.ValidString(r.numberID) {
		// JSON would carry it with U+FFFD in place of the invalid bytes: another number's id.
		return errors.New("regenerating an API key needs a number id in UTF-8; it holds invalid bytes")
	}
	body, err := json.Marshal(regenerateRequest{WhatsappNumberID: r.numberID})
	if err != nil {
		return fmt.Errorf("%s %s: encoding the request: %w", http.MethodPost, apiKeysPath, err)
	}
	r.body = body
	if err := ctx.Err(); err != nil {
		return r.notRegenerated(stopped(err))
	}
	if r.previousKeyID != "" {
		return nil
	}
	k, found, err := c.CurrentKey(ctx, r.numberID, time.Now())
	if err != nil {
		return fmt.Errorf("reading the number's current key before regenerating it: %w", err)
	}
	if found {
		r.previousKeyID = k.KeyID
	}
	return nil
}

// regenerateRound sends POST /v1/api-keys until an attempt may have been carried out or is final
// (run retries the refusals and the failures the key list disproves), and acts on that attempt. It
// returns the key, or an error, or again when the key may be regenerated once more.
func (c *Client) regenerateRound(ctx context.Context, r *regeneration) (key RegeneratedKey, again bool, err error) {
	cl := &call{method: http.MethodPost, path: apiKeysPath, reqBody: r.body}
	start := time.Now()
	a, err := c.run(ctx, cl, policy{detached: true, maxRetries: c.maxRetries, retries: &r.retries,
		again: func(ctx context.Context, a attempt) bool { return c.didNothing(ctx, r, a) }})
	if err != nil {
		return RegeneratedKey{}, false, r.failed(err)
	}
	cause := c.outcomeError(cl, a, start)
	switch classify(a) {
	case classDone:
		r.counted++
		var key RegeneratedKey
		if cause == nil {
			key, cause = c.regenerated(a, r.numberID)
		}
		if cause == nil {
			return c.succeeded(ctx, r, key)
		}
		// A 2xx whose body cannot be used: the key list tells the key it made.
		return c.settleRound(ctx, r, cause)
	case classAPIFailure:
		if r.look.unchanged(r.previousKeyID) {
			// The key list disproved it, and the retries are spent or the API asked for too long a pause.
			return RegeneratedKey{}, false, r.failed(cause)
		}
		return c.afterFailureAnswer(ctx, r, cause)
	case classNoAnswer:
		r.counted++
		return c.settleRound(ctx, r, cause)
	}
	// Refused or rejected: this attempt did nothing.
	return RegeneratedKey{}, false, r.failed(cause)
}

// didNothing is the retry policy of a regeneration: it reports whether attempt a certainly did
// nothing and is worth another. A refusal is; the API's own failure answer is when one fresh read
// of the key list, started after the answer, shows the number's key unchanged (r.look keeps what it
// showed). Nothing else is: it may have been carried out, or it is final.
func (c *Client) didNothing(ctx context.Context, r *regeneration, a attempt) bool {
	switch classify(a) {
	case classRefused:
		return true
	case classAPIFailure:
		c.log(ctx, LevelWarn, "Pilot Status API failed the regeneration; reading the key list to learn whether the key changed", map[string]any{
			"method": http.MethodPost, "path": apiKeysPath, "status": a.status,
		})
		r.look = c.lookAfter(ctx, r.numberID, a.at)
		if !r.look.unchanged(r.previousKeyID) {
			return false
		}
		r.disproven++
		c.log(ctx, LevelInfo, "The key list shows the key unchanged: the failed regeneration did nothing", map[string]any{
			"status": a.status, "failures_disproven": r.disproven,
		})
		return true
	}
	return false
}

// lookAfter reads the number's key from a key list read that started after at (keyAfter).
func (c *Client) lookAfter(ctx context.Context, numberID string, at time.Time) listLook {
	k, _, found, err := c.keyAfter(ctx, numberID, at)
	switch {
	case err != nil:
		return listLook{err: err}
	case !found:
		return listLook{err: errors.New("the key list no longer has the number")}
	}
	return listLook{key: k}
}

// afterFailureAnswer acts on the API's failure answer that the key list did not disprove: the
// request is counted; a changed key that the list reveals is taken; a changed key it does not
// reveal can only be replaced by another regeneration; a list that could not be read leaves the
// outcome unknown, to be settled by watching it.
func (c *Client) afterFailureAnswer(ctx context.Context, r *regeneration, cause error) (RegeneratedKey, bool, error) {
	r.counted++
	look := r.look
	switch {
	case look.err != nil:
		return c.settleRound(ctx, r, fmt.Errorf("%w (then reading the key list: %s)", cause, look.err.Error()))
	case look.key.Revealed():
		c.log(ctx, LevelInfo, "The key list shows the key that the failed regeneration made; taking it", map[string]any{
			"key_last4": look.key.KeyLast4,
		})
		return c.succeeded(ctx, r, fromListed(look.key, RecoveryFromList))
	}
	r.previousKeyID = look.key.KeyID
	return c.nextRound(ctx, r, cause)
}

// succeeded returns key, confirmed by one more read of the key list when it follows a request
// that was counted before: that one, given up, may have landed after it.
func (c *Client) succeeded(ctx context.Context, r *regeneration, key RegeneratedKey) (RegeneratedKey, bool, error) {
	if r.counted > 1 {
		key, err := c.confirm(ctx, r.numberID, key)
		return key, false, err
	}
	return key, false, nil
}

// failed is the error of a regeneration that ends without a key: nothing was regenerated when no
// request was counted, else the outcome is unknown.
func (r *regeneration) failed(cause error) error {
	if r.counted == 0 {
		return r.notRegenerated(cause)
	}
	return fmt.Errorf("%w: %w", ErrOutcomeUnknown, cause)
}

// notRegenerated is the error of a regeneration of which no request was carried out.
func (r *regeneration) notRegenerated(cause error) error {
	if r.disproven > 0 {
		return fmt.Errorf("%w (%w %d time(s)): %w", ErrNotRegenerated, ErrKeyUnchanged, r.disproven, cause)
	}
	return fmt.Errorf("%w: %w", ErrNotRegenerated, cause)
}

// settleRound watches the key list after a request whose outcome is unknown (cause). It returns
// the key the list reveals, or an error, or again when the key may be regenerated once more.
func (c *Client) settleRound(ctx context.Context, r *regeneration, cause error) (RegeneratedKey, bool, error) {
	c.log(ctx, LevelWarn, "Pilot Status API regeneration outcome unknown; watching the key list before anything else", map[string]any{
		"method":          http.MethodPost,
		"path":            apiKeysPath,
		"settle_ms":       c.settleTime.Milliseconds(),
		"regenerations":   r.counted,
		"max_regenerated": maxRegenerations,
	})
	listed, changed, serr := c.settle(ctx, r.numberID, r.previousKeyID)
	switch {
	case serr != nil && errors.Is(serr, ErrInterrupted):
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w; then %w", ErrOutcomeUnknown, cause, serr)
	case serr != nil:
		// The list's failure is told, not wrapped: the regeneration's own failure classifies the error.
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w (then %s)", ErrOutcomeUnknown, cause, serr.Error())
	case changed && listed.Revealed():
		c.log(ctx, LevelInfo, "The key list shows the key that the unanswered regeneration made; taking it", map[string]any{
			"key_last4": listed.KeyLast4,
		})
		return c.succeeded(ctx, r, fromListed(listed, RecoveryFromList))
	case changed:
		// The key changed, but the list does not reveal it: only a regeneration gives a usable
		// key, and the request that changed it is no longer in flight.
		r.previousKeyID = listed.KeyID
	}
	return c.nextRound(ctx, r, cause)
}

// nextRound decides, after a counted request left no usable key (cause), whether another
// regeneration may be sent: not beyond maxRegenerations, and not once ctx has ended.
func (c *Client) nextRound(ctx context.Context, r *regeneration, cause error) (RegeneratedKey, bool, error) {
	if r.counted >= maxRegenerations {
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w; %d regeneration requests may have been carried out, the most one apply sends",
			ErrOutcomeUnknown, cause, r.counted)
	}
	if cerr := ctx.Err(); cerr != nil {
		return RegeneratedKey{}, false, fmt.Errorf("%w: %w", ErrOutcomeUnknown, stopped(cerr))
	}
	c.log(ctx, LevelWarn, "No usable key came of the regeneration; regenerating again", map[string]any{
		"method":        http.MethodPost,
		"path":          apiKeysPath,
		"regenerations": r.counted,
	})
	return RegeneratedKey{}, true, nil
}

// regenerated reads the key from a 2xx answer to a regeneration; an answer that cannot be read is
// ErrMalformedResponse.
func (c *Client) regenerated(a attempt, numberID string) (RegeneratedKey, error) {
	key, err := decodeRegenerated(a.data, numberID)
	if err != nil {
		return RegeneratedKey{}, malformed(http.MethodPost, apiKeysPath, err.Error())
	}
	c.redactor.learn(key.KeyID)
	return key, nil
}

// settle watches the key list after a regeneration whose outcome is unknown, for the settle time
// from now. It returns the number's listed key and whether it differs from previousKeyID; changed
// is false only after a list read that started at or after the end of the settle time. When ctx
// ends, a single list call, under the request timeout, decides (keyAfter); when it cannot, the
// error wraps ErrInterrupted.
func (c *Client) settle(ctx context.Context, numberID, previousKeyID string) (NumberKey, bool, error) {
	now := time.Now()
	deadline := now.Add(c.settleTime)
	interval := min(max(c.settleTime/10, minSettlePoll), maxSettlePoll)
	after := now // each poll asks for a read newer than the last one it saw
	for {
		k, start, found, err := c.keyAfter(ctx, numberID, after)
		switch {
		case err == nil && !found:
			return NumberKey{}, false, errors.New("the key list no longer has the number")
		case err == nil && k.KeyID != previousKeyID:
			return k, true, nil
		case ctx.Err() != nil:
			return NumberKey{}, false, interrupted(ctx.Err(), err)
		case err == nil && !start.Before(deadline):
			return k, false, nil
		case err != nil && !time.Now().Before(deadline):
			return NumberKey{}, false, fmt.Errorf("the key list could not be read during the %s settle time: %w", c.settleTime, err)
		case err == nil:
			after = start.Add(time.Nanosecond)
		}
		_ = sleepContext(ctx, max(0, min(interval, time.Until(deadline))))
		if !time.Now().Before(deadline) {
			after = later(after, deadline)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// interrupted is the error of a settle watch that ctx ended (cause) before the key list showed a
// change; err is the last look's failure, if it failed.
func interrupted(cause, err error) error {
	if err != nil {
		return fmt.Errorf("%w (%w) before the key list showed whether the key changed: %w", ErrInterrupted, cause, err)
	}
	return fmt.Errorf("%w (%w) before the key list showed whether the key changed", ErrInterrupted, cause)
}

// confirm checks, after a request that was counted before the one that gave key, that key is still
// the number's current key: the earlier request, given up, may have landed after it.
func (c *Client) confirm(ctx context.Context, numberID string, key RegeneratedKey) (RegeneratedKey, error) {
	current, _, found, err := c.keyAfter(ctx, numberID, time.Now())
	switch {
	case err != nil || !found:
		// The key in hand is still the best there is: store it, and say it is unconfirmed.
		c.log(ctx, LevelWarn, "Could not confirm that the regenerated key is the number's current key", nil)
		key.Recovery = RecoveryUnconfirmed
		return key, nil //nolint:nilerr // the failed list is reported as RecoveryUnconfirmed
	case current.KeyID == key.KeyID:
		return key, nil
	case current.Revealed():
		c.log(ctx, LevelWarn, "An earlier regeneration request landed after the answer; taking the number's current key from the key list", map[string]any{
			"key_last4": current.KeyLast4,
		})
		return fromListed(current, RecoveryDelayed), nil
	}
	return RegeneratedKey{}, fmt.Errorf("%w; the number's current key (ending in %q) cannot be revealed by the key list", ErrDelayedRegeneration, current.KeyLast4)
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
