package provider

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
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

// Every log field that may carry a key id is masked, whoever logs it.
func TestMaskContextMasksKeyIDFields(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	ctx := maskContext(tflogtest.RootLogger(context.Background(), &logs), nil)
	fields := map[string]any{
		"key_id":         "k_field0000000001",
		"state_key_id":   "k_field0000000002",
		"current_key_id": "k_field0000000003",
		"new_key_id":     "k_field0000000004",
		"key_last4":      "wxyz",
	}
	tflog.Warn(ctx, "key ids in fields", fields)
	out := logs.String()
	for name, v := range fields {
		switch {
		case name == "key_last4" && !strings.Contains(out, `"key_last4":"wxyz"`):
			t.Errorf("key_last4 was masked or lost:\n%s", out)
		case name != "key_last4" && (strings.Contains(out, fmt.Sprint(v)) || !strings.Contains(out, `"`+name+`":"***"`)):
			t.Errorf("%s is not masked:\n%s", name, out)
		}
	}
}
