// Command schema-rename rewrites the provider key of a `providers schema -json`
// document, so that tfplugindocs finds the schema.
//
// OpenTofu exports this provider's schema under
// "registry.opentofu.org/pilotstatus/pilotstatus" (Terraform under
// "registry.terraform.io/pilotstatus/pilotstatus"), but tfplugindocs
// --providers-schema only looks up "<name>" and
// "registry.terraform.io/hashicorp/<name>". Nothing else in the document
// changes; the output is indented, with keys sorted, so it is stable.
//
// Usage:
//
//	go run ./scripts/schema-rename -name pilotstatus -to registry.terraform.io/hashicorp/pilotstatus <in.json >out.json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	name := flag.String("name", "pilotstatus", "provider type name; the key to rename must end in /<name>")
	to := flag.String("to", "", "the new provider key (default registry.terraform.io/hashicorp/<name>)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: schema-rename [-name NAME] [-to KEY] <in.json >out.json")
		os.Exit(2)
	}
	if *to == "" {
		*to = "registry.terraform.io/hashicorp/" + *name
	}
	in, err := io.ReadAll(os.Stdin)
	if err == nil {
		var out []byte
		out, err = rename(in, *name, *to)
		if err == nil {
			_, err = os.Stdout.Write(out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema-rename:", err)
		os.Exit(1)
	}
}

// rename moves the one provider whose key ends in "/"+name (or equals name) to
// the key to, and returns the document as indented JSON.
func rename(in []byte, name, to string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(in, &doc); err != nil {
		return nil, fmt.Errorf("the input is not a JSON object: %w", err)
	}
	if _, ok := doc["format_version"]; !ok {
		return nil, errors.New(`the input has no "format_version": is it the output of "providers schema -json"?`)
	}
	var schemas map[string]json.RawMessage
	if err := json.Unmarshal(doc["provider_schemas"], &schemas); err != nil || schemas == nil {
		return nil, errors.New(`the input has no "provider_schemas" object`)
	}

	var matches []string
	for key := range schemas {
		if key == name || strings.HasSuffix(key, "/"+name) {
			matches = append(matches, key)
		}
	}
	sort.Strings(matches)
	switch len(matches) {
	case 0:
		keys := make([]string, 0, len(schemas))
		for key := range schemas {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("no provider named %q in provider_schemas (found %q)", name, keys)
	case 1:
	default:
		return nil, fmt.Errorf("more than one provider named %q in provider_schemas: %q", name, matches)
	}

	schema := schemas[matches[0]]
	delete(schemas, matches[0])
	if _, taken := schemas[to]; taken {
		return nil, fmt.Errorf("provider_schemas already has a provider %q", to)
	}
	schemas[to] = schema

	raw, err := encode(schemas)
	if err != nil {
		return nil, err
	}
	doc["provider_schemas"] = raw
	return encode(doc)
}

// encode writes v as indented JSON without escaping <, > and &, which appear in
// descriptions.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
