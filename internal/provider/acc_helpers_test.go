package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// What the Terraform-driven tests share: the provider in the test process and
// the local API it talks to, configurations, state and plan checks, and the local
// API's view of the keys (keyIsCurrent, apiCalls, keyWorks). Running the real CLI
// is in cli_helpers_test.go, the search for leaked secrets in
// leak_search_test.go.

// testNumbers seeds the local API of most tests.
var testNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
}

// newTestAPI starts a local Pilot Status API for one test.
func newTestAPI(t *testing.T, numbers ...fakeapi.Number) (*fakeapi.API, string) {
	t.Helper()
	if len(numbers) == 0 {
		numbers = testNumbers
	}
	api := fakeapi.New(fakeapi.Options{Numbers: numbers})
	url, stop := api.Start()
	t.Cleanup(stop)
	return api, url
}

// newClockedAPI starts a local API whose createdAt values follow clock.
func newClockedAPI(t *testing.T, clock *clocktest.Clock) (*fakeapi.API, string) {
	t.Helper()
	api := fakeapi.New(fakeapi.Options{Numbers: testNumbers, Now: clock.Now})
	url, stop := api.Start()
	t.Cleanup(stop)
	return api, url
}

// newUserAgentRecorder serves the local API and counts the User-Agents that reach
// it; agents returns the counts so far.
func newUserAgentRecorder(t *testing.T) (api *fakeapi.API, url string, agents func() map[string]int) {
	t.Helper()
	api = fakeapi.New(fakeapi.Options{Numbers: append(append([]fakeapi.Number{}, testNumbers...),
		fakeapi.Number{ID: "wn_3", Number: "5511999990003", Name: "Importado"})})
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.UserAgent()]++
		mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return api, srv.URL, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(seen)
	}
}

// The provider in the test process.

// fastRetries keeps retry waits and, unless configured, the settle time of an
// unanswered regeneration short, so that error tests finish quickly.
func fastRetries(o *options) {
	o.retryWaitMin = time.Millisecond
	o.retryWaitMax = 20 * time.Millisecond
	o.settleTime = 300 * time.Millisecond
}

// withEnv makes the provider see exactly these environment variables.
func withEnv(env map[string]string) option {
	return func(o *options) {
		o.getenv = func(name string) string { return env[name] }
	}
}

// factories runs the provider in the test process. The environment is empty
// unless a test passes withEnv, so the developer's own variables never leak in.
func factories(opts ...option) map[string]func() (tfprotov6.ProviderServer, error) {
	all := append([]option{fastRetries, withEnv(nil)}, opts...)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"pilotstatus": providerserver.NewProtocol6WithError(newWithOptions("test", all...)()),
	}
}

// withClock gives the provider a clock.
func withClock(now func() time.Time) option {
	return func(o *options) { o.now = now }
}

// skipUnlessAcc skips Terraform-driven tests unless TF_ACC is set, as resource.Test does.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run Terraform-driven tests")
	}
}

// Configurations.

// providerBlock configures the provider for the local API.
func providerBlock(baseURL, apiKey string) string {
	return hcl("base_url", baseURL, "api_key", apiKey, "max_retries", 2)
}

// hcl writes a provider block from name, value pairs.
func hcl(pairs ...any) string {
	var b strings.Builder
	b.WriteString("provider \"pilotstatus\" {\n")
	for i := 0; i+1 < len(pairs); i += 2 {
		switch v := pairs[i+1].(type) {
		case string:
			fmt.Fprintf(&b, "  %s = %q\n", pairs[i], v)
		default:
			fmt.Fprintf(&b, "  %s = %v\n", pairs[i], v)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// The endpoints apiCalls counts, and the resource most configurations name.
const (
	listCalls       = "GET /v1/api-keys"
	regenerateCalls = "POST /v1/api-keys"
	addr            = "pilotstatus_number_api_key.test"
)

// keyConfig is the provider block and a key for numberID, with keepers when keepers is not "".
func keyConfig(baseURL, apiKey, numberID, keepers string) string {
	return keyConfigWith(baseURL, apiKey, numberID, keepers, "")
}

// keyConfigWith is keyConfig with more lines (body, HCL) in the key's block.
func keyConfigWith(baseURL, apiKey, numberID, keepers, body string) string {
	k := ""
	if keepers != "" {
		k = fmt.Sprintf("\n  keepers = { rotation = %q }", keepers)
	}
	return providerBlock(baseURL, apiKey) + fmt.Sprintf(`
resource "pilotstatus_number_api_key" "test" {
  whatsapp_number_id = %q%s
%s
}
`, numberID, k, body)
}

// Expected output.

// words matches the given phrases in order, across the line breaks and
// indentation Terraform puts into diagnostics.
func words(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		fields := strings.Fields(p)
		for j, f := range fields {
			fields[j] = regexp.QuoteMeta(f)
		}
		parts[i] = strings.Join(fields, `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// lostAnswer is what a diagnostic says of a key whose regeneration may have happened unanswered.
const lostAnswer = "may no longer work"

// nothingRegenerated is what a diagnostic says when no regeneration request was carried out.
const nothingRegenerated = "Nothing was regenerated"

// rfc3339 matches a timestamp as the provider writes it.
const rfc3339 = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`

// State and plan checks.

// keyIsCurrent checks that the key attribute in state is the number's current key
// at the local API, and that key_id and key_last4 agree with it.
func keyIsCurrent(api *fakeapi.API, address, numberID string) statecheck.StateCheck {
	return keyIsCurrentCheck{api: api, address: address, numberID: numberID}
}

type keyIsCurrentCheck struct {
	api               *fakeapi.API
	address, numberID string
}

func (c keyIsCurrentCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	res, err := findResource(req.State, c.address)
	if err != nil {
		resp.Error = err
		return
	}
	cur, ok := c.api.CurrentKey(c.numberID)
	if !ok {
		resp.Error = fmt.Errorf("the local API has no number %s", c.numberID)
		return
	}
	vals := res.AttributeValues
	switch {
	case vals["key"] != cur.Raw:
		resp.Error = fmt.Errorf("%s: key in state is not the API's current key of %s", c.address, c.numberID)
	case vals["key_id"] != cur.ID:
		resp.Error = fmt.Errorf("%s: key_id %v, the API's current key id is %s", c.address, vals["key_id"], cur.ID)
	case vals["key_last4"] != cur.Last4:
		resp.Error = fmt.Errorf("%s: key_last4 %v, want %s", c.address, vals["key_last4"], cur.Last4)
	}
}

// apiCalls checks how many calls of one endpoint reached the local API so far.
func apiCalls(api *fakeapi.API, endpoint string, want int) statecheck.StateCheck {
	return callsCheck{api: api, endpoint: endpoint, want: want}
}

type callsCheck struct {
	api      *fakeapi.API
	endpoint string
	want     int
}

func (c callsCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if got := c.api.Calls(c.endpoint); got != c.want {
		resp.Error = fmt.Errorf("%s reached the local API %d times, want %d", c.endpoint, got, c.want)
	}
}

func findResource(state *tfjson.State, address string) (*tfjson.StateResource, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("no state")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%s is not in state", address)
}

// keyPath is the key attribute, for CompareValue.
var keyPath = tfjsonpath.New("key")

// jsonLeak is the first secret of secrets (secrettest) in the JSON of v, a state, a plan or a part
// of one, as an error; nil when there is none. allowed may appear: the credentials a test
// configuration carries in its provider block, which a plan records.
func jsonLeak(where string, v any, secrets []secrettest.Secret, allowed ...string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return secrettest.Error(where, string(b), secrets, allowed...)
}

// planAction checks, before the apply, that the plan takes action on addr.
func planAction(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}}
}

// stateCheckFunc and planCheckFunc make a function a state or a plan check.
type stateCheckFunc func(statecheck.CheckStateRequest) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req)
}

type planCheckFunc func(plancheck.CheckPlanRequest) error

func (f planCheckFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req)
}

// captureAttr stores a string attribute of a resource in state, for checks that
// need the value after the step.
func captureAttr(address, name string, dst *string) statecheck.StateCheck {
	return captureCheck{address: address, name: name, dst: dst}
}

type captureCheck struct {
	address, name string
	dst           *string
}

func (c captureCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	res, err := findResource(req.State, c.address)
	if err != nil {
		resp.Error = err
		return
	}
	v, ok := res.AttributeValues[c.name].(string)
	if !ok || v == "" {
		resp.Error = fmt.Errorf("%s.%s is not a non-empty string", c.address, c.name)
		return
	}
	*c.dst = v
}

// compareIncreasing asserts that each number in a sequence is greater than the one
// before it.
type compareIncreasing struct{}

func (compareIncreasing) CompareValues(values ...any) error {
	prev := 0.0
	for i, v := range values {
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return fmt.Errorf("value %d (%v) is not a number", i, v)
		}
		if i > 0 && f <= prev {
			return fmt.Errorf("value %d (%v) is not greater than the one before it (%v)", i, v, values[i-1])
		}
		prev = f
	}
	return nil
}

// checkImported checks the state an import produced: no credential (neither the key nor its id,
// store_key false), and the fingerprint of the number's current key wantKey, or none when wantKey
// is "" (a legacy key the API does not reveal), with its last four characters.
func checkImported(states []*terraform.InstanceState, wantKey, wantLast4 string) error {
	if len(states) != 1 {
		return fmt.Errorf("import produced %d objects, want 1", len(states))
	}
	attrs := states[0].Attributes
	wantFingerprint := ""
	if wantKey != "" {
		wantFingerprint = testFingerprint(wantKey)
	}
	switch {
	case attrs["key"] != "" || attrs["key_id"] != "":
		return fmt.Errorf("the import stored a credential: key set %t, key_id set %t", attrs["key"] != "", attrs["key_id"] != "")
	case attrs["store_key"] != "false":
		return fmt.Errorf("imported store_key %q, want false", attrs["store_key"])
	case attrs["key_fingerprint"] != wantFingerprint:
		return fmt.Errorf("imported key_fingerprint %q, want %q", attrs["key_fingerprint"], wantFingerprint)
	case attrs["key_last4"] != wantLast4:
		return fmt.Errorf("imported key_last4 %q, want %q", attrs["key_last4"], wantLast4)
	}
	return nil
}

// testFingerprint is key_fingerprint as the documentation defines it: "sha256:" and the hex
// SHA-256 of the raw key (what `printf %s "$KEY" | sha256sum` prints).
func testFingerprint(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// The local API's view of the keys.

// keyWorks asks the local API whether it still accepts a key: a dead key gets 401,
// a live number-scoped key 403 on the tenant endpoint.
func keyWorks(t *testing.T, baseURL, raw string) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+"/v1/numbers", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", raw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode != http.StatusUnauthorized
}

// rotateOutOfBand regenerates the key of numberID at the local API, as the
// dashboard would, and returns the new key; the test stops if there is no such
// number.
func rotateOutOfBand(t *testing.T, api *fakeapi.API, numberID string) fakeapi.Key {
	t.Helper()
	k, ok := api.RotateOutOfBand(numberID)
	if !ok {
		t.Fatalf("rotating %s at the local API failed", numberID)
	}
	return k
}

// createdAt is when the API made the number's current key.
func createdAt(t *testing.T, api *fakeapi.API, numberID string) time.Time {
	t.Helper()
	cur, ok := api.CurrentKey(numberID)
	if !ok {
		t.Fatalf("the local API has no number %s", numberID)
	}
	return cur.CreatedAt
}

// waitUntilOlder sleeps until the current key of every number in ids is older
// than d, by the createdAt the API gave it.
func waitUntilOlder(t *testing.T, api *fakeapi.API, d time.Duration, ids ...string) {
	t.Helper()
	var latest time.Time
	for _, id := range ids {
		if at := createdAt(t, api, id); at.After(latest) {
			latest = at
		}
	}
	time.Sleep(time.Until(latest.Add(d)))
}
