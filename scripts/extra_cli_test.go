//go:build unix

package scripts

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCLI writes an executable named name into a new directory that prints versionLine for
// "version", after a warning and before the platform line as OpenTofu can, and returns the
// directory.
func fakeCLI(t *testing.T, name, versionLine string) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = version ] || exit 3\n" +
		"echo 'Warning: Unable to open CLI configuration file'\necho\n" +
		"echo '" + versionLine + "'\necho 'on linux_amd64'\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scriptTools is a directory holding only the programs scripts/extra-cli.sh needs besides the
// CLIs, so that no real terraform or tofu of this machine is on the test's PATH.
func scriptTools(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bash"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s is not installed", name)
		}
		if err := os.Symlink(p, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scripts/extra-cli.sh takes an extra CLI for make test only when TF_ACC_EXTRA_CLI names one (a
// terraform or tofu on PATH is never picked up by itself), tells OpenTofu from Terraform, skips one
// that is already tested, and fails only on a TF_ACC_EXTRA_CLI that names no CLI.
func TestExtraCLIScript(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs(filepath.Join(".", "extra-cli.sh"))
	if err != nil {
		t.Fatal(err)
	}
	tools := scriptTools(t)
	oldestTF := fakeCLI(t, "terraform", "Terraform v1.5.7")
	currentTF := fakeCLI(t, "terraform", "Terraform v1.16.3")
	pinnedTofu := fakeCLI(t, "tofu", "OpenTofu v1.12.6")
	tf111 := fakeCLI(t, "terraform", "Terraform v1.11.4")
	tofu113 := fakeCLI(t, "tofu", "OpenTofu v1.13.0")
	notCLI := fakeCLI(t, "terraform", "terraform: command not understood")
	tested := []string{"Terraform 1.5.7", "Terraform 1.16.3", "OpenTofu 1.12.6"}
	notSet := "no extra CLI: TF_ACC_EXTRA_CLI is not set"

	cases := []struct {
		name     string
		path     []string
		extra    string // TF_ACC_EXTRA_CLI
		want     string // stdout
		wantErr  bool
		inStderr string
	}{
		{name: "another Terraform on PATH is not taken", path: []string{oldestTF, tf111}, inStderr: notSet},
		{name: "another OpenTofu on PATH is not taken", path: []string{tofu113}, inStderr: notSet},
		{name: "nothing on PATH", inStderr: notSet},
		{name: "TF_ACC_EXTRA_CLI names another Terraform", path: []string{tofu113}, extra: filepath.Join(tf111, "terraform"),
			want: filepath.Join(tf111, "terraform") + "\tTerraform 1.11.4\n"},
		{name: "TF_ACC_EXTRA_CLI as a command on PATH", path: []string{tofu113}, extra: "tofu",
			want: filepath.Join(tofu113, "tofu") + "\tOpenTofu 1.13.0\n"},
		{name: "TF_ACC_EXTRA_CLI as a command is the first one on PATH", path: []string{notCLI, tf111}, extra: "terraform",
			wantErr: true, inStderr: "names neither Terraform nor OpenTofu"},
		{name: "TF_ACC_EXTRA_CLI names the current Terraform", path: []string{tf111}, extra: filepath.Join(currentTF, "terraform"),
			inStderr: "TF_ACC_EXTRA_CLI=" + filepath.Join(currentTF, "terraform") + " is Terraform 1.16.3, which is already tested"},
		{name: "TF_ACC_EXTRA_CLI names the pinned OpenTofu", path: []string{tf111}, extra: filepath.Join(pinnedTofu, "tofu"),
			inStderr: "TF_ACC_EXTRA_CLI=" + filepath.Join(pinnedTofu, "tofu") + " is OpenTofu 1.12.6, which is already tested"},
		{name: "TF_ACC_EXTRA_CLI names nothing", extra: filepath.Join(t.TempDir(), "terraform"), wantErr: true,
			inStderr: "no such executable"},
		{name: "TF_ACC_EXTRA_CLI names no CLI", extra: filepath.Join(notCLI, "terraform"), wantErr: true,
			inStderr: "names neither Terraform nor OpenTofu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := strings.Join(append(append([]string{}, tc.path...), tools), string(os.PathListSeparator))
			cmd := exec.CommandContext(t.Context(), script, append([]string{"find"}, tested...)...)
			cmd.Env = []string{"PATH=" + path, "TF_ACC_EXTRA_CLI=" + tc.extra}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("failed: %v, want failure: %t\nstderr: %s", err, tc.wantErr, stderr.String())
			}
			if stdout.String() != tc.want {
				t.Errorf("stdout = %q, want %q", stdout.String(), tc.want)
			}
			if !strings.Contains(stderr.String(), tc.inStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.inStderr)
			}
		})
	}

	// identity reads the line of "version" that names the CLI; it fails on anything else.
	for dir, want := range map[string]string{tf111: "Terraform 1.11.4\n", tofu113: "OpenTofu 1.13.0\n", notCLI: ""} {
		bin := filepath.Join(dir, "terraform")
		if dir == tofu113 {
			bin = filepath.Join(dir, "tofu")
		}
		cmd := exec.CommandContext(t.Context(), script, "identity", bin)
		cmd.Env = []string{"PATH=" + tools}
		out, err := cmd.Output()
		if string(out) != want || (err != nil) != (want == "") {
			t.Errorf("identity %s = %q (%v), want %q", bin, out, err, want)
		}
	}
}
