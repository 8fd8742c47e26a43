package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// The decision of a plan: what it does with the key of a pilotstatus_number_api_key. decide is a
// pure function of what the plan knows (planFacts); ModifyPlan gathers the facts, reading the key
// list only where the decision needs it, applies the intent in one place (applyIntent) and records
// the action in the planned private state, where Update reads it back.

// keyAction is what a plan does with the key.
type keyAction string

const (
	// actionRegenerate: a create, or a replacement; the create regenerates the key.
	actionRegenerate keyAction = "regenerate"
	// actionAdopt: the apply takes the key regenerated outside Terraform from the key list into
	// state, in place (on_external_rotation = "adopt").
	actionAdopt keyAction = "adopt"
	// actionStore: the key stays; the apply takes it and its id from the key list into state, in
	// place, as state has none of them (after an import, or store_key turned back on).
	actionStore keyAction = "store"
	// actionKeep: the key stays; other arguments may change in place.
	actionKeep keyAction = "keep"
	// actionRefuse: the plan fails.
	actionRefuse keyAction = "refuse"
)

// planReason says why a plan does what it does.
type planReason string

const (
	reasonCreate     planReason = "create"
	reasonNumber     planReason = "whatsapp_number_id changed"
	reasonKeepers    planReason = "keepers changed"
	reasonElsewhere  planReason = "regenerated outside Terraform"
	reasonUnrevealed planReason = "regenerated outside Terraform; the key list does not reveal the new key to adopt"
	reasonAdoptable  planReason = "regenerated outside Terraform; on_external_rotation = adopt"
	reasonSchedule   planReason = "due for its scheduled rotation"
	reasonStoreKey   planReason = "store_key = true and state holds no key"
	reasonUnchanged  planReason = "nothing asks for another key"
	reasonDuplicate  planReason = "another resource of this provider configuration manages the number"
)

// planFacts is what a plan knows when it decides.
type planFacts struct {
	// plan is the proposed object: the configuration with the schema's defaults.
	plan numberAPIKeyModel
	// state is the object in state; nil for a create (or the create half of a replacement).
	state *numberAPIKeyModel
	// configuredAnchor is rotation_anchor as the configuration sets it (null when unset).
	configuredAnchor types.String
	// imported: state came from an import that has not recorded keepers yet.
	imported bool
	// rotatedTo is the last four characters of the number's key when the refresh found it
	// regenerated outside Terraform; "" otherwise.
	rotatedTo string
	// current is the number's key in the key list; read only for an adoption (rotatedTo set and
	// on_external_rotation = "adopt").
	current *pilotstatus.NumberKey
	// duplicate: another resource of this provider configuration plans the same number.
	duplicate bool
	now       time.Time
}

// intent is the decision: the action, why, and the schedule the plan shows.
type intent struct {
	action keyAction
	reason planReason
	// anchor is the planned rotation_anchor.
	anchor types.String
	// next is the schedule of the key when it stays (actionKeep, actionStore).
	next schedule
}

// decide is the plan's decision, in this order: a duplicate is refused; a create regenerates; a new
// number or new keepers regenerate; a key regenerated outside Terraform is adopted, when asked and
// the list reveals it, else regenerated; a due schedule regenerates; a key that state should hold
// but does not is stored; anything else keeps the key.
func decide(f planFacts) intent {
	switch {
	case f.duplicate:
		return intent{action: actionRefuse, reason: reasonDuplicate}
	case f.state == nil:
		return intent{action: actionRegenerate, reason: reasonCreate, anchor: createAnchor(f.plan, f.configuredAnchor)}
	}
	s := *f.state
	anchor := plannedAnchor(f.configuredAnchor, s.RotationAnchor, s.KeyVersion, f.plan.RotationPeriod)
	next := nextRotation(s.KeyVersion, anchor, f.plan.RotationPeriod, f.plan.EarlyRotationWindow)
	act := func(a keyAction, why planReason) intent {
		return intent{action: a, reason: why, anchor: anchor, next: next}
	}
	adopts := f.plan.OnExternalRotation.ValueString() == onExternalRotationAdopt
	switch {
	case !f.plan.WhatsAppNumberID.Equal(s.WhatsAppNumberID):
		return act(actionRegenerate, reasonNumber)
	case keepersForceNewKey(s.Keepers, f.plan.Keepers, f.imported):
		return act(actionRegenerate, reasonKeepers)
	case f.rotatedTo != "" && adopts && f.current != nil && f.current.Revealed():
		return act(actionAdopt, reasonAdoptable)
	case f.rotatedTo != "" && adopts:
		return act(actionRegenerate, reasonUnrevealed)
	case f.rotatedTo != "":
		return act(actionRegenerate, reasonElsewhere)
	case next.due(f.now):
		return act(actionRegenerate, reasonSchedule)
	case storesKey(f.plan.StoreKey) && s.KeyID.IsNull():
		return act(actionStore, reasonStoreKey)
	}
	return act(actionKeep, reasonUnchanged)
}

// createAnchor is the rotation_anchor of a create: the configured one, else known after apply (the
// replaced key's anchor, or the new key's created_at); null without a rotation period.
func createAnchor(plan numberAPIKeyModel, configured types.String) types.String {
	switch {
	case plan.RotationPeriod.IsNull():
		return types.StringNull()
	case !configured.IsNull():
		return configured
	}
	return types.StringUnknown()
}

// needsCurrentKey reports whether decide needs the number's key from the key list: only to know
// whether a key regenerated outside Terraform can be adopted, when neither a new number nor new
// keepers regenerate it anyway.
func (f planFacts) needsCurrentKey() bool {
	return f.state != nil && f.rotatedTo != "" && f.plan.OnExternalRotation.ValueString() == onExternalRotationAdopt &&
		f.plan.WhatsAppNumberID.Equal(f.state.WhatsAppNumberID) && !keepersForceNewKey(f.state.Keepers, f.plan.Keepers, f.imported)
}

// keepersForceNewKey reports whether a change of keepers from state to plan regenerates the key:
// any change does, except between null and {}, and except the first keepers recorded after an
// import.
func keepersForceNewKey(state, plan types.Map, imported bool) bool {
	switch {
	case isEmptyMap(state) && isEmptyMap(plan):
		return false
	case plan.Equal(state):
		return false
	case imported && isEmptyMap(state) && !plan.IsUnknown():
		return false
	}
	return true
}

// isEmptyMap reports whether v is null or a known map without elements.
func isEmptyMap(v types.Map) bool {
	return v.IsNull() || (!v.IsUnknown() && len(v.Elements()) == 0)
}
