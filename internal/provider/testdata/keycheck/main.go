// Command keycheck is the consumer of the hand-off tests: it receives a Pilot Status key in the
// environment (PILOTSTATUS_TEST_KEY), as a local-exec provisioner hands it on, and asks the API at
// PILOTSTATUS_TEST_URL whether the key is a live number-scoped key. It prints one line, "accepted"
// or "rejected" with the HTTP status, prefixed with KEY_VERSION; never the key.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	fmt.Println(os.Getenv("KEY_VERSION"), check(os.Getenv("PILOTSTATUS_TEST_URL"), os.Getenv("PILOTSTATUS_TEST_KEY")))
}

// check calls GET /v1/numbers, a tenant endpoint: a live number-scoped key gets 403
// NUMBER_SCOPE_NOT_ALLOWED, a dead or wrong key 401.
func check(baseURL, key string) string {
	if key == "" {
		return "rejected: no key in the environment"
	}
	req, err := http.NewRequest(http.MethodGet, baseURL+"/v1/numbers", nil)
	if err != nil {
		return "rejected: " + err.Error()
	}
	req.Header.Set("x-api-key", key)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return "rejected: the request failed"
	}
	defer resp.Body.Close()
	var body struct {
		Code string `json:"code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == http.StatusForbidden && body.Code == "NUMBER_SCOPE_NOT_ALLOWED" {
		return "accepted"
	}
	return fmt.Sprintf("rejected: HTTP %d", resp.StatusCode)
}
