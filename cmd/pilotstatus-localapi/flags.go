package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/fakeapi"
)

// tenantKeyEnv names the environment variable that supplies the tenant key when -tenant-key is
// not given.
const tenantKeyEnv = "PILOTSTATUS_LOCAL_TENANT_KEY"

// maxGenerate bounds -generate: generated phone numbers have five digits for the index.
const maxGenerate = 99999

// config is the parsed command line.
type config struct {
	listen    string
	tenantKey string // empty: generate one
	numbers   []fakeapi.Number
	rateLimit float64
	rateBurst int
	// rateWindow, when set, makes the limit a fixed window: rateLimit requests per rateWindow.
	rateWindow time.Duration
	// retryAfterPad is added to the Retry-After of the limiter's 429s, in seconds.
	retryAfterPad int
	addrFile      string
	verbose       bool
}

// parseFlags parses the command line; getenv supplies the environment. Usage and flag errors go to
// output. It returns flag.ErrHelp for -h.
func parseFlags(args []string, getenv func(string) string, output io.Writer) (config, error) {
	var (
		cfg      config
		numbers  string
		generate int
	)
	fs := flag.NewFlagSet("pilotstatus-localapi", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address to listen on; 127.0.0.1:0 picks a free port")
	fs.StringVar(&cfg.tenantKey, "tenant-key", "", "tenant-scoped key (ps_...); default $"+tenantKeyEnv+", else random and printed once")
	fs.StringVar(&numbers, "numbers", "", "comma-separated numbers `id=number:Display Name`; a ! after the id marks a legacy key")
	fs.IntVar(&generate, "generate", 0, "also add N numbers wn_0001... with phone numbers 55119000XXXXX")
	fs.Float64Var(&cfg.rateLimit, "rate-limit", 0, "requests per second before answering 429; 0 disables")
	fs.IntVar(&cfg.rateBurst, "rate-burst", 0, "requests allowed at once by the rate limiter; 0 means the rate, at least 1")
	fs.DurationVar(&cfg.rateWindow, "rate-window", 0, "count -rate-limit requests per fixed window of this length instead of a token bucket; 0: a token bucket")
	fs.IntVar(&cfg.retryAfterPad, "rate-retry-after-pad", 0, "seconds added to the Retry-After of the limiter's 429s (the wait is rounded up to whole seconds first)")
	fs.StringVar(&cfg.addrFile, "addr-file", "", "write the base URL (http://host:port) to this file once listening")
	fs.BoolVar(&cfg.verbose, "v", false, "log one line per request (method, path, status) to stderr")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	if cfg.tenantKey == "" {
		cfg.tenantKey = getenv(tenantKeyEnv)
	}
	if cfg.tenantKey != "" && (!strings.HasPrefix(cfg.tenantKey, "ps_") || len(cfg.tenantKey) == len("ps_")) {
		return config{}, errors.New("the tenant key must start with ps_ and have characters after it")
	}
	var err error
	if cfg.numbers, err = parseNumbers(numbers); err != nil {
		return config{}, err
	}
	if cfg.numbers, err = withGenerated(cfg.numbers, generate); err != nil {
		return config{}, err
	}
	if err := cfg.checkRateLimit(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// withGenerated appends the n numbers of -generate to those of -numbers.
func withGenerated(numbers []fakeapi.Number, n int) ([]fakeapi.Number, error) {
	if n < 0 || n > maxGenerate {
		return nil, fmt.Errorf("-generate must be between 0 and %d", maxGenerate)
	}
	seen := make(map[string]bool, len(numbers)+n)
	for _, num := range numbers {
		seen[num.ID] = true
	}
	for i := 1; i <= n; i++ {
		num := fakeapi.Number{
			ID:     fmt.Sprintf("wn_%04d", i),
			Number: fmt.Sprintf("55119000%05d", i),
			Name:   fmt.Sprintf("Number %04d", i),
		}
		if seen[num.ID] {
			return nil, fmt.Errorf("-generate: number id %q is already given in -numbers", num.ID)
		}
		numbers = append(numbers, num)
	}
	return numbers, nil
}

// checkRateLimit checks -rate-limit, -rate-burst and -rate-window, and defaults the burst to the
// rate, rounded up.
func (cfg *config) checkRateLimit() error {
	if cfg.rateLimit < 0 || math.IsNaN(cfg.rateLimit) || math.IsInf(cfg.rateLimit, 0) {
		return errors.New("-rate-limit must be a finite number >= 0")
	}
	if cfg.rateBurst < 0 {
		return errors.New("-rate-burst must be >= 0")
	}
	if cfg.retryAfterPad < 0 {
		return errors.New("-rate-retry-after-pad must be >= 0")
	}
	if cfg.rateWindow < 0 || (cfg.rateWindow > 0 && (cfg.rateLimit < 1 || cfg.rateLimit != math.Trunc(cfg.rateLimit))) {
		return errors.New("-rate-window must be > 0, with a whole -rate-limit of at least 1 (requests per window)")
	}
	if cfg.rateLimit > 0 && cfg.rateBurst == 0 {
		cfg.rateBurst = max(1, int(math.Ceil(cfg.rateLimit)))
	}
	return nil
}

// parseNumbers parses "id=number:Display Name,..."; a "!" right after the id marks a legacy key.
// The display name is optional; the phone number must be digits only.
func parseNumbers(s string) ([]fakeapi.Number, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []fakeapi.Number
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		id, rest, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("-numbers: %q: want id=number:Display Name", item)
		}
		id = strings.TrimSpace(id)
		n := fakeapi.Number{}
		if trimmed, legacy := strings.CutSuffix(id, "!"); legacy {
			id, n.Legacy = trimmed, true
		}
		if id == "" {
			return nil, fmt.Errorf("-numbers: %q: empty id", item)
		}
		if seen[id] {
			return nil, fmt.Errorf("-numbers: duplicate id %q", id)
		}
		seen[id] = true
		phone, name, _ := strings.Cut(rest, ":")
		phone = strings.TrimSpace(phone)
		if phone == "" || strings.Trim(phone, "0123456789") != "" {
			return nil, fmt.Errorf("-numbers: %q: the phone number must be digits only", item)
		}
		n.ID, n.Number, n.Name = id, phone, strings.TrimSpace(name)
		out = append(out, n)
	}
	return out, nil
}
