package pilotstatus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// keyServer is one number's key behind a small API: GET /v1/api-keys lists it, and each
// POST /v1/api-keys runs the next step of a script (the last one repeats). It records when each
// POST arrived and when the client gave up on it.
type keyServer struct {
	t     *testing.T
	steps []postStep

	mu         sync.Mutex
	keyID, key string
	revealable bool
	issued     int
	posts      []time.Time
	lists      int
	listFails  func(s *keyServer) bool // set: the list answers 503 while it returns true
	pending    *string                 // a late request's key id, applied by the next POST
}

// postStep answers one POST; it runs with the server unlocked.
type postStep func(s *keyServer, w http.ResponseWriter, r *http.Request)

func newKeyServer(t *testing.T, steps ...postStep) (*keyServer, *countingServer) {
	s := &keyServer{t: t, steps: steps, keyID: "k_before", key: numberKeyA, revealable: true}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			s.list(w)
			return
		}
		s.mu.Lock()
		i := min(len(s.posts), len(s.steps)-1)
		s.posts = append(s.posts, time.Now())
		s.mu.Unlock()
		s.steps[i](s, w, r)
	})
	return s, srv
}

func (s *keyServer) list(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	if s.listFails != nil && s.listFails(s) {
		writeJSON(w, 503, `{"error":"Service unavailable"}`)
		return
	}
	key := "null"
	if s.revealable {
		key = `"` + s.key + `"`
	}
	writeJSON(w, 200, fmt.Sprintf(`[{"numberId":"wn_1","keyId":%q,"keyLast4":%q,"key":%s,"revealable":%t}]`,
		s.keyID, s.key[len(s.key)-4:], key, s.revealable))
}

// rotateLocked issues a new key; revealable says whether the list shows it.
func (s *keyServer) rotateLocked(revealable bool) (id, key string) {
	s.issued++
	s.keyID = fmt.Sprintf("k_new%d", s.issued)
	s.key = fmt.Sprintf("ps_newKEY%d_abcdef%d", s.issued, s.issued)
	s.revealable = revealable
	return s.keyID, s.key
}

func (s *keyServer) postCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.posts)
}

func (s *keyServer) current() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyID, s.key
}

func answer(id, key string, w http.ResponseWriter) {
	writeJSON(w, 200, fmt.Sprintf(`{"numberId":"wn_1","keyId":%q,"keyPrefix":"ps_","keyLast4":%q,"key":%q,"createdAt":"2026-06-28T10:00:00.000Z"}`,
		id, key[len(key)-4:], key))
}

// The steps of a script.
var (
	// answered regenerates and answers; a late request held by landLater lands first.
	answered postStep = func(s *keyServer, w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		id, key := s.rotateLocked(true)
		if s.pending != nil {
			s.rotateLocked(*s.pending == "revealable")
			s.pending = nil
		}
		s.mu.Unlock()
		answer(id, key, w)
	}
	// lostAfterWork regenerates and hangs up.
	lostAfterWork postStep = func(s *keyServer, w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.rotateLocked(true)
		s.mu.Unlock()
		hangUp(w, r)
	}
	// lostAfterLegacyWork regenerates a key the list does not reveal, and hangs up.
	lostAfterLegacyWork postStep = func(s *keyServer, w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.rotateLocked(false)
		s.mu.Unlock()
		hangUp(w, r)
	}
	// lostBeforeWork hangs up without doing anything.
	lostBeforeWork postStep = func(_ *keyServer, w http.ResponseWriter, r *http.Request) { hangUp(w, r) }
)

// landLater hangs up now and regenerates when the next POST is carried out, after that POST's
// own regeneration: a request delayed in transit that lands after the one that answered.
func landLater(revealable bool) postStep {
	return func(s *keyServer, w http.ResponseWriter, r *http.Request) {
		mode := "legacy"
		if revealable {
			mode = "revealable"
		}
		s.mu.Lock()
		s.pending = &mode
		s.mu.Unlock()
		hangUp(w, r)
	}
}

// apiFailure is the API's own failure answer, with its JSON error body.
const apiFailure = `{"error":"Service unavailable","code":"MAINTENANCE"}`

// failAfterWork regenerates (a key the list reveals, or not) and then answers status with the
// API's own error body.
func failAfterWork(status int, revealable bool) postStep {
	return func(s *keyServer, w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		s.rotateLocked(revealable)
		s.mu.Unlock()
		writeJSON(w, status, apiFailure)
	}
}

// failWithRetryAfter answers status with the API's own error body and a Retry-After.
func failWithRetryAfter(status int, retryAfter string) postStep {
	return func(_ *keyServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		writeJSON(w, status, apiFailure)
	}
}

func failWith(status int, body string) postStep {
	return func(_ *keyServer, w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

// TestRegenerateCustody: whatever the faults, a regeneration returns the number's current key or
// fails, sends at most two requests that may have been carried out, and never sends one before
// the outcome of the one before it has settled.
func TestRegenerateCustody(t *testing.T) {
	t.Parallel()
	const settle = 60 * time.Millisecond
	tests := []struct {
		name       string
		steps      []postStep
		maxRetries int
		listFails  func(s *keyServer) bool
		wantPosts  int
		// wantErr: nil for success, else every one of these must be wrapped.
		wantErr      []error
		wantRecovery pilotstatus.Recovery
		// settles: the first request did nothing visible, so the second waits for the settle time.
		settles bool
		// lists: when not zero, how many key list reads the call makes.
		lists int
		// minGap: the second request follows the first at least this late (a Retry-After).
		minGap time.Duration
	}{
		{name: "API 503 with Retry-After: the next request waits for it", steps: []postStep{failWithRetryAfter(503, "1"), answered},
			maxRetries: 1, wantPosts: 2, lists: 1, minGap: time.Second},
		// The API's own failure answers: one fresh read of the key list decides each.
		{name: "API 503 then answered: the list shows the key unchanged, retried at once", steps: []postStep{failWith(503, apiFailure), answered},
			maxRetries: 1, wantPosts: 2, lists: 1},
		{name: "API 500 twice then answered: no confirmation needed", steps: []postStep{failWith(500, apiFailure), failWith(503, apiFailure), answered},
			maxRetries: 2, wantPosts: 3, lists: 2},
		{name: "API 503 every time: nothing was regenerated, the list proved it", steps: []postStep{failWith(503, apiFailure)},
			maxRetries: 4, wantPosts: 5, lists: 5, wantErr: []error{pilotstatus.ErrNotRegenerated, pilotstatus.ErrKeyUnchanged}},
		{name: "API 503 with max_retries 0: nothing was regenerated", steps: []postStep{failWith(503, apiFailure)},
			maxRetries: 0, wantPosts: 1, lists: 1, wantErr: []error{pilotstatus.ErrNotRegenerated, pilotstatus.ErrKeyUnchanged}},
		{name: "API 503 asking for more than five minutes: fails at once", steps: []postStep{failWithRetryAfter(503, "3600")},
			maxRetries: 4, wantPosts: 1, lists: 1, wantErr: []error{pilotstatus.ErrNotRegenerated, pilotstatus.ErrKeyUnchanged}},
		{name: "the API regenerated, then failed: the list reveals the key", steps: []postStep{failAfterWork(500, true)},
			maxRetries: 4, wantPosts: 1, lists: 1, wantRecovery: pilotstatus.RecoveryFromList},
		{name: "the API regenerated a key the list does not reveal, then failed: once more", steps: []postStep{failAfterWork(503, false), answered},
			wantPosts: 2, lists: 2},
		{name: "the API failed and the list is unreadable: unknown, never a second request", steps: []postStep{failWith(503, apiFailure), answered},
			listFails: func(*keyServer) bool { return true }, wantPosts: 1, wantErr: []error{pilotstatus.ErrOutcomeUnknown}},
		{name: "no answer, then the API's failures: the first may still land", steps: []postStep{lostBeforeWork, failWith(503, apiFailure)},
			maxRetries: 2, wantPosts: 4, wantErr: []error{pilotstatus.ErrOutcomeUnknown}, settles: true},
		{name: "429 then the API's failure then answered", steps: []postStep{failWith(429, `{}`), failWith(503, apiFailure), answered},
			maxRetries: 2, wantPosts: 3, lists: 1},
		{name: "429s and the API's failures share max_retries", steps: []postStep{failWith(429, `{}`), failWith(503, apiFailure), failWith(429, `{}`), answered},
			maxRetries: 2, wantPosts: 3, lists: 1, wantErr: []error{pilotstatus.ErrNotRegenerated}},
		{name: "answered", steps: []postStep{answered}, wantPosts: 1},
		{name: "answer lost after the work: the list reveals the key", steps: []postStep{lostAfterWork},
			maxRetries: 5, wantPosts: 1, wantRecovery: pilotstatus.RecoveryFromList},
		{name: "answer lost after the work, key not revealed: one more regeneration", steps: []postStep{lostAfterLegacyWork, answered},
			wantPosts: 2},
		{name: "answer lost after the work twice, never revealed", steps: []postStep{lostAfterLegacyWork},
			maxRetries: 5, wantPosts: 2, wantErr: []error{pilotstatus.ErrOutcomeUnknown}},
		{name: "connection lost before the work, then answered", steps: []postStep{lostBeforeWork, answered}, wantPosts: 2, settles: true},
		{name: "connection lost before the work every time", steps: []postStep{lostBeforeWork},
			maxRetries: 5, wantPosts: 2, wantErr: []error{pilotstatus.ErrOutcomeUnknown}, settles: true},
		{name: "5xx not from the API then answered", steps: []postStep{failWith(503, `{}`), answered}, wantPosts: 2, settles: true},
		{name: "gateway 504 with the API's body then answered", steps: []postStep{failWith(504, apiFailure), answered}, wantPosts: 2, settles: true},
		{name: "5xx not from the API every time, whatever max_retries", steps: []postStep{failWith(500, `<html>Internal error</html>`)},
			maxRetries: 20, wantPosts: 2, wantErr: []error{pilotstatus.ErrOutcomeUnknown}, settles: true},
		{name: "5xx then 404", steps: []postStep{failWith(502, `{}`), failWith(404, `{"error":"Number not found","code":"NUMBER_NOT_FOUND"}`)},
			maxRetries: 3, wantPosts: 2, wantErr: []error{pilotstatus.ErrOutcomeUnknown}, settles: true},
		{name: "501 is definitive", steps: []postStep{failWith(501, `{"error":"Not implemented"}`)}, maxRetries: 3, wantPosts: 1,
			wantErr: []error{}},
		{name: "404 is definitive", steps: []postStep{failWith(404, `{"error":"Number not found","code":"NUMBER_NOT_FOUND"}`)},
			maxRetries: 3, wantPosts: 1, wantErr: []error{}},
		{name: "429 is retried max_retries times", steps: []postStep{failWith(429, `{"error":"Too many requests"}`)},
			maxRetries: 2, wantPosts: 3, wantErr: []error{}},
		{name: "429 then answered", steps: []postStep{failWith(429, `{}`), failWith(429, `{}`), answered}, maxRetries: 2, wantPosts: 3},
		{name: "answer lost and the list unreadable: no second regeneration", steps: []postStep{lostAfterWork, answered},
			listFails: func(*keyServer) bool { return true }, wantPosts: 1, wantErr: []error{pilotstatus.ErrOutcomeUnknown}},
		{name: "a delayed request lands after the answer: the list reveals it", steps: []postStep{landLater(true), answered},
			wantPosts: 2, wantRecovery: pilotstatus.RecoveryDelayed},
		{name: "a delayed request lands after the answer, not revealed", steps: []postStep{landLater(false), answered},
			wantPosts: 2, wantErr: []error{pilotstatus.ErrDelayedRegeneration}},
		{name: "second regeneration answered, confirmation unreadable", steps: []postStep{lostBeforeWork, answered},
			listFails: func(s *keyServer) bool { return len(s.posts) >= 2 }, wantPosts: 2, wantRecovery: pilotstatus.RecoveryUnconfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, srv := newKeyServer(t, tt.steps...)
			s.listFails = tt.listFails
			c := newClient(t, srv.URL, func(c *pilotstatus.Config) {
				c.MaxRetries = tt.maxRetries
				c.SettleTime = settle
			})
			key, err := c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
			if got := s.postCount(); got != tt.wantPosts {
				t.Errorf("%d regeneration requests, want %d", got, tt.wantPosts)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("want a key, got %v", err)
				}
				id, raw := s.current()
				if key.KeyID != id || key.Key != raw {
					t.Fatalf("got key %s, the number's current key is %s", key.KeyID, id)
				}
				if key.Recovery != tt.wantRecovery {
					t.Fatalf("recovery %d, want %d", key.Recovery, tt.wantRecovery)
				}
				if key.KeyLast4 != raw[len(raw)-4:] {
					t.Fatalf("last4 %q does not describe the key", key.KeyLast4)
				}
			} else {
				if err == nil {
					t.Fatalf("want an error, got key %s", key.KeyID)
				}
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Fatalf("want %v wrapped, got %v", want, err)
					}
				}
				// wantErr empty: nothing may have been carried out, and the error says so.
				if len(tt.wantErr) == 0 && (errors.Is(err, pilotstatus.ErrOutcomeUnknown) || !errors.Is(err, pilotstatus.ErrNotRegenerated)) {
					t.Fatalf("nothing may have been carried out, and the error must say nothing was regenerated: %v", err)
				}
				if errors.Is(err, pilotstatus.ErrOutcomeUnknown) && errors.Is(err, pilotstatus.ErrNotRegenerated) {
					t.Fatalf("the error says both that nothing was regenerated and that the key may have been: %v", err)
				}
				assertNoSecret(t, "error", err.Error())
			}
			// A second request never follows one whose outcome was unknown before the settle time.
			s.mu.Lock()
			defer s.mu.Unlock()
			if tt.lists != 0 && s.lists != tt.lists {
				t.Errorf("%d key list reads, want %d", s.lists, tt.lists)
			}
			if tt.minGap > 0 {
				if gap := s.posts[1].Sub(s.posts[0]); gap < tt.minGap {
					t.Errorf("the second regeneration was sent %s after the first, before the %s the API asked for", gap, tt.minGap)
				}
			}
			if tt.settles {
				if gap := s.posts[1].Sub(s.posts[0]); gap < settle {
					t.Errorf("the second regeneration was sent %s after the first, before the %s settle time", gap, settle)
				}
			}
		})
	}
}

// TestRegenerateSharesSettlePolls: regenerations that settle at the same time share their polls of
// the key list.
func TestRegenerateSharesSettlePolls(t *testing.T) {
	t.Parallel()
	s, srv := newKeyServer(t, lostBeforeWork)
	const settle = 200 * time.Millisecond
	c := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.SettleTime = settle })
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _ = c.RegenerateAPIKey(context.Background(), "wn_1", "k_before") })
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Each of the two settle times is polled about ten times: unshared, every caller would read
	// the list about twenty times.
	if perCaller := float64(s.lists) / n; perCaller > 10 {
		t.Errorf("%d key list reads for %d waiting regenerations: the polls are not shared", s.lists, n)
	}
	if len(s.posts) != 2*n {
		t.Errorf("%d regenerations, want %d", len(s.posts), 2*n)
	}
}

// TestRegenerateInterrupted: after the caller's context ends, a request already sent still
// finishes and its key is returned, no new request is sent, and an unknown outcome costs one list.
func TestRegenerateInterrupted(t *testing.T) {
	t.Parallel()
	t.Run("cancelled before: nothing is sent", func(t *testing.T) {
		t.Parallel()
		s, srv := newKeyServer(t, answered)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newClient(t, srv.URL).RegenerateAPIKey(ctx, "wn_1", "k_before")
		if !errors.Is(err, pilotstatus.ErrInterrupted) || errors.Is(err, pilotstatus.ErrOutcomeUnknown) || s.postCount() != 0 {
			t.Fatalf("err %v after %d requests; want ErrInterrupted, nothing sent", err, s.postCount())
		}
	})
	t.Run("cancelled while the request is in flight: the answer is kept", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		slowAnswer := func(s *keyServer, w http.ResponseWriter, r *http.Request) {
			cancel()
			time.Sleep(100 * time.Millisecond) // the caller has gone; the answer still comes
			answered(s, w, r)
		}
		s, srv := newKeyServer(t, slowAnswer)
		key, err := newClient(t, srv.URL).RegenerateAPIKey(ctx, "wn_1", "k_before")
		id, _ := s.current()
		if err != nil || key.KeyID != id {
			t.Fatalf("got %q, %v; want the number's current key %q", key.KeyID, err, id)
		}
	})
	t.Run("cancelled, then the API's failure: the owed read is made and the key list shows nothing changed", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		s, srv := newKeyServer(t, func(s *keyServer, w http.ResponseWriter, r *http.Request) {
			cancel()
			failWithRetryAfter(503, "1")(s, w, r)
		})
		_, err := newClient(t, srv.URL).RegenerateAPIKey(ctx, "wn_1", "k_before")
		s.mu.Lock()
		lists := s.lists
		s.mu.Unlock()
		if !errors.Is(err, pilotstatus.ErrInterrupted) || !errors.Is(err, pilotstatus.ErrNotRegenerated) || errors.Is(err, pilotstatus.ErrOutcomeUnknown) ||
			s.postCount() != 1 || lists != 1 {
			t.Fatalf("err %v after %d regenerations and %d lists; want ErrInterrupted and ErrNotRegenerated after one of each", err, s.postCount(), lists)
		}
	})
	t.Run("cancelled, then the API regenerated and failed: the owed read keeps the key", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		s, srv := newKeyServer(t, func(s *keyServer, w http.ResponseWriter, r *http.Request) {
			cancel()
			failAfterWork(500, true)(s, w, r)
		})
		key, err := newClient(t, srv.URL).RegenerateAPIKey(ctx, "wn_1", "k_before")
		id, _ := s.current()
		if err != nil || key.KeyID != id || key.Recovery != pilotstatus.RecoveryFromList || s.postCount() != 1 {
			t.Fatalf("got %q, %v after %d regenerations; want the current key %q from the list after one", key.KeyID, err, s.postCount(), id)
		}
	})
	t.Run("cancelled while settling: one list, then the revealed key", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		lostThenCancel := func(s *keyServer, w http.ResponseWriter, r *http.Request) {
			cancel()
			lostAfterWork(s, w, r)
		}
		s, srv := newKeyServer(t, lostThenCancel)
		key, err := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.SettleTime = time.Hour }).RegenerateAPIKey(ctx, "wn_1", "k_before")
		id, _ := s.current()
		if err != nil || key.KeyID != id || s.postCount() != 1 {
			t.Fatalf("got %q, %v after %d regenerations; want the current key %q after one", key.KeyID, err, s.postCount(), id)
		}
	})
	t.Run("cancelled while settling, nothing changed: fail after one list", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		s, srv := newKeyServer(t, func(s *keyServer, w http.ResponseWriter, r *http.Request) {
			cancel()
			lostBeforeWork(s, w, r)
		})
		_, err := newClient(t, srv.URL, func(c *pilotstatus.Config) { c.SettleTime = time.Hour }).RegenerateAPIKey(ctx, "wn_1", "k_before")
		s.mu.Lock()
		lists := s.lists
		s.mu.Unlock()
		if !errors.Is(err, pilotstatus.ErrInterrupted) || !errors.Is(err, pilotstatus.ErrOutcomeUnknown) || s.postCount() != 1 || lists != 1 {
			t.Fatalf("err %v after %d regenerations and %d lists; want ErrInterrupted and ErrOutcomeUnknown after one of each",
				err, s.postCount(), lists)
		}
	})
}

// TestRegenerateReadsThePreviousKey: without the previous key id, the list is read first, so that a
// lost answer can still be settled.
func TestRegenerateReadsThePreviousKey(t *testing.T) {
	t.Parallel()
	s, srv := newKeyServer(t, lostAfterWork)
	key, err := newClient(t, srv.URL).RegenerateAPIKey(context.Background(), "wn_1", "")
	id, _ := s.current()
	if err != nil || key.KeyID != id || key.Recovery != pilotstatus.RecoveryFromList {
		t.Fatalf("got %q (recovery %d), %v; want the current key %q from the list", key.KeyID, key.Recovery, err, id)
	}
}

// TestTLSFailuresAreFinal: a certificate this machine does not trust, or a server that does not
// speak TLS, is neither retried nor taken for a regeneration that may have been carried out.
func TestTLSFailuresAreFinal(t *testing.T) {
	t.Parallel()
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `[]`) }))
	t.Cleanup(untrusted.Close)
	plain := newServer(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `[]`) })
	for name, url := range map[string]string{
		"untrusted certificate": untrusted.URL,
		"server without TLS":    strings.Replace(plain.URL, "http://", "https://", 1),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			logger := &recordingLogger{}
			c := newClient(t, url, func(c *pilotstatus.Config) { c.MaxRetries = 3; c.Logger = logger })
			_, err := c.RegenerateAPIKey(context.Background(), "wn_1", "k_before")
			if !pilotstatus.IsTLSError(err) || errors.Is(err, pilotstatus.ErrOutcomeUnknown) {
				t.Fatalf("want a TLS error that regenerated nothing, got %v", err)
			}
			_, err = c.ListAPIKeys(context.Background())
			var te *pilotstatus.TransportError
			if !pilotstatus.IsTLSError(err) || !errors.As(err, &te) || te.Attempts != 1 {
				t.Fatalf("want a TLS error after one attempt, got %v", err)
			}
			if warns := logger.at(pilotstatus.LevelWarn); len(warns) != 0 {
				t.Fatalf("a TLS failure was retried: %v", warns[0].Msg)
			}
		})
	}
}
