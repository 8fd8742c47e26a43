package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Secrets never leak: each test below drives one path of the provider with the
// real CLI at TF_LOG=trace, against its own local API, and searches everything
// the CLI printed and logged (core and provider logs) for every key the API ever
// issued, the credentials and any wrong credential the test passed. Each test
// also proves that it searched something real: the provider's trace logs were
// captured, and the path's own evidence (the API call it makes, the warning or
// error it shows) is there.

// secret is a value that must never appear in what the CLI prints or logs.
type secret struct {
	what  string // what it is, for the report
	value string
}

// leakSecrets lists every key the local API ever issued and every key id (the
// API accepts a key id as a credential, x-api-key-id), its credentials, and the
// values a test passed in.
func leakSecrets(api *fakeapi.API, passed ...secret) []secret {
	out := []secret{{"the tenant key", api.TenantKey()}, {"the tenant key id", api.TenantKeyID()}}
	out = append(out, passed...)
	for _, k := range api.IssuedKeys() {
		out = append(out, secret{"a key the local API issued", k})
	}
	for _, id := range api.IssuedKeyIDs() {
		out = append(out, secret{"a key id the local API issued", id})
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(s secret) bool {
		drop := s.value == "" || seen[s.value]
		seen[s.value] = true
		return drop
	})
}

// psValue matches a ps_ value: the prefix and enough of a key to matter. The
// masked forms the provider writes ("ps_***") and the prefix alone do not match.
var psValue = regexp.MustCompile(`ps_[A-Za-z0-9]{8,}`)

// needle is one string the search looks for: a secret or a half of one, so that a
// key cut short (a truncated body, a prefix stripped) is found too.
type needle struct {
	what, value string
	of          string // the whole secret
}

func needlesOf(secrets []secret) []needle {
	var out []needle
	for _, s := range secrets {
		out = append(out, needle{what: s.what, value: s.value, of: s.value})
		if n := len(s.value); n >= 16 {
			out = append(out,
				needle{what: "the first half of " + s.what, value: s.value[:n/2], of: s.value},
				needle{what: "the second half of " + s.what, value: s.value[n/2:], of: s.value})
		}
	}
	return out
}

func last4(s string) string { return s[max(0, len(s)-4):] }

// excerptBefore returns up to 60 characters of text before the hit at
// text[i:i+n], with every secret, every half of one and every ps_ value in it
// masked, together with the rest of the word they are part of (a secret cut
// short leaves its other part next to it), so that a report shows where a leak
// happened without showing any part of a secret.
func excerptBefore(text string, i, n int, needles []needle) string {
	const width = 60
	start := max(0, i-width)
	reach := n
	for _, nd := range needles {
		reach = max(reach, len(nd.value))
	}
	// Look far enough on both sides to find a secret that straddles the window.
	lo, hi := max(0, start-reach), min(len(text), i+reach)
	region := text[lo:hi]
	hidden := make([]bool, len(region))
	mark := func(a, b int) {
		for k := a; k < b; k++ {
			hidden[k] = true
		}
	}
	mark(i-lo, min(len(region), i-lo+n))
	for _, nd := range needles {
		for off := 0; off < len(region); {
			j := strings.Index(region[off:], nd.value)
			if j < 0 {
				break
			}
			mark(off+j, off+j+len(nd.value))
			off += j + 1
		}
	}
	for _, loc := range psValue.FindAllStringIndex(region, -1) {
		mark(loc[0], loc[1])
	}
	// Spread each masked stretch over the whole word around it.
	word := func(b byte) bool {
		return b == '_' || b == '-' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
	}
	for k := 1; k < len(region); k++ {
		if hidden[k-1] && word(region[k]) {
			hidden[k] = true
		}
	}
	for k := len(region) - 2; k >= 0; k-- {
		if hidden[k+1] && word(region[k]) {
			hidden[k] = true
		}
	}
	out := []byte(region[start-lo : i-lo])
	for k := range out {
		switch {
		case hidden[start-lo+k]:
			out[k] = '*'
		case out[k] == '\n' || out[k] == '\r' || out[k] == '\t':
			out[k] = ' '
		}
	}
	return strings.ToValidUTF8(string(out), "?")
}

// reporter is the part of *testing.T the search reports through.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// searchLeaks fails the test for every secret, half of a secret and ps_ value
// found in what each command printed or logged. A report names the command and
// the secret, shows the text before it (masked) and only the secret's last four
// characters.
func searchLeaks(t reporter, logs map[string]string, secrets []secret) {
	t.Helper()
	needles := needlesOf(secrets)
	isSecret := map[string]bool{}
	for _, s := range secrets {
		isSecret[s.value] = true
	}
	names := make([]string, 0, len(logs))
	for name := range logs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		text := logs[name]
		found := map[string]bool{} // whole secrets already reported
		for _, n := range needles {
			if found[n.of] {
				continue
			}
			if i := strings.Index(text, n.value); i >= 0 {
				found[n.of] = true
				t.Errorf("%s: %s (ending in %q) appears in what the CLI printed or logged, after: %q",
					name, n.what, last4(n.of), excerptBefore(text, i, len(n.value), needles))
			}
		}
		for _, loc := range psValue.FindAllStringIndex(text, 5) {
			if v := text[loc[0]:loc[1]]; !isSecret[v] {
				t.Errorf("%s: a ps_ value (ending in %q) appears in what the CLI printed or logged, after: %q",
					name, last4(v), excerptBefore(text, loc[0], len(v), needles))
			}
		}
	}
}

// masker hides secrets in CLI output that a failing test prints.
type masker struct {
	api    *fakeapi.API
	passed []secret
}

func secretMasker(api *fakeapi.API, passed ...secret) masker { return masker{api: api, passed: passed} }

func (m masker) mask(s string) string {
	for _, sec := range leakSecrets(m.api, m.passed...) {
		s = strings.ReplaceAll(s, sec.value, "[secret …"+last4(sec.value)+"]")
	}
	return psValue.ReplaceAllStringFunc(s, func(v string) string { return "[ps_ value …" + last4(v) + "]" })
}

// Markers in the trace log that prove the provider's logs were captured.
const (
	// Every line the provider logs, relayed by the CLI.
	providerTrace = "[TRACE] provider.terraform-provider-pilotstatus: "
	// One line per HTTP attempt of the API client (debug level).
	apiRequestLogged = "Pilot Status API request: "
	// The redacted body of each answer (trace level).
	apiBodyLogged = "Pilot Status API response body: "
)

// keyFieldMasked matches a "key" member of a logged answer body whose value was
// masked: the secret-bearing answer went through the log. Terraform writes the
// body as is, OpenTofu quotes it.
var keyFieldMasked = regexp.MustCompile(`\\?"key\\?":\\?"\*\*\*\\?"`)

// leakPath is one path under test: a configuration in its own directory, the
// real CLI and its own local API.
type leakPath struct {
	t      *testing.T
	api    *fakeapi.API
	url    string
	c      *cliRun
	dir    string
	tenant []string // the environment that configures the tenant credential
	passed []secret // wrong credentials the test handed to the provider
	// printed is what each command printed, by name.
	printed map[string]string
}

// leakNumbers seeds the local API of the leak tests.
var leakNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
	{ID: "wn_3", Number: "5511999990003", Name: "Importado"},
}

func newLeakPath(t *testing.T, config string) *leakPath {
	t.Helper()
	skipUnlessAcc(t)
	api, url := newTestAPI(t, leakNumbers...)
	c := newCLIRun(t, url)
	p := &leakPath{t: t, api: api, url: url, c: c, dir: t.TempDir(), tenant: []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()},
		printed: map[string]string{}}
	c.redact = func(s string) string { return secretMasker(api, p.passed...).mask(s) }
	if config != "" {
		p.write(config)
	}
	return p
}

// write makes config the path's configuration.
func (p *leakPath) write(config string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, "main.tf"), []byte(config), 0o600); err != nil {
		p.t.Fatal(err)
	}
}

// run runs one CLI command with the tenant credential; it must succeed.
func (p *leakPath) run(name string, args ...string) string {
	p.t.Helper()
	out := p.c.run(name, p.dir, p.tenant, false, args...)
	p.printed[name] = out
	return out
}

// fail runs one CLI command with env; it must fail.
func (p *leakPath) fail(name string, env []string, args ...string) string {
	p.t.Helper()
	out := p.c.run(name, p.dir, env, true, args...)
	p.printed[name] = out
	return out
}

// searched fails the test unless every named command's capture holds each want:
// a string, or a *regexp.Regexp that must match.
func (p *leakPath) searched(name string, wants ...any) {
	p.t.Helper()
	text, ok := p.c.logs[name]
	if !ok {
		p.t.Fatalf("no command %q ran", name)
	}
	for _, w := range wants {
		var hit bool
		switch w := w.(type) {
		case string:
			hit = strings.Contains(text, w)
		case *regexp.Regexp:
			hit = w.MatchString(text)
		default:
			p.t.Fatalf("searched: %T is neither a string nor a *regexp.Regexp", w)
		}
		if !hit {
			p.t.Errorf("%s: what the CLI printed and logged lacks %q", name, fmt.Sprint(w))
		}
	}
}

// searchedAPI fails the test unless the command's capture holds the provider's
// trace logs and the logged API calls.
func (p *leakPath) searchedAPI(name string, wants ...any) {
	p.t.Helper()
	p.searched(name, append([]any{providerTrace, apiRequestLogged, apiBodyLogged}, wants...)...)
}

// noLeaks searches everything the test's commands printed and logged, and the
// private state of every resource instance in the state files (decoded), and
// checks that every command that printed the key attribute showed it as
// (sensitive value).
func (p *leakPath) noLeaks() {
	p.t.Helper()
	if len(p.c.logs) == 0 {
		p.t.Fatal("no command ran: there is nothing to search")
	}
	searched := maps.Clone(p.c.logs)
	maps.Copy(searched, p.privateStates())
	searchLeaks(p.t, searched, leakSecrets(p.api, p.passed...))
	for name, out := range p.printed {
		for _, l := range keyAttribute.FindAllString(out, -1) {
			if !strings.Contains(l, "(sensitive value)") {
				p.t.Errorf("%s: the key attribute is shown as %q, want (sensitive value)", name, p.c.redact(strings.TrimSpace(l)))
			}
		}
	}
}

// regenerations returns how many regenerations reached the API so far.
func (p *leakPath) regenerations() int { return p.api.Calls(fakeapi.EndpointRegenerate) }

// expectRegenerations fails unless exactly want regenerations reached the API
// since before.
func (p *leakPath) expectRegenerations(what string, before, want int) {
	p.t.Helper()
	if got := p.regenerations() - before; got != want {
		p.t.Errorf("%s made %d regenerations, want %d", what, got, want)
	}
}

// keyAttribute matches an attribute line for key in a plan or in show.
var keyAttribute = regexp.MustCompile(`(?m)^[ \t]*[-+~]?[ \t]*key[ \t]+=.*$`)

// keyShownSensitive fails unless the named command printed the key attribute;
// noLeaks checks that it is shown as (sensitive value) wherever it is printed.
func (p *leakPath) keyShownSensitive(name, out string) {
	p.t.Helper()
	if !keyAttribute.MatchString(out) {
		p.t.Errorf("%s: the plan does not show the key attribute:\n%s", name, p.c.redact(out))
	}
}

// stateKeys reads the keys held in the local state file, by number id. It reads
// the file itself, so that the keys never reach the captured output.
func (p *leakPath) stateKeys() map[string]string {
	p.t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.dir, "terraform.tfstate"))
	if err != nil {
		p.t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode, Type string
			Instances  []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		p.t.Fatalf("reading the state file: %v", err)
	}
	out := map[string]string{}
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != "pilotstatus_number_api_key" {
			continue
		}
		for _, in := range r.Instances {
			id, _ := in.Attributes["whatsapp_number_id"].(string)
			out[id], _ = in.Attributes["key"].(string)
		}
	}
	return out
}

// stateFiles are the state files a leak test's working directory may hold: the
// state, and the one before the last change.
var stateFiles = []string{"terraform.tfstate", "terraform.tfstate.backup"}

// privateStates returns the private state and the identity of every resource
// instance in the test's state files, the private state decoded, by file and
// instance. The state holds key and key_id by design (they are sensitive
// attributes); private state and identity must hold no secret at all (an identity
// is stored and shown in plans in clear).
func (p *leakPath) privateStates() map[string]string {
	p.t.Helper()
	out := map[string]string{}
	for _, name := range stateFiles {
		raw, err := os.ReadFile(filepath.Join(p.dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			p.t.Fatal(err)
		}
		instances, err := readStateInstances(raw)
		if err != nil {
			p.t.Fatalf("reading %s: %v", name, err)
		}
		for _, in := range instances {
			if text := decodePrivateState(in.private); text != "" {
				out["the private state of "+in.addr+" in "+name] = text
			}
			if len(in.identity) > 0 {
				out["the identity of "+in.addr+" in "+name] = string(in.identity)
			}
		}
	}
	return out
}

// stateInstance is one resource instance of a state file.
type stateInstance struct {
	addr     string
	private  []byte
	identity json.RawMessage
}

// readStateInstances reads every resource instance of a state file. The file holds
// private state in base64 (the "private" field) and the identity as JSON.
func readStateInstances(stateFile []byte) ([]stateInstance, error) {
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				IndexKey any             `json:"index_key"`
				Private  []byte          `json:"private"` // base64 in the file
				Identity json.RawMessage `json:"identity"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(stateFile, &st); err != nil {
		return nil, err
	}
	var out []stateInstance
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			addr := r.Type + "." + r.Name
			if r.Mode == "data" {
				addr = "data." + addr
			}
			if in.IndexKey != nil {
				addr += fmt.Sprintf("[%q]", fmt.Sprint(in.IndexKey))
			}
			out = append(out, stateInstance{addr: addr, private: in.Private, identity: in.Identity})
		}
	}
	return out, nil
}

// decodePrivateStates decodes the private state of every resource instance of a
// state file, by instance address.
func decodePrivateStates(stateFile []byte) (map[string]string, error) {
	instances, err := readStateInstances(stateFile)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, in := range instances {
		if text := decodePrivateState(in.private); text != "" {
			out[in.addr] = text
		}
	}
	return out, nil
}

// decodePrivateState decodes one instance's private state: the framework writes it
// as a JSON object whose values are base64 too, so each key is listed with its
// value decoded, after the object as it is. "" when there is none.
func decodePrivateState(private []byte) string {
	if len(private) == 0 {
		return ""
	}
	text := string(private)
	var values map[string][]byte // each value is base64 in the JSON
	if json.Unmarshal(private, &values) == nil {
		for _, k := range slices.Sorted(maps.Keys(values)) {
			text += "\n" + k + "=" + string(values[k])
		}
	}
	return text
}

// stateIdentities returns the identity of every resource instance in the test's
// state, as compact JSON, by instance address.
func (p *leakPath) stateIdentities() map[string]string {
	p.t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.dir, "terraform.tfstate"))
	if err != nil {
		p.t.Fatal(err)
	}
	instances, err := readStateInstances(raw)
	if err != nil {
		p.t.Fatalf("reading the state file: %v", err)
	}
	out := map[string]string{}
	for _, in := range instances {
		var b bytes.Buffer
		if len(in.identity) > 0 && json.Compact(&b, in.identity) != nil {
			p.t.Fatalf("the identity of %s is not JSON", in.addr)
		}
		out[in.addr] = b.String()
	}
	return out
}

// holdsCurrentKeys fails unless the state holds the current key of every number
// in ids: the key went through the provider, so there was something to leak.
func (p *leakPath) holdsCurrentKeys(ids ...string) {
	p.t.Helper()
	held := p.stateKeys()
	for _, id := range ids {
		cur, ok := p.api.CurrentKey(id)
		switch {
		case !ok:
			p.t.Errorf("the local API has no number %s", id)
		case held[id] != cur.Raw:
			p.t.Errorf("the state does not hold the current key of %s (ending in %q)", id, cur.Last4)
		}
	}
}

// Create: the first apply regenerates both keys, prints the plan with key as
// (sensitive value) and stores the new keys.
func TestAccLeak_create(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	out := p.run("create", applyArgs()...)
	p.expectRegenerations("the first apply", 0, 2)
	p.keyShownSensitive("create", out)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("create", "Regenerated API key", "path=/v1/api-keys", "method=POST", keyFieldMasked, "keys = <sensitive>")
	p.noLeaks()
}

// Refresh: a plan, refresh and apply -refresh-only each read every key from the
// key list (whose answer holds the keys) and regenerate nothing.
func TestAccLeak_refresh(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	for _, cmd := range []struct {
		name string
		args []string
	}{
		{"refresh plan", planArgs("-detailed-exitcode")},
		{"refresh", []string{"refresh", "-input=false", "-no-color"}},
		{"apply -refresh-only", applyArgs("-refresh-only")},
	} {
		lists, regenerations := p.api.Calls(fakeapi.EndpointListKeys), p.regenerations()
		p.run(cmd.name, cmd.args...)
		if p.api.Calls(fakeapi.EndpointListKeys) == lists {
			t.Errorf("%s did not read the key list", cmd.name)
		}
		p.expectRegenerations(cmd.name, regenerations, 0)
		p.searchedAPI(cmd.name, "method=GET", "Called provider defined Resource Read", keyFieldMasked)
	}
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.noLeaks()
}

// Import by command: the import finds the current key in the key list without
// regenerating it and stores no credential; the next apply stores the key
// (store_key defaults to true), regenerating nothing either.
func TestAccLeak_importCommand(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig)
	out := p.run("import", "import", "-input=false", "-no-color", "pilotstatus_number_api_key.imported", "wn_3")
	if !strings.Contains(out, "Import successful") {
		t.Errorf("the import does not say it succeeded:\n%s", p.c.redact(out))
	}
	if held := p.stateKeys(); held["wn_3"] != "" {
		t.Error("the import stored the key in state")
	}
	p.run("plan after import", planArgs()...)
	p.run("apply after import", applyArgs()...)
	p.expectRegenerations("the import and the apply after it", 0, 0)
	p.holdsCurrentKeys("wn_3")
	p.searchedAPI("import", "Imported the number's current API key", keyFieldMasked)
	p.searchedAPI("plan after import", "Called provider defined Resource Read")
	p.searchedAPI("apply after import", "Storing the number's current API key in state")
	p.noLeaks()
}

// Import by an import block: the plan shows the import, and the key it stores in
// place as (sensitive value), and the apply imports the key without regenerating it.
func TestAccLeak_importBlock(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig+`
import {
  to = pilotstatus_number_api_key.imported
  id = "wn_3"
}
`)
	// The import stores no credential, so the plan also stores the key in place (store_key = true).
	p.importBlock(importAndStore)
	p.noLeaks()
}

// Import by identity: the same path with an identity, and the identity in state is
// the number id alone.
func TestAccLeak_importIdentity(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, importConfig+`
import {
  to       = pilotstatus_number_api_key.imported
  identity = { whatsapp_number_id = "wn_3" }
}
`)
	if ok, version := cliSupportsIdentity(t, p.c); !ok {
		t.Skipf("%s cannot import by identity (Terraform and OpenTofu 1.12 or later can)", version)
	}
	p.importBlock(importAndStore, "imported using resource identity", `"whatsapp_number_id": "wn_3"`)
	if got := p.stateIdentities()["pilotstatus_number_api_key.imported"]; got != `{"whatsapp_number_id":"wn_3"}` {
		t.Errorf("the state records the identity %s, want {\"whatsapp_number_id\":\"wn_3\"}", got)
	}
	p.noLeaks()
}

// importAndStore is how a plan counts an import followed, in place, by storing the key.
const importAndStore = "1 to import, 0 to add, 1 to change"

// importBlock plans and applies the import block of importConfig: the plan shows
// the import (each of shows) with key as (sensitive value), and the apply imports
// wn_3's key without regenerating it.
func (p *leakPath) importBlock(shows ...string) {
	p.t.Helper()
	plan := p.run("import plan", planArgs()...)
	for _, want := range shows {
		if !strings.Contains(plan, want) {
			p.t.Errorf("the plan does not show the import (%q):\n%s", want, p.c.redact(plan))
		}
	}
	p.keyShownSensitive("import plan", plan)
	out := p.run("import apply", applyArgs()...)
	if !strings.Contains(out, "1 imported") {
		p.t.Errorf("the apply does not say it imported:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("the import block", 0, 0)
	p.holdsCurrentKeys("wn_3")
	for _, name := range []string{"import plan", "import apply"} {
		p.searchedAPI(name, "Imported the number's current API key", keyFieldMasked)
	}
}

// Rotation: a keepers change plans a replacement that names the key about to die
// and shows key as (sensitive value); the apply regenerates both keys.
func TestAccLeak_rotation(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	before, _ := p.api.CurrentKey("wn_1")
	plan := p.run("rotation plan", planArgs("-var", "rotation=2")...)
	if !words("must be replaced", "API Key Will Be Regenerated").MatchString(plan) {
		t.Errorf("the plan of a keepers change is not a replacement that warns of the regeneration:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("rotation plan", plan)
	regenerations := p.regenerations()
	out := p.run("rotation", applyArgs("-var", "rotation=2")...)
	p.expectRegenerations("the rotation", regenerations, 2)
	p.keyShownSensitive("rotation", out)
	p.holdsCurrentKeys("wn_1", "wn_2")
	if keyWorks(t, p.url, before.Raw) {
		t.Error("the key of wn_1 from before the rotation still works")
	}
	p.searchedAPI("rotation plan", "Called provider defined Resource ModifyPlan")
	p.searchedAPI("rotation", "Regenerated API key", "method=POST", keyFieldMasked)
	p.noLeaks()
}

// Scheduled rotation: once the keys are older than rotation_period, the plan says
// the rotation is due and replaces them, and the apply regenerates them.
func TestAccLeak_scheduledRotation(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	waitUntilOlder(t, p.api, time.Second, "wn_1", "wn_2")
	plan := p.run("scheduled rotation plan", planArgs("-var", "period=1s")...)
	if !words("must be replaced", "Scheduled Key Rotation", "is due for its scheduled rotation").MatchString(plan) {
		t.Errorf("the plan of a due rotation does not say the rotation is scheduled, or is not a replacement:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("scheduled rotation plan", plan)
	regenerations := p.regenerations()
	p.run("scheduled rotation", applyArgs("-var", "period=1s")...)
	p.expectRegenerations("the scheduled rotation", regenerations, 2)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("scheduled rotation plan", "method=GET", keyFieldMasked)
	p.searchedAPI("scheduled rotation", "Regenerated API key", "method=POST", keyFieldMasked)
	p.noLeaks()
}

// Adoption: with on_external_rotation = "adopt", a key regenerated outside
// Terraform is read from the key list into state, without regenerating.
func TestAccLeak_adoption(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	adopt := []string{"-var", "on_external_rotation=adopt"}
	p.run("create", applyArgs(adopt...)...)
	p.api.RotateOutOfBand("wn_1")
	regenerations := p.regenerations()
	plan := p.run("adoption plan", planArgs(adopt...)...)
	if !words("Adopted Key Rotated Outside Terraform", "taken into state without regenerating").MatchString(plan) {
		t.Errorf("the plan does not say the key was adopted:\n%s", p.c.redact(plan))
	}
	p.run("adoption", applyArgs(adopt...)...)
	p.expectRegenerations("the adoption", regenerations, 0)
	p.holdsCurrentKeys("wn_1", "wn_2")
	for _, name := range []string{"adoption plan", "adoption"} {
		p.searchedAPI(name, "adopting the new key", keyFieldMasked)
	}
	p.noLeaks()
}

// Drift repair: a key regenerated outside Terraform is recorded by a refresh-only
// apply (in private state), then replaced by the next apply, which says why.
func TestAccLeak_driftRepair(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	p.api.RotateOutOfBand("wn_1")
	// A refresh-only apply writes what the refresh observed to the state file,
	// private state included, where the search reads it.
	p.run("drift refresh", applyArgs("-refresh-only")...)
	observed := `the private state of pilotstatus_number_api_key.k["wn_1"] in terraform.tfstate`
	if _, ok := p.privateStates()[observed]; !ok {
		t.Errorf("the refresh that saw the rotation left no private state for wn_1: the search of private state found nothing to search")
	}
	plan := p.run("drift plan", planArgs()...)
	if !words("must be replaced", "Key Rotated Outside Terraform").MatchString(plan) {
		t.Errorf("the plan does not replace the key rotated outside Terraform:\n%s", p.c.redact(plan))
	}
	p.keyShownSensitive("drift plan", plan)
	regenerations := p.regenerations()
	out := p.run("drift repair", applyArgs()...)
	if !strings.Contains(out, "Key Rotated Outside Terraform") {
		t.Errorf("the drift repair does not say why it regenerates:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("the drift repair", regenerations, 1)
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("drift refresh", "API key was regenerated outside Terraform", keyFieldMasked)
	p.searchedAPI("drift plan", "API key was regenerated outside Terraform", keyFieldMasked)
	p.searchedAPI("drift repair", "Regenerated API key", "method=POST", keyFieldMasked)
	p.noLeaks()
}

// Destroy with on_destroy = "invalidate": destroying regenerates both keys and
// discards the new ones, so the keys in state stop working.
func TestAccLeak_destroyInvalidate(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	invalidate := []string{"-var", "on_destroy=invalidate"}
	p.run("create", applyArgs(invalidate...)...)
	held := p.stateKeys()
	regenerations := p.regenerations()
	out := p.run("destroy", append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, invalidate...)...)
	if !strings.Contains(out, "Destroying Invalidates the Key") {
		t.Errorf("the destroy plan does not say it invalidates the keys:\n%s", p.c.redact(out))
	}
	p.keyShownSensitive("destroy", out)
	p.expectRegenerations("the destroy", regenerations, 2)
	for _, id := range []string{"wn_1", "wn_2"} {
		if keyWorks(t, p.url, held[id]) {
			t.Errorf("the key of %s still works after destroy", id)
		}
	}
	p.searchedAPI("destroy", "Invalidated the API key; the new key was discarded", "method=POST", keyFieldMasked)
	p.noLeaks()
}

// The pilotstatus_numbers data source lists the tenant's numbers.
func TestAccLeak_numbersDataSource(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, providersTF+`
data "pilotstatus_numbers" "all" {}

output "numbers" {
  value = length(data.pilotstatus_numbers.all.numbers)
}
`)
	out := p.run("numbers", applyArgs()...)
	if !strings.Contains(out, "numbers = 3") {
		t.Errorf("the data source does not list the 3 numbers:\n%s", p.c.redact(out))
	}
	if p.api.Calls(fakeapi.EndpointListNumbers) == 0 {
		t.Error("the data source did not call GET /v1/numbers")
	}
	p.searchedAPI("numbers", "Listed WhatsApp numbers", "path=/v1/numbers")
	p.noLeaks()
}

// The pilotstatus_api_keys data source lists every number's key metadata from the
// key list, whose answer holds the keys themselves.
func TestAccLeak_apiKeysDataSource(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, providersTF+`
data "pilotstatus_api_keys" "all" {}

output "keys" {
  value = length(data.pilotstatus_api_keys.all.keys)
}
`)
	out := p.run("api keys", applyArgs()...)
	if !strings.Contains(out, "keys = 3") {
		t.Errorf("the data source does not list the 3 keys:\n%s", p.c.redact(out))
	}
	if p.api.Calls(fakeapi.EndpointListKeys) == 0 {
		t.Error("the data source did not call GET /v1/api-keys")
	}
	p.searchedAPI("api keys", "Listed API key metadata", "path=/v1/api-keys", keyFieldMasked)
	p.noLeaks()
}

// show and output print a sensitive output, and the keys in state, as sensitive.
// (output NAME prints the raw value by design, in both CLIs, so it is not a
// path here.)
func TestAccLeak_showAndOutput(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, cliKeysConfig)
	p.run("create", applyArgs()...)
	show := p.run("show", "show", "-no-color")
	if !strings.Contains(show, `resource "pilotstatus_number_api_key" "k"`) || !regexp.MustCompile(`keys\s+=\s+\(sensitive value\)`).MatchString(show) {
		t.Errorf("show does not print the resources and the sensitive output:\n%s", p.c.redact(show))
	}
	p.keyShownSensitive("show", show)
	out := p.run("output", "output", "-no-color")
	if !regexp.MustCompile(`keys\s+=\s+<sensitive>`).MatchString(out) || !strings.Contains(out, "last4") {
		t.Errorf("output does not print the outputs, the keys as <sensitive>:\n%s", p.c.redact(out))
	}
	p.holdsCurrentKeys("wn_1", "wn_2")
	p.searchedAPI("create", "Regenerated API key")
	p.noLeaks()
}

// The ephemeral resource opens the current key of wn_1 on every plan and apply,
// without regenerating it, and hands it to a local-exec provisioner, which checks
// what it received without printing it.
func TestAccLeak_ephemeral(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, "")
	if ok, version := cliSupportsEphemeral(t, p.c); !ok {
		t.Skipf("%s has no ephemeral resources (they need Terraform 1.10 or later, or OpenTofu 1.11 or later): "+
			"the ephemeral resource's path runs on the CLIs that have them", version)
	}
	cur, _ := p.api.CurrentKey("wn_1")
	p.write(providersTF + `
ephemeral "pilotstatus_number_api_key" "k" {
  whatsapp_number_id = "wn_1"
}

locals {
  key = ephemeral.pilotstatus_number_api_key.k.key
}

resource "terraform_data" "handed_on" {
  provisioner "local-exec" {
    # Succeeds only when the key received is a ps_ key ending in wn_1's last four.
    command     = "case \"$PS_KEY\" in ps_*` + cur.Last4 + `) exit 0 ;; *) exit 1 ;; esac"
    environment = { PS_KEY = local.key }
  }
}
`)
	plan := p.run("ephemeral plan", planArgs()...)
	out := p.run("ephemeral apply", applyArgs()...)
	if !strings.Contains(out, "Provisioning with 'local-exec'") || !strings.Contains(out, "terraform_data.handed_on: Creation complete") {
		t.Errorf("the key was not handed to the provisioner:\n%s", p.c.redact(out))
	}
	p.expectRegenerations("opening the ephemeral resource", 0, 0)
	if st, err := os.ReadFile(filepath.Join(p.dir, "terraform.tfstate")); err != nil || strings.Contains(string(st), cur.Raw) {
		t.Errorf("the state file is unreadable (%v) or holds the opened key", err)
	}
	// OpenTofu says "Open complete", Terraform "Opening complete".
	opened := regexp.MustCompile(`ephemeral\.pilotstatus_number_api_key\.k: (Open|Opening) complete`)
	for name, text := range map[string]string{"ephemeral plan": plan, "ephemeral apply": out} {
		if !opened.MatchString(text) {
			t.Errorf("%s did not open the ephemeral resource:\n%s", name, p.c.redact(text))
		}
		p.searchedAPI(name, "Opened the number's current API key", keyFieldMasked)
	}
	p.noLeaks()
}

// errorConfig manages the key of one number, with extra provider arguments.
// What the provider logs while it settles an unknown outcome, and when the key
// list then reveals the key.
const (
	settleLogged    = "regeneration outcome unknown; watching the key list"
	recoveredLogged = "The key list shows the key that the unanswered regeneration made"
)

func errorConfig(numberID, extra string) string {
	return providersTF + `
provider "pilotstatus" {
  max_retries = 1
  ` + extra + `
}

resource "pilotstatus_number_api_key" "k" {
  whatsapp_number_id = "` + numberID + `"
}
`
}

// Every error path: the command fails with the diagnostic the path is about, the
// API saw the calls (or, for a credential refused before any call, none), and no
// secret appears in what the CLI printed or logged, neither the keys, nor the
// credential, nor a wrong credential passed in. Where the error may have killed
// the key, the next apply repairs it.
func TestAccLeak_errors(t *testing.T) {
	t.Parallel()
	const (
		wrongKey   = "ps_wrongWRONGwrong0000000000000000000000"
		wrongKeyID = "k_not_a_key_id"
		badFormat  = "pilotstatus-key-WITHOUT-the-prefix-0123456789"
	)
	cases := []struct {
		name     string
		numberID string // wn_1 when empty
		extra    string // provider arguments
		// env is the credential; the tenant key when nil. passed are the wrong
		// values it hands to the provider.
		env    func(api *fakeapi.API) []string
		passed []secret
		fault  *fakeapi.Fault // switched on before the failing command
		// refresh: the key is created first, then a plan fails.
		refresh bool
		want    *regexp.Regexp // in the failing command's output
		logged  []any          // in the failing command's capture
		// endpoint must have been called by the failing command; none when empty.
		endpoint string
		repairs  bool // the next apply, without the fault, stores a working key
		// recovers: the command succeeds, the key taken from the key list after the
		// regeneration's answer was lost or spoiled, with one regeneration.
		recovers bool
	}{
		// Credentials the API refuses and unknown numbers fail the plan, on the list.
		{
			name:     "401 wrong key",
			env:      func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY=" + wrongKey} },
			passed:   []secret{{"the wrong key passed", wrongKey}},
			want:     words("Unable to Read API Keys", `number "wn_1"`, "nothing was regenerated", "rejected the credentials (401)", "(HTTP 401)"),
			logged:   []any{"status=401"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "401 wrong key id",
			env:      func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY_ID=" + wrongKeyID} },
			passed:   []secret{{"the wrong key id passed", wrongKeyID}},
			want:     words("Unable to Read API Keys", "rejected the credentials (401)", "(HTTP 401)"),
			logged:   []any{"status=401"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name: "403 number-scoped key",
			env: func(api *fakeapi.API) []string {
				k, _ := api.CurrentKey("wn_3")
				return []string{"PILOTSTATUS_API_KEY=" + k.Raw}
			},
			want:     words("Unable to Read API Keys", "number-scoped key", "Dashboard → Profile → API", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
			logged:   []any{"status=403"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name: "403 number-scoped key id",
			env: func(api *fakeapi.API) []string {
				k, _ := api.CurrentKey("wn_3")
				return []string{"PILOTSTATUS_API_KEY_ID=" + k.ID}
			},
			want:     words("Unable to Read API Keys", "number-scoped key", "NUMBER_SCOPE_NOT_ALLOWED", "(HTTP 403)"),
			logged:   []any{"status=403"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "unknown number",
			numberID: "wn_404",
			want:     words("WhatsApp Number Not Found", `no WhatsApp number "wn_404"`, "nothing was regenerated"),
			logged:   []any{"status=200"},
			endpoint: fakeapi.EndpointListKeys,
		},
		{
			name:     "404 unknown number from the regeneration",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 404, Code: "NUMBER_NOT_FOUND", Message: "Number not found"},
			want:     words("Unable to Regenerate API Key", `no WhatsApp number with id "wn_1"`, "(HTTP 404)"),
			logged:   []any{"status=404"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "400 validation",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 400, Code: "VALIDATION_ERROR", Message: "Validation error"},
			want:     words("Unable to Regenerate API Key", "rejected the request as invalid (400)", "(HTTP 400)"),
			logged:   []any{"status=400"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "429 exhausted",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultRateLimit, Times: 2, RetryAfter: "0"},
			want:     words("Unable to Regenerate API Key", "429 Too Many Requests", "tried 2 times", "(HTTP 429)"),
			logged:   []any{"status=429", "Pilot Status API request failed, retrying"},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		// Each 5xx may have regenerated: the list is watched before the second request,
		// and there is no third.
		{
			name:     "500 twice",
			extra:    `regeneration_settle_time = "1s"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: 500, Times: 2},
			want:     words("Unable to Regenerate API Key", "server error", "tried once", lostAnswer, "(HTTP 500)", "2 regeneration requests"),
			logged:   []any{"status=500", settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "HTML error page",
			extra:    `regeneration_settle_time = "1s"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultHTMLError, Times: 2},
			want:     words("Unable to Regenerate API Key", "server error", lostAnswer, "(HTTP 502)"),
			logged:   []any{"status=502", "502 Bad Gateway", settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		{
			name:     "timeout",
			extra:    `request_timeout = "300ms"`,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDelay, Delay: 3 * time.Second, Times: 2},
			want:     words("Unable to Regenerate API Key", "did not complete (network failure or timeout)", "request_timeout", lostAnswer),
			logged:   []any{settleLogged},
			endpoint: fakeapi.EndpointRegenerate,
			repairs:  true,
		},
		// An answer lost or spoiled after the work: the key list reveals the key.
		{
			name:     "lost answer on regenerate",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDropAfterWork, Times: 2},
			logged:   []any{settleLogged, recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:     "malformed JSON",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultMalformedJSON},
			logged:   []any{"this is not JSON", recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:     "missing key field",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultMissingKey},
			logged:   []any{"keyLast4", recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			// The first half of the answer, which ends in the first part of the key:
			// the key member is masked to the end of the body, with nothing after it.
			name:     "truncated body",
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultTruncatedBody},
			logged:   []any{regexp.MustCompile(`\\?"key\\?":\\?"\*\*\*\\?"(?:[^,]|$)`), recoveredLogged},
			endpoint: fakeapi.EndpointRegenerate,
			recovers: true,
		},
		{
			name:   "invalid credential format",
			env:    func(*fakeapi.API) []string { return []string{"PILOTSTATUS_API_KEY=" + badFormat} },
			passed: []secret{{"the malformed credential passed", badFormat}},
			want:   words("Invalid Pilot Status Credential", "PILOTSTATUS_API_KEY", `does not start with "ps_"`),
			logged: []any{"Called provider defined Provider Configure"},
		},
		{
			name:     "refresh error",
			refresh:  true,
			fault:    &fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultStatus, Status: 500, Times: 10},
			want:     words("Unable to Read API Keys", `number "wn_1"`, "state was left as it was", "(HTTP 500)"),
			logged:   []any{"status=500", "Called provider defined Resource Read"},
			endpoint: fakeapi.EndpointListKeys,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			numberID := tc.numberID
			if numberID == "" {
				numberID = "wn_1"
			}
			p := newLeakPath(t, errorConfig(numberID, tc.extra))
			p.passed = tc.passed
			env := p.tenant
			if tc.env != nil {
				env = tc.env(p.api)
			}
			args := applyArgs()
			if tc.refresh {
				p.run("create", applyArgs()...)
				args = planArgs()
			}
			if tc.fault != nil {
				p.api.AddFault(*tc.fault)
			}
			calls, total := 0, p.api.TotalCalls()
			if tc.endpoint != "" {
				calls = p.api.Calls(tc.endpoint)
			}
			if tc.recovers {
				p.run("failing command", args...)
				p.expectRegenerations("the recovered regeneration", calls, 1)
				p.holdsCurrentKeys(numberID)
			} else if out := p.fail("failing command", env, args...); !tc.want.MatchString(out) {
				t.Errorf("the error does not match %q:\n%s", tc.want, p.c.redact(out))
			}
			switch tc.endpoint {
			case "":
				if got := p.api.TotalCalls() - total; got != 0 {
					t.Errorf("%d calls reached the API, want none", got)
				}
				p.searched("failing command", append([]any{providerTrace}, tc.logged...)...)
			default:
				if p.api.Calls(tc.endpoint) == calls {
					t.Errorf("the failing command made no %s call", tc.endpoint)
				}
				p.searchedAPI("failing command", tc.logged...)
			}
			if tc.repairs {
				p.api.ClearFaults()
				p.run("repair", applyArgs()...)
				p.holdsCurrentKeys(numberID)
				p.searchedAPI("repair", "Regenerated API key", keyFieldMasked)
			}
			p.noLeaks()
		})
	}
}

// errorRecorder records what a search reports.
type errorRecorder struct{ reports []string }

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.reports = append(r.reports, fmt.Sprintf(format, args...))
}

// The search finds a whole secret, a key cut short, a key without its prefix and
// a ps_ value it was not told about; it names the command and the secret's last
// four characters, shows the text before the hit, and its reports hold no secret.
func TestSearchLeaks(t *testing.T) {
	t.Parallel()
	key := "ps_" + strings.Repeat("A1b2C3d4E5", 4)
	other := "ps_" + strings.Repeat("zY9xW8vU7t", 4)
	tenantID := "k_tenant"
	secrets := []secret{{"the key", key}, {"the other key", other}, {"the tenant key id", tenantID}}
	cases := []struct {
		name string
		text string
		want []string // in the one report, in order
	}{
		{name: "clean", text: `key_prefix = "ps_" body={"key":"***"} masked ps_*** and ps_ ...`},
		{name: "whole", text: "auth header: " + key + " end", want: []string{"whole:", "the key", `"d4E5"`, "auth header: "}},
		{name: "next to another", text: other + " then " + key, want: []string{"next to another:", "the key", `"*****`, " then "}},
		{name: "cut short", text: "body={\"key\":\"" + key[:16], want: []string{"a ps_ value", "body={"}},
		{name: "prefix stripped", text: "value " + key[3:], want: []string{"the second half of the key", `"value ******`}},
		{name: "short credential", text: "x-api-key-id: " + tenantID, want: []string{"the tenant key id", `"nant"`, "x-api-key-id: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var r errorRecorder
			searchLeaks(&r, map[string]string{tc.name: tc.text}, secrets)
			if len(tc.want) == 0 {
				if len(r.reports) != 0 {
					t.Errorf("reports on clean text: %q", r.reports)
				}
				return
			}
			if len(r.reports) == 0 {
				t.Fatalf("no report on %s", tc.name)
			}
			if !words(tc.want...).MatchString(r.reports[0]) {
				t.Errorf("report %q does not hold %q in order", r.reports[0], tc.want)
			}
			for _, rep := range r.reports {
				// No eight characters of a secret in a row: only its last four.
				for _, sec := range secrets {
					for k := 0; k+8 <= len(sec.value); k++ {
						if strings.Contains(rep, sec.value[k:k+8]) {
							t.Errorf("report %q holds part of %s", rep, sec.what)
							break
						}
					}
				}
				if psValue.MatchString(rep) {
					t.Errorf("report %q holds a ps_ value", rep)
				}
			}
		})
	}
}

// The private state of a state file is searched decoded: a key id stored there is
// found although the state file shows it only in base64 twice over.
func TestSearchLeaksPrivateState(t *testing.T) {
	t.Parallel()
	const keyID = "k_privateSTATE0001"
	inner, err := json.Marshal(map[string][]byte{"external_rotation": []byte(strconv.Quote(keyID)), "imported": []byte("true")})
	if err != nil {
		t.Fatal(err)
	}
	state, err := json.Marshal(map[string]any{
		"version": 4,
		"resources": []any{
			map[string]any{"mode": "managed", "type": "pilotstatus_number_api_key", "name": "k", "instances": []any{
				map[string]any{"index_key": "wn_1", "attributes": map[string]any{}, "private": inner},
				map[string]any{"index_key": "wn_2", "attributes": map[string]any{}},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), keyID) || strings.Contains(string(state), keyID[:9]) {
		t.Fatal("the state file shows the key id in clear: the test proves nothing")
	}
	decoded, err := decodePrivateStates(state)
	if err != nil {
		t.Fatal(err)
	}
	want := `pilotstatus_number_api_key.k["wn_1"]`
	if len(decoded) != 1 || !strings.Contains(decoded[want], "external_rotation=\""+keyID+"\"") ||
		!strings.Contains(decoded[want], "imported=true") {
		t.Fatalf("decoded private state = %q, want %s with both keys decoded", decoded, want)
	}
	var r errorRecorder
	searchLeaks(&r, decoded, []secret{{"a key id", keyID}})
	if len(r.reports) != 1 || !words(want, "a key id", `"0001"`, "external_rotation=").MatchString(r.reports[0]) {
		t.Errorf("reports = %q, want one that names the instance, the key id and where", r.reports)
	}
}
