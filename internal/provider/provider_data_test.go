package provider

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestKeyCacheSharesOneCall(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	release := make(chan struct{})
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		calls.Add(1)
		<-release
		return []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1"}, {NumberID: "wn_2", KeyID: "k_2"}}, nil
	})
	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"wn_1", "wn_2"}[i%2]
			k, found, err := cache.get(context.Background(), id)
			switch {
			case err != nil:
				errs <- err
			case !found || k.NumberID != id:
				errs <- errors.New("wrong entry for " + id)
			}
		}()
	}
	time.Sleep(10 * time.Millisecond) // let readers pile up behind the one call
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("%d readers made %d list calls, want 1", readers, got)
	}
	if _, found, _ := cache.get(context.Background(), "wn_9"); found {
		t.Error("a number missing from the list was found")
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("a later read made another list call (%d)", got)
	}
}

func TestKeyCacheDoesNotCacheErrors(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("boom")
		}
		return []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1"}}, nil
	})
	if _, _, err := cache.get(context.Background(), "wn_1"); err == nil {
		t.Fatal("the failed list call returned no error")
	}
	k, found, err := cache.get(context.Background(), "wn_1")
	if err != nil || !found || k.KeyID != "k_1" {
		t.Fatalf("second read: %v %v %v", k, found, err)
	}
}

// Callers that wait for a list call that fails all get its error, from get and all alike, and
// the failure is not kept: the next caller lists again.
func TestKeyCacheWaitersShareAFailure(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-release
			return nil, errors.New("boom")
		}
		return []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_1"}}, nil
	})
	const callers = 20
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _, err := cache.get(context.Background(), "wn_1")
				errs <- err
				return
			}
			_, err := cache.all(context.Background())
			errs <- err
		}()
		if i == 0 {
			<-started // the others join the call in flight
		}
	}
	time.Sleep(10 * time.Millisecond) // let the callers pile up behind the one call
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == nil || err.Error() != "boom" {
			t.Errorf("a caller got %v, want the failed call's error", err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("%d callers made %d list calls, want 1", callers, got)
	}
	if k, found, err := cache.get(context.Background(), "wn_1"); err != nil || !found || k.KeyID != "k_1" {
		t.Errorf("the read after the failure: %v %v %v", k, found, err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("made %d list calls, want 2 (the failed one, then one more)", got)
	}
}

func TestKeyCacheSeesRegeneratedKeys(t *testing.T) {
	t.Parallel()
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		return []pilotstatus.NumberKey{{NumberID: "wn_1", KeyID: "k_old", KeyLast4: "aaaa", Number: "5511"}}, nil
	})
	if _, _, err := cache.get(context.Background(), "wn_1"); err != nil {
		t.Fatal(err)
	}
	cache.regenerated(pilotstatus.RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "bbbb", Key: "ps_new"})
	k, _, _ := cache.get(context.Background(), "wn_1")
	if k.KeyID != "k_new" || k.KeyLast4 != "bbbb" || k.Key != "ps_new" || !k.Revealable || k.Number != "5511" {
		t.Errorf("cache after regeneration: %+v", k)
	}
}

func TestKeyCacheWaiterHonoursItsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		close(started)
		<-release
		return nil, nil
	})
	go func() { _, _, _ = cache.get(context.Background(), "wn_1") }()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := cache.get(ctx, "wn_1"); !errors.Is(err, context.Canceled) {
		t.Errorf("a waiter with a cancelled context got %v", err)
	}
}

func TestClaimSet(t *testing.T) {
	t.Parallel()
	s := newClaimSet()
	if !s.claim("wn_1") {
		t.Fatal("first claim refused")
	}
	if s.claim("wn_1") {
		t.Error("second claim of the same number accepted")
	}
	if !s.claim("wn_2") {
		t.Error("claim of another number refused")
	}
}

func TestKeyCacheAll(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := atomic.Bool{}
	fail.Store(true)
	cache := newKeyCache(func(context.Context) ([]pilotstatus.NumberKey, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("boom")
		}
		return []pilotstatus.NumberKey{
			{NumberID: "wn_c", KeyID: "k_c"},
			{NumberID: "wn_a", KeyID: "k_a"},
			{NumberID: "wn_b", KeyID: "k_b"},
		}, nil
	})
	if _, err := cache.all(context.Background()); err == nil {
		t.Fatal("all returned no error for a failed list call")
	}
	fail.Store(false)
	want := []string{"wn_c:k_c", "wn_a:k_a", "wn_b:k_b"}
	for range 3 {
		got, err := cache.all(context.Background())
		if err != nil {
			t.Fatalf("all after a failed call: %v", err)
		}
		ids := make([]string, 0, len(got))
		for _, k := range got {
			ids = append(ids, k.NumberID+":"+k.KeyID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("all = %v, want the API's order %v", ids, want)
		}
		got[0].KeyID = "changed by the caller"
	}
	if _, _, err := cache.get(context.Background(), "wn_a"); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("made %d list calls, want 2 (the failed one, then one for every later read)", got)
	}
}
