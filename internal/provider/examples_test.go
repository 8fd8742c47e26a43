package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/zclconf/go-cty/cty"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

const examplesDir = "../../examples"

// exampleFiles lists every .tf file under examples/.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(examplesDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// blockSchema is what one resource, data source or ephemeral resource type accepts: the
// attributes a reference may read, the arguments a configuration may set, and its nested blocks.
type blockSchema struct {
	attrs, args, blocks map[string]bool
}

// providerAttributes is the schema of each of the provider's resource, data source and
// ephemeral resource types, by block kind and type.
func providerAttributes(t *testing.T) map[string]blockSchema {
	t.Helper()
	ctx := context.Background()
	out := map[string]blockSchema{
		"resource pilotstatus_number_api_key": frameworkSchema(numberAPIKeySchema().Attributes),
	}
	for _, f := range []func() datasource.DataSource{NewNumbersDataSource, NewAPIKeysDataSource} {
		ds := f()
		var md datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "pilotstatus"}, &md)
		var sr datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &sr)
		out["data "+md.TypeName] = frameworkSchema(sr.Schema.Attributes)
	}
	er := NewNumberAPIKeyEphemeralResource()
	var md ephemeral.MetadataResponse
	er.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "pilotstatus"}, &md)
	var sr ephemeral.SchemaResponse
	er.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
	out["ephemeral "+md.TypeName] = frameworkSchema(sr.Schema.Attributes)
	return out
}

// frameworkSchema reads a framework schema's attributes: every one can be referenced, and those
// that are not computed-only can be set.
func frameworkSchema[V interface {
	IsOptional() bool
	IsRequired() bool
}](attrs map[string]V) blockSchema {
	s := blockSchema{attrs: map[string]bool{}, args: map[string]bool{}, blocks: map[string]bool{}}
	for name, a := range attrs {
		s.attrs[name] = true
		s.args[name] = a.IsOptional() || a.IsRequired()
	}
	return s
}

var metaArguments = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true}

// Every example parses, sets only arguments the provider's blocks have, and refers
// only to attributes they have. The AWS, Vault and GitHub examples, whose
// providers cannot be installed here, are checked this way and by
// TestSecretManagerExamplesUseDocumentedArguments alone. The configuration of
// the Kubernetes example is applied with the real CLI and hashicorp/kubernetes
// 1.13.4 against a real kube-apiserver by TestAccHandoffKubernetes, which reads
// the key back from the Secret.
func TestExamplesUseRealAttributes(t *testing.T) {
	t.Parallel()
	files := exampleFiles(t)
	if len(files) < 15 {
		t.Fatalf("found %d example files under %s, want at least 15", len(files), examplesDir)
	}
	if blocks := checkExamples(t, files, "pilotstatus_", providerAttributes(t)); blocks < 15 {
		t.Errorf("found %d blocks of this provider in the examples, want at least 15", blocks)
	}
}

// checkExamples checks every block and reference of a type named with prefix in files against
// known, and returns how many such blocks it found.
func checkExamples(t *testing.T, files []string, prefix string, known map[string]blockSchema) int {
	t.Helper()
	blocks := 0
	for _, file := range files {
		body, ok := parseHCLFile(t, file)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			if len(b.Labels) < 2 || !strings.HasPrefix(b.Labels[0], prefix) {
				continue
			}
			blocks++
			s, ok := known[b.Type+" "+b.Labels[0]]
			if !ok {
				t.Errorf("%s: %s %q is not a type of its provider", file, b.Type, b.Labels[0])
				continue
			}
			for name, a := range b.Body.Attributes {
				if !s.args[name] && !metaArguments[name] {
					t.Errorf("%s:%d: %s %q has no argument %q", file, a.SrcRange.Start.Line, b.Type, b.Labels[0], name)
				}
			}
			for _, nested := range b.Body.Blocks {
				if !s.blocks[nested.Type] && nested.Type != "lifecycle" {
					t.Errorf("%s:%d: %s %q has no block %q", file, nested.TypeRange.Start.Line, b.Type, b.Labels[0], nested.Type)
				}
			}
		}
		_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hclv2.Diagnostics {
			expr, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				return nil
			}
			checkTraversal(t, file, expr.Traversal, prefix, known)
			return nil
		})
	}
	return blocks
}

// parseHCLFile reads file and parses it with parseHCL.
func parseHCLFile(t *testing.T, file string) (*hclsyntax.Body, bool) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return parseHCL(t, file, src)
}

// parseHCL parses src as native HCL syntax; false, with the test failed, when it does not parse.
func parseHCL(t *testing.T, name string, src []byte) (*hclsyntax.Body, bool) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, name, hclv2.InitialPos)
	if diags.HasErrors() {
		t.Errorf("%s does not parse: %s", name, diags.Error())
		return nil, false
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("%s: the body is %T, want *hclsyntax.Body", name, f.Body)
	}
	return body, true
}

// checkTraversal checks a reference such as pilotstatus_number_api_key.x.key_id,
// data.pilotstatus_numbers.all.numbers or ephemeral.pilotstatus_number_api_key.x.key.
func checkTraversal(t *testing.T, file string, tr hclv2.Traversal, prefix string, known map[string]blockSchema) {
	t.Helper()
	kind, rest := "resource", tr
	if root := tr.RootName(); root == "data" || root == "ephemeral" {
		kind, rest = root, tr[1:]
	}
	if len(rest) == 0 {
		return
	}
	typ := ""
	switch s := rest[0].(type) {
	case hclv2.TraverseRoot:
		typ = s.Name
	case hclv2.TraverseAttr:
		typ = s.Name
	}
	if !strings.HasPrefix(typ, prefix) {
		return
	}
	s, ok := known[kind+" "+typ]
	if !ok {
		t.Errorf("%s:%d: %s %q is not a type of its provider", file, tr.SourceRange().Start.Line, kind, typ)
		return
	}
	// type, name, optional instance key, then the attribute.
	steps := rest[2:]
	if len(steps) > 0 {
		if _, isIndex := steps[0].(hclv2.TraverseIndex); isIndex {
			steps = steps[1:]
		}
	}
	if len(steps) == 0 {
		return
	}
	if a, ok := steps[0].(hclv2.TraverseAttr); ok && !s.attrs[a.Name] && !s.blocks[a.Name] {
		t.Errorf("%s:%d: %s %q has no attribute %q", file, tr.SourceRange().Start.Line, kind, typ, a.Name)
	}
}

// The runnable examples, applied by the real CLI against the local API: each
// applies, every key in state is the number's current key, the next plan is
// empty, and destroy succeeds.
func TestAccExamples_run(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	cases := []struct {
		name  string
		files []string // relative to examples/
		// needsTime: the example uses hashicorp/time, installed by init from the mirror.
		needsTime bool
		// regenerated is how many keys the first apply regenerates.
		regenerated int
		// invalidates: destroying kills the keys (on_destroy = "invalidate").
		invalidates bool
		// needsIdentity: the example imports by identity (Terraform and OpenTofu 1.12 and later).
		needsIdentity bool
	}{
		{name: "quickstart", files: []string{"quickstart/main.tf"}, regenerated: 2},
		{name: "scheduled-rotation", files: []string{"scheduled-rotation/main.tf"}, regenerated: 2, invalidates: true},
		{name: "time-rotating", files: []string{"time-rotating/main.tf"}, needsTime: true, regenerated: 1},
		{name: "resource", files: []string{"resources/pilotstatus_number_api_key/resource.tf"}, regenerated: 1},
		{name: "resource-schedule", files: []string{"resources/pilotstatus_number_api_key/resource-schedule.tf"}, regenerated: 1},
		{name: "resource-rotating", files: []string{"resources/pilotstatus_number_api_key/resource-rotating.tf"}, needsTime: true, regenerated: 1},
		{
			// The import block adopts wn_1's key: nothing is regenerated.
			name:  "import",
			files: []string{"resources/pilotstatus_number_api_key/resource.tf", "resources/pilotstatus_number_api_key/import-by-string-id.tf"},
		},
		{
			// So does the import block by identity.
			name:          "import-by-identity",
			files:         []string{"resources/pilotstatus_number_api_key/resource.tf", "resources/pilotstatus_number_api_key/import-by-identity.tf"},
			needsIdentity: true,
		},
		{name: "data-source-numbers", files: []string{"data-sources/pilotstatus_numbers/data-source.tf"}, regenerated: 3},
		{name: "data-source-api-keys", files: []string{"data-sources/pilotstatus_api_keys/data-source.tf"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, url := newTestAPI(t,
				fakeapi.Number{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
				fakeapi.Number{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
				fakeapi.Number{ID: "wn_3", Number: "5511999990003", Name: "Cobrança"},
			)
			dir := t.TempDir()
			complete := false
			for i, f := range tc.files {
				src, err := os.ReadFile(filepath.Join(examplesDir, f))
				if err != nil {
					t.Fatal(err)
				}
				complete = complete || strings.Contains(string(src), "required_providers")
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(filepath.Dir(f))+"-"+strconv.Itoa(i)+".tf"), src, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !complete {
				if err := os.WriteFile(filepath.Join(dir, "providers.tf"), []byte(providersTF), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := newCLIRun(t, url)
			if ok, version := cliSupportsIdentity(t, c); tc.needsIdentity && !ok {
				t.Skipf("%s cannot import by identity", version)
			}
			env := []string{"PILOTSTATUS_API_KEY=" + api.TenantKey()}
			if tc.needsTime {
				c.useMirror()
				c.run("init", dir, env, false, "init", "-input=false")
			}
			c.run("apply", dir, env, false, "apply", "-auto-approve", "-input=false")
			if got := api.Calls(fakeapi.EndpointRegenerate); got != tc.regenerated {
				t.Errorf("the apply regenerated %d keys, want %d", got, tc.regenerated)
			}
			st := cliState(t, c, dir, env)
			held := map[string]string{}
			for _, r := range st.Values.RootModule.Resources {
				if r.Type != "pilotstatus_number_api_key" || r.Mode != "managed" {
					continue
				}
				id, _ := r.AttributeValues["whatsapp_number_id"].(string)
				checkState(t, st, keyIsCurrent(api, r.Address, id))
				held[id], _ = r.AttributeValues["key"].(string)
			}
			if tc.regenerated > 0 && len(held) != tc.regenerated {
				t.Errorf("state holds %d keys, want %d", len(held), tc.regenerated)
			}
			c.run("plan", dir, env, false, "plan", "-input=false", "-detailed-exitcode")
			c.run("destroy", dir, env, false, "destroy", "-auto-approve", "-input=false")
			for id, key := range held {
				if works := keyWorks(t, url, key); works == tc.invalidates {
					t.Errorf("after destroy, the key of %s works: %t, want %t", id, works, !tc.invalidates)
				}
			}
		})
	}
}

// The examples' hashicorp/time resources set only arguments, and read only attributes, that
// the real hashicorp/time provider has: its schema comes from the provider itself, installed
// from the filesystem mirror and exported by the CLI under test (providers schema -json).
func TestAccExamples_timeMatchesItsSchema(t *testing.T) {
	skipUnlessAcc(t)
	t.Parallel()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set")
	}
	mirror, err := filepath.Abs(filepath.Join("..", "..", ".tools", "mirror"))
	if err == nil {
		mirror, err = filepath.EvalSymlinks(mirror)
	}
	if err != nil {
		t.Skipf("no filesystem mirror of hashicorp/time: run scripts/tools.sh time (%v)", err)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "cli.tfrc")
	config := mirrorScript(t, "config", mirror)
	main := "terraform {\n  required_providers {\n    time = {\n      source  = \"hashicorp/time\"\n      version = \"~> 0.14\"\n    }\n  }\n}\n"
	for name, content := range map[string]string{rc: config, filepath.Join(dir, "main.tf"): main} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	run := func(args ...string) []byte {
		cmd := exec.CommandContext(t.Context(), bin, args...) //nolint:gosec // G702: running the CLI under test is this test's job
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s%s", bin, strings.Join(args, " "), err, out, stderr.String())
		}
		return out
	}
	run("init", "-input=false")
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(run("providers", "schema", "-json"), &schemas); err != nil {
		t.Fatal(err)
	}
	var timeSchema *tfjson.ProviderSchema
	for addr, s := range schemas.Schemas {
		if strings.HasSuffix(addr, "/hashicorp/time") {
			timeSchema = s
		}
	}
	if timeSchema == nil || len(timeSchema.ResourceSchemas) == 0 {
		t.Fatalf("the CLI exported no hashicorp/time resources: %v", slices.Collect(maps.Keys(schemas.Schemas)))
	}
	known := map[string]blockSchema{}
	for typ, rs := range timeSchema.ResourceSchemas {
		s := blockSchema{attrs: map[string]bool{}, args: map[string]bool{}, blocks: map[string]bool{}}
		for name, a := range rs.Block.Attributes {
			s.attrs[name] = true
			s.args[name] = a.Optional || a.Required
		}
		for name := range rs.Block.NestedBlocks {
			s.blocks[name] = true
		}
		known["resource "+typ] = s
	}
	if _, ok := known["resource time_rotating"]; !ok {
		t.Fatal("the exported hashicorp/time schema has no time_rotating")
	}
	if blocks := checkExamples(t, exampleFiles(t), "time_", known); blocks < 2 {
		t.Errorf("found %d hashicorp/time blocks in the examples, want at least 2", blocks)
	}
}

// Every required_providers entry in the examples, the doc templates and the README names a
// version constraint, so that a configuration copied from them never takes whatever is newest.
func TestRequiredProvidersHaveVersions(t *testing.T) {
	t.Parallel()
	sources := map[string][]byte{}
	for _, f := range exampleFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = src
	}
	docs := []string{filepath.Join("..", "..", "README.md")}
	err := filepath.WalkDir(filepath.Join("..", "..", "templates"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			docs = append(docs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fence := regexp.MustCompile("(?s)```(?:terraform|hcl|tf)\n(.*?)```")
	for _, f := range docs {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range fence.FindAllSubmatch(src, -1) {
			sources[fmt.Sprintf("%s (code block %d)", f, i+1)] = m[1]
		}
	}
	entries := 0
	for name, src := range sources {
		body, ok := parseHCL(t, name, src)
		if !ok {
			continue
		}
		for _, tb := range body.Blocks {
			if tb.Type != "terraform" {
				continue
			}
			for _, rp := range tb.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				for local, a := range rp.Body.Attributes {
					entries++
					if v := requiredVersion(a.Expr); v == "" {
						t.Errorf("%s:%d: required_providers %q has no version constraint", name, a.SrcRange.Start.Line, local)
					}
				}
			}
		}
	}
	if entries < 12 {
		t.Errorf("found %d required_providers entries, want at least 12", entries)
	}
}

// requiredVersion is the version of a required_providers entry ({ source = ..., version = ... }).
func requiredVersion(expr hclsyntax.Expression) string {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return ""
	}
	for _, item := range obj.Items {
		if hclv2.ExprAsKeyword(item.KeyExpr) != "version" {
			continue
		}
		v, diags := item.ValueExpr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
			return ""
		}
		return strings.TrimSpace(v.AsString())
	}
	return ""
}

// Every diagnostic summary the provider reports has its own heading in the troubleshooting guide,
// so that a user who searches the guide for the line after "Error:" or "Warning:" finds it.
func TestTroubleshootingHasEverySummary(t *testing.T) {
	t.Parallel()
	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "troubleshooting.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#{2,4} (.+)$`).FindAllStringSubmatch(string(guide), -1) {
		headings[m[1]] = true
	}
	summary := regexp.MustCompile(`(?:New(?:Attribute)?(?:Error|Warning)Diagnostic|Add(?:Attribute)?(?:Error|Warning))\(` +
		`(?:[\w.]+\([^()]*\)|[\w.]+)?,?\s*"([^"]+)"|\bsummary\w*\s*=\s*"([^"]+)"`)
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range summary.FindAllStringSubmatch(string(src), -1) {
			s := m[1] + m[2]
			found++
			if !headings[s] {
				t.Errorf("%s reports %q, which the troubleshooting guide has no heading for", f, s)
			}
		}
	}
	if found < 30 {
		t.Errorf("found %d diagnostic summaries in the provider's code, want at least 30", found)
	}
}

// documentedArguments are the top-level arguments and blocks of the other
// providers' resources in examples/secret-managers, as those providers' current
// documentation lists them (hashicorp/aws 6.x, hashicorp/vault 5.x,
// integrations/github 6.x, hashicorp/kubernetes 2.38).
var documentedArguments = map[string][]string{
	"aws_secretsmanager_secret": {"name", "name_prefix", "description", "kms_key_id", "policy",
		"recovery_window_in_days", "force_overwrite_replica_secret", "replica", "region", "tags"},
	"aws_secretsmanager_secret_version": {"secret_id", "secret_string", "secret_binary", "secret_string_wo",
		"secret_string_wo_version", "version_stages", "region"},
	"vault_mount": {"path", "type", "description", "default_lease_ttl_seconds", "max_lease_ttl_seconds",
		"audit_non_hmac_request_keys", "audit_non_hmac_response_keys", "local", "options", "seal_wrap",
		"external_entropy_access", "namespace"},
	"vault_kv_secret_v2": {"mount", "name", "namespace", "cas", "options", "data_json", "data_json_wo",
		"data_json_wo_version", "delete_all_versions", "disable_read", "custom_metadata"},
	"github_actions_secret": {"repository", "secret_name", "plaintext_value", "encrypted_value", "destroy_on_drift"},
	"kubernetes_secret_v1": {"metadata", "data", "binary_data", "data_wo", "data_wo_revision", "binary_data_wo",
		"binary_data_wo_revision", "type", "immutable", "wait_for_service_account_token", "timeouts"},
	"kubernetes_deployment_v1": {"metadata", "spec", "wait_for_rollout", "timeouts"},
}

// writeOnlyVersions pairs each write-only argument in the examples with the
// argument that versions it.
var writeOnlyVersions = map[string]string{
	"secret_string_wo": "secret_string_wo_version",
	"data_json_wo":     "data_json_wo_version",
	"data_wo":          "data_wo_revision",
}

// The examples for the secret managers that cannot be run here set only the
// arguments their providers document, and every write-only argument comes with
// its version argument set to a key_version: a constant would write the secret
// once, and it would keep a dead key after the first rotation.
func TestSecretManagerExamplesUseDocumentedArguments(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(examplesDir, "secret-managers", "*", "*.tf"))
	if err != nil || len(files) < 7 {
		t.Fatalf("found %d secret manager examples (%v), want at least 7", len(files), err)
	}
	writeOnly := 0
	for _, file := range files {
		body, ok := parseHCLFile(t, file)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			if b.Type != "resource" || strings.HasPrefix(b.Labels[0], "pilotstatus_") {
				continue
			}
			args, ok := documentedArguments[b.Labels[0]]
			if !ok {
				t.Errorf("%s: resource type %q has no documented arguments in this test", file, b.Labels[0])
				continue
			}
			for name, a := range b.Body.Attributes {
				if !slices.Contains(args, name) && !metaArguments[name] {
					t.Errorf("%s:%d: %s has no argument %q", file, a.SrcRange.Start.Line, b.Labels[0], name)
				}
			}
			for _, nested := range b.Body.Blocks {
				if !slices.Contains(args, nested.Type) && nested.Type != "lifecycle" {
					t.Errorf("%s:%d: %s has no block %q", file, nested.TypeRange.Start.Line, b.Labels[0], nested.Type)
				}
			}
			for wo, version := range writeOnlyVersions {
				if _, ok := b.Body.Attributes[wo]; !ok {
					continue
				}
				writeOnly++
				v, ok := b.Body.Attributes[version]
				if !ok {
					t.Errorf("%s: %s sets %s without %s", file, b.Labels[0], wo, version)
					continue
				}
				refs := v.Expr.Variables()
				var last hclv2.TraverseAttr
				if len(refs) == 1 {
					last, _ = refs[0][len(refs[0])-1].(hclv2.TraverseAttr)
				}
				if len(refs) != 1 || !strings.HasPrefix(refs[0].RootName(), "pilotstatus_") || last.Name != "key_version" {
					t.Errorf("%s:%d: %s of %s is not a key_version", file, v.SrcRange.Start.Line, version, b.Labels[0])
				}
			}
		}
	}
	if writeOnly < 3 {
		t.Errorf("found %d write-only arguments in the examples, want at least 3 (AWS, Vault, Kubernetes)", writeOnly)
	}
}

// listBlockArguments are what a list block of a query file takes besides its config block.
var listBlockArguments = map[string]bool{"provider": true, "limit": true, "include_resource": true, "count": true, "for_each": true}

// Every list block of examples/list-resources names a list resource of this provider and its
// provider, sets only what a list block takes, and in its config block only arguments the list
// resource has, with values its validation accepts. The first example sets limit: Terraform's
// default of 100 results per list block is below what an account with many numbers needs.
func TestListResourceExamplesUseRealArguments(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(examplesDir, "list-resources", "*", "*.tfquery.hcl"))
	if err != nil || len(files) < 2 {
		t.Fatalf("found %d list resource examples (%v), want at least 2", len(files), err)
	}
	var md resource.MetadataResponse
	NewNumberAPIKeyListResource().Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "pilotstatus"}, &md)
	args := numberAPIKeyListSchema().Attributes
	blocks := 0
	for _, file := range files {
		body, ok := parseHCLFile(t, file)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			if b.Type != "list" || len(b.Labels) != 2 || b.Labels[0] != md.TypeName || b.Body.Attributes["provider"] == nil {
				t.Errorf("%s: a %s block %v, want list %q with a provider", file, b.Type, b.Labels, md.TypeName)
				continue
			}
			blocks++
			if strings.HasSuffix(file, "list-resource.tfquery.hcl") && b.Body.Attributes["limit"] == nil {
				t.Errorf("%s: the list block sets no limit", file)
			}
			for name := range b.Body.Attributes {
				if !listBlockArguments[name] {
					t.Errorf("%s: a list block has no argument %q", file, name)
				}
			}
			for _, c := range b.Body.Blocks {
				if c.Type != "config" {
					t.Errorf("%s: a list block has no block %q", file, c.Type)
					continue
				}
				for name, a := range c.Body.Attributes {
					if _, ok := args[name]; !ok {
						t.Errorf("%s: list %q has no argument %q", file, md.TypeName, name)
					}
					checkListArgument(t, file, name, a.Expr)
				}
			}
		}
	}
	if blocks < 2 {
		t.Errorf("found %d list blocks in the examples, want at least 2", blocks)
	}
}

// checkListArgument checks a config argument of a list block example against the list resource's
// validation.
func checkListArgument(t *testing.T, file, name string, expr hclsyntax.Expression) {
	t.Helper()
	v, diags := expr.Value(nil)
	switch {
	case diags.HasErrors():
		t.Errorf("%s: %s is not a constant: %s", file, name, diags.Error())
	case name == "name_regex":
		if _, err := compileNameRegex(v.AsString()); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	case name == "whatsapp_number_ids" && v.LengthInt() == 0:
		t.Errorf("%s: whatsapp_number_ids is empty", file)
	case name == "whatsapp_number_ids":
		for _, id := range v.AsValueSlice() {
			if msg := blankProblem(id.AsString()); msg != "" {
				t.Errorf("%s: whatsapp_number_ids: %s", file, msg)
			}
		}
	}
}
