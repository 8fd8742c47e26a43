// Command bench measures the provider with the real CLI against the local Pilot
// Status API: create-all, a no-op plan and rotate-all of N keys, beside the same N
// of terraform_data (Terraform's own in-core resource, the floor of per-resource
// overhead) and of hashicorp/time's time_static (a framework provider that does no
// I/O), one key rotated while the API refuses (503s and worse), and a rotate-all
// against a rate-limited API. It prints Markdown tables.
//
// Usage (from the repository root, after scripts/tools.sh terraform time):
//
//	go run ./scripts/bench [-cli .tools/terraform-1.5.7/terraform] [-n 10,100,500]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// mirrorVersion is the version the provider binary is given in the filesystem mirror.
const mirrorVersion = "0.0.1"

type options struct {
	cli        string
	sizes      []int
	limitedN   int
	limitedRPS float64
	burst      int
	// limitedRuns is how many runs of each compared rate-limited row are measured.
	limitedRuns int
	work        string
	mirror      string
	profile     bool
	// limitedOnly skips the tables of N keys beside terraform_data and time_static, and refusals.
	limitedOnly bool
	// refusalsOnly runs only the refusals table.
	refusalsOnly bool
	// compareSrc, when set, is the source tree of another build of the provider: its no-op plan
	// and unlimited rotate-all are measured side by side with this one's, and nothing else.
	compareSrc string
	runs       int
}

func main() {
	var (
		o     options
		sizes string
	)
	flag.StringVar(&o.cli, "cli", ".tools/terraform-1.5.7/terraform", "the Terraform or OpenTofu binary")
	flag.StringVar(&sizes, "n", "10,100,500", "the numbers of resources, comma-separated")
	flag.IntVar(&o.limitedN, "limited-n", 200, "keys rotated against the rate-limited API")
	flag.Float64Var(&o.limitedRPS, "limited-rps", 20, "the rate-limited API's requests per second")
	flag.IntVar(&o.burst, "limited-burst", 5, "the rate-limited API's burst (the rows of burst 20 are measured too)")
	flag.IntVar(&o.limitedRuns, "limited-runs", 3, "runs of each rate-limited row that is compared with its paced run")
	flag.StringVar(&o.work, "work", ".bench", "working directory (replaced)")
	flag.StringVar(&o.mirror, "time-mirror", ".tools/mirror", "filesystem mirror holding hashicorp/time")
	flag.BoolVar(&o.limitedOnly, "rate-limited-only", false, "run only the rotate-all against the rate-limited API")
	flag.BoolVar(&o.refusalsOnly, "refusals-only", false, "run only the refusals table: one key rotated while the API answers 503s and worse")
	flag.StringVar(&o.compareSrc, "compare", "", "the source tree of another build (a git worktree): measure only its no-op plan of the largest N and "+
		"unlimited rotate-all of -limited-n beside this build's, -runs times each, and print medians")
	flag.IntVar(&o.runs, "runs", 5, "runs of each measurement with -compare")
	flag.BoolVar(&o.profile, "profile", false, "also profile the provider (CPU) during a no-op plan of the largest N, and print the top functions")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			fatalf("-n: %q is not a number of resources from 1 to 1024", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if err := run(context.Background(), o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

// kind is one resource type under measurement.
type kind struct {
	name   string
	config func(n int) string
}

var kinds = []kind{
	{"pilotstatus_number_api_key", func(n int) string {
		return header("pilotstatus") + fmt.Sprintf(`
resource "pilotstatus_number_api_key" "k" {
  for_each           = toset([for i in range(%d) : format("wn_%%04d", i + 1)])
  whatsapp_number_id = each.key
  keepers            = { rotation = var.rotation }
}
`, n)
	}},
	{"terraform_data", func(n int) string {
		return header("") + fmt.Sprintf(`
resource "terraform_data" "d" {
  for_each         = toset([for i in range(%d) : format("wn_%%04d", i + 1)])
  input            = each.key
  triggers_replace = var.rotation
}
`, n)
	}},
	{"time_static", func(n int) string {
		return header("time") + fmt.Sprintf(`
resource "time_static" "t" {
  for_each = toset([for i in range(%d) : format("wn_%%04d", i + 1)])
  triggers = { rotation = var.rotation }
}
`, n)
	}},
}

// header declares only what a kind uses: Terraform starts every provider a
// configuration requires (for its schema), so an extra one would be charged to
// the kind measured.
func header(provider string) string {
	h := `
variable "rotation" {
  type    = string
  default = "1"
}
`
	switch provider {
	case "pilotstatus":
		h += `
terraform {
  required_providers {
    pilotstatus = { source = "pilotstatus/pilotstatus" }
  }
}

variable "rps" {
  type    = number
  default = null
}

provider "pilotstatus" {
  max_requests_per_second = var.rps
}
`
	case "time":
		h += `
terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}
`
	}
	return h
}

// phase is one measured CLI run.
type phase struct {
	name string
	args []string
}

var phases = []phase{
	{"create-all", []string{"apply", "-auto-approve", "-input=false", "-var", "rotation=1"}},
	{"no-op plan", []string{"plan", "-input=false", "-detailed-exitcode", "-var", "rotation=1"}},
	{"rotate-all", []string{"apply", "-auto-approve", "-input=false", "-var", "rotation=2"}},
}

type measurement struct {
	wall  time.Duration
	calls int
}

func run(ctx context.Context, o options) error {
	cli, err := filepath.Abs(o.cli)
	if err != nil {
		return err
	}
	version, err := exec.CommandContext(ctx, cli, "version").Output()
	if err != nil {
		return fmt.Errorf("running %s version: %w (run scripts/tools.sh terraform time first)", cli, err)
	}
	if err := os.RemoveAll(o.work); err != nil {
		return err
	}
	work, err := filepath.Abs(o.work)
	if err != nil {
		return err
	}
	rc, err := prepareMirror(ctx, work, o.mirror)
	if err != nil {
		return err
	}
	api := fakeapi.New(fakeapi.Options{Numbers: numbers(numbersNeeded(o))})
	url, stop := api.Start()
	defer stop()
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"PILOTSTATUS_API_KEY="+api.TenantKey(), "PILOTSTATUS_BASE_URL="+url)
	env = withoutLogging(env)

	fmt.Printf("CLI: %s\n", firstLine(string(version)))
	fmt.Printf("Machine: %s/%s, %d CPUs (%s), %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), memTotal())

	switch {
	case o.compareSrc != "":
		return compare(ctx, o, cli, work, env)
	case o.limitedOnly:
		return rateLimited(ctx, o, cli, work, env, api)
	case o.refusalsOnly:
		return refusals(ctx, cli, work, env, api)
	}
	if err := measureKinds(ctx, o, cli, work, env, api); err != nil {
		return err
	}
	if o.profile {
		if err := profilePlan(ctx, cli, work, env, o.sizes[len(o.sizes)-1]); err != nil {
			return err
		}
	}
	if err := refusals(ctx, cli, work, env, api); err != nil {
		return err
	}
	return rateLimited(ctx, o, cli, work, env, api)
}

// numbersNeeded is how many numbers the API needs for what o measures.
func numbersNeeded(o options) int {
	if o.compareSrc != "" {
		// The two builds manage numbers of their own: a no-op plan of the largest N and a
		// rotate-all of limitedN each.
		return 2 * (o.sizes[len(o.sizes)-1] + o.limitedN)
	}
	return max(o.limitedN, slices.Max(o.sizes))
}

// measureKinds runs the phases for every kind and size, and prints their table.
func measureKinds(ctx context.Context, o options, cli, work string, env []string, api *fakeapi.API) error {
	results := map[string]map[int][]measurement{}
	for _, k := range kinds {
		results[k.name] = map[int][]measurement{}
		for _, n := range o.sizes {
			dir := filepath.Join(work, fmt.Sprintf("%s-%d", k.name, n))
			if err := writeConfig(dir, k.config(n)); err != nil {
				return err
			}
			if _, err := cliRun(ctx, cli, dir, env, "init", "-input=false"); err != nil {
				return err
			}
			for _, p := range phases {
				api.ResetCalls()
				wall, err := cliRun(ctx, cli, dir, env, p.args...)
				if err != nil {
					return fmt.Errorf("%s, N=%d, %s: %w", k.name, n, p.name, err)
				}
				results[k.name][n] = append(results[k.name][n], measurement{wall: wall, calls: api.TotalCalls()})
				fmt.Fprintf(os.Stderr, "%-28s N=%-4d %-11s %8.2fs\n", k.name, n, p.name, wall.Seconds())
			}
		}
	}
	printTables(o.sizes, results)
	return nil
}

// profilePlan runs one more no-op plan of n keys with the provider writing a CPU
// profile, once without and once with TF_LOG=trace, and prints the top of each.
func profilePlan(ctx context.Context, cli, work string, env []string, n int) error {
	dir := filepath.Join(work, fmt.Sprintf("pilotstatus_number_api_key-%d", n))
	for _, logging := range []string{"", "trace"} {
		profiles := filepath.Join(work, "profiles", "TF_LOG="+logging)
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			return err
		}
		runEnv := append(append([]string{}, env...), "PILOTSTATUS_CPU_PROFILE="+profiles)
		if logging != "" {
			runEnv = append(runEnv, "TF_LOG="+logging, "TF_LOG_PATH="+filepath.Join(profiles, "terraform.log"))
		}
		// After rotate-all, rotation=2 is what the state holds.
		wall, err := cliRun(ctx, cli, dir, runEnv, "plan", "-input=false", "-detailed-exitcode", "-var", "rotation=2")
		if err != nil {
			return fmt.Errorf("profiled plan: %w", err)
		}
		files, err := filepath.Glob(filepath.Join(profiles, "cpu-*.pprof"))
		if err != nil || len(files) == 0 {
			return fmt.Errorf("the provider wrote no profile into %s", profiles)
		}
		fmt.Printf("\nCPU profile of the provider (all its processes) during a no-op plan of N = %d, TF_LOG=%q, wall %.2f s:\n\n```\n",
			n, logging, wall.Seconds())
		args := append([]string{"tool", "pprof", "-top", "-cum", "-nodecount=400"}, files...)
		out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof: %w\n%s", err, out)
		}
		// The header, log formatting, the RPC handlers and the resource's own methods.
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "Total samples") || strings.Contains(line, "flat%") ||
				strings.HasSuffix(line, "go-hclog.(*intLogger).log") ||
				strings.HasSuffix(line, "tfsdklog.SubsystemTrace") ||
				strings.HasSuffix(line, "_Handler") ||
				strings.Contains(line, "(*numberAPIKeyResource).") || strings.Contains(line, "(*keyList).") {
				fmt.Println(line)
			}
		}
		fmt.Println("```")
	}
	return nil
}

// limitShape is the rate limit of one rate-limited row.
type limitShape struct {
	name  string
	apply func(api *fakeapi.API, o options)
}

// limitedBench is the rotate-all against a rate-limited API: limitedN keys in dir, the same
// number in halves (half each), and what each row is measured against.
type limitedBench struct {
	o      options
	cli    string
	env    []string
	api    *fakeapi.API
	dir    string
	halves []string
	// rotation is the value of var.rotation that the next rotate-all sets.
	rotation int
}

// limitedResult is one row's measurement: the wall time of each run (of a pair of concurrent
// applies, the slower), and the API's calls, 429s and failed applies over all runs.
type limitedResult struct {
	walls                  []time.Duration
	calls, limited, failed int
}

func (r *limitedResult) median() time.Duration {
	s := slices.Clone(r.walls)
	slices.Sort(s)
	return s[len(s)/2]
}

// rateLimited rotates limitedN keys against an API that answers 429 beyond limitedRPS with a
// Retry-After rounded up to whole seconds plus one, as an API the provider has never seen may:
// learnt (nothing configured) beside the oracle, max_requests_per_second at exactly the API's
// rate, for burst 5 and 20; then two concurrent applies of half the keys each, learnt, beside each
// paced at its fair share. The learnt and the paced runs alternate, o.limitedRuns times each, and
// the table gives medians. Then the other shapes of limit, learnt, once each.
func rateLimited(ctx context.Context, o options, cli, work string, env []string, api *fakeapi.API) error {
	b := &limitedBench{o: o, cli: cli, env: env, api: api, dir: filepath.Join(work, fmt.Sprintf("rate-limited-%d", o.limitedN)),
		halves: []string{filepath.Join(work, "concurrent-a"), filepath.Join(work, "concurrent-b")}, rotation: 2}
	if err := b.create(ctx); err != nil {
		return err
	}
	fmt.Printf("\nRotate-all of N = %d against an API limited to R = %s requests/s whose 429s carry Retry-After rounded up "+
		"to whole seconds plus one; medians of %d runs, learnt and paced alternating\n\n", o.limitedN, b.rps(), o.limitedRuns)
	fmt.Println("| API limit | provider setting | wall time (median) | ÷ paced | requests | 429 answers | failed applies |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	fair := strconv.FormatFloat(o.limitedRPS/2, 'f', -1, 64)
	for _, burst := range []int{o.burst, 20} {
		shape := limitShape{fmt.Sprintf("token bucket, burst %d", burst), func(a *fakeapi.API, o options) {
			a.SetRateLimit(o.limitedRPS, burst)
			a.SetRetryAfterPadding(1)
		}}
		paced, learnt := &limitedResult{}, &limitedResult{}
		pacedHalves, learntHalves := &limitedResult{}, &limitedResult{}
		for range o.limitedRuns {
			b.measure(ctx, shape, paced, [][]string{{"-var", "rps=" + b.rps()}}, b.dir)
			b.measure(ctx, shape, learnt, [][]string{nil}, b.dir)
			if burst == o.burst {
				b.measure(ctx, shape, pacedHalves, [][]string{{"-var", "rps=" + fair}, {"-var", "rps=" + fair}}, b.halves...)
				b.measure(ctx, shape, learntHalves, [][]string{nil, nil}, b.halves...)
			}
		}
		b.row(shape.name, "max_requests_per_second = "+b.rps()+" (paced)", paced, paced)
		b.row(shape.name, "nothing (learnt)", learnt, paced)
		if burst == o.burst {
			half := strconv.Itoa(o.limitedN / 2)
			b.row(shape.name+", shared", "two applies of "+half+" at once, each max_requests_per_second = "+fair+" (paced)", pacedHalves, pacedHalves)
			b.row(shape.name+", shared", "two applies of "+half+" at once, nothing (learnt)", learntHalves, pacedHalves)
		}
	}
	for _, shape := range []limitShape{
		{fmt.Sprintf("strict token bucket, burst %d", o.burst), func(a *fakeapi.API, o options) { a.SetStrictRateLimit(o.limitedRPS, o.burst) }},
		{"fixed window of 1 s", func(a *fakeapi.API, o options) { a.SetFixedWindowLimit(int(o.limitedRPS), time.Second) }},
	} {
		learnt := &limitedResult{}
		b.measure(ctx, shape, learnt, [][]string{nil}, b.dir)
		b.row(shape.name+" (Retry-After not padded)", "nothing (learnt), one run", learnt, nil)
	}
	return nil
}

// rps is the API's limit, as the provider setting is written.
func (b *limitedBench) rps() string { return strconv.FormatFloat(b.o.limitedRPS, 'f', -1, 64) }

// create writes the configurations, then creates their keys against the API without a limit.
func (b *limitedBench) create(ctx context.Context) error {
	half := b.o.limitedN / 2
	if err := writeConfig(b.dir, keysConfig(0, b.o.limitedN)); err != nil {
		return err
	}
	for i, d := range b.halves {
		if err := writeConfig(d, keysConfig(i*half, half)); err != nil {
			return err
		}
	}
	for _, d := range append([]string{b.dir}, b.halves...) {
		if _, err := cliRun(ctx, b.cli, d, b.env, "init", "-input=false"); err != nil {
			return err
		}
		if _, err := cliRun(ctx, b.cli, d, b.env, "apply", "-auto-approve", "-input=false", "-var", "rotation=1"); err != nil {
			return err
		}
	}
	return nil
}

// rotate applies the next rotation in d.
func (b *limitedBench) rotate(ctx context.Context, d string, extra ...string) (time.Duration, error) {
	args := append([]string{"apply", "-auto-approve", "-input=false", "-var", fmt.Sprintf("rotation=%d", b.rotation)}, extra...)
	return cliRun(ctx, b.cli, d, b.env, args...)
}

// measure rotates every key of dirs at once under shape, each with its extra arguments, and adds
// the run to r: the slowest apply's wall time, and the API's calls and 429s.
func (b *limitedBench) measure(ctx context.Context, shape limitShape, r *limitedResult, extra [][]string, dirs ...string) {
	shape.apply(b.api, b.o)
	b.api.ResetCalls()
	walls := make([]time.Duration, len(dirs))
	errs := make([]error, len(dirs))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Go(func() { walls[i], errs[i] = b.rotate(ctx, d, extra[i]...) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			r.failed++
			fmt.Fprintln(os.Stderr, err)
		}
	}
	r.walls = append(r.walls, slices.Max(walls))
	r.calls += b.api.TotalCalls()
	r.limited += b.api.RateLimited()
	b.api.SetRateLimit(0, 0)
	b.api.SetRetryAfterPadding(0)
	b.rotation++
}

// row prints one row of r, its wall time against that of base (none when nil).
func (b *limitedBench) row(shape, setting string, r, base *limitedResult) {
	share := 0.0
	if r.calls > 0 {
		share = 100 * float64(r.limited) / float64(r.calls)
	}
	ratio := "—"
	if base != nil {
		ratio = fmt.Sprintf("%.2f×", r.median().Seconds()/base.median().Seconds())
	}
	runs := len(r.walls)
	fmt.Printf("| %s | %s | %.1f s | %s | %d | %d (%.1f%%) | %d |\n", shape, setting, r.median().Seconds(), ratio,
		r.calls/runs, r.limited/runs, share, r.failed)
}

// compare measures this build and the one in o.compareSrc side by side, against an API without a
// limit: a no-op plan of the largest N and a rotate-all of limitedN keys, o.runs times each,
// alternating the builds. Each build manages numbers of its own.
func compare(ctx context.Context, o options, cli, work string, env []string) error {
	other, err := prepareMirrorOf(ctx, o.compareSrc, work, "-other", o.mirror)
	if err != nil {
		return err
	}
	n := o.sizes[len(o.sizes)-1]
	builds := []*comparedBuild{{name: "this build", env: env}, {name: "build of " + o.compareSrc, env: withEnv(env, "TF_CLI_CONFIG_FILE", other)}}
	for i, b := range builds {
		b.plan = filepath.Join(work, fmt.Sprintf("compare-%d-plan-%d", i, n))
		b.rotate = filepath.Join(work, fmt.Sprintf("compare-%d-rotate-%d", i, o.limitedN))
		if err := b.create(ctx, cli, keysConfig(i*(n+o.limitedN), n), keysConfig(i*(n+o.limitedN)+n, o.limitedN)); err != nil {
			return err
		}
	}
	for range o.runs {
		for _, b := range builds {
			wall, err := cliRun(ctx, cli, b.plan, b.env, "plan", "-input=false", "-detailed-exitcode", "-var", "rotation=1")
			if err != nil {
				return fmt.Errorf("%s: no-op plan: %w", b.name, err)
			}
			b.plans = append(b.plans, wall)
			wall, err = cliRun(ctx, cli, b.rotate, b.env, "apply", "-auto-approve", "-input=false", "-var", fmt.Sprintf("rotation=%d", b.rotation))
			if err != nil {
				return fmt.Errorf("%s: rotate-all: %w", b.name, err)
			}
			b.rotation++
			b.rotations = append(b.rotations, wall)
		}
	}
	fmt.Printf("\nWithout a rate limit, %d runs each, the builds alternating: median (min–max)\n\n", o.runs)
	fmt.Printf("| build | no-op plan of %d | rotate-all of %d |\n|---|---:|---:|\n", n, o.limitedN)
	for _, b := range builds {
		fmt.Printf("| %s | %s | %s |\n", b.name, spread(b.plans), spread(b.rotations))
	}
	return nil
}

// comparedBuild is one build that compare measures: its CLI environment, the directories of its
// no-op plan and its rotate-all, and their wall times.
type comparedBuild struct {
	name, plan, rotate string
	env                []string
	plans, rotations   []time.Duration
	// rotation is the value of var.rotation that the next rotate-all sets.
	rotation int
}

// create writes the configurations of plan and rotate, and creates their keys.
func (b *comparedBuild) create(ctx context.Context, cli, planConfig, rotateConfig string) error {
	if err := writeConfig(b.plan, planConfig); err != nil {
		return err
	}
	if err := writeConfig(b.rotate, rotateConfig); err != nil {
		return err
	}
	for _, d := range []string{b.plan, b.rotate} {
		if _, err := cliRun(ctx, cli, d, b.env, "init", "-input=false"); err != nil {
			return err
		}
		if _, err := cliRun(ctx, cli, d, b.env, "apply", "-auto-approve", "-input=false", "-var", "rotation=1"); err != nil {
			return err
		}
	}
	b.rotation = 2
	return nil
}

// spread is "median (min–max)" of durations, in seconds.
func spread(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	return fmt.Sprintf("%.2f s (%.2f–%.2f)", s[len(s)/2].Seconds(), s[0].Seconds(), s[len(s)-1].Seconds())
}

// withEnv is env with name set to value.
func withEnv(env []string, name, value string) []string {
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	return append(out, name+"="+value)
}

// keysConfig is the pilotstatus_number_api_key configuration of n keys, wn_<from+1> onwards.
func keysConfig(from, n int) string {
	return header("pilotstatus") + fmt.Sprintf(`
resource "pilotstatus_number_api_key" "k" {
  for_each           = toset([for i in range(%d) : format("wn_%%04d", i + %d)])
  whatsapp_number_id = each.key
  keepers            = { rotation = var.rotation }
}
`, n, from+1)
}

func printTables(sizes []int, results map[string]map[int][]measurement) {
	fmt.Println("| N | phase | pilotstatus_number_api_key | API calls | terraform_data | time_static | ÷ terraform_data | ÷ time_static |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, n := range sizes {
		for i, p := range phases {
			ps := results["pilotstatus_number_api_key"][n][i]
			td := results["terraform_data"][n][i]
			ts := results["time_static"][n][i]
			fmt.Printf("| %d | %s | %.2f s | %d | %.2f s | %.2f s | %.2f× | %.2f× |\n", n, p.name,
				ps.wall.Seconds(), ps.calls, td.wall.Seconds(), ts.wall.Seconds(),
				ps.wall.Seconds()/td.wall.Seconds(), ps.wall.Seconds()/ts.wall.Seconds())
		}
	}
}

func numbers(n int) []fakeapi.Number {
	out := make([]fakeapi.Number, n)
	for i := range out {
		out[i] = fakeapi.Number{ID: fmt.Sprintf("wn_%04d", i+1), Number: fmt.Sprintf("55119%08d", i+1), Name: fmt.Sprintf("Número %d", i+1)}
	}
	return out
}

func writeConfig(dir, config string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600)
}

// cliRun runs one CLI command and returns its wall time. A plan's exit code 2
// (changes present) is an error: the no-op plan must be empty.
func cliRun(ctx context.Context, cli, dir string, env []string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return wall, fmt.Errorf("%s %s: %w\n%s", filepath.Base(cli), strings.Join(args, " "), err, tail(out.String(), 40))
	}
	return wall, nil
}

// prepareMirror builds the provider into a filesystem mirror and writes a CLI
// configuration that installs it from there and hashicorp/time from timeMirror.
func prepareMirror(ctx context.Context, work, timeMirror string) (string, error) {
	return prepareMirrorOf(ctx, ".", work, "", timeMirror)
}

// prepareMirrorOf builds the provider from src into a mirror of its own under work (named by
// suffix), with its own CLI configuration.
func prepareMirrorOf(ctx context.Context, src, work, suffix, timeMirror string) (string, error) {
	mirror := filepath.Join(work, "mirror"+suffix)
	bin, err := filepath.Abs(filepath.Join(work, "terraform-provider-pilotstatus"+suffix))
	if err != nil {
		return "", err
	}
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-X main.version="+mirrorVersion, "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	if _, err := mirrorScript(ctx, "put", mirror, "pilotstatus/pilotstatus", mirrorVersion, bin); err != nil {
		return "", err
	}
	config, err := mirrorScript(ctx, "config", mirror, timeMirror)
	if err != nil {
		return "", fmt.Errorf("%w (run scripts/tools.sh time)", err)
	}
	rc := filepath.Join(work, "cli"+suffix+".tfrc")
	return rc, os.WriteFile(rc, config, 0o600)
}

// mirrorScript runs scripts/mirror.sh, which lays out filesystem mirrors and writes
// the CLI configurations that install from them, and returns what it printed.
func mirrorScript(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join("scripts", "mirror.sh")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("scripts/mirror.sh %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// withoutLogging drops TF_LOG and friends: the benchmark measures what a user
// who did not ask for logs gets.
func withoutLogging(env []string) []string {
	out := env[:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_ARGS") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err == nil {
				return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
			}
		}
	}
	return "unknown memory"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
