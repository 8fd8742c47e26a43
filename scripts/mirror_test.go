//go:build unix

package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// mirrorSh runs scripts/mirror.sh with args and returns its stdout, stderr and error.
func mirrorSh(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join(".", "mirror.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), script, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

// mirrorFile is where Terraform and OpenTofu look for provider SOURCE at VERSION on this
// platform in an unpacked filesystem mirror at root, for host.
func mirrorFile(root, host, source, version string) string {
	return filepath.Join(root, host, source, version, runtime.GOOS+"_"+runtime.GOARCH,
		"terraform-provider-"+filepath.Base(source)+"_v"+version)
}

var mirrorHosts = []string{"registry.terraform.io", "registry.opentofu.org"}

// scripts/mirror.sh put lays the executable out for both registry hosts on this platform, as the
// only file of its directory, and replaces it only when it changes.
func TestMirrorScriptPut(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "mirror")
	exe := filepath.Join(t.TempDir(), "provider")
	put := func(content string) {
		t.Helper()
		if err := os.WriteFile(exe, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := mirrorSh(t, "put", root, "pilotstatus/pilotstatus", "0.99.0", exe); err != nil {
			t.Fatalf("put: %v\n%s", err, stderr)
		}
	}
	expect := func(when, content string) []os.FileInfo {
		t.Helper()
		var infos []os.FileInfo
		for _, host := range mirrorHosts {
			file := mirrorFile(root, host, "pilotstatus/pilotstatus", "0.99.0")
			got, err := os.ReadFile(file)
			if err != nil || string(got) != content {
				t.Fatalf("%s: %s holds %q (%v), want %q", when, file, got, err, content)
			}
			info, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o755 {
				t.Errorf("%s: %s has mode %v, want 0755", when, file, info.Mode().Perm())
			}
			if entries, err := os.ReadDir(filepath.Dir(file)); err != nil || len(entries) != 1 {
				t.Errorf("%s: %s holds %v (%v), want the provider only", when, filepath.Dir(file), entries, err)
			}
			infos = append(infos, info)
		}
		return infos
	}

	put("#!/bin/sh\necho one\n")
	first := expect("first put", "#!/bin/sh\necho one\n")
	// A stale file, as an older layout may have left, would change the directory's checksum.
	stale := filepath.Join(filepath.Dir(mirrorFile(root, mirrorHosts[0], "pilotstatus/pilotstatus", "0.99.0")), "stale")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	put("#!/bin/sh\necho one\n")
	for i, info := range expect("same put", "#!/bin/sh\necho one\n") {
		if !os.SameFile(info, first[i]) {
			t.Errorf("a put of the same executable replaced the file for %s", mirrorHosts[i])
		}
	}
	put("#!/bin/sh\necho two\n")
	expect("changed put", "#!/bin/sh\necho two\n")

	if _, stderr, err := mirrorSh(t, "put", root, "pilotstatus", "0.99.0", exe); err == nil || !strings.Contains(stderr, "NAMESPACE/TYPE") {
		t.Errorf("put of a source without a namespace: %v, %q; want a failure that names NAMESPACE/TYPE", err, stderr)
	}
}

// scripts/mirror.sh config installs each provider that a mirror holds from that mirror, named by
// its physical path, and every other provider from its registry: the configuration parses as HCL
// whatever the path holds.
func TestMirrorScriptConfig(t *testing.T) {
	t.Parallel()
	exe := filepath.Join(t.TempDir(), "provider")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(base, `own "${x}" %{y} \mirror`)
	shared := filepath.Join(base, "shared")
	for root, sources := range map[string][]string{own: {"pilotstatus/pilotstatus"}, shared: {"hashicorp/kubernetes", "hashicorp/time"}} {
		for _, source := range sources {
			if _, stderr, err := mirrorSh(t, "put", root, source, "1.2.3", exe); err != nil {
				t.Fatalf("put: %v\n%s", err, stderr)
			}
		}
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(shared, link); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := mirrorSh(t, "config", own, link)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, stderr)
	}
	mirrors, exclude := parseInstallation(t, out)
	hosted := func(sources ...string) []string {
		var out []string
		for _, host := range mirrorHosts {
			for _, s := range sources {
				out = append(out, host+"/"+s)
			}
		}
		return out
	}
	want := []installMirror{
		{path: own, include: hosted("pilotstatus/pilotstatus")},
		{path: shared, include: hosted("hashicorp/kubernetes", "hashicorp/time")},
	}
	if len(mirrors) != len(want) {
		t.Fatalf("config has %d filesystem mirrors, want %d:\n%s", len(mirrors), len(want), out)
	}
	for i, m := range mirrors {
		if m.path != want[i].path || !slices.Equal(m.include, want[i].include) {
			t.Errorf("filesystem mirror %d = %+v, want %+v", i, m, want[i])
		}
	}
	if wantExclude := append(want[0].include, want[1].include...); !slices.Equal(exclude, wantExclude) {
		t.Errorf("direct excludes %v, want %v", exclude, wantExclude)
	}

	for name, root := range map[string]string{"no such directory": filepath.Join(base, "none"), "an empty directory": t.TempDir()} {
		if _, _, err := mirrorSh(t, "config", shared, root); err == nil {
			t.Errorf("config of a mirror that is %s succeeded", name)
		}
	}
}

// installMirror is one filesystem_mirror block of a CLI configuration.
type installMirror struct {
	path    string
	include []string
}

// parseInstallation parses a CLI configuration's provider_installation block: its
// filesystem_mirror blocks in order, and the exclude list of its direct block.
func parseInstallation(t *testing.T, config string) ([]installMirror, []string) { //nolint:funlen // one parser of one block shape, with the check of each part beside it
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(config), "cli.tfrc", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the configuration does not parse: %v\n%s", diags, config)
	}
	top, ok := file.Body.(*hclsyntax.Body)
	if !ok || len(top.Blocks) != 1 || top.Blocks[0].Type != "provider_installation" {
		t.Fatalf("want one provider_installation block:\n%s", config)
	}
	// literal is attribute name of b as strings, and whether it is a list: it must hold no
	// reference and no template sequence.
	literal := func(b *hclsyntax.Block, name string) ([]string, bool) {
		attr, ok := b.Body.Attributes[name]
		if !ok {
			t.Fatalf("%s has no %s:\n%s", b.Type, name, config)
		}
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("%s.%s is not a literal: %v", b.Type, name, diags)
		}
		if !v.Type().IsTupleType() {
			return []string{v.AsString()}, false
		}
		var out []string
		for _, e := range v.AsValueSlice() {
			out = append(out, e.AsString())
		}
		return out, true
	}
	list := func(b *hclsyntax.Block, name string) []string {
		out, isList := literal(b, name)
		if !isList {
			t.Fatalf("%s.%s is not a list", b.Type, name)
		}
		return out
	}
	str := func(b *hclsyntax.Block, name string) string {
		out, isList := literal(b, name)
		if isList {
			t.Fatalf("%s.%s is a list", b.Type, name)
		}
		return out[0]
	}
	var (
		mirrors []installMirror
		exclude []string
	)
	for _, b := range top.Blocks[0].Body.Blocks {
		switch b.Type {
		case "filesystem_mirror":
			mirrors = append(mirrors, installMirror{path: str(b, "path"), include: list(b, "include")})
		case "direct":
			exclude = list(b, "exclude")
		default:
			t.Errorf("unexpected %s block", b.Type)
		}
	}
	return mirrors, exclude
}
