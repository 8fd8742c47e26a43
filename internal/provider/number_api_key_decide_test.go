package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// keepersOf is a keepers map of name, value pairs.
func keepersOf(kv ...string) types.Map {
	elems := map[string]attr.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		elems[kv[i]] = types.StringValue(kv[i+1])
	}
	return types.MapValueMust(types.StringType, elems)
}

// decidedKey is the key in state of the decision table: number wn_1, made on made, stored.
func decidedKey(made time.Time) numberAPIKeyModel {
	return numberAPIKeyModel{
		ID: types.StringValue("wn_1"), WhatsAppNumberID: types.StringValue("wn_1"), Keepers: keepersOf("rotation", "1"),
		Key: types.StringValue(secretKey), KeyID: types.StringValue("k_1"), KeyPrefix: types.StringValue("ps_"),
		KeyLast4: types.StringValue("abcd"), KeyFingerprint: types.StringValue(keyFingerprint(secretKey)),
		CreatedAt: types.StringValue(formatTime(made)), KeyVersion: keyVersionAt(made),
		RotationPeriod: types.StringNull(), RotationAnchor: types.StringNull(), EarlyRotationWindow: types.StringNull(),
		NextRotationAt: types.StringNull(), OnDestroy: types.StringValue(onDestroyKeep),
		OnExternalRotation: types.StringValue(onExternalRotationRegenerate), StoreKey: types.BoolValue(true),
	}
}

// TestDecide is the decision of every plan the README describes, one row each: what the plan
// does with the key, and why.
func TestDecide(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	now := made.Add(10 * 24 * time.Hour)
	revealed := &pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_2", KeyLast4: "wxyz", Key: "ps_other", Revealable: true}
	legacy := &pilotstatus.NumberKey{NumberID: "wn_1", KeyID: "k_2", KeyLast4: "wxyz", Revealable: false}
	type change func(f *planFacts)
	inState := func(c ...change) []change { return c }
	plan := func(set func(m *numberAPIKeyModel)) change { return func(f *planFacts) { set(&f.plan) } }
	state := func(set func(m *numberAPIKeyModel)) change { return func(f *planFacts) { set(f.state) } }
	scheduled := func(period string) change {
		return func(f *planFacts) {
			f.plan.RotationPeriod = types.StringValue(period)
			f.state.RotationPeriod = types.StringValue(period)
			f.state.RotationAnchor = anchorAt(f.state.KeyVersion)
		}
	}
	at := func(d time.Duration) change { return func(f *planFacts) { f.now = made.Add(d) } }
	rotatedTo := func(current *pilotstatus.NumberKey) change {
		return func(f *planFacts) { f.rotatedTo, f.current = "wxyz", current }
	}
	adopt := plan(func(m *numberAPIKeyModel) { m.OnExternalRotation = types.StringValue(onExternalRotationAdopt) })
	cases := []struct {
		name    string
		changes []change
		create  bool
		action  keyAction
		reason  planReason
		// next is the planned next_rotation_at of a kept key ("" for none).
		next string
	}{
		{name: "create", create: true, action: actionRegenerate, reason: reasonCreate},
		{name: "two resources for one number", changes: inState(func(f *planFacts) { f.duplicate = true }), action: actionRefuse, reason: reasonDuplicate},
		{name: "nothing changes", action: actionKeep, reason: reasonUnchanged},
		{name: "on_destroy changes in place", changes: inState(plan(func(m *numberAPIKeyModel) { m.OnDestroy = types.StringValue(onDestroyInvalidate) })),
			action: actionKeep, reason: reasonUnchanged},
		// keepers
		{name: "keepers change", changes: inState(plan(func(m *numberAPIKeyModel) { m.Keepers = keepersOf("rotation", "2") })),
			action: actionRegenerate, reason: reasonKeepers},
		{name: "keepers known after apply", changes: inState(plan(func(m *numberAPIKeyModel) { m.Keepers = types.MapUnknown(types.StringType) })),
			action: actionRegenerate, reason: reasonKeepers},
		{name: "keepers removed", changes: inState(plan(func(m *numberAPIKeyModel) { m.Keepers = keepersOf() })),
			action: actionRegenerate, reason: reasonKeepers},
		{name: "unset and {} are the same", changes: inState(state(func(m *numberAPIKeyModel) { m.Keepers = types.MapNull(types.StringType) }),
			plan(func(m *numberAPIKeyModel) { m.Keepers = keepersOf() })), action: actionKeep, reason: reasonUnchanged},
		{name: "the first keepers after an import are recorded in place", changes: inState(func(f *planFacts) {
			f.imported, f.state.Keepers = true, keepersOf()
		}), action: actionKeep, reason: reasonUnchanged},
		{name: "keepers after the first ones regenerate", changes: inState(plan(func(m *numberAPIKeyModel) { m.Keepers = keepersOf("rotation", "2") }),
			func(f *planFacts) { f.imported = false }), action: actionRegenerate, reason: reasonKeepers},
		// the number
		{name: "another number", changes: inState(plan(func(m *numberAPIKeyModel) { m.WhatsAppNumberID = types.StringValue("wn_2") })),
			action: actionRegenerate, reason: reasonNumber},
		{name: "a number known after apply", changes: inState(plan(func(m *numberAPIKeyModel) { m.WhatsAppNumberID = types.StringUnknown() })),
			action: actionRegenerate, reason: reasonNumber},
		// a key regenerated outside Terraform
		{name: "rotated outside Terraform", changes: inState(rotatedTo(nil)), action: actionRegenerate, reason: reasonElsewhere},
		{name: "rotated outside Terraform, adopted", changes: inState(adopt, rotatedTo(revealed)), action: actionAdopt, reason: reasonAdoptable},
		{name: "rotated outside Terraform, adoption asked, not revealed", changes: inState(adopt, rotatedTo(legacy)),
			action: actionRegenerate, reason: reasonUnrevealed},
		{name: "rotated outside Terraform, adoption asked, new keepers", changes: inState(adopt, rotatedTo(revealed),
			plan(func(m *numberAPIKeyModel) { m.Keepers = keepersOf("rotation", "2") })), action: actionRegenerate, reason: reasonKeepers},
		// the schedule
		{name: "not due yet", changes: inState(scheduled("30d"), at(29*24*time.Hour)), action: actionKeep, reason: reasonUnchanged,
			next: "2026-07-01T00:00:00Z"},
		{name: "due", changes: inState(scheduled("30d"), at(30*24*time.Hour)), action: actionRegenerate, reason: reasonSchedule},
		{name: "within the early window", changes: inState(scheduled("30d"), at(29*24*time.Hour),
			plan(func(m *numberAPIKeyModel) { m.EarlyRotationWindow = types.StringValue("1d") })), action: actionRegenerate, reason: reasonSchedule},
		{name: "a new schedule the key is already due for", changes: inState(at(40*24*time.Hour),
			plan(func(m *numberAPIKeyModel) { m.RotationPeriod = types.StringValue("30d") })), action: actionRegenerate, reason: reasonSchedule},
		{name: "a longer period moves the due time", changes: inState(scheduled("30d"), at(35*24*time.Hour),
			plan(func(m *numberAPIKeyModel) { m.RotationPeriod = types.StringValue("60d") })), action: actionKeep, reason: reasonUnchanged,
			next: "2026-07-31T00:00:00Z"},
		{name: "a configured anchor moves the due time", changes: inState(scheduled("30d"), at(10*24*time.Hour), func(f *planFacts) {
			f.configuredAnchor = types.StringValue("2026-06-15T00:00:00Z")
		}), action: actionKeep, reason: reasonUnchanged, next: "2026-06-15T00:00:00Z"},
		{name: "a configured anchor the key is already due for", changes: inState(scheduled("30d"), at(20*24*time.Hour), func(f *planFacts) {
			f.configuredAnchor = types.StringValue("2026-06-15T00:00:00Z")
		}), action: actionRegenerate, reason: reasonSchedule},
		// store_key
		{name: "store_key true to false", changes: inState(plan(func(m *numberAPIKeyModel) { m.StoreKey = types.BoolValue(false) })),
			action: actionKeep, reason: reasonUnchanged},
		{name: "store_key false to true", changes: inState(state(func(m *numberAPIKeyModel) {
			m.StoreKey, m.Key, m.KeyID = types.BoolValue(false), types.StringNull(), types.StringNull()
		})), action: actionStore, reason: reasonStoreKey},
		{name: "store_key known after apply, no key in state", changes: inState(state(func(m *numberAPIKeyModel) {
			m.StoreKey, m.Key, m.KeyID = types.BoolValue(false), types.StringNull(), types.StringNull()
		}), plan(func(m *numberAPIKeyModel) { m.StoreKey = types.BoolUnknown() })), action: actionStore, reason: reasonStoreKey},
		{name: "after an import with store_key = true", changes: inState(func(f *planFacts) {
			f.imported, f.state.Keepers, f.state.StoreKey, f.state.Key, f.state.KeyID = true, keepersOf(), types.BoolValue(false), types.StringNull(), types.StringNull()
			f.plan.Keepers = keepersOf()
		}), action: actionStore, reason: reasonStoreKey},
		{name: "store_key stays false", changes: inState(state(func(m *numberAPIKeyModel) {
			m.StoreKey, m.Key, m.KeyID = types.BoolValue(false), types.StringNull(), types.StringNull()
		}), plan(func(m *numberAPIKeyModel) { m.StoreKey = types.BoolValue(false) })), action: actionKeep, reason: reasonUnchanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := decidedKey(made)
			f := planFacts{plan: s, state: &s, now: now, configuredAnchor: types.StringNull()}
			if tc.create {
				f.state = nil
			}
			for _, c := range tc.changes {
				c(&f)
			}
			in := decide(f)
			if in.action != tc.action || in.reason != tc.reason {
				t.Fatalf("decide = %s (%s), want %s (%s)", in.action, in.reason, tc.action, tc.reason)
			}
			if tc.next != "" && in.next.value.ValueString() != tc.next {
				t.Errorf("next_rotation_at = %s, want %s", in.next.value, tc.next)
			}
		})
	}
}

// A create's anchor: the configured one, else known after apply; null without a schedule. A key
// in state keeps its anchor; a new schedule anchors at the key in state.
func TestDecideAnchor(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s := decidedKey(made)
	create := planFacts{plan: s, configuredAnchor: types.StringNull(), now: made}
	if a := decide(create).anchor; !a.IsNull() {
		t.Errorf("a create without a schedule plans the anchor %s", a)
	}
	create.plan.RotationPeriod = types.StringValue("30d")
	if a := decide(create).anchor; !a.IsUnknown() {
		t.Errorf("a scheduled create plans the anchor %s, want known after apply", a)
	}
	create.configuredAnchor = types.StringValue("2026-01-01T00:00:00Z")
	if a := decide(create).anchor; a.ValueString() != "2026-01-01T00:00:00Z" {
		t.Errorf("a create with a configured anchor plans %s", a)
	}
	kept := planFacts{plan: s, state: &s, configuredAnchor: types.StringNull(), now: made}
	kept.plan.RotationPeriod = types.StringValue("30d")
	if a := decide(kept).anchor; a.ValueString() != "2026-06-01T00:00:00Z" {
		t.Errorf("a new schedule anchors at %s, want the key in state's 2026-06-01T00:00:00Z", a)
	}
	anchored := s
	anchored.RotationPeriod, anchored.RotationAnchor = types.StringValue("30d"), types.StringValue("2025-01-01T00:00:00Z")
	kept = planFacts{plan: anchored, state: &anchored, configuredAnchor: types.StringNull(), now: made}
	if a := decide(kept).anchor; a.ValueString() != "2025-01-01T00:00:00Z" {
		t.Errorf("a key in state keeps its anchor, got %s", a)
	}
}

// The plan reads the number's key for a decision only when an adoption hinges on it: not when a new
// number or new keepers regenerate the key anyway.
func TestNeedsCurrentKey(t *testing.T) {
	t.Parallel()
	made := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		change func(f *planFacts)
		want   bool
	}{
		{"rotated outside Terraform, adoption asked", func(*planFacts) {}, true},
		{"not rotated", func(f *planFacts) { f.rotatedTo = "" }, false},
		{"adoption not asked", func(f *planFacts) { f.plan.OnExternalRotation = types.StringValue(onExternalRotationRegenerate) }, false},
		{"new keepers", func(f *planFacts) { f.plan.Keepers = keepersOf("rotation", "2") }, false},
		{"another number", func(f *planFacts) { f.plan.WhatsAppNumberID = types.StringValue("wn_2") }, false},
		{"a create", func(f *planFacts) { f.state = nil }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := decidedKey(made)
			f := planFacts{plan: s, state: &s, rotatedTo: "wxyz", now: made}
			f.plan.OnExternalRotation = types.StringValue(onExternalRotationAdopt)
			tc.change(&f)
			if got := f.needsCurrentKey(); got != tc.want {
				t.Errorf("needsCurrentKey = %t, want %t", got, tc.want)
			}
		})
	}
}
