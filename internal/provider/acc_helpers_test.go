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
	"slices"
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

// tfConfig is the one builder of test configurations: a provider block, then blocks in order. Its
// methods return a new tfConfig, so a base configuration can be extended more than one way.
type tfConfig struct {
	provider []string // the provider block's lines
	blocks   []string
}

// providerWith starts a configuration whose provider block has the name, value pairs: strings
// are written as HCL string literals, other values as they print.
func providerWith(pairs ...any) tfConfig {
	c := tfConfig{provider: []string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		c.provider = append(c.provider, arg(fmt.Sprint(pairs[i]), pairs[i+1]))
	}
	return c
}

// localAPI starts a configuration for the local API at baseURL with apiKey and two retries;
// more pairs follow in the provider block.
func localAPI(baseURL, apiKey string, more ...any) tfConfig {
	return providerWith(append([]any{"base_url", baseURL, "api_key", apiKey, "max_retries", 2}, more...)...)
}

// providerLines adds lines (HCL) to the provider block.
func (c tfConfig) providerLines(lines ...string) tfConfig {
	c.provider = append(slices.Clip(c.provider), lines...)
	return c
}

// key adds a pilotstatus_number_api_key called name for numberID (written as a literal, so any
// string can be tested), with lines (HCL; "" for none) in its body.
func (c tfConfig) key(name, numberID string, lines ...string) tfConfig {
	body := []string{"whatsapp_number_id = " + hclQuote(numberID)}
	return c.add(block(`resource "pilotstatus_number_api_key" `+hclQuote(name), append(body, lines...)...))
}

// add adds blocks (HCL) after those already added.
func (c tfConfig) add(blocks ...string) tfConfig {
	c.blocks = append(slices.Clip(c.blocks), blocks...)
	return c
}

func (c tfConfig) String() string {
	var b strings.Builder
	b.WriteString(block(`provider "pilotstatus"`, c.provider...))
	for _, s := range c.blocks {
		b.WriteString("\n" + s)
	}
	return b.String()
}

// block writes a block with header and lines (empty lines left out), one per line.
func block(header string, lines ...string) string {
	var b strings.Builder
	b.WriteString(header + " {\n")
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// arg writes the argument name = v: a string as an HCL string literal, anything else as it prints.
func arg(name string, v any) string {
	if s, ok := v.(string); ok {
		return name + " = " + hclQuote(s)
	}
	return fmt.Sprintf("%s = %v", name, v)
}

// rotation writes keepers = { rotation = v }.
func rotation(v string) string {
	return keepersArg(map[string]string{"rotation": v})
}

// keepersArg writes the keepers argument with the entries of m, in key order.
func keepersArg(m map[string]string) string {
	var b strings.Builder
	b.WriteString("keepers = {")
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString("\n    " + hclQuote(k) + " = " + hclQuote(m[k]))
	}
	b.WriteString("\n  }")
	return b.String()
}

// hclQuote writes s as an HCL string literal that evaluates to exactly s: quotes, backslashes
// and control characters are escaped, and "${" and "%{" are doubled so they stay literal.
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// The endpoints apiCalls counts, and the resource most configurations name.
const (
	listCalls       = "GET /v1/api-keys"
	regenerateCalls = "POST /v1/api-keys"
	addr            = "pilotstatus_number_api_key.test"
)

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
