package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	keyOne = "ps_oneONEone1111111111111111111111111111"
	keyTwo = "ps_twoTWOtwo2222222222222222222222222222"
)

func api(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "ps_tenant" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`[{"numberId":"wn_1","keyId":"k_1","keyLast4":"1111","key":"` + keyOne + `","revealable":true},
		  {"numberId":"wn_2","keyId":"k_2","keyLast4":"2222","key":"` + keyTwo + `","revealable":true}]`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRun(t *testing.T) {
	t.Parallel()
	url := api(t)
	cases := []struct {
		name, state, apiKey string
		wantErr             bool
		wantOut             string
	}{
		{"keys match", `{"wn_1":"` + keyOne + `","wn_2":"` + keyTwo + `"}`, "ps_tenant", false, "wn_2: key in state is the API's current key"},
		{"stale key", `{"wn_1":"` + keyTwo + `"}`, "ps_tenant", true, "wn_1: key in state is NOT the current key"},
		{"unknown number", `{"wn_9":"` + keyOne + `"}`, "ps_tenant", true, "wn_9: not at the API"},
		{"wrong credential", `{"wn_1":"` + keyOne + `"}`, "ps_wrong", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(url, tc.apiKey, strings.NewReader(tc.state), &out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %t", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
			for _, secret := range []string{keyOne, keyTwo, "k_1", "k_2"} {
				if strings.Contains(out.String(), secret) {
					t.Errorf("output shows a key or a key id: %q", out.String())
				}
			}
		})
	}
}
