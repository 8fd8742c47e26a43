package secrettest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder records what a check reports.
type recorder struct{ reports []string }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.reports = append(r.reports, fmt.Sprintf(format, args...))
}

// The search finds a whole secret, a key cut short, a key without its prefix and a ps_ value it
// was not told about; it names the text and the secret's last four characters, shows the text
// before the hit, and its reports hold no part of a secret.
func TestFind(t *testing.T) {
	t.Parallel()
	key := "ps_" + strings.Repeat("A1b2C3d4E5", 4)
	other := "ps_" + strings.Repeat("zY9xW8vU7t", 4)
	tenantID := "k_tenant"
	secrets := []Secret{{"the key", key}, {"the other key", other}, {"the tenant key id", tenantID}}
	cases := []struct {
		name string
		text string
		want []string // in the first report, in order
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
			var r recorder
			Check(&r, tc.name, tc.text, secrets)
			if err := Error(tc.name, tc.text, secrets); (err != nil) != (len(tc.want) > 0) {
				t.Errorf("Error = %v, want an error: %t", err, len(tc.want) > 0)
			}
			if len(tc.want) == 0 {
				if len(r.reports) != 0 {
					t.Errorf("reports on clean text: %q", r.reports)
				}
				return
			}
			if len(r.reports) == 0 {
				t.Fatalf("no report on %s", tc.name)
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(r.reports[0][at:], w)
				if i < 0 {
					t.Fatalf("report %q does not hold %q in order", r.reports[0], tc.want)
				}
				at += i + len(w)
			}
			for _, rep := range r.reports {
				// No eight characters of a secret in a row: only its last four.
				for _, sec := range secrets {
					for k := 0; k+8 <= len(sec.Value); k++ {
						if strings.Contains(rep, sec.Value[k:k+8]) {
							t.Errorf("report %q holds part of %s", rep, sec.What)
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

// An allowed value is not reported as a ps_ value, however often it appears; any other ps_ value is,
// also after many allowed ones.
func TestFindAllowed(t *testing.T) {
	t.Parallel()
	tenant := "ps_tenantTENANTtenant01"
	text := strings.Repeat(`{"api_key":"`+tenant+`"}`, 6) + `{"other":"ps_someOTHERvalue99"}`
	leaks := Find("the plan", text, nil, tenant)
	if len(leaks) != 1 || leaks[0].Last4 != "ue99" {
		t.Errorf("leaks = %v, want only the other ps_ value", leaks)
	}
}

// Mask hides every secret and ps_ value, keeping their last four characters.
func TestMask(t *testing.T) {
	t.Parallel()
	key := "ps_" + strings.Repeat("A1b2C3d4E5", 4)
	got := Mask("a "+key+" b k_tenant c ps_unknownVALUE9", []Secret{{"the key", key}, {"id", "k_tenant"}})
	if want := "a [secret …d4E5] b [secret …nant] c [ps_ value …LUE9]"; got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
}
