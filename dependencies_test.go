package main

import (
	"os"
	"strings"
	"testing"
)

// busl lists modules under the Business Source License that the tests build as tools
// (tools/terraform) and that the provider must never depend on, not even indirectly.
var busl = []string{"github.com/hashicorp/terraform"}

// The provider's go.mod and go.sum name no BUSL-licensed module: Terraform 1.6 and later are test
// tools only.
func TestNoBUSLDependency(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"go.mod", "go.sum"} {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(content), "\n") {
			fields := strings.Fields(line)
			if len(fields) > 1 && (fields[0] == "require" || fields[0] == "replace") {
				fields = fields[1:]
			}
			if len(fields) == 0 {
				continue
			}
			for _, module := range busl {
				if fields[0] == module {
					t.Errorf("%s:%d names %s, which is BUSL-licensed: a test tool only (tools/terraform), never a dependency", file, i+1, module)
				}
			}
		}
	}
}
