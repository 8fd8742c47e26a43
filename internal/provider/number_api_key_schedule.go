package provider

import (
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

// schedule is when a key is due for rotation.
type schedule struct {
	// value is next_rotation_at: null without a rotation period, unknown while the
	// period or the key is unknown.
	value types.String
	// at is the due time when value is known.
	at time.Time
}

// nextRotation computes next_rotation_at from key_version (when the key was made)
// and rotation_period.
func nextRotation(version types.Int64, period types.String) schedule {
	switch {
	case period.IsNull() || version.IsNull():
		return schedule{value: types.StringNull()}
	case period.IsUnknown() || version.IsUnknown():
		return schedule{value: types.StringUnknown()}
	}
	d, err := parseRotationPeriod(period.ValueString())
	if err != nil {
		// The validator refuses such a value before any plan.
		return schedule{value: types.StringNull()}
	}
	at := time.UnixMilli(version.ValueInt64()).Add(d).UTC()
	return schedule{value: types.StringValue(formatTime(at)), at: at}
}

// due reports whether the rotation is due at now.
func (s schedule) due(now time.Time) bool {
	return !s.value.IsNull() && !s.value.IsUnknown() && !now.Before(s.at)
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
