package provider

import (
	"math/big"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// keyVersionAt is the key_version of a key created, or first seen, at t.
func keyVersionAt(t time.Time) types.Int64 {
	return types.Int64Value(t.UnixMilli())
}

// laterKeyVersion is the key_version of a key first seen at now that replaced a key
// of version prev: it never goes backwards, even if the clocks disagree.
func laterKeyVersion(prev types.Int64, now time.Time) types.Int64 {
	v := keyVersionAt(now)
	if !prev.IsNull() && !prev.IsUnknown() && v.ValueInt64() <= prev.ValueInt64() {
		return types.Int64Value(prev.ValueInt64() + 1)
	}
	return v
}

// keyVersionFromCreatedAt reads key_version from created_at, falling back to now
// when created_at is null or unreadable.
func keyVersionFromCreatedAt(createdAt types.String, now time.Time) types.Int64 {
	if !createdAt.IsNull() && !createdAt.IsUnknown() {
		if t, err := time.Parse(time.RFC3339Nano, createdAt.ValueString()); err == nil {
			return keyVersionAt(t)
		}
	}
	return keyVersionAt(now)
}

// schedule is when a key is due for rotation. Due times are rotation_anchor plus
// whole rotation periods; they never move with the time a key was actually made.
type schedule struct {
	// value is next_rotation_at: null without a rotation period, unknown while the
	// period, the anchor, the window or the key is unknown.
	value types.String
	// at is the due time when value is known.
	at time.Time
	// window is early_rotation_window: a plan this long before at, or later, rotates.
	window time.Duration
}

// schedule is the schedule of the key in m.
func (m numberAPIKeyModel) schedule() schedule {
	return nextRotation(m.KeyVersion, m.RotationAnchor, m.RotationPeriod, m.EarlyRotationWindow)
}

// nextRotation computes next_rotation_at of the key of version (when it was made,
// or first seen) under anchor, period and window. A null anchor stands for the key
// itself, as for a state written before the schedule had one.
func nextRotation(version types.Int64, anchor, period, window types.String) schedule {
	switch {
	case period.IsNull() || version.IsNull():
		return schedule{value: types.StringNull()}
	case period.IsUnknown() || version.IsUnknown() || anchor.IsUnknown() || window.IsUnknown():
		return schedule{value: types.StringUnknown()}
	}
	// The validators refuse bad values before any plan; ValidateConfig refuses a window
	// not shorter than the period.
	p, err := parseRotationPeriod(period.ValueString())
	if err != nil {
		return schedule{value: types.StringNull()}
	}
	var w time.Duration
	if !window.IsNull() {
		if w, err = parseEarlyRotationWindow(window.ValueString()); err != nil || w >= p {
			w = 0
		}
	}
	made := time.UnixMilli(version.ValueInt64())
	a := made
	if t, ok := parseAnchor(anchor); ok {
		a = t
	}
	at := nextDue(a, p, w, made).UTC()
	return schedule{value: types.StringValue(formatTime(at)), at: at, window: w}
}

// nextDue is the first due time anchor + k×period that lies more than window after
// made. A key made within the window before a due time, or at it, counts as that due
// time's rotation, so rotating early does not shorten the next cycle; a key made
// late does not move the next due time. k is any integer: an anchor in the future
// only sets the phase.
func nextDue(anchor time.Time, period, window time.Duration, made time.Time) time.Time {
	// made + window - anchor in nanoseconds may not fit an int64 (an anchor centuries
	// away); the remainder modulo the period (Euclidean: 0 <= r < period) does.
	from := made.Add(window)
	x := new(big.Int).Sub(unixNanos(from), unixNanos(anchor))
	r := new(big.Int).Mod(x, big.NewInt(int64(period)))
	return from.Add(period - time.Duration(r.Int64()))
}

func unixNanos(t time.Time) *big.Int {
	n := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(int64(time.Second)))
	return n.Add(n, big.NewInt(int64(t.Nanosecond())))
}

// due reports whether the rotation is due at now: at or after next_rotation_at minus
// the early rotation window.
func (s schedule) due(now time.Time) bool {
	return !s.value.IsNull() && !s.value.IsUnknown() && !now.Before(s.at.Add(-s.window))
}

// parseAnchor reads a known rotation_anchor.
func parseAnchor(anchor types.String) (time.Time, bool) {
	if anchor.IsNull() || anchor.IsUnknown() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, anchor.ValueString())
	return t, err == nil
}

// anchorAt is the rotation_anchor of a schedule anchored at the key of version.
func anchorAt(version types.Int64) types.String {
	if version.IsNull() || version.IsUnknown() {
		return types.StringUnknown()
	}
	return types.StringValue(formatTime(time.UnixMilli(version.ValueInt64())))
}

// plannedAnchor is the rotation_anchor planned for the key in state: the configured
// one; else the one in state; else, when the schedule is new or the state predates
// anchors, the time the key in state was made. Null without a rotation period.
func plannedAnchor(configured, state types.String, version types.Int64, period types.String) types.String {
	switch {
	case period.IsNull():
		return types.StringNull()
	case !configured.IsNull():
		return configured
	case !state.IsNull() && !state.IsUnknown():
		return state
	}
	return anchorAt(version)
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// anchorBook hands the rotation_anchor of a destroyed key to the create half of its
// replacement, within one apply. Terraform plans that create without the state, and
// at apply time without its private state either, so the anchor has no other way to
// reach it: the create half is planned with rotation_anchor unknown, and the destroy
// half, which runs first unless create_before_destroy is set, leaves the anchor here.
type anchorBook struct {
	mu       sync.Mutex
	byNumber map[string]string
}

func newAnchorBook() *anchorBook { return &anchorBook{byNumber: map[string]string{}} }

// keep records the anchor of numberID's destroyed key.
func (b *anchorBook) keep(numberID string, anchor types.String) {
	if anchor.IsNull() || anchor.IsUnknown() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.byNumber[numberID] = anchor.ValueString()
}

// take returns the anchor kept for numberID, once.
func (b *anchorBook) take(numberID string) (types.String, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.byNumber[numberID]
	delete(b.byNumber, numberID)
	return types.StringValue(a), ok
}
