package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringValidator is every string validator of the provider: check runs on a known, non-null
// value and returns the diagnostic that refuses it, or nil.
type stringValidator struct {
	description string
	check       func(p path.Path, v string) diag.Diagnostic
}

var _ validator.String = stringValidator{}

func (v stringValidator) Description(context.Context) string { return v.description }

func (v stringValidator) MarkdownDescription(context.Context) string { return v.description }

func (v stringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d := v.check(req.Path, req.ConfigValue.ValueString()); d != nil {
		resp.Diagnostics.Append(d)
	}
}

// durationValidator accepts a positive Go duration string.
var durationValidator = stringValidator{
	description: "value must be a positive duration such as 30s or 2m",
	check: func(p path.Path, v string) diag.Diagnostic {
		if _, err := parsePositiveDuration(v); err != nil {
			return invalidDuration(p, err)
		}
		return nil
	},
}

// rotationPeriodForms is shown wherever a rotation period is explained or refused.
const rotationPeriodForms = `a positive number followed by a unit: "s" (seconds), "m" (minutes), "h" (hours) ` +
	`or "d" (days of 24 hours), optionally combined and with decimals, such as "90s", "720h", "30d", "1d12h" or "1.5h"`

// rotationPeriodPart is one number-and-unit of a rotation period.
var rotationPeriodPart = regexp.MustCompile(`^(\d+(?:\.\d+)?|\.\d+)(d|h|m|s)`)

// parseRotationPeriod reads a rotation period: Go's s, m and h units, plus d for
// 24 hours, in any combination ("1d12h"). Sub-second units are refused: a key
// rotated more often than every second is not a schedule.
func parseRotationPeriod(v string) (time.Duration, error) {
	return parseScheduleDuration(v, rotationPeriodName)
}

// parseEarlyRotationWindow reads an early rotation window, in the forms of a rotation period.
func parseEarlyRotationWindow(v string) (time.Duration, error) {
	return parseScheduleDuration(v, earlyRotationWindowName)
}

// parseScheduleDuration reads a duration of the schedule; what names it in errors.
func parseScheduleDuration(v, what string) (time.Duration, error) {
	invalid := func() (time.Duration, error) {
		return 0, fmt.Errorf("%q is not %s %s; use %s", v, article(what), what, rotationPeriodForms)
	}
	if v == "" {
		return invalid()
	}
	var total float64
	for rest := v; rest != ""; {
		m := rotationPeriodPart.FindStringSubmatch(rest)
		if m == nil {
			return invalid()
		}
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return invalid()
		}
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
		total += n * float64(unit)
		rest = rest[len(m[0]):]
	}
	if total > float64(maxRotationPeriod) {
		return 0, fmt.Errorf("%q is longer than the longest %s, 100 years (\"36500d\"); use %s", v, what, rotationPeriodForms)
	}
	if total < float64(time.Second) {
		return 0, fmt.Errorf("%q is not a positive %s of at least one second; use %s", v, what, rotationPeriodForms)
	}
	return time.Duration(total), nil
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an"
	}
	return "a"
}

// maxRotationPeriod keeps next_rotation_at within what a time.Time and RFC 3339 can hold.
const maxRotationPeriod = 100 * 365 * 24 * time.Hour

// scheduleDurationValidator accepts what parseScheduleDuration reads for what (a rotation period,
// an early rotation window), refusing it with summary. That a window is shorter than the period is
// checked by the resource's ValidateConfig.
func scheduleDurationValidator(what, summary string) stringValidator {
	return stringValidator{
		description: "value must be " + rotationPeriodForms,
		check: func(p path.Path, v string) diag.Diagnostic {
			if _, err := parseScheduleDuration(v, what); err != nil {
				return invalidScheduleDuration(p, summary, err)
			}
			return nil
		},
	}
}

// The names of the schedule's durations, in errors.
const (
	rotationPeriodName      = "rotation period"
	earlyRotationWindowName = "early rotation window"
)

var (
	rotationPeriodValidator      = scheduleDurationValidator(rotationPeriodName, summaryRotationPeriod)
	earlyRotationWindowValidator = scheduleDurationValidator(earlyRotationWindowName, summaryEarlyRotationWindow)
)

// rotationAnchorExample is shown wherever a rotation anchor is refused.
const rotationAnchorExample = `an RFC 3339 timestamp with a time and an offset, such as "2026-01-05T03:00:00Z" or "2026-01-05T00:00:00-03:00"`

// rotationAnchorValidator accepts an RFC 3339 timestamp.
var rotationAnchorValidator = stringValidator{
	description: "value must be " + rotationAnchorExample,
	check: func(p path.Path, v string) diag.Diagnostic {
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return invalidRotationAnchor(p, v)
		}
		return nil
	},
}

var _ validator.List = numberIDFilterValidator{}

// numberIDFilterValidator accepts the whatsapp_number_ids of a query: at least one id, each one a
// WhatsApp number id as whatsapp_number_id takes it.
type numberIDFilterValidator struct{}

func (numberIDFilterValidator) Description(_ context.Context) string {
	return "value must name at least one WhatsApp number id, none null, blank or with leading or trailing white space"
}

func (v numberIDFilterValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (numberIDFilterValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	ids := req.ConfigValue.Elements()
	if len(ids) == 0 {
		resp.Diagnostics.Append(emptyNumberIDFilter(req.Path))
		return
	}
	for i, v := range ids {
		id, ok := v.(types.String)
		switch {
		case !ok || id.IsUnknown():
		case id.IsNull():
			resp.Diagnostics.Append(invalidNumberID(req.Path.AtListIndex(i),
				"The WhatsApp number id is null. Use the id of one of the tenant's numbers, such as wn_1."))
		default:
			if msg := blankProblem(id.ValueString()); msg != "" {
				resp.Diagnostics.Append(invalidNumberID(req.Path.AtListIndex(i), msg))
			}
		}
	}
}

// nameRegexValidator accepts a name_regex that compileNameRegex reads.
var nameRegexValidator = stringValidator{
	description: "value must be a non-empty regular expression in Go's RE2 syntax",
	check: func(p path.Path, v string) diag.Diagnostic {
		if _, err := compileNameRegex(v); err != nil {
			return invalidNameRegex(p, err.Error())
		}
		return nil
	},
}

// compileNameRegex reads a query's name_regex: a regular expression in Go's RE2 syntax, searched for
// anywhere in a number's display name. An empty one would match every name, which leaving it out
// already does: it is refused as a mistake.
func compileNameRegex(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, fmt.Errorf("name_regex is empty, so it would match every display name. Leave it out to list every "+
			"number, or give a pattern, such as %q (names that contain it) or %q", "Suporte", "^Loja [0-9]+$")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("name_regex %q is not a regular expression in Go's RE2 syntax (%s). Lookarounds and "+
			"backreferences are not supported; a character that has a meaning in a pattern, such as ( or +, is matched "+
			"literally after a backslash (\\\\( in HCL)", pattern, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

var _ validator.Map = keepersValidator{}

// keepersValidator refuses a keeper whose value is null: a plan may show null and "" alike, yet a
// change from one to the other would regenerate the key.
type keepersValidator struct{}

func (keepersValidator) Description(_ context.Context) string {
	return `every value is a string, never null (use "" for an empty value)`
}

func (v keepersValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (keepersValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elements := req.ConfigValue.Elements()
	for _, name := range slices.Sorted(maps.Keys(elements)) {
		if elements[name].IsNull() {
			resp.Diagnostics.Append(nullKeeper(req.Path.AtMapKey(name), name))
		}
	}
}

// notBlankValidator rejects values that are empty after trimming white space or that carry white
// space at either end (an id pasted with a newline, say).
var notBlankValidator = stringValidator{
	description: "value must not be blank or have leading or trailing white space",
	check: func(p path.Path, v string) diag.Diagnostic {
		if msg := blankProblem(v); msg != "" {
			return invalidNumberID(p, msg)
		}
		return nil
	},
}

// blankProblem explains what is wrong with a number id, or returns "".
func blankProblem(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "The WhatsApp number id is empty. Use the id of one of the tenant's numbers, such as wn_1."
	case strings.TrimSpace(id) != id:
		return "The WhatsApp number id " + strconv.Quote(id) + " has leading or trailing white space. Remove it."
	}
	return ""
}
