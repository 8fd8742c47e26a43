package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// terraform query with the real CLI at TF_LOG=trace, through the leak harness: everything the CLI
// printed and logged, the configuration it generated and the state files are searched for every
// key and key id the local API issued.

// adoptNumbers seeds the local API of the adoption test: named numbers, a legacy key and a number
// without a name.
var adoptNumbers = []fakeapi.Number{
	{ID: "wn_1", Number: "5511999990001", Name: "Suporte"},
	{ID: "wn_2", Number: "5511999990002", Name: "Vendas"},
	{ID: "wn_3", Number: "5511999990003", Name: "Legado", Legacy: true},
	{ID: "wn_4", Number: "5511999990004"},
}

// queryConfig configures the provider for a query; the list blocks are in a .tfquery.hcl file.
const queryConfig = providersTF + `
provider "pilotstatus" {
  max_retries = 1
}
`

// newQueryPath is a leak path with queryConfig and the list blocks of query, skipped on a CLI
// without terraform query.
func newQueryPath(t *testing.T, query string, numbers ...fakeapi.Number) *leakPath {
	t.Helper()
	p := newLeakPath(t, queryConfig, numbers...)
	if ok, version := cliSupportsQuery(t, p.c); !ok {
		t.Skipf("%s has no terraform query (Terraform 1.14 and later have it; OpenTofu 1.12.6 has no query command)", version)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "keys.tfquery.hcl"), []byte(query), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The adoption path of the README, with the example list block: terraform query lists every
// number with its display name and warns of the legacy key; -generate-config-out writes a resource
// and an import block by identity per number, holding no secret and nothing computed; the next
// apply imports every key and stores it in place with zero regenerations, warning that the legacy
// key is not revealable; the keys still work; the plan after it is empty. Each query reads the key
// list once.
func TestAccLeak_queryGenerateAndAdopt(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile(filepath.Join(examplesDir, "list-resources", "pilotstatus_number_api_key", "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p := newQueryPath(t, string(example), adoptNumbers...)
	seeded := map[string]fakeapi.Key{}
	for _, n := range adoptNumbers {
		seeded[n.ID], _ = p.api.CurrentKey(n.ID)
	}

	lists := p.api.Calls(listCalls)
	out := p.run("query", "query", "-no-color")
	for _, want := range []string{"+5511999990001 (Suporte)", "+5511999990003 (Legado)", "+5511999990004", "Listed Keys Are Not Revealable"} {
		if !strings.Contains(out, want) {
			t.Errorf("the query does not print %q:\n%s", want, p.c.redact(out))
		}
	}
	p.expectListCalls("the query", lists)

	lists = p.api.Calls(listCalls)
	p.run("generate", "query", "-no-color", "-generate-config-out=generated.tf")
	p.expectListCalls("the query that generates configuration", lists)
	generated, err := os.ReadFile(filepath.Join(p.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// Searched for secrets with everything else.
	p.c.logs["the generated configuration"] = string(generated)
	checkGenerated(t, generated, []string{"wn_1", "wn_2", "wn_3", "wn_4"})

	adopt := p.run("adopt", applyArgs()...)
	if !strings.Contains(adopt, "4 imported, 0 added, 4 changed, 0 destroyed") || !strings.Contains(adopt, "Imported Key Is Not Revealable") {
		t.Errorf("the apply does not import and store the 4 keys, or does not warn of the legacy key:\n%s", p.c.redact(adopt))
	}
	p.expectRegenerations("the queries and the adoption", 0, 0)
	p.holdsCurrentKeys("wn_1", "wn_2", "wn_4")
	for id, k := range seeded {
		if cur, _ := p.api.CurrentKey(id); cur.ID != k.ID || !keyWorks(t, p.url, k.Raw) {
			t.Errorf("the key of %s changed or stopped working", id)
		}
	}
	p.run("plan after adoption", planArgs("-detailed-exitcode")...)
	p.expectRegenerations("the plan after the adoption", 0, 0)

	for _, name := range []string{"query", "generate"} {
		p.searchedAPI(name, "Listed API keys for a query", "method=GET", keyFieldMasked)
	}
	p.searchedAPI("adopt", "Imported the number's current API key", "Storing the number's current API key in state")
}

// expectListCalls fails unless exactly one key list call reached the API since before.
func (p *leakPath) expectListCalls(what string, before int) {
	p.t.Helper()
	if got := p.api.Calls(listCalls) - before; got != 1 {
		p.t.Errorf("%s made %d key list calls, want 1", what, got)
	}
}

// checkGenerated checks the configuration terraform query -generate-config-out wrote: for each of
// ids, in order, one pilotstatus_number_api_key with the provider, the number, store_key = true,
// the defaults of on_destroy and on_external_rotation and the schedule's arguments null, and
// nothing else (no key, key id, anchor, keepers or computed attribute), and one import block by
// identity, naming the number alone.
func checkGenerated(t *testing.T, src []byte, ids []string) {
	t.Helper()
	body, ok := parseHCL(t, "the generated configuration", src)
	if !ok {
		return
	}
	var resources, imports []string
	for _, b := range body.Blocks {
		switch {
		case b.Type == "resource" && len(b.Labels) == 2 && b.Labels[0] == "pilotstatus_number_api_key":
			resources = append(resources, checkGeneratedResource(t, b))
		case b.Type == "import":
			imports = append(imports, checkGeneratedImport(t, b))
		default:
			t.Errorf("the generated configuration has a %s block %v", b.Type, b.Labels)
		}
	}
	if !slices.Equal(resources, ids) || !slices.Equal(imports, ids) {
		t.Errorf("the generated configuration has resources for %v and imports of %v, want %v each", resources, imports, ids)
	}
	if regexp.MustCompile(`sensitive|ps_|key_id|key_last4|key_fingerprint|rotation_anchor|keepers`).Match(src) {
		t.Errorf("the generated configuration holds a value it should not:\n%s", src)
	}
}

// checkGeneratedResource checks one generated resource block and returns its number id.
func checkGeneratedResource(t *testing.T, b *hclsyntax.Block) string {
	t.Helper()
	want := map[string]cty.Value{
		"whatsapp_number_id":   cty.NullVal(cty.String), // any number; returned
		"store_key":            cty.True,
		"on_destroy":           cty.StringVal(onDestroyKeep),
		"on_external_rotation": cty.StringVal(onExternalRotationRegenerate),
		// Terraform writes every optional argument that is not also computed, null or not.
		"rotation_period":       cty.NullVal(cty.String),
		"early_rotation_window": cty.NullVal(cty.String),
	}
	var numberID string
	for name, a := range b.Body.Attributes {
		if name == "provider" {
			continue
		}
		w, known := want[name]
		v, diags := a.Expr.Value(nil)
		switch {
		case !known || diags.HasErrors():
			t.Errorf("resource %s: the generated configuration sets %s", b.Labels[1], name)
		case name == "whatsapp_number_id":
			numberID = v.AsString()
		case w.IsNull() != v.IsNull() || !w.IsNull() && !v.RawEquals(w):
			t.Errorf("resource %s: %s = %#v, want %#v", b.Labels[1], name, v, w)
		}
	}
	if len(b.Body.Attributes) != len(want)+1 || len(b.Body.Blocks) != 0 {
		t.Errorf("resource %s: %d attributes and %d blocks, want the provider and %d attributes", b.Labels[1],
			len(b.Body.Attributes), len(b.Body.Blocks), len(want))
	}
	return numberID
}

// checkGeneratedImport checks one generated import block and returns the number id of its identity.
func checkGeneratedImport(t *testing.T, b *hclsyntax.Block) string {
	t.Helper()
	identity, ok := b.Body.Attributes["identity"]
	if !ok || b.Body.Attributes["id"] != nil {
		t.Errorf("an import block imports by %v, want by identity alone", slices.Collect(func(yield func(string) bool) {
			for name := range b.Body.Attributes {
				if !yield(name) {
					return
				}
			}
		}))
		return ""
	}
	v, diags := identity.Expr.Value(&hclv2.EvalContext{})
	if diags.HasErrors() || !v.Type().IsObjectType() || len(v.Type().AttributeTypes()) != 1 || !v.Type().HasAttribute("whatsapp_number_id") {
		t.Errorf("an import block's identity is %#v, want { whatsapp_number_id = ... } alone", v)
		return ""
	}
	return v.GetAttr("whatsapp_number_id").AsString()
}

// What terraform query says about its filters and limits, and its errors, in the CLI's own words:
// each warning or error the provider streams reaches the user, and the query reads the key list
// once or, for a filter refused by validation, not at all.
func TestAccLeak_queryWarningsAndErrors(t *testing.T) {
	t.Parallel()
	many := make([]fakeapi.Number, 105)
	for i := range many {
		many[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%03d", i), Number: fmt.Sprintf("55119000%04d", i), Name: "Loja"}
	}
	cases := []struct {
		name    string
		numbers []fakeapi.Number
		config  string // of the list block
		fails   bool
		want    *regexp.Regexp
		lists   int // key list calls
		results int // numbers listed
	}{
		{name: "default limit", numbers: many, want: words("Warning: Query Limit Reached", "105 WhatsApp numbers match", "limit = 105 or more"),
			lists: 1, results: 100},
		{name: "unknown id", config: `config { whatsapp_number_ids = ["wn_2", "wn_404"] }`,
			want: words("Warning: WhatsApp Number Not Found", `"wn_404"`), lists: 1, results: 1},
		{name: "invalid regex", config: `config { name_regex = "(Suporte" }`, fails: true,
			want: words("Error: Invalid Query Filter", `name_regex "(Suporte" is not a regular expression`)},
		{name: "empty ids", config: `config { whatsapp_number_ids = [] }`, fails: true,
			want: words("Error: Invalid Query Filter", "whatsapp_number_ids is empty")},
		{name: "blank id", config: `config { whatsapp_number_ids = ["wn_1", " "] }`, fails: true,
			want: words("Error: Invalid WhatsApp Number ID", "is empty")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newQueryPath(t, `
list "pilotstatus_number_api_key" "some" {
  provider = pilotstatus
  `+tc.config+`
}
`, tc.numbers...)
			var out string
			if tc.fails {
				out = p.fail("query", p.tenant, "query", "-no-color")
			} else {
				out = p.run("query", "query", "-no-color")
			}
			if !tc.want.MatchString(out) {
				t.Errorf("the query does not say %q:\n%s", tc.want, p.c.redact(out))
			}
			if got := strings.Count(out, "list.pilotstatus_number_api_key.some "); got != tc.results {
				t.Errorf("the query listed %d numbers, want %d", got, tc.results)
			}
			if got := p.api.Calls(listCalls); got != tc.lists {
				t.Errorf("the query made %d key list calls, want %d", got, tc.lists)
			}
			p.searched("query", providerTrace)
		})
	}
}

// The query -json output that terraform-plugin-testing reads holds, for a legacy key too, a
// resource object without a key or a key id.
func TestAccLeak_queryJSON(t *testing.T) {
	t.Parallel()
	p := newQueryPath(t, `
list "pilotstatus_number_api_key" "all" {
  provider         = pilotstatus
  include_resource = true
}
`, adoptNumbers...)
	out := p.run("query json", "query", "-json")
	found := 0
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type  string `json:"type"`
			Found struct {
				Identity       map[string]any `json:"identity"`
				ResourceObject map[string]any `json:"resource_object"`
			} `json:"list_resource_found"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "list_resource_found" {
			continue
		}
		found++
		obj := msg.Found.ResourceObject
		if obj == nil || obj["key"] != nil || obj["key_id"] != nil || obj["store_key"] != true || obj["whatsapp_number_id"] != msg.Found.Identity["whatsapp_number_id"] {
			t.Errorf("the result of %v has the resource object %s", msg.Found.Identity, p.c.redact(fmtJSON(obj)))
		}
	}
	if found != len(adoptNumbers) {
		t.Errorf("query -json printed %d results, want %d:\n%s", found, len(adoptNumbers), p.c.redact(out))
	}
	p.searchedAPI("query json", "Listed API keys for a query", keyFieldMasked)
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
