package pilotstatus

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// countedFetch is a key list fetch that counts its calls and answers with keys, or with err while
// fail says so.
type countedFetch struct {
	calls atomic.Int32
	keys  []NumberKey
	fail  atomic.Bool
	wait  chan struct{} // when set, each call waits for it to close
}

func (f *countedFetch) fetch(context.Context) ([]NumberKey, error) {
	f.calls.Add(1)
	if f.wait != nil {
		<-f.wait
	}
	if f.fail.Load() {
		return nil, errors.New("boom")
	}
	return f.keys, nil
}

var twoKeys = []NumberKey{{NumberID: "wn_1", KeyID: "k_1"}, {NumberID: "wn_2", KeyID: "k_2"}}

// Any number of concurrent callers asking for any read share one list call, and later callers
// reuse it.
func TestKeyListSharesOneRead(t *testing.T) {
	t.Parallel()
	var w keyList
	f := &countedFetch{keys: twoKeys, wait: make(chan struct{})}
	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for i := range readers {
		wg.Go(func() {
			id := []string{"wn_1", "wn_2"}[i%2]
			r, err := w.read(context.Background(), time.Time{}, f.fetch)
			if err != nil {
				errs <- err
				return
			}
			if k, found := w.key(r, id); !found || k.NumberID != id {
				errs <- errors.New("wrong entry for " + id)
			}
		})
	}
	time.Sleep(10 * time.Millisecond) // let the readers pile up behind the one call
	close(f.wait)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r, err := w.read(context.Background(), time.Time{}, f.fetch)
	if _, found := w.key(r, "wn_9"); err != nil || found {
		t.Errorf("a number missing from the list: found %t, %v", found, err)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("%d readers made %d list calls, want 1", readers+1, got)
	}
}

// A read older than the moment a caller names is never reused: the caller gets a read that
// started at or after it, which later callers of any age then share.
func TestKeyListFreshRead(t *testing.T) {
	t.Parallel()
	var w keyList
	f := &countedFetch{keys: twoKeys}
	first, _ := w.read(context.Background(), time.Time{}, f.fetch)
	since := time.Now()
	fresh, err := w.read(context.Background(), since, f.fetch)
	if err != nil || fresh.start.Before(since) || f.calls.Load() != 2 {
		t.Fatalf("read since %v: started %v, %v after %d calls", since, fresh.start, err, f.calls.Load())
	}
	if again, _ := w.read(context.Background(), time.Time{}, f.fetch); again != fresh || again == first || f.calls.Load() != 2 {
		t.Errorf("a later caller did not reuse the newest read")
	}
}

// A failed read is given to every caller that waited for it, get and all alike, and is not kept:
// the next caller reads again.
func TestKeyListSharesAFailureAndForgetsIt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, keyListSharesAFailureAndForgetsIt)
}

func keyListSharesAFailureAndForgetsIt(t *testing.T) {
	var w keyList
	f := &countedFetch{keys: twoKeys, wait: make(chan struct{})}
	f.fail.Store(true)
	const callers = 20
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			_, err := w.read(context.Background(), time.Time{}, f.fetch)
			errs <- err
		})
	}
	synctest.Wait() // every caller waits for the one read in flight
	close(f.wait)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == nil || err.Error() != "boom" {
			t.Errorf("a caller got %v, want the failed read's error", err)
		}
	}
	if got := f.calls.Load(); got != 1 {
		t.Fatalf("%d callers made %d list calls, want 1", callers, got)
	}
	f.fail.Store(false)
	if r, err := w.read(context.Background(), time.Time{}, f.fetch); err != nil || len(r.keys) != 2 || f.calls.Load() != 2 {
		t.Errorf("the read after the failure: %v after %d calls", err, f.calls.Load())
	}
}

// A caller whose context ends stops waiting for the read in flight.
func TestKeyListWaiterHonoursItsContext(t *testing.T) {
	t.Parallel()
	var w keyList
	f := &countedFetch{keys: twoKeys, wait: make(chan struct{})}
	defer close(f.wait)
	go func() { _, _ = w.read(context.Background(), time.Time{}, f.fetch) }()
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.read(ctx, time.Time{}, f.fetch); !errors.Is(err, context.Canceled) {
		t.Errorf("a waiter with a cancelled context got %v", err)
	}
}

// A key the client regenerated replaces the listed one in every read that started before its
// answer, keeping the number's details; a read that started after it shows the API's own list.
func TestKeyListLaysRegeneratedKeysOver(t *testing.T) {
	t.Parallel()
	var w keyList
	f := &countedFetch{keys: []NumberKey{{NumberID: "wn_1", KeyID: "k_old", KeyLast4: "aaaa", Number: "5511"}, {NumberID: "wn_2", KeyID: "k_2"}}}
	before, _ := w.read(context.Background(), time.Time{}, f.fetch)
	w.record(RegeneratedKey{NumberID: "wn_1", KeyID: "k_new", KeyLast4: "bbbb", Key: "ps_new"}, time.Now())
	k, _ := w.key(before, "wn_1")
	if k.KeyID != "k_new" || k.KeyLast4 != "bbbb" || k.Key != "ps_new" || !k.Revealed() || k.Number != "5511" {
		t.Errorf("the list read before the regeneration shows %+v", k)
	}
	if all := w.all(before); all[0].KeyID != "k_new" || all[1].KeyID != "k_2" || before.keys[0].KeyID != "k_old" {
		t.Errorf("all = %+v, the read itself %+v", all, before.keys)
	}
	after, _ := w.read(context.Background(), time.Now(), f.fetch)
	if k, _ := w.key(after, "wn_1"); k.KeyID != "k_old" {
		t.Errorf("a read that started after the regeneration's answer shows %q, not the API's list", k.KeyID)
	}
}

// all keeps the API's order, and what a caller does to its copy does not reach the record.
func TestKeyListAllKeepsOrder(t *testing.T) {
	t.Parallel()
	var w keyList
	f := &countedFetch{keys: []NumberKey{{NumberID: "wn_c", KeyID: "k_c"}, {NumberID: "wn_a", KeyID: "k_a"}, {NumberID: "wn_b", KeyID: "k_b"}}}
	want := []string{"wn_c:k_c", "wn_a:k_a", "wn_b:k_b"}
	for range 3 {
		r, err := w.read(context.Background(), time.Time{}, f.fetch)
		if err != nil {
			t.Fatal(err)
		}
		got := w.all(r)
		ids := make([]string, 0, len(got))
		for _, k := range got {
			ids = append(ids, k.NumberID+":"+k.KeyID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("all = %v, want the API's order %v", ids, want)
		}
		got[0].KeyID = "changed by the caller"
	}
}
