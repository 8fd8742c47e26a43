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

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// The search behind the leak tests (leak_test.go, and the custody and hand-off
// tests): the secrets the local API issued, the search of everything a CLI
// printed and logged and of the state files' private state and identities, the
// report, which never shows a secret, and leakPath, the harness of one path,
// whose constructor registers the search to run when the test ends.

// leakSecrets lists every key the local API ever issued and every key id (the
// API accepts a key id as a credential, x-api-key-id), its credentials, and the
// values a test passed in.
func leakSecrets(api *fakeapi.API, passed ...secrettest.Secret) []secrettest.Secret {
	out := []secrettest.Secret{{What: "the tenant key", Value: api.TenantKey()}, {What: "the tenant key id", Value: api.TenantKeyID()}}
	out = append(out, passed...)
	out = append(out, secrettest.Named("a key the local API issued", api.IssuedKeys()...)...)
	out = append(out, secrettest.Named("a key id the local API issued", api.IssuedKeyIDs()...)...)
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(s secrettest.Secret) bool {
		drop := s.Value == "" || seen[s.Value]
		seen[s.Value] = true
		return drop
	})
}

// masker hides secrets in CLI output that a failing test prints.
type masker struct {
	api    *fakeapi.API
	passed []secrettest.Secret
}

func secretMasker(api *fakeapi.API, passed ...secrettest.Secret) masker {
	return masker{api: api, passed: passed}
}

func (m masker) mask(s string) string { return secrettest.Mask(s, leakSecrets(m.api, m.passed...)) }

// searchLeaks fails the test for every secret, half of a secret and ps_ value found in what each
// command printed or logged (secrettest), the commands in the order of their names.
func searchLeaks(t secrettest.Reporter, logs map[string]string, secrets []secrettest.Secret) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(logs)) {
		secrettest.Check(t, name, logs[name], secrets)
	}
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

// One path under test.

// leakPath is one path under test: a configuration in its own directory, the
// real CLI and its own local API.
type leakPath struct {
	t      *testing.T
	api    *fakeapi.API
	url    string
	c      *cliRun
	dir    string
	tenant []string            // the environment that configures the tenant credential
	passed []secrettest.Secret // wrong credentials the test handed to the provider
	// printed is what each command printed, by name.
	printed map[string]string
}

// leakNumbers seeds the local API of the leak tests.
var leakNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
	{ID: "wn_3", Number: "5511999990003", Name: "Importado"},
}

// newLeakPath is a path against its own local API, seeded with numbers
// (leakNumbers when none), with config as its configuration unless config is "".
func newLeakPath(t *testing.T, config string, numbers ...fakeapi.Number) *leakPath {
	t.Helper()
	skipUnlessAcc(t)
	if len(numbers) == 0 {
		numbers = leakNumbers
	}
	api, url := newTestAPI(t, numbers...)
	return newLeakPathAt(t, api, url, config)
}

// newLeakPathAt is a path against a local API the test started. When the test
// ends, unless it was skipped, noLeaks searches everything the path's commands
// printed and logged: no path can leave the search out.
func newLeakPathAt(t *testing.T, api *fakeapi.API, url, config string) *leakPath {
	t.Helper()
	c := newCLIRun(t, url)
	p := &leakPath{t: t, api: api, url: url, c: c, dir: t.TempDir(), tenant: []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()},
		printed: map[string]string{}}
	c.redact = func(s string) string { return secretMasker(api, p.passed...).mask(s) }
	// Registered after the working directories were made, so it runs before they
	// are removed.
	t.Cleanup(func() {
		if !t.Skipped() {
			p.noLeaks()
		}
	})
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
// (sensitive value). The path's constructor runs it when the test ends.
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

// Tests of the search itself.

// errorRecorder records what a search reports.
type errorRecorder struct{ reports []string }

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.reports = append(r.reports, fmt.Sprintf(format, args...))
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
	searchLeaks(&r, decoded, secrettest.Named("a key id", keyID))
	if len(r.reports) != 1 || !words(want, "a key id", `"0001"`, "external_rotation=").MatchString(r.reports[0]) {
		t.Errorf("reports = %q, want one that names the instance, the key id and where", r.reports)
	}
}
