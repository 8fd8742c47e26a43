// Command terraform-provider-pilotstatus is the Terraform and OpenTofu provider for Pilot Status.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/provider"
)

// version is stamped by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// For profiling only: PILOTSTATUS_CPU_PROFILE=<dir> writes a CPU profile of each
	// provider process to <dir>/cpu-<pid>.pprof.
	if dir := os.Getenv("PILOTSTATUS_CPU_PROFILE"); dir != "" {
		stop, err := startCPUProfile(dir)
		if err != nil {
			log.Fatal(err.Error())
		}
		defer stop()
	}

	// Unless the user asked for logs (or debugs the provider, which prints its own
	// logs), do not format log lines that Terraform would drop.
	if !debug {
		for name, value := range quietLogSettings(os.Environ()) {
			if err := os.Setenv(name, value); err != nil {
				log.Fatal(err.Error())
			}
		}
	}

	opts := providerserver.ServeOpts{
		Address:         "registry.terraform.io/pilotstatus/pilotstatus",
		Debug:           debug,
		ProtocolVersion: 6,
	}
	if err := providerserver.Serve(context.Background(), provider.New(version), opts); err != nil {
		log.Fatal(err.Error())
	}
}

func startCPUProfile(dir string) (stop func(), err error) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid()))) //nolint:gosec // G703: the directory is the one the person profiling chose

	if err != nil {
		return nil, fmt.Errorf("PILOTSTATUS_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("PILOTSTATUS_CPU_PROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
