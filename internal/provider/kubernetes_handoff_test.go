package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/clocktest"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// The hand-off to a real secret store: the real CLI applies the configuration in
// testdata/TestAccHandoffKubernetes (examples/secret-managers/kubernetes adapted
// to hashicorp/kubernetes 1.13.4) against a real kube-apiserver and the local
// Pilot Status API, and the test reads the Secret back from the API server over
// HTTP, never through Terraform.
//
// Provider 1.13.4 works on Terraform 1.5.7, 1.11 and 1.16.3 and OpenTofu 1.12.6.

// kubernetesMirrored is hashicorp/kubernetes 1.13.4, mirrored by scripts/tools.sh.
var kubernetesMirrored = mirrored{root: ".tools/k8s/mirror", source: "hashicorp/kubernetes", build: "scripts/tools.sh k8s"}

// After the first apply, and after each regeneration (a due rotation_period, a
// keepers change, the repair of a key regenerated outside Terraform), the Secret
// in the API server holds the number's live key at the local API, at the end of
// the same apply, and the next plan is empty. The Deployment that reads the key
// at start is rolled out (a new generation of its pod template) exactly when the
// key changes: not by an apply that changes nothing. Nothing the CLI printed or
// logged at TF_LOG=trace holds a key or key id, nor a key in base64.
func TestAccHandoffKubernetes(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	kube := sharedKubeCluster(t)
	namespace := kube.createNamespace(t)

	// The local API's clock stands two hours back while the first key is made, so
	// that the key is already due for rotation under rotation_period = "1h"; then
	// it is set to the time of day.
	clock := clocktest.New(time.Now().Add(-2 * time.Hour))
	api := fakeapi.New(fakeapi.Options{Numbers: []fakeapi.Number{{ID: "wn_1", Number: "5511999990001", Name: "Suporte"}}, Now: clock.Now})
	url, stop := api.Start()
	t.Cleanup(stop)
	p := newLeakPathAt(t, api, url, "")
	p.tenant = append(p.tenant, "KUBECONFIG="+kube.kubeconfig)
	c := p.c
	c.env = withoutKubeEnv(c.env)
	config, err := os.ReadFile(filepath.Join("testdata", t.Name(), "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	p.write(string(config))
	c.useMirrorOf(kubernetesMirrored)
	vars := []string{"-var", "namespace=" + namespace}

	p.run("init", "init", "-input=false", "-no-color")
	checkAgainstSchema(t, config, p.run("providers schema", "providers", "schema", "-json"))

	p.run("create", applyArgs(vars...)...)
	clock.Set(time.Now())
	p.expectRegenerations("the create", 0, 1)
	held := kube.secretKey(t, namespace)
	kube.expectLiveKey(t, p, "the create", held)
	rollout := kube.deployment(t, namespace)

	// Each step regenerates the key once; the Secret then holds the new live key,
	// the old key no longer works, the workload rolls out once, and the next plan is
	// empty.
	for _, step := range []struct {
		name    string
		before  func()
		args    []string
		message string // what the apply says about the regeneration
	}{
		{name: "due rotation", message: "is due for its scheduled rotation"},
		{name: "keepers change", args: []string{"-var", "rotation=2"}, message: "must be replaced"},
		{name: "repair", before: func() { api.RotateOutOfBand("wn_1") }, args: []string{"-var", "rotation=2"},
			message: "Key Rotated Outside Terraform"},
	} {
		if step.before != nil {
			step.before()
		}
		before := p.regenerations()
		out := p.run(step.name, applyArgs(append(vars, step.args...)...)...)
		if !words(step.message).MatchString(out) {
			t.Errorf("%s: the apply does not say %q:\n%s", step.name, step.message, c.redact(out))
		}
		p.expectRegenerations(step.name, before, 1)
		now := kube.secretKey(t, namespace)
		kube.expectLiveKey(t, p, step.name, now)
		if now == held {
			t.Errorf("%s: the Secret still holds the key of before", step.name)
		}
		if keyWorks(t, url, held) {
			t.Errorf("%s: the key of before still works: the key was not regenerated", step.name)
		}
		held = now
		next := kube.deployment(t, namespace)
		if next.uid != rollout.uid || next.generation != rollout.generation+1 {
			t.Errorf("%s: the Deployment went from generation %d (uid %s) to %d (uid %s), want one rollout in place",
				step.name, rollout.generation, rollout.uid, next.generation, next.uid)
		}
		rollout = next
		if plan := p.run(step.name+", plan after", planArgs(append(vars, append(step.args, "-detailed-exitcode")...)...)...); !strings.Contains(plan, "No changes") {
			t.Errorf("%s: the plan after is not empty:\n%s", step.name, c.redact(plan))
		}
		if step.name == "due rotation" {
			// An apply that changes nothing rolls nothing out.
			p.run("no-op apply", applyArgs(vars...)...)
			p.expectRegenerations("the no-op apply", before, 1)
			if got := kube.deployment(t, namespace); got != rollout {
				t.Errorf("the no-op apply changed the Deployment from %+v to %+v", rollout, got)
			}
			if got := kube.secretKey(t, namespace); got != held {
				t.Error("the no-op apply changed the Secret")
			}
		}
	}

	p.run("destroy", append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, append(vars, "-var", "rotation=2")...)...)
	if status := kube.get(t, "/api/v1/namespaces/"+namespace+"/secrets/pilotstatus-api-key", nil); status != http.StatusNotFound {
		t.Errorf("after destroy, reading the Secret answers %d, want 404", status)
	}

	// The searched logs hold both providers' trace logs and the API calls.
	for _, name := range []string{"create", "repair"} {
		p.searched(name, "[TRACE] provider.terraform-provider-pilotstatus_v"+mirrorVersion+": ", apiRequestLogged, apiBodyLogged,
			kubernetesLogLine)
	}
	// The path's search (when the test ends) finds any key or key id, whole or in
	// part, anywhere. A Secret's data travels in base64. The kubernetes provider logs the bodies of
	// its requests and answers from TF_LOG=debug on, the Secret's data with them:
	// every other line is searched for that form of every key and key id too.
	var encoded []secrettest.Secret
	for _, k := range append(api.IssuedKeys(), api.IssuedKeyIDs()...) {
		encoded = append(encoded, secrettest.Secret{What: "a key or key id the local API issued, in base64", Value: base64.StdEncoding.EncodeToString([]byte(k))})
	}
	others, kubernetesLines := map[string]string{}, 0
	for name, text := range c.logs {
		var kept []string
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, kubernetesLogLine) {
				kept = append(kept, line)
				continue
			}
			for _, e := range encoded {
				if strings.Contains(line, e.Value) {
					kubernetesLines++
				}
			}
		}
		others[name] = strings.Join(kept, "\n")
	}
	searchLeaks(t, others, encoded)
	// What the guide warns of: without this, the filter above would hide nothing.
	if kubernetesLines == 0 {
		t.Error("hashicorp/kubernetes logged no Secret data: the guide's warning about TF_LOG and the filter above are out of date")
	}
}

// kubernetesLogLine marks the lines the CLI relays from hashicorp/kubernetes.
const kubernetesLogLine = "provider.terraform-provider-kubernetes_v1.13.4: "

// withoutKubeEnv drops the environment that would point the kubernetes provider
// at another cluster (KUBE_CONFIG wins over KUBECONFIG).
func withoutKubeEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "KUBE") {
			out = append(out, kv)
		}
	}
	return out
}

// expectLiveKey fails unless key, read from the Secret, is the number's current
// key at the local API.
func (k *kubeCluster) expectLiveKey(t *testing.T, p *leakPath, step, key string) {
	t.Helper()
	cur, _ := p.api.CurrentKey("wn_1")
	if key != cur.Raw {
		t.Errorf("%s: the Secret holds a key ending in %q, the live key of wn_1 ends in %q", step, secrettest.Last4(key), cur.Last4)
	}
}

// createNamespace makes a namespace of its own for one test.
func (k *kubeCluster) createNamespace(t *testing.T) string {
	t.Helper()
	suffix, err := randomHex(4)
	if err != nil {
		t.Fatal(err)
	}
	name := "handoff-" + suffix
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":%q}}`, name)
	if status := k.do(t, http.MethodPost, "/api/v1/namespaces", body, nil); status != http.StatusCreated {
		t.Fatalf("creating namespace %s answered %d", name, status)
	}
	return name
}

// secretKey reads PILOTSTATUS_API_KEY from the Secret the configuration writes.
func (k *kubeCluster) secretKey(t *testing.T, namespace string) string {
	t.Helper()
	var s struct {
		Data map[string]string `json:"data"`
	}
	if status := k.get(t, "/api/v1/namespaces/"+namespace+"/secrets/pilotstatus-api-key", &s); status != http.StatusOK {
		t.Fatalf("reading the Secret answered %d", status)
	}
	raw, err := base64.StdEncoding.DecodeString(s.Data["PILOTSTATUS_API_KEY"])
	if err != nil || len(raw) == 0 {
		t.Fatalf("the Secret holds no PILOTSTATUS_API_KEY (%v)", err)
	}
	return string(raw)
}

// rolloutState identifies the Deployment object and its spec's generation.
type rolloutState struct {
	uid        string
	generation int64
}

func (k *kubeCluster) deployment(t *testing.T, namespace string) rolloutState {
	t.Helper()
	var d struct {
		Metadata struct {
			UID        string `json:"uid"`
			Generation int64  `json:"generation"`
		} `json:"metadata"`
	}
	if status := k.get(t, "/apis/apps/v1/namespaces/"+namespace+"/deployments/messaging", &d); status != http.StatusOK {
		t.Fatalf("reading the Deployment answered %d", status)
	}
	return rolloutState{uid: d.Metadata.UID, generation: d.Metadata.Generation}
}

func (k *kubeCluster) get(t *testing.T, path string, into any) int {
	t.Helper()
	return k.do(t, http.MethodGet, path, "", into)
}

// do sends one request with the test's token and decodes a 2xx answer into into.
// Nothing it reads is printed: a Secret's answer holds the key.
func (k *kubeCluster) do(t *testing.T, method, path, body string, into any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, k.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := k.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	if into != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s %s: decoding the answer: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// checkAgainstSchema fails the test for every argument or nested block of a
// resource in config that the schema the CLI printed does not have, and for
// every resource type no installed provider has.
func checkAgainstSchema(t *testing.T, config []byte, printed string) {
	t.Helper()
	start := strings.Index(printed, "{")
	if start < 0 {
		t.Fatal("providers schema -json printed no JSON")
	}
	var schemas tfjson.ProviderSchemas
	if err := json.NewDecoder(strings.NewReader(printed[start:])).Decode(&schemas); err != nil {
		t.Fatalf("reading providers schema -json: %v", err)
	}
	types := map[string]*tfjson.SchemaBlock{}
	for _, ps := range schemas.Schemas {
		for name, rs := range ps.ResourceSchemas {
			types[name] = rs.Block
		}
	}
	if _, ok := types["kubernetes_secret"]; !ok {
		t.Fatalf("the installed providers have no kubernetes_secret (%d resource types)", len(types))
	}
	f, diags := hclsyntax.ParseConfig(config, "main.tf", hclv2.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the configuration does not parse: %s", diags.Error())
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("the body is %T, want *hclsyntax.Body", f.Body)
	}
	checked := 0
	for _, b := range body.Blocks {
		if b.Type != "resource" || len(b.Labels) != 2 {
			continue
		}
		schema, ok := types[b.Labels[0]]
		if !ok {
			t.Errorf("resource type %q is in no installed provider's schema", b.Labels[0])
			continue
		}
		checked += checkBlock(t, b.Labels[0], b.Body, schema, true)
	}
	if checked < 20 {
		t.Errorf("checked %d arguments and blocks against the schema, want at least 20", checked)
	}
}

// checkBlock checks one body against its schema block and returns how many
// arguments and blocks it checked.
func checkBlock(t *testing.T, where string, body *hclsyntax.Body, schema *tfjson.SchemaBlock, top bool) int {
	t.Helper()
	n := 0
	for name, a := range body.Attributes {
		if top && metaArguments[name] {
			continue
		}
		n++
		if _, ok := schema.Attributes[name]; !ok {
			t.Errorf("main.tf:%d: %s has no argument %q", a.SrcRange.Start.Line, where, name)
		}
	}
	for _, b := range body.Blocks {
		if top && (b.Type == "lifecycle" || b.Type == "provisioner" || b.Type == "connection") {
			continue
		}
		n++
		nested, ok := schema.NestedBlocks[b.Type]
		if !ok || nested.Block == nil {
			t.Errorf("main.tf:%d: %s has no block %q", b.TypeRange.Start.Line, where, b.Type)
			continue
		}
		n += checkBlock(t, where+"."+b.Type, b.Body, nested.Block, false)
	}
	return n
}
