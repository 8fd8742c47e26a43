// Command demo-verify checks that the keys Terraform holds are the numbers' current
// keys at the Pilot Status API. It reads `terraform output -json keys` on stdin and
// the API's list of keys, and prints, per number, whether they match. It never
// prints a key or a key id (the API accepts a key id as a credential): a key is
// named by its last four characters.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"
)

type listed struct {
	NumberID string  `json:"numberId"`
	KeyLast4 string  `json:"keyLast4"`
	Key      *string `json:"key"`
}

func main() {
	baseURL := flag.String("base-url", os.Getenv("PILOTSTATUS_BASE_URL"), "API base URL")
	flag.Parse()
	if err := run(*baseURL, os.Getenv("PILOTSTATUS_API_KEY"), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo-verify:", err)
		os.Exit(1)
	}
}

func run(baseURL, apiKey string, in io.Reader, out io.Writer) error {
	var inState map[string]string
	if err := json.NewDecoder(in).Decode(&inState); err != nil {
		return fmt.Errorf("reading terraform output: %w", err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+"/v1/api-keys", nil) //nolint:gosec // G704: calling the user's -base-url is this program's job
	if err != nil {
		return err
	}
	req.Header.Set("x-api-key", apiKey)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req) //nolint:gosec // G704: calling the user's -base-url is this program's job
	if err != nil {
		return fmt.Errorf("listing keys: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("listing keys: HTTP %d", resp.StatusCode)
	}
	var list []listed
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return fmt.Errorf("decoding the key list: %w", err)
	}
	current := map[string]listed{}
	for _, k := range list {
		current[k.NumberID] = k
	}
	ids := make([]string, 0, len(inState))
	for id := range inState {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	mismatches := 0
	for _, id := range ids {
		k, ok := current[id]
		switch {
		case !ok:
			fmt.Fprintf(out, "  %s: not at the API\n", id)
			mismatches++
		case k.Key == nil || *k.Key != inState[id]:
			fmt.Fprintf(out, "  %s: key in state is NOT the current key (current ends in %s)\n", id, k.KeyLast4)
			mismatches++
		default:
			fmt.Fprintf(out, "  %s: key in state is the API's current key (ends in %s)\n", id, k.KeyLast4)
		}
	}
	if mismatches > 0 {
		return fmt.Errorf("%d of %d keys differ from the API", mismatches, len(ids))
	}
	return nil
}
