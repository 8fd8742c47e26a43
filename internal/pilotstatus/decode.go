package pilotstatus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// errNotJSON is the decoding error of a body that is not JSON at all.
var errNotJSON = errors.New("the body is not valid JSON (truncated, HTML or corrupt)")

// decodeObject decodes a JSON object into v. The error describes what is wrong (not JSON, not an
// object, a field of the wrong type) without repeating body content.
func decodeObject(data []byte, v any) error {
	trimmed := bytes.TrimSpace(data)
	if err := expectJSON(trimmed, '{', "the body is not a JSON object"); err != nil {
		return err
	}
	return describeJSONError(json.Unmarshal(trimmed, v))
}

// decodeArray splits a JSON array into its raw items.
func decodeArray(data []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if err := expectJSON(trimmed, '[', "the body is not a JSON array"); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return nil, describeJSONError(err)
	}
	return items, nil
}

// expectJSON checks that a trimmed body opens with the JSON value it should hold. Only a body that
// does not is checked for JSON at all (to tell "not JSON" from "another JSON value"): json.Unmarshal
// checks the others while it decodes them.
func expectJSON(trimmed []byte, open byte, wrongKind string) error {
	switch {
	case len(trimmed) == 0:
		return errors.New("the body is empty")
	case trimmed[0] == open:
		return nil
	case !json.Valid(trimmed):
		return errNotJSON
	default:
		return errors.New(wrongKind)
	}
}

// describeJSONError rewrites a decoding error so that it names the field but holds no body content.
func describeJSONError(err error) error {
	if err == nil {
		return nil
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return errNotJSON
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		// Value may carry the literal ("number 12"): keep only the kind.
		kind, _, _ := strings.Cut(typeErr.Value, " ")
		if typeErr.Field != "" {
			return fmt.Errorf("field %q is a JSON %s, want %s", typeErr.Field, kind, jsonKind(typeErr.Type.Kind().String()))
		}
		return fmt.Errorf("a JSON %s was found where %s was expected", kind, jsonKind(typeErr.Type.Kind().String()))
	}
	return errors.New("the body does not decode as the documented JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return "a " + goKind
	}
}

// parseTime parses an optional RFC 3339 timestamp (milliseconds allowed); "" is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("field %q is not an RFC 3339 time", field)
	}
	return t, nil
}
