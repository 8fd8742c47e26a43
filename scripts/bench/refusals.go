package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// refusalCase is one row of the refusals table: a fault on POST /v1/api-keys while the real CLI
// rotates one key with the provider's default settings.
type refusalCase struct {
	name   string
	faults []fakeapi.Fault
	target string
}

func apiFailure(status int, retryAfter string, times int) fakeapi.Fault {
	return fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatus, Status: status, RetryAfter: retryAfter, Times: times}
}

var refusalCases = []refusalCase{
	{"two API 503s, then success", []fakeapi.Fault{apiFailure(503, "", 2)}, "≤ 20 s, 1 regeneration"},
	{"one API 503 with Retry-After: 2", []fakeapi.Fault{apiFailure(503, "2", 1)}, "≤ 5 s"},
	{"six API 503s", []fakeapi.Fault{apiFailure(503, "", 6)}, "fails in ≤ 90 s, 0 regenerations, says so"},
	{"a gateway's 504, the request reaches the API 3 s later",
		[]fakeapi.Fault{{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultGatewayLateWork, Delay: 3 * time.Second}},
		"success, live key in state"},
	{"the API regenerated, then answered 500",
		[]fakeapi.Fault{{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultStatusAfterWork, Status: 500}},
		"success at once, live key in state"},
}

// refusals rotates one key under each refusalCase, with nothing configured but the credentials,
// and prints what happened: the outcome, the wall time of the apply, the regeneration requests
// sent, the keys the API actually regenerated, whether state holds the number's live key, and
// what the error said.
func refusals(ctx context.Context, cli, work string, env []string, api *fakeapi.API) error {
	dir := filepath.Join(work, "refusals")
	if err := writeConfig(dir, keysConfig(0, 1)); err != nil {
		return err
	}
	if _, err := cliRun(ctx, cli, dir, env, "init", "-input=false"); err != nil {
		return err
	}
	if _, err := cliRun(ctx, cli, dir, env, "apply", "-auto-approve", "-input=false", "-var", "rotation=1"); err != nil {
		return err
	}
	fmt.Print("\nRefusals: one key rotated with default settings (max_retries 4, request_timeout 60s, " +
		"regeneration_settle_time 120s) while POST /v1/api-keys misbehaves\n\n")
	fmt.Println("| case | outcome | wall time | regeneration requests | keys regenerated | state holds the live key | the error says | target |")
	fmt.Println("|---|---|---:|---:|---:|---|---|---|")
	rotation := 2
	for _, rc := range refusalCases {
		api.ClearFaults()
		api.ResetCalls()
		for _, f := range rc.faults {
			api.AddFault(f)
		}
		wall, err := cliRun(ctx, cli, dir, env, "apply", "-auto-approve", "-input=false", "-var", fmt.Sprintf("rotation=%d", rotation))
		rotation++
		posts, regenerated := api.Calls(fakeapi.EndpointRegenerate), api.Regenerated()
		outcome, says := "success", "—"
		if err != nil {
			outcome, says = "failed", errorGist(err.Error())
		}
		inState, live, lerr := stateHoldsLiveKey(ctx, cli, dir, env, api, "wn_0001")
		if lerr != nil {
			return lerr
		}
		held := "no key in state"
		if inState {
			held = yesNo(live)
		}
		fmt.Printf("| %s | %s | %.1f s | %d | %d | %s | %s | %s |\n", rc.name, outcome, wall.Seconds(), posts, regenerated, held, says, rc.target)
		api.ClearFaults()
		if err != nil || !inState || !live {
			// Repair, so that the next case starts from a live key.
			if _, err := cliRun(ctx, cli, dir, env, "apply", "-auto-approve", "-input=false", "-var", fmt.Sprintf("rotation=%d", rotation)); err != nil {
				return fmt.Errorf("repairing after %q: %w", rc.name, err)
			}
			rotation++
		}
	}
	return nil
}

// errorGist names what a failed apply said of the key.
func errorGist(out string) string {
	flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "│", " ")), " ")
	switch {
	case strings.Contains(flat, "Nothing was regenerated: the key list shows the key"):
		return "nothing was regenerated: the key list shows the key unchanged"
	case strings.Contains(flat, "Nothing was regenerated"):
		return "nothing was regenerated"
	case strings.Contains(flat, "may no longer work"):
		return "the key may have been regenerated"
	}
	return "(neither)"
}

// stateHoldsLiveKey reports whether the state in dir has numberID's resource, and whether its key
// is the number's current key. The state's JSON is read here and never printed.
func stateHoldsLiveKey(ctx context.Context, cli, dir string, env []string, api *fakeapi.API, numberID string) (inState, live bool, err error) {
	cmd := exec.CommandContext(ctx, cli, "show", "-json")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return false, false, fmt.Errorf("%s show -json: %w", filepath.Base(cli), err)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &state); err != nil {
		return false, false, fmt.Errorf("reading the state: %w", err)
	}
	cur, _ := api.CurrentKey(numberID)
	for _, r := range state.Values.RootModule.Resources {
		if r.Values["whatsapp_number_id"] == numberID {
			return true, r.Values["key"] == cur.Raw, nil
		}
	}
	return false, false, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
