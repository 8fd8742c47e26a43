package provider

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

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

// providerAttributes is every attribute name of each of the provider's resource,
// data source and ephemeral resource types, by block kind and type.
func providerAttributes(t *testing.T) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]bool{
		"resource pilotstatus_number_api_key": nameSet(numberAPIKeySchema().Attributes),
	}
	for _, f := range []func() datasource.DataSource{NewNumbersDataSource, NewAPIKeysDataSource} {
		ds := f()
		var md datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "pilotstatus"}, &md)
		var sr datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &sr)
		out["data "+md.TypeName] = nameSet(sr.Schema.Attributes)
	}
	er := NewNumberAPIKeyEphemeralResource()
	var md ephemeral.MetadataResponse
	er.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "pilotstatus"}, &md)
	var sr ephemeral.SchemaResponse
	er.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
	out["ephemeral "+md.TypeName] = nameSet(sr.Schema.Attributes)
	return out
}

func nameSet[V any](attrs map[string]V) map[string]bool {
	set := make(map[string]bool, len(attrs))
	for name := range attrs {
		set[name] = true
	}
	return set
}

var metaArguments = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true}

// Every example parses, sets only arguments the provider's blocks have, and refers
// only to attributes they have. The examples that need providers that cannot be
// installed here (AWS, Vault, GitHub, Kubernetes) are checked this way alone.
func TestExamplesUseRealAttributes(t *testing.T) {
	t.Parallel()
	known := providerAttributes(t)
	files := exampleFiles(t)
	if len(files) < 15 {
		t.Fatalf("found %d example files under %s, want at least 15", len(files), examplesDir)
	}
	blocks := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := hclsyntax.ParseConfig(src, file, hclv2.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%s does not parse: %s", file, diags.Error())
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%s: the body is %T, want *hclsyntax.Body", file, f.Body)
		}
		for _, b := range body.Blocks {
			if len(b.Labels) < 2 || !strings.HasPrefix(b.Labels[0], "pilotstatus_") {
				continue
			}
			blocks++
			attrs, ok := known[b.Type+" "+b.Labels[0]]
			if !ok {
				t.Errorf("%s: %s %q is not a type of this provider", file, b.Type, b.Labels[0])
				continue
			}
			for name, a := range b.Body.Attributes {
				if !attrs[name] && !metaArguments[name] {
					t.Errorf("%s:%d: %s %q has no argument %q", file, a.SrcRange.Start.Line, b.Type, b.Labels[0], name)
				}
			}
		}
		_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hclv2.Diagnostics {
			expr, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				return nil
			}
			checkTraversal(t, file, expr.Traversal, known)
			return nil
		})
	}
	if blocks < 15 {
		t.Errorf("found %d blocks of this provider in the examples, want at least 15", blocks)
	}
}

// checkTraversal checks a reference such as pilotstatus_number_api_key.x.key_id,
// data.pilotstatus_numbers.all.numbers or ephemeral.pilotstatus_number_api_key.x.key.
func checkTraversal(t *testing.T, file string, tr hclv2.Traversal, known map[string]map[string]bool) {
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
	if !strings.HasPrefix(typ, "pilotstatus_") {
		return
	}
	attrs, ok := known[kind+" "+typ]
	if !ok {
		t.Errorf("%s:%d: %s %q is not a type of this provider", file, tr.SourceRange().Start.Line, kind, typ)
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
	if a, ok := steps[0].(hclv2.TraverseAttr); ok && !attrs[a.Name] {
		t.Errorf("%s:%d: %s %q has no attribute %q", file, tr.SourceRange().Start.Line, kind, typ, a.Name)
	}
}

// providersTF makes a snippet from examples/resources or examples/data-sources a
// complete configuration.
const providersTF = `
terraform {
  required_providers {
    pilotstatus = {
      source = "pilotstatus/pilotstatus"
    }
  }
}
`

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
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(filepath.Dir(f))+"-"+itoa(i)+".tf"), src, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !complete {
				if err := os.WriteFile(filepath.Join(dir, "providers.tf"), []byte(providersTF), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := newCLIRun(t, url)
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
