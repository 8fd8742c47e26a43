package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// numberAPIKeyModel maps the pilotstatus_number_api_key schema.
type numberAPIKeyModel struct {
	ID                  types.String `tfsdk:"id"`
	WhatsAppNumberID    types.String `tfsdk:"whatsapp_number_id"`
	Keepers             types.Map    `tfsdk:"keepers"`
	Key                 types.String `tfsdk:"key"`
	KeyID               types.String `tfsdk:"key_id"`
	KeyPrefix           types.String `tfsdk:"key_prefix"`
	KeyLast4            types.String `tfsdk:"key_last4"`
	CreatedAt           types.String `tfsdk:"created_at"`
	KeyVersion          types.Int64  `tfsdk:"key_version"`
	RotationPeriod      types.String `tfsdk:"rotation_period"`
	RotationAnchor      types.String `tfsdk:"rotation_anchor"`
	EarlyRotationWindow types.String `tfsdk:"early_rotation_window"`
	NextRotationAt      types.String `tfsdk:"next_rotation_at"`
	OnDestroy           types.String `tfsdk:"on_destroy"`
	OnExternalRotation  types.String `tfsdk:"on_external_rotation"`
	StoreKey            types.Bool   `tfsdk:"store_key"`
	KeyFingerprint      types.String `tfsdk:"key_fingerprint"`
}

// The values of on_destroy and on_external_rotation, each defined once for the
// validator and the description.
const (
	onDestroyKeep       = "keep"
	onDestroyInvalidate = "invalidate"

	onExternalRotationRegenerate = "regenerate"
	onExternalRotationAdopt      = "adopt"
)

var (
	onDestroyValues          = []string{onDestroyKeep, onDestroyInvalidate}
	onExternalRotationValues = []string{onExternalRotationRegenerate, onExternalRotationAdopt}
)

// computedFromKey lists the string attributes that change only when the key is
// regenerated; key_version and next_rotation_at change with them, and so do the
// credentials when state keeps them.
var computedFromKey = []string{"key_prefix", "key_last4", "created_at", "key_fingerprint"}

// credentialAttributes are the attributes that hold a credential: state keeps them only with
// store_key = true.
var credentialAttributes = []string{"key", "key_id"}

func numberAPIKeySchema() schema.Schema { //nolint:funlen // a declaration: one attribute after another, each with its description
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		Version: numberAPIKeySchemaVersion,
		MarkdownDescription: "Owns the API key of one Pilot Status WhatsApp number. Pilot Status keeps exactly one key per number " +
			"and can only **regenerate** it: creating or replacing this resource calls `POST /v1/api-keys`, which invalidates " +
			"the number's previous key at once and returns the new key one time only. By default the key is stored in state as a " +
			"sensitive attribute; with `store_key = false` state holds neither the key nor its id, and consumers take the key " +
			"from the `pilotstatus_number_api_key` ephemeral resource. Destroying it makes no API call by default, so the key " +
			"stays valid; with `on_destroy = \"" + onDestroyInvalidate + "\"` destroying regenerates the key and discards the new " +
			"one, so the key in state stops working.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Equals `whatsapp_number_id`.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"whatsapp_number_id": schema.StringAttribute{
				MarkdownDescription: "The id of the WhatsApp number whose key this resource owns (for example `wn_1`). " +
					"Changing it regenerates the key of the new number; the previous number's key stays valid. " +
					"Must not be blank or have leading or trailing white space.",
				Required: true,
				Validators: []validator.String{
					// Also refuses "": one error, naming the problem.
					notBlankValidator,
				},
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; adding, changing or removing any entry regenerates the key. An unset map and `{}` are the same. " +
					"A value must be a string, never null (a plan may show null and `\"\"` alike): use `\"\"` for an empty one. " +
					"The values are shown in plan output in clear text: never put a secret here. " +
					"Use a `time_rotating` id here to rotate on a schedule. After an import, the first keepers set are recorded " +
					"without regenerating.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				PlanModifiers: []planmodifier.Map{
					keepersPlanModifier{},
				},
				Validators: []validator.Map{
					keepersValidator{},
				},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The raw API key (`ps_...`), from the answer of the regeneration, or from the key list after an import or an adoption. " +
					"Null after importing a key the API does not reveal (a legacy key): `terraform apply -replace=<address>` " +
					"regenerates it, invalidating the current key, and stores a usable one. Null with `store_key = false`. " +
					"An import stores no key: the first apply with `store_key = true` takes it from the key list, without regenerating.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"key_id": schema.StringAttribute{
				MarkdownDescription: "The id of the current key; it changes with every regeneration and adoption. It is a credential: the API " +
					"accepts a key id in place of the key (header `x-api-key-id`), so it is sensitive like `key`, and an " +
					"`output` of it must be marked `sensitive = true`. Name a key in logs and outputs by `key_last4`. " +
					"Null with `store_key = false`.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"key_prefix": schema.StringAttribute{
				MarkdownDescription: "The key's prefix, `ps_`. Null after importing a key the API does not reveal.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"key_last4": schema.StringAttribute{
				MarkdownDescription: "The last four characters of the key, safe to show.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the key was generated (RFC 3339), as the regeneration's answer says. Null after an import or an adoption: the key list does not include it.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"key_version": schema.Int64Attribute{
				MarkdownDescription: "A number that grows with every regeneration, also across replacements: the key's `created_at` " +
					"in milliseconds since the Unix epoch, or the time Terraform first saw the key when the API does not say when " +
					"it was created (after an import or an adoption). Use it as the `*_wo_version` of a write-only argument, such " +
					"as `secret_string_wo_version` of `aws_secretsmanager_secret_version`, so the secret is rewritten exactly when the key changes.",
				Computed: true,
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
				},
			},
			"rotation_period": schema.StringAttribute{
				MarkdownDescription: "Rotates the key on a schedule that does not drift: the key is due at `rotation_anchor` " +
					"plus whole periods, and the first plan at or after a due time (or within `early_rotation_window` before " +
					"it) replaces this resource (`-/+`), which regenerates the key, and says the rotation is scheduled. The " +
					"value is " + rotationPeriodForms + ". Changing it does not regenerate the key; it moves `next_rotation_at`, " +
					"and if the rotation is then already due, the plan rotates the key. Unset (the default): no schedule.",
				Optional: true,
				Validators: []validator.String{
					rotationPeriodValidator,
				},
			},
			"rotation_anchor": schema.StringAttribute{
				MarkdownDescription: "Where the schedule's due times are counted from (RFC 3339): they are `rotation_anchor` plus " +
					"whole `rotation_period`s, before or after it, so a key rotated early or late does not move the next due " +
					"time. Unset, it is the `created_at` of the first key made under the schedule (the key in state when " +
					"`rotation_period` is first set, the time of the import after an import), and it stays in state across " +
					"rotations and adoptions; removing it from the configuration keeps the anchor in state. Changing it does " +
					"not regenerate the key: it moves `next_rotation_at`. Needs `rotation_period`; null without it.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					rotationAnchorValidator,
					stringvalidator.AlsoRequires(path.MatchRoot("rotation_period")),
				},
			},
			"early_rotation_window": schema.StringAttribute{
				MarkdownDescription: "Lets the first plan within this long before a due time rotate the key, for plans that run on " +
					"a schedule (a daily CI job with `\"1d\"`): the rotation then happens in [due time - window, due time] " +
					"instead of up to one job interval late, and the next due time stays where it was. Same forms as " +
					"`rotation_period`, and shorter than it. Changing it does not regenerate the key. Needs `rotation_period`. " +
					"Unset (the default): no early rotation.",
				Optional: true,
				Validators: []validator.String{
					earlyRotationWindowValidator,
					stringvalidator.AlsoRequires(path.MatchRoot("rotation_period")),
				},
			},
			"next_rotation_at": schema.StringAttribute{
				MarkdownDescription: "When the key is due for its scheduled rotation (RFC 3339): the first `rotation_anchor` plus " +
					"a whole number of `rotation_period`s that is more than `early_rotation_window` after the key was made " +
					"(see `key_version`). A plan made at or after `next_rotation_at` minus `early_rotation_window` rotates the " +
					"key. Null without `rotation_period`.",
				Computed: true,
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying this resource does to the key. `" + onDestroyKeep + "` (the default): no API call; " +
					"the key stays valid. `" + onDestroyInvalidate + "`: regenerate the key and discard the new one, so the key " +
					"Terraform handed out stops working. It invalidates only while the number's current key is still this " +
					"resource's key (by `key_id`, or by `key_fingerprint` with `store_key = false`), so a `create_before_destroy` " +
					"replacement never kills the key it just made. " +
					"Like any argument, a change must be applied before it takes effect on destroy.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(onDestroyKeep),
				Validators: []validator.String{
					stringvalidator.OneOf(onDestroyValues...),
				},
			},
			"on_external_rotation": schema.StringAttribute{
				MarkdownDescription: "What a refresh does when the number's key was regenerated outside Terraform. `" +
					onExternalRotationRegenerate + "` (the default): the next plan replaces this resource, regenerating the key, " +
					"so Terraform again holds the only valid key. `" + onExternalRotationAdopt + "`: take the new key into state " +
					"from the key list without regenerating, so resources that use it update; when the API does not reveal the " +
					"new key, fall back to regenerating, with a warning. The value in the configuration decides the plan it is in: " +
					"switching to `" + onExternalRotationAdopt + "` after an outside rotation plans an in-place adoption, not a " +
					"replacement.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(onExternalRotationRegenerate),
				Validators: []validator.String{
					stringvalidator.OneOf(onExternalRotationValues...),
				},
			},
			"store_key": schema.BoolAttribute{
				MarkdownDescription: "Whether state keeps the key and its id (`key`, `key_id`). `true` (the default): both are in " +
					"state, as sensitive values. `false`: neither is, in attributes or private state; state keeps only " +
					"`key_last4`, `key_version`, `created_at` and `key_fingerprint`, which is enough for drift detection, import, " +
					"the schedule, `on_destroy` and `on_external_rotation`. Consumers then take the key from " +
					"`ephemeral \"pilotstatus_number_api_key\"` (with `key_fingerprint` set from this resource) into write-only " +
					"arguments, with `key_version` as their version. Changing `true` to `false` removes the key from state in " +
					"place, without regenerating; earlier state versions and backups still hold it. Changing `false` to `true` " +
					"stores the current key in place, from the key list, without regenerating (null for a legacy key the API " +
					"does not reveal). Needs a key the API reveals to be handed on: a legacy key must be regenerated first.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"key_fingerprint": schema.StringAttribute{
				MarkdownDescription: "A one-way fingerprint of the current key, safe to show: `sha256:` followed by the hex " +
					"SHA-256 of the raw key (`printf %s \"$KEY\" | sha256sum` gives the same hex). It changes with every " +
					"regeneration. Pass it to the ephemeral resource's `key_fingerprint`, so that the ephemeral key is this " +
					"resource's key: opened after a rotation in the same apply, never the key that just stopped working. " +
					"Null for a legacy key the API does not reveal.",
				Computed:      true,
				PlanModifiers: keep,
			},
		},
	}
}
