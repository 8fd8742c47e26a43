package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/secrettest"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// Custody under faults, with the real CLI: after an apply that says it succeeded the
// state holds every number's one working key, a plan that cannot be applied fails,
// and no key or key id is shown on the way (each test also runs the leak search).

// custodyConfig is count keys for the numbers wn_1 ... wn_<count> whose keepers are the variable
// rotation, with lines in each key's body, for a provider with a short request_timeout.
func custodyConfig(count int, lines ...string) tfConfig {
	return custodyProvider("1s").add(custodyKeys(count, lines...))
}

// custodyProvider starts a CLI configuration with the given request_timeout and the variable
// rotation.
func custodyProvider(timeout string) tfConfig {
	return providerWith("request_timeout", timeout, "max_retries", 2).add(providersTF, block(`variable "rotation"`,
		"type = string", `default = "1"`))
}

// custodyKeys is the block of count keys of custodyConfig.
func custodyKeys(count int, lines ...string) string {
	return block(`resource "pilotstatus_number_api_key" "k"`,
		append([]string{arg("count", count), `whatsapp_number_id = "wn_${count.index + 1}"`, "keepers = { rotation = var.rotation }"}, lines...)...)
}

// numbered is n numbers wn_1 ... wn_n.
func numbered(n int) []fakeapi.Number {
	out := make([]fakeapi.Number, n)
	for i := range out {
		out[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%d", i+1), Number: fmt.Sprintf("55119999%05d", i+1), Name: fmt.Sprintf("N%d", i+1)}
	}
	return out
}

func numberIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("wn_%d", i+1)
	}
	return ids
}

// A regeneration held in transit past request_timeout that reaches the API later:
// inside the settle time the key it made is taken from the list and nothing is sent
// again; when it lands after the answer of a second request, the list's current key
// is stored, with a warning. Either way the apply is green and state holds the live
// key.
func TestAccCLI_lateRegeneration(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		fault     fakeapi.Fault
		wantPosts int
		warning   string
	}{
		{"lands inside the settle time", fakeapi.Fault{Kind: fakeapi.FaultLateWork, Delay: 1500 * time.Millisecond}, 1, ""},
		{"lands after the answer of the next request", fakeapi.Fault{Kind: fakeapi.FaultLateWorkAfterNext, Delay: 20 * time.Second}, 2,
			"Delayed Regeneration Request Landed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newLeakPath(t, custodyConfig(1).String(), numbered(1)...)
			p.run("create", applyArgs()...)
			before := p.regenerations()
			f := tt.fault
			f.Endpoint = fakeapi.EndpointRegenerate
			p.api.AddFault(f)
			out := p.run("late rotation", applyArgs("-var", "rotation=2")...)
			p.expectRegenerations("the rotation", before, tt.wantPosts)
			if p.api.Held(fakeapi.EndpointRegenerate) != 0 {
				t.Fatal("the held request has not landed yet: the test proves nothing")
			}
			p.holdsCurrentKeys("wn_1")
			if tt.warning != "" && !strings.Contains(out, tt.warning) {
				t.Errorf("the apply does not warn %q:\n%s", tt.warning, p.c.redact(out))
			}
			if plan := p.run("plan after", planArgs("-detailed-exitcode", "-var", "rotation=2")...); !strings.Contains(plan, "No changes") {
				t.Errorf("the plan after the late rotation is not empty:\n%s", p.c.redact(plan))
			}
		})
	}
}

// Answers lost after the work: the key list reveals each new key, so every key is
// regenerated exactly once and stored; when the list does not reveal the keys, at
// most two regenerations are sent per key and the apply fails saying so.
func TestAccCLI_lostAnswers(t *testing.T) {
	t.Parallel()
	t.Run("the list reveals the keys", func(t *testing.T) {
		t.Parallel()
		p := newLeakPath(t, custodyConfig(3).String(), numbered(3)...)
		p.api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDropAfterWork, Times: 100})
		p.run("create", applyArgs()...)
		p.expectRegenerations("the create", 0, 3)
		p.holdsCurrentKeys(numberIDs(3)...)
	})
	t.Run("the list hides the keys", func(t *testing.T) {
		t.Parallel()
		p := newLeakPath(t, custodyConfig(1).String(), numbered(1)...)
		p.api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultDropAfterWork, Times: 100})
		// The list answers without the keys: a lost key cannot be recovered from it.
		p.api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointListKeys, Kind: fakeapi.FaultMissingKey, Field: "key", Times: 1000})
		out := p.fail("create", p.tenant, applyArgs()...)
		p.expectRegenerations("the create", 0, 2)
		if !words(summaryRegenerate, `"wn_1"`, lostAnswer).MatchString(out) {
			t.Errorf("the failure does not say the old key may no longer work:\n%s", p.c.redact(out))
		}
	})
}

// One Ctrl-C during an apply of 30 rotations against an API that takes 2s to
// carry out each: the CLI stops with an error, the regenerations in flight finish
// and their keys reach state, no new one starts, and nothing speaks of timeouts.
func TestAccCLI_interrupt(t *testing.T) {
	t.Parallel()
	const n = 30
	// Each regeneration takes 2s, well within request_timeout: only the interruption
	// can end one early.
	p := newLeakPath(t, custodyProvider("10s").add(custodyKeys(n)).String(), numbered(n)...)
	seeded := map[string]string{}
	for _, id := range numberIDs(n) {
		k, _ := p.api.CurrentKey(id)
		seeded[id] = k.ID
	}
	p.api.AddFault(fakeapi.Fault{Endpoint: fakeapi.EndpointRegenerate, Kind: fakeapi.FaultLateWork, Delay: 2 * time.Second, Times: n})

	cmd := exec.CommandContext(t.Context(), p.c.bin, applyArgs()...)
	cmd.Dir = p.dir
	cmd.Env = append(append(append([]string{}, p.c.env...), "TF_LOG_PATH="+p.c.logFile), p.tenant...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for p.api.Held(fakeapi.EndpointRegenerate) < 5 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the regenerations did not start:\n%s", p.c.redact(out.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	logged, _ := os.ReadFile(p.c.logFile)
	p.c.logs["interrupted apply"] = out.String() + "\n" + string(logged)
	p.printed["interrupted apply"] = out.String()
	if err == nil {
		t.Errorf("the interrupted apply exited 0:\n%s", p.c.redact(out.String()))
	}
	for _, advice := range []string{"request_timeout", "max_retries", "timeout"} {
		if strings.Contains(out.String(), advice) {
			t.Errorf("the interrupted apply speaks of %q:\n%s", advice, p.c.redact(out.String()))
		}
	}
	// Wait for what the CLI left in flight, if anything, before judging the state.
	for p.api.Held(fakeapi.EndpointRegenerate) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	regenerated := 0
	held := map[string]string{}
	if _, err := os.Stat(filepath.Join(p.dir, "terraform.tfstate")); err == nil {
		held = p.stateKeys()
	}
	for _, id := range numberIDs(n) {
		cur, _ := p.api.CurrentKey(id)
		if cur.ID == seeded[id] {
			continue
		}
		regenerated++
		if held[id] != cur.Raw {
			t.Errorf("the API regenerated the key of %s, but the state does not hold it", id)
		}
	}
	if regenerated == 0 || regenerated == n {
		t.Errorf("%d of %d keys were regenerated: the interruption did not come during the apply", regenerated, n)
	}
	if got := p.regenerations(); got != regenerated {
		t.Errorf("%d regenerations reached the API, %d keys changed: a request was sent after the interruption or twice", got, regenerated)
	}
	t.Logf("%d of %d keys were regenerated before the interruption took effect", regenerated, n)
}

// Two resources for one number fail every plan that holds both, whether both are
// new, one is in state, or both are, and nothing is regenerated; a plan that
// removes one of them succeeds. A replacement (which plans one resource twice) is
// no duplicate.
func TestAccCLI_duplicateNumber(t *testing.T) {
	t.Parallel()
	one := custodyConfig(1).String()
	two := custodyConfig(1).key("again", "wn_1").String()
	p := newLeakPath(t, two, numbered(1)...)
	out := p.fail("both new", p.tenant, planArgs()...)
	if !words("Duplicate WhatsApp Number", `"wn_1"`).MatchString(out) {
		t.Errorf("the plan of two new resources for one number does not fail naming it:\n%s", p.c.redact(out))
	}
	p.fail("both new, apply", p.tenant, applyArgs()...)
	p.expectRegenerations("the refused apply", 0, 0)

	p.write(one)
	p.run("one", applyArgs()...)
	p.run("replacement", applyArgs("-var", "rotation=2")...)
	p.run("forced replacement", applyArgs("-var", "rotation=2", "-replace=pilotstatus_number_api_key.k[0]")...)
	before := p.regenerations()

	p.write(two)
	out = p.fail("one in state", p.tenant, applyArgs("-var", "rotation=3")...)
	if !words("Duplicate WhatsApp Number", `"wn_1"`).MatchString(out) {
		t.Errorf("the second apply does not fail naming the number:\n%s", p.c.redact(out))
	}
	p.fail("one in state, again", p.tenant, applyArgs()...)
	p.expectRegenerations("the refused applies", before, 0)
	p.holdsCurrentKeys("wn_1")

	p.write(one)
	p.run("duplicate removed", applyArgs("-var", "rotation=2")...)
	p.expectRegenerations("the plan without the duplicate", before, 0)
}

// A plan that would regenerate a key fails when the apply cannot work: rejected or
// number-scoped credentials, an unreachable API, an unknown number, a base_url
// whose path makes the key list answer 404. Nothing is regenerated.
func TestAccCLI_planFailsWhenApplyCannotWork(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, custodyConfig(1).String(), numbered(2)...)
	numberKey, _ := p.api.CurrentKey("wn_2")
	unreachable := closedPort(t)
	p.passed = append(p.passed, secrettest.Secret{What: "the number-scoped key", Value: numberKey.Raw}, secrettest.Secret{What: "the number-scoped key id", Value: numberKey.ID},
		secrettest.Secret{What: "the wrong key", Value: "ps_wrongWRONGwrong0000"})
	for _, tt := range []struct {
		name   string
		env    []string
		config string
		want   []string
	}{
		{"wrong key", []string{"PILOTSTATUS_API_KEY=ps_wrongWRONGwrong0000"}, "", []string{summaryListKeys, "rejected the credentials (401)"}},
		{"number-scoped key", []string{"PILOTSTATUS_API_KEY=" + numberKey.Raw}, "", []string{summaryListKeys, "number-scoped key"}},
		{"number-scoped key id", []string{"PILOTSTATUS_API_KEY_ID=" + numberKey.ID}, "", []string{summaryListKeys, "number-scoped key"}},
		{"unreachable host", append([]string{"PILOTSTATUS_BASE_URL=" + unreachable}, p.tenant...), "", []string{summaryListKeys, "did not complete"}},
		{"unknown number", p.tenant, custodyProvider("1s").key("k", "wn_404").String(),
			[]string{"WhatsApp Number Not Found", `"wn_404"`}},
		{"wrong base path", append([]string{"PILOTSTATUS_BASE_URL=" + p.url + "/api"}, p.tenant...), "", []string{summaryListKeys, "check base_url"}},
	} {
		if tt.config != "" {
			p.write(tt.config)
		} else {
			p.write(custodyConfig(1).String())
		}
		out := p.fail(tt.name, tt.env, planArgs()...)
		if !words(tt.want...).MatchString(out) {
			t.Errorf("%s: the plan does not fail with %q:\n%s", tt.name, tt.want, p.c.redact(out))
		}
		if strings.Contains(out, "has no WhatsApp number") && tt.name == "wrong base path" {
			t.Errorf("%s: a wrong base path is reported as a missing number:\n%s", tt.name, p.c.redact(out))
		}
	}
	p.expectRegenerations("the failed plans", 0, 0)
}

// Switching on_external_rotation to "adopt" in the configuration after the key was
// regenerated outside Terraform takes the new key without regenerating, in the very
// plan that introduces the choice.
func TestAccCLI_switchToAdopt(t *testing.T) {
	t.Parallel()
	p := newLeakPath(t, custodyConfig(1).String(), numbered(1)...)
	p.run("create", applyArgs()...)
	p.api.RotateOutOfBand("wn_1")
	p.run("refresh notices", planArgs()...)
	before := p.regenerations()
	adopt := custodyConfig(1, `on_external_rotation = "adopt"`).String()
	p.write(adopt)
	plan := p.run("adopt plan", planArgs()...)
	if !strings.Contains(plan, "Adopting Key Rotated Outside Terraform") || strings.Contains(plan, "must be replaced") {
		t.Errorf("the plan that introduces adopt does not adopt in place:\n%s", p.c.redact(plan))
	}
	p.run("adopt", applyArgs()...)
	p.expectRegenerations("adopting", before, 0)
	p.holdsCurrentKeys("wn_1")
	if plan := p.run("plan after", planArgs()...); !strings.Contains(plan, "No changes") {
		t.Errorf("the plan after adopting is not empty:\n%s", p.c.redact(plan))
	}
}
