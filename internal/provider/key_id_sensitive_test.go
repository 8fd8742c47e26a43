package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"
)

// A key id authenticates as x-api-key-id, so every key_id attribute is sensitive like the key,
// and its description says why.
func TestKeyIDIsSensitive(t *testing.T) {
	t.Parallel()
	nested, ok := apiKeysSchema().Attributes["keys"].(dsschema.ListNestedAttribute)
	if !ok {
		t.Fatalf("data source keys is a %T, want a list of objects", apiKeysSchema().Attributes["keys"])
	}
	type attribute interface {
		IsSensitive() bool
		GetMarkdownDescription() string
	}
	for where, a := range map[string]attribute{
		"resource pilotstatus_number_api_key":           numberAPIKeySchema().Attributes["key_id"],
		"ephemeral resource pilotstatus_number_api_key": numberAPIKeyEphemeralSchema().Attributes["key_id"],
		"data source pilotstatus_api_keys, keys[*]":     nested.NestedObject.Attributes["key_id"],
	} {
		if a == nil {
			t.Errorf("%s: no key_id attribute", where)
			continue
		}
		if !a.IsSensitive() {
			t.Errorf("%s: key_id is not sensitive", where)
		}
		if d := a.GetMarkdownDescription(); !strings.Contains(d, "x-api-key-id") || !strings.Contains(d, "credential") {
			t.Errorf("%s: the description of key_id does not say it is a credential accepted as x-api-key-id: %q", where, d)
		}
	}
}

// A key id the run has seen is masked in every log line of the provider, under whatever field name
// or in the message, as are the keys and the credential; key_last4 stays.
func TestProviderLogsMaskKeyIDsUnderAnyName(t *testing.T) {
	t.Parallel()
	api, url := newTestAPI(t)
	client, err := pilotstatus.New(pilotstatus.Config{BaseURL: url, APIKey: api.TenantKey()})
	if err != nil {
		t.Fatal(err)
	}
	d := newProviderData(client, credential{source: "api_key", secrets: []string{api.TenantKey()}})
	if _, err := d.allKeys(context.Background()); err != nil { // the run reads the key list: the client sees the ids
		t.Fatal(err)
	}
	cur, _ := api.CurrentKey("wn_1")
	before, _ := api.CurrentKey("wn_2")
	made, err := client.RegenerateAPIKey(context.Background(), "wn_2", before.ID) // an id no list has shown yet
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx := d.maskContext(tflogtest.RootLogger(context.Background(), &logs))
	d.warn(ctx, "a key id in the message: "+cur.ID, map[string]any{
		"previous":                cur.ID,
		"a_name_no_mask_knows_of": "before " + cur.ID + " after",
		"tenant":                  api.TenantKey(),
		"raw":                     cur.Raw,
		"key_last4":               cur.Last4,
		"made_by_this_run":        "id " + made.KeyID,
	})
	out := logs.String()
	secrettest.Check(t, "the log", out, leakSecrets(api))
	for _, want := range []string{`"previous":"***"`, `"a_name_no_mask_knows_of":"before *** after"`, `"key_last4":"` + cur.Last4 + `"`, "in the message: ***", `"made_by_this_run":"id ***"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log does not hold %s:\n%s", want, out)
		}
	}
}

// Every log line of the provider goes through provider_log.go, which redacts it: no other file
// calls tflog's logging functions.
func TestProviderLogsThroughOneFile(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	direct := regexp.MustCompile(`\btflog\.(Trace|Debug|Info|Warn|Error)\(`)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "provider_log.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		if loc := direct.FindIndex(src); loc != nil {
			t.Errorf("%s logs with tflog directly (%s): log through providerData.info, warn or debug", f, src[loc[0]:loc[1]])
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files: the search found nothing to check", checked)
	}
}
