// Package secrettest is the one search for secrets in what the tests of the client and the
// provider see: logs, errors, diagnostics, CLI output, state and plans. It finds every secret it
// is given, each half of a long one (a key cut short by a truncated body or a stripped prefix),
// and every ps_ value that is none of them, and reports each by what it is and its last four
// characters, with the text before it masked: a report never shows a secret.
package secrettest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Secret is a value that must never appear: what it is, for the report, and the value.
type Secret struct {
	What, Value string
}

// Named is one Secret per value, each called what; empty values are left out.
func Named(what string, values ...string) []Secret {
	out := make([]Secret, 0, len(values))
	for _, v := range values {
		if v != "" {
			out = append(out, Secret{What: what, Value: v})
		}
	}
	return out
}

// psValue matches a ps_ value as the client's KeyPattern does: the prefix and at least one
// character keys are made of. The masked form ("ps_***") and the prefix alone do not match.
var psValue = regexp.MustCompile(`ps_[A-Za-z0-9_\-]+`)

// Leak is one secret, half of one, or ps_ value found in a text.
type Leak struct {
	Where  string // the text, as the caller named it
	What   string // what was found
	Last4  string // the last four characters of the secret it belongs to
	Before string // up to 60 characters before it, every secret and ps_ value in them masked
}

func (l Leak) String() string {
	return fmt.Sprintf("%s: %s (ending in %q) appears, after: %q", l.Where, l.What, l.Last4, l.Before)
}

// needle is one string the search looks for: a secret or a half of one.
type needle struct {
	what, value string
	of          string // the whole secret
}

func needlesOf(secrets []Secret) []needle {
	var out []needle
	for _, s := range secrets {
		if s.Value == "" {
			continue
		}
		out = append(out, needle{what: s.What, value: s.Value, of: s.Value})
		if n := len(s.Value); n >= 16 {
			out = append(out,
				needle{what: "the first half of " + s.What, value: s.Value[:n/2], of: s.Value},
				needle{what: "the second half of " + s.What, value: s.Value[n/2:], of: s.Value})
		}
	}
	return out
}

// Last4 is the last four characters of s: how a report names a secret.
func Last4(s string) string { return s[max(0, len(s)-4):] }

// maxUnknownReported bounds the ps_ values Find reports that are no secret it was given.
const maxUnknownReported = 5

// Find returns every secret of secrets (or half of one) in text, once per secret, and every ps_
// value that is none of secrets nor of allowed (up to five). allowed are values that may appear,
// such as the tenant key a test configuration carries in its provider block.
func Find(where, text string, secrets []Secret, allowed ...string) []Leak {
	needles := needlesOf(secrets)
	var leaks []Leak
	found := map[string]bool{} // whole secrets already reported
	for _, n := range needles {
		if found[n.of] {
			continue
		}
		if i := strings.Index(text, n.value); i >= 0 {
			found[n.of] = true
			leaks = append(leaks, Leak{Where: where, What: n.what, Last4: Last4(n.of), Before: excerptBefore(text, i, len(n.value), needles)})
		}
	}
	unknown := 0
	for _, loc := range psValue.FindAllStringIndex(text, -1) {
		v := text[loc[0]:loc[1]]
		if slices.Contains(allowed, v) || slices.ContainsFunc(secrets, func(s Secret) bool { return s.Value == v }) {
			continue
		}
		leaks = append(leaks, Leak{Where: where, What: "a ps_ value", Last4: Last4(v), Before: excerptBefore(text, loc[0], len(v), needles)})
		if unknown++; unknown == maxUnknownReported {
			break
		}
	}
	return leaks
}

// Reporter is the part of *testing.T a check reports through.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check reports every leak of secrets in text through t (Find).
func Check(t Reporter, where, text string, secrets []Secret, allowed ...string) {
	t.Helper()
	for _, l := range Find(where, text, secrets, allowed...) {
		t.Errorf("%s", l)
	}
}

// Error is the first leak of secrets in text (Find) as an error, nil when there is none: for state
// and plan checks, which report by returning an error.
func Error(where, text string, secrets []Secret, allowed ...string) error {
	if leaks := Find(where, text, secrets, allowed...); len(leaks) > 0 {
		return fmt.Errorf("%s", leaks[0])
	}
	return nil
}

// Mask hides every secret (and ps_ value) in s, for output a failing test prints.
func Mask(s string, secrets []Secret) string {
	for _, sec := range secrets {
		if sec.Value != "" {
			s = strings.ReplaceAll(s, sec.Value, "[secret …"+Last4(sec.Value)+"]")
		}
	}
	return psValue.ReplaceAllStringFunc(s, func(v string) string { return "[ps_ value …" + Last4(v) + "]" })
}

// excerptBefore returns up to 60 characters of text before the hit at text[i:i+n], with every
// secret, every half of one and every ps_ value in it masked, together with the rest of the word
// they are part of (a secret cut short leaves its other part next to it), so that a report shows
// where a leak happened without showing any part of a secret.
func excerptBefore(text string, i, n int, needles []needle) string {
	const width = 60
	start := max(0, i-width)
	reach := n
	for _, nd := range needles {
		reach = max(reach, len(nd.value))
	}
	// Look far enough on both sides to find a secret that straddles the window.
	lo, hi := max(0, start-reach), min(len(text), i+reach)
	region := text[lo:hi]
	hidden := hiddenIn(region, i-lo, n, needles)
	out := []byte(region[start-lo : i-lo])
	for k := range out {
		switch {
		case hidden[start-lo+k]:
			out[k] = '*'
		case out[k] == '\n' || out[k] == '\r' || out[k] == '\t':
			out[k] = ' '
		}
	}
	return strings.ToValidUTF8(string(out), "?")
}

// hiddenIn says which bytes of region an excerpt masks: region[i:i+n], every needle and every ps_
// value, each spread over the whole word around it.
func hiddenIn(region string, i, n int, needles []needle) []bool {
	hidden := make([]bool, len(region))
	mark := func(a, b int) {
		for k := a; k < b; k++ {
			hidden[k] = true
		}
	}
	mark(i, min(len(region), i+n))
	for _, nd := range needles {
		for off := 0; off < len(region); {
			j := strings.Index(region[off:], nd.value)
			if j < 0 {
				break
			}
			mark(off+j, off+j+len(nd.value))
			off += j + 1
		}
	}
	for _, loc := range psValue.FindAllStringIndex(region, -1) {
		mark(loc[0], loc[1])
	}
	spread(region, hidden)
	return hidden
}

// spread extends each masked stretch of region over the whole word around it.
func spread(region string, hidden []bool) {
	word := func(b byte) bool {
		return b == '_' || b == '-' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
	}
	for k := 1; k < len(region); k++ {
		if hidden[k-1] && word(region[k]) {
			hidden[k] = true
		}
	}
	for k := len(region) - 2; k >= 0; k-- {
		if hidden[k+1] && word(region[k]) {
			hidden[k] = true
		}
	}
}
