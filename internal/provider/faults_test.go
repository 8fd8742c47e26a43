package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Every fault of the local API, during a create, a keepers rotation and a refresh.
// Each row says which outcome is the only correct one, for a regeneration and for a
// refresh, and how many regeneration requests reach the API, so that a change that
// retries more or less than it should breaks a row. The claim behind every row: the
// run either succeeds with every number's key in state equal to the API's current
// key, or fails with a clear error, leaving a state that claims no dead key as
// current; the next apply, the fault gone, repairs it and the plan after that is
// empty. A regeneration never sends more than two requests that may have been
// carried out, and takes the key from the key list when a lost request did regenerate.

const (
	// faultRetries is the max_retries of these tests: three attempts per request.
	faultRetries = 2
	// faultTimeout is the request_timeout of these tests.
	faultTimeout = "1s"
	// faultSettle is the regeneration_settle_time of these tests: the default, twice
	// request_timeout.
	faultSettle = "2s"
	// slowAnswer is how long a slow answer takes: longer than faultTimeout.
	slowAnswer = 2 * time.Second
)

// faultKind is one row of the fault table. faults builds the faults to queue when
// the step starts (an HTTP date must be in the future then); the phase sets their
// endpoint.
type faultKind struct {
	name   string
	faults func() []fakeapi.Fault
	// regenerate is the only correct outcome of a create or rotation under the fault.
	regenerate regenerateOutcome
	// listOK: a refresh under the fault must succeed; otherwise it must fail.
	listOK bool
}

// regenerateOutcome is what a regeneration under a fault must do.
type regenerateOutcome struct {
	ok bool
	// posts is how many POST /v1/api-keys the faulted apply sends per rotated key.
	posts int
	// unknown: the failure follows a request that may have been carried out, so the
	// error must say the old key may no longer work; otherwise a failure must say that
	// nothing was regenerated.
	unknown bool
}

var (
	succeeds = func(posts int) regenerateOutcome { return regenerateOutcome{ok: true, posts: posts} }
	refused  = func(posts int) regenerateOutcome { return regenerateOutcome{posts: posts} }
	unsure   = func(posts int) regenerateOutcome { return regenerateOutcome{posts: posts, unknown: true} }
)

func burst(kind fakeapi.FaultKind, times int) func() []fakeapi.Fault {
	return func() []fakeapi.Fault { return []fakeapi.Fault{{Kind: kind, Times: times}} }
}

func serverErrors(statuses ...int) func() []fakeapi.Fault {
	return func() []fakeapi.Fault {
		faults := make([]fakeapi.Fault, len(statuses))
		for i, status := range statuses {
			faults[i] = fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: status}
		}
		return faults
	}
}

// apiFailures is the API's own failure answer (its JSON error body), times times; after says
// whether the API regenerated first.
func apiFailures(status int, retryAfter string, times int, after bool) func() []fakeapi.Fault {
	kind := fakeapi.FaultStatus
	if after {
		kind = fakeapi.FaultStatusAfterWork
	}
	return func() []fakeapi.Fault {
		return []fakeapi.Fault{{Kind: kind, Status: status, RetryAfter: retryAfter, Times: times}}
	}
}

// gatewayPage is a gateway's HTML page with status, times times: not the API's answer.
func gatewayPage(status, times int) func() []fakeapi.Fault {
	return func() []fakeapi.Fault {
		return []fakeapi.Fault{{Kind: fakeapi.FaultHTMLError, Status: status, Times: times}}
	}
}

// gatewayTimeout is a gateway's 504 page at once, while the request reaches the API d later.
func gatewayTimeout(d time.Duration) func() []fakeapi.Fault {
	return func() []fakeapi.Fault { return []fakeapi.Fault{{Kind: fakeapi.FaultGatewayLateWork, Delay: d}} }
}

func rateLimited(times int, retryAfter func() string) func() []fakeapi.Fault {
	return func() []fakeapi.Fault {
		return []fakeapi.Fault{{Kind: fakeapi.FaultRateLimit, Times: times, RetryAfter: retryAfter()}}
	}
}

func slow(times int) func() []fakeapi.Fault {
	return func() []fakeapi.Fault {
		return []fakeapi.Fault{{Kind: fakeapi.FaultDelay, Delay: slowAnswer, Times: times}}
	}
}

// late holds the first request for d before it reaches the API, which then carries
// it out although the client has given up.
func late(d time.Duration) func() []fakeapi.Fault {
	return func() []fakeapi.Fault { return []fakeapi.Fault{{Kind: fakeapi.FaultLateWork, Delay: d}} }
}

// lateAfterNext holds the first request until the next one has been carried out,
// then carries it out: it lands after the request that answers.
func lateAfterNext() []fakeapi.Fault {
	return []fakeapi.Fault{{Kind: fakeapi.FaultLateWorkAfterNext, Delay: 20 * time.Second}}
}

func without(field string) func() []fakeapi.Fault {
	return func() []fakeapi.Fault { return []fakeapi.Fault{{Kind: fakeapi.FaultMissingKey, Field: field}} }
}

func constant(s string) func() string { return func() string { return s } }

// inSeconds is an HTTP date a few seconds ahead; every 429 of a burst that carries
// it ends its wait at the same moment.
func inSeconds(n int) func() string {
	return func() string { return time.Now().Add(time.Duration(n) * time.Second).UTC().Format(http.TimeFormat) }
}

// attempts is how many times a request is sent with max_retries = faultRetries.
const attempts = faultRetries + 1

var faultKinds = []faultKind{
	// Refused attempts did nothing: they are retried max_retries times, no more.
	{name: "429 with Retry-After in seconds", faults: rateLimited(attempts-1, constant("1")), regenerate: succeeds(attempts), listOK: true},
	{name: "429 with Retry-After as an HTTP date", faults: rateLimited(attempts, inSeconds(3)), regenerate: refused(attempts)},
	{name: "429 without Retry-After", faults: rateLimited(attempts, constant("")), regenerate: refused(attempts)},
	{name: "429 with Retry-After beyond five minutes", faults: rateLimited(attempts, constant("3600")), regenerate: refused(1)},
	// The API's own failure answer: one fresh read of the key list decides. The key
	// unchanged, it did nothing and is retried at once (honouring Retry-After), within
	// max_retries; changed and revealed, that key is taken.
	{name: "the API's 500 once", faults: serverErrors(500), regenerate: succeeds(2), listOK: true},
	{name: "the API's 503 with Retry-After once", faults: apiFailures(503, "1", 1, false), regenerate: succeeds(2), listOK: true},
	{name: "the API's 503 through every retry", faults: apiFailures(503, "", attempts, false), regenerate: refused(attempts)},
	{name: "the API regenerated, then answered 500", faults: apiFailures(500, "", 1, true), regenerate: succeeds(1), listOK: true},
	{name: "the API regenerated, then answered 503 every time", faults: apiFailures(503, "", attempts, true), regenerate: succeeds(1)},
	// A gateway's 502 or 504, or a page not the API's, may have been carried out: the list
	// is watched for the settle time before a second request, and there is never a third.
	{name: "500 502", faults: serverErrors(500, 502), regenerate: succeeds(3), listOK: true},
	{name: "500 502 503", faults: serverErrors(500, 502, 503), regenerate: succeeds(4)},
	{name: "500 502 503 503", faults: serverErrors(500, 502, 503, 503), regenerate: unsure(4)},
	{name: "gateway 502 504", faults: serverErrors(502, 504), regenerate: unsure(2), listOK: true},
	{name: "gateway 504, the request lands later", faults: gatewayTimeout(1500 * time.Millisecond), regenerate: succeeds(1), listOK: true},
	{name: "503 page not from the API", faults: gatewayPage(503, attempts), regenerate: unsure(2)},
	// A lost answer after the work: the list reveals the key, nothing is sent again.
	{name: "answer lost after the work once", faults: burst(fakeapi.FaultDropAfterWork, 1), regenerate: succeeds(1), listOK: true},
	{name: "answer lost after the work", faults: burst(fakeapi.FaultDropAfterWork, attempts), regenerate: succeeds(1)},
	{name: "connection dropped before the work", faults: burst(fakeapi.FaultDropBeforeWork, attempts), regenerate: unsure(2)},
	{name: "answer slower than request_timeout once", faults: slow(1), regenerate: succeeds(2), listOK: true},
	{name: "answer slower than request_timeout", faults: slow(attempts), regenerate: unsure(2)},
	// A request held in transit that lands after the client gave up.
	{name: "request lands late, inside the settle time", faults: late(1500 * time.Millisecond), regenerate: succeeds(1), listOK: true},
	{name: "request lands late, after the next one", faults: lateAfterNext, regenerate: succeeds(2), listOK: true},
	// A 2xx that cannot be read did the work: the list reveals the key.
	{name: "200 with malformed JSON", faults: burst(fakeapi.FaultMalformedJSON, 1), regenerate: succeeds(1)},
	{name: "200 without key", faults: without("key"), regenerate: succeeds(1), listOK: true},
	{name: "200 with a truncated body", faults: burst(fakeapi.FaultTruncatedBody, 1), regenerate: succeeds(1)},
	{name: "HTML error page", faults: burst(fakeapi.FaultHTMLError, attempts), regenerate: unsure(2)},
}

// keyResource is one pilotstatus_number_api_key of a fault test configuration.
type keyResource struct {
	name, numberID, keepers string
}

func (k keyResource) address() string { return "pilotstatus_number_api_key." + k.name }

// faultConfig is a configuration with bounded requests: a small request_timeout and
// few retries.
func faultConfig(baseURL, apiKey string, maxRetries int, keys []keyResource) string {
	c := providerWith("base_url", baseURL, "api_key", apiKey, "max_retries", maxRetries, "request_timeout", faultTimeout,
		"regeneration_settle_time", faultSettle)
	for _, k := range keys {
		c = c.key(k.name, k.numberID, rotation(k.keepers))
	}
	return c.String()
}

// faultScenario is what a fault test applies: before (nil for none) sets up, then
// during is applied with the fault switched on, then, when the faulted step failed
// or only planned, again without it.
type faultScenario struct {
	phase      string
	endpoint   string // where the fault is switched on
	summary    string // the diagnostic summary of a failure
	maxRetries int
	before     []keyResource
	during     []keyResource
	// planOnly: the faulted step only plans (a refresh); the repair step then
	// always runs, to check the keys in state.
	planOnly bool
	// expect checks the plan of the faulted step, when planning succeeds.
	expect []plancheck.PlanCheck
	// rotating is how many keys the faulted step regenerates.
	rotating int
}

var (
	keyA = keyResource{name: "a", numberID: "wn_1", keepers: "1"}
	keyB = keyResource{name: "b", numberID: "wn_2", keepers: "1"}
)

// rotated is k with new keepers: a replacement that regenerates its key.
func rotated(k keyResource) keyResource {
	k.keepers = "2"
	return k
}

func faultScenarios() []faultScenario {
	return []faultScenario{
		{
			phase:      "create",
			endpoint:   fakeapi.EndpointRegenerate,
			summary:    summaryRegenerate,
			maxRetries: faultRetries,
			during:     []keyResource{keyA},
			rotating:   1,
		},
		{
			// Only wn_1 rotates; wn_2's key must stay current throughout.
			phase:      "rotation",
			endpoint:   fakeapi.EndpointRegenerate,
			summary:    summaryRegenerate,
			maxRetries: faultRetries,
			before:     []keyResource{keyA, keyB},
			during:     []keyResource{rotated(keyA), keyB},
			rotating:   1,
			expect: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keyA.address(), plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectResourceAction(keyB.address(), plancheck.ResourceActionNoop),
			},
		},
		{
			// One list call serves the refresh of both keys.
			phase:      "refresh",
			endpoint:   fakeapi.EndpointListKeys,
			summary:    summaryListKeys,
			maxRetries: faultRetries,
			before:     []keyResource{keyA, keyB},
			during:     []keyResource{keyA, keyB},
			planOnly:   true,
		},
	}
}

func TestAccFaults(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	for _, sc := range faultScenarios() {
		t.Run(sc.phase, func(t *testing.T) {
			t.Parallel()
			for _, fk := range faultKinds {
				t.Run(fk.name, func(t *testing.T) { runFaultTest(t, sc, fk) })
			}
		})
	}
	// Two numbers are created at once and no retry is allowed: exactly one of the
	// two regenerations loses its answer; the key list reveals its key, so both keys
	// are stored and neither is regenerated twice.
	t.Run("create two numbers one answer lost", func(t *testing.T) {
		sc := faultScenarios()[0]
		sc.maxRetries = 0
		sc.during = []keyResource{keyA, keyB}
		sc.rotating = 2
		runFaultTest(t, sc, faultKind{name: "answer lost after the work", faults: burst(fakeapi.FaultDropAfterWork, 1), regenerate: succeeds(1)})
	})
}

// faultRun follows one fault test through its steps. The steps of a test case run
// one after the other, so it needs no lock.
type faultRun struct {
	api *fakeapi.API
	sc  faultScenario
	fk  faultKind

	armed        bool   // the faulted step is running: an error is judged, not fatal
	failed       bool   // the faulted step failed with a clear error
	errText      string // that error
	postsBefore  int    // regenerations before the faulted step
	faultedPosts int    // regeneration requests of the faulted step
	regenBefore  int    // regenerations before the repair step
	toRegenerate int    // resources the repair step plans to regenerate
}

func runFaultTest(t *testing.T, sc faultScenario, fk faultKind) { //nolint:funlen // the three steps of a fault row (before, faulted, repair) in the order they run
	api, url := newTestAPI(t)
	r := &faultRun{api: api, sc: sc, fk: fk}
	tenant := api.TenantKey()

	var steps []resource.TestStep
	if sc.before != nil {
		steps = append(steps, resource.TestStep{Config: faultConfig(url, tenant, sc.maxRetries, sc.before)})
	}
	during := faultConfig(url, tenant, sc.maxRetries, sc.during)
	faulted := resource.TestStep{
		PreConfig: func() {
			api.ClearFaults()
			for _, f := range fk.faults() {
				f.Endpoint = sc.endpoint
				api.AddFault(f)
			}
			r.armed = true
			r.postsBefore = api.Calls(fakeapi.EndpointRegenerate)
		},
		Config:   during,
		PlanOnly: sc.planOnly,
	}
	if !sc.planOnly {
		faulted.ConfigPlanChecks.PreApply = sc.expect
		faulted.ConfigStateChecks = r.keysAreCurrent(sc.during)
	}
	repair := resource.TestStep{
		PreConfig: func() {
			api.ClearFaults()
			r.armed = false
			r.regenBefore = api.Calls(fakeapi.EndpointRegenerate)
			r.faultedPosts = r.regenBefore - r.postsBefore
		},
		// After a successful apply the faulted step itself checked every key.
		SkipFunc: func() (bool, error) { return !r.failed && !sc.planOnly, nil },
		Config:   during,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{planCheckFunc(r.noDeadKeyClaimed)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: append(r.keysAreCurrent(sc.during), stateCheckFunc(r.regeneratedWhatWasLost)),
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		ErrorCheck:               r.judgeError,
		Steps:                    append(steps, faulted, repair),
	})
	if !r.failed && !sc.planOnly {
		r.faultedPosts = api.Calls(fakeapi.EndpointRegenerate) - r.postsBefore
	}
	if r.failed {
		t.Logf("outcome: failed, then repaired (%d key(s) regenerated by the repair)", r.toRegenerate)
	} else {
		t.Log("outcome: succeeded")
	}
	r.checkOutcome(t)
}

// checkOutcome holds the faulted step to the row: the only correct outcome, and for a
// regeneration the exact number of regeneration requests.
func (r *faultRun) checkOutcome(t *testing.T) {
	t.Helper()
	if r.sc.endpoint != fakeapi.EndpointRegenerate {
		if r.failed == r.fk.listOK {
			t.Errorf("a refresh under this fault failed = %t, want %t", r.failed, !r.fk.listOK)
		}
		return
	}
	want := r.fk.regenerate
	if r.failed == want.ok {
		t.Errorf("a regeneration under this fault failed = %t, want %t", r.failed, !want.ok)
	}
	if perKey := want.posts * r.sc.rotating; r.faultedPosts != perKey {
		t.Errorf("the faulted apply sent %d regeneration requests, want %d", r.faultedPosts, perKey)
	}
}

func (r *faultRun) keysAreCurrent(keys []keyResource) []statecheck.StateCheck {
	checks := make([]statecheck.StateCheck, 0, len(keys))
	for _, k := range keys {
		checks = append(checks, keyIsCurrent(r.api, k.address(), k.numberID))
	}
	return checks
}

// judgeError accepts a failure of the faulted step when it is a clear error; any
// other failure, and any failure of another step, fails the test.
func (r *faultRun) judgeError(err error) error {
	if !r.armed {
		return err
	}
	text := err.Error()
	var problems []string
	lower := strings.ToLower(text)
	for _, crash := range []string{"panic", "plugin did not respond"} {
		if strings.Contains(lower, crash) {
			problems = append(problems, fmt.Sprintf("the output mentions %q", crash))
		}
	}
	if !words(r.sc.summary).MatchString(text) {
		problems = append(problems, fmt.Sprintf("no %q diagnostic", r.sc.summary))
	}
	named := false
	for _, k := range r.sc.during {
		named = named || strings.Contains(text, strconv.Quote(k.numberID))
	}
	if !named {
		problems = append(problems, "no number id named")
	}
	if r.sc.endpoint == fakeapi.EndpointRegenerate {
		problems = append(problems, r.fk.regenerate.wrongAbout(text)...)
	}
	for _, advice := range []string{"interrupted"} {
		if strings.Contains(text, advice) {
			problems = append(problems, fmt.Sprintf("the error speaks of %q", advice))
		}
	}
	for _, body := range []string{"<html", "nginx", "Internal hiccup"} {
		if strings.Contains(text, body) {
			problems = append(problems, "the error repeats the answer's body")
		}
	}
	tenant := r.api.TenantKey()
	for _, k := range r.api.IssuedKeys() {
		if k != tenant && strings.Contains(text, k) {
			problems = append(problems, "the error shows a key")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("not a clear error (%s): %w", strings.Join(problems, "; "), err)
	}
	r.failed, r.errText = true, text
	return nil
}

// wrongAbout lists what a failed regeneration's error text gets wrong about the key: one
// that may have regenerated it must say the old key may no longer work, and never that
// nothing was regenerated; one that certainly did nothing must say so, and nothing else.
func (o regenerateOutcome) wrongAbout(text string) []string {
	saysLost, saysNothing := words(lostAnswer).MatchString(text), words(nothingRegenerated).MatchString(text)
	switch {
	case o.unknown && !saysLost:
		return []string{fmt.Sprintf("a request may have regenerated the key, but the error does not say the old key %s", lostAnswer)}
	case o.unknown && saysNothing:
		return []string{"a request may have regenerated the key, but the error says nothing was regenerated"}
	case !o.unknown && !saysNothing:
		return []string{"no request was carried out, but the error does not say nothing was regenerated"}
	case !o.unknown && saysLost:
		return []string{"no request was carried out, but the error says the old key may no longer work"}
	}
	return nil
}

// noDeadKeyClaimed checks the first plan after the faulted step: every key is
// either regenerated by this plan or, in state, the number's current key. A key the
// failure lost must have been named by its error.
func (r *faultRun) noDeadKeyClaimed(req plancheck.CheckPlanRequest) error {
	var errs []error
	r.toRegenerate = 0
	for _, k := range r.sc.during {
		addr := k.address()
		var actions tfjson.Actions
		for _, rc := range req.Plan.ResourceChanges {
			if rc.Address == addr && rc.Change != nil {
				actions = rc.Change.Actions
			}
		}
		switch {
		case actions == nil:
			errs = append(errs, fmt.Errorf("%s: not in the plan", addr))
		case actions.Create() || actions.Replace():
			r.toRegenerate++
			if !r.failed {
				errs = append(errs, fmt.Errorf("%s: the faulted run succeeded, yet the next plan regenerates its key", addr))
			} else if !strings.Contains(r.errText, strconv.Quote(k.numberID)) {
				errs = append(errs, fmt.Errorf("%s: its key must be regenerated, but the error did not name number %q", addr, k.numberID))
			}
		default:
			prior, err := findResource(req.Plan.PriorState, addr)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: the plan neither creates it nor finds it in state: %w", addr, err))
				break
			}
			cur, _ := r.api.CurrentKey(k.numberID)
			if prior.AttributeValues["key"] != cur.Raw {
				errs = append(errs, fmt.Errorf("%s: state holds a key that is not %s's current key, and the plan (%v) does not regenerate it",
					addr, k.numberID, actions))
			}
		}
	}
	return errors.Join(errs...)
}

// regeneratedWhatWasLost checks the repair: one regeneration per key the plan had
// to regenerate, none for the others.
func (r *faultRun) regeneratedWhatWasLost(statecheck.CheckStateRequest) error {
	if got := r.api.Calls(fakeapi.EndpointRegenerate) - r.regenBefore; got != r.toRegenerate {
		return fmt.Errorf("the repair regenerated %d keys, want %d (one per key the fault lost)", got, r.toRegenerate)
	}
	return nil
}
