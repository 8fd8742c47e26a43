package pilotstatus

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// bruteRedact is the redaction rule written the slow, obvious way, as the oracle of the fast one:
// every occurrence of every secret, found by trying each at each position, and every KeyPattern
// match (the regexp itself) are masked; spans that overlap are joined, sorted by start; a joined
// span that is exactly one KeyPattern match becomes "ps_***", any other "***".
func bruteRedact(s string, secrets []string) string {
	var spans []span
	for _, loc := range KeyPattern.FindAllStringIndex(s, -1) {
		spans = append(spans, span{start: loc[0], end: loc[1], key: true})
	}
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for i := range len(s) {
			if strings.HasPrefix(s[i:], sec) {
				spans = append(spans, span{start: i, end: i + len(sec)})
			}
		}
	}
	return maskSpans(s, spans)
}

// regexpRedact is the redaction with the standard library in place of the hand-built matcher: one
// compiled alternation of the escaped secrets, leftmost-longest, searched again one byte after the
// start of each match so that overlapping secrets are all found; the spans are joined as
// bruteRedact joins them. It is the simpler alternative BenchmarkRedactMatchers measures the
// matcher against, and passes the same oracle (TestRedactorMatchesTheRule).
func regexpRedact(s string, secrets []string) string {
	re := secretsRegexp(secrets)
	if re == nil {
		return maskSpans(s, findKeys(s))
	}
	return regexpRedactWith(s, re)
}

// secretsRegexp is the leftmost-longest alternation of the non-empty secrets; nil for none.
func secretsRegexp(secrets []string) *regexp.Regexp {
	var quoted []string
	for _, sec := range secrets {
		if sec != "" {
			quoted = append(quoted, regexp.QuoteMeta(sec))
		}
	}
	if len(quoted) == 0 {
		return nil
	}
	re := regexp.MustCompile(strings.Join(quoted, "|"))
	re.Longest()
	return re
}

// maskSpans masks spans of s as the rule says: spans that overlap are joined, sorted by start; a
// joined span that is exactly one KeyPattern match becomes "ps_***", any other "***".
func maskSpans(s string, spans []span) string {
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	type joined struct {
		start, end int
		keys       []span
	}
	var merged []joined
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			merged[n-1].keys = append(merged[n-1].keys, sp)
			continue
		}
		merged = append(merged, joined{start: sp.start, end: sp.end, keys: []span{sp}})
	}
	var b strings.Builder
	at := 0
	for _, m := range merged {
		b.WriteString(s[at:m.start])
		mask := "***"
		for _, k := range m.keys {
			if k.key && k.start == m.start && k.end == m.end {
				mask = "ps_***"
			}
		}
		b.WriteString(mask)
		at = m.end
	}
	b.WriteString(s[at:])
	return b.String()
}

// randomText joins n random pieces, chosen so that secrets, keys and their overlaps are frequent.
func randomText(rng *rand.Rand, pieces []string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

var textPieces = []string{"a", "b", "k", "_", "-", ".", " ", "ps_", "k_a", "ab", "ba"}

// TestRedactorMatchesTheRule compares the redactor with bruteRedact on random texts and secret
// sets that overlap each other and KeyPattern matches in every way.
func TestRedactorMatchesTheRule(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // G404: reproducible test data, not secrets
	for i := range 3000 {
		var secrets []string
		for range rng.IntN(8) {
			secrets = append(secrets, randomText(rng, textPieces, 1+rng.IntN(4)))
		}
		s := randomText(rng, textPieces, rng.IntN(40))
		want := bruteRedact(s, secrets)
		if got := newRedactor(secrets).redact(s); got != want {
			t.Fatalf("case %d: redact(%q) with secrets %q\n got %q\nwant %q", i, s, secrets, got, want)
		}
		if got := regexpRedact(s, secrets); got != want {
			t.Fatalf("case %d: the standard library's regexpRedact(%q) with secrets %q\n got %q\nwant %q", i, s, secrets, got, want)
		}
		// Learnt one by one after the first redaction, the secrets give the same result.
		r := newRedactor(nil)
		_ = r.redact(s)
		for _, sec := range secrets {
			r.learn(sec)
		}
		if got := r.redact(s); got != want {
			t.Fatalf("case %d, secrets learnt: redact(%q) with secrets %q\n got %q\nwant %q", i, s, secrets, got, want)
		}
	}
}

// TestFindKeysIsKeyPattern: the hand-written KeyPattern scan finds exactly the regexp's matches.
func TestFindKeysIsKeyPattern(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4)) //nolint:gosec // G404: reproducible test data, not secrets
	pieces := []string{"p", "s", "_", "ps_", "ps", "s_", "A", "z", "9", "-", ".", "\"", "é", "\x00"}
	for i := range 5000 {
		s := randomText(rng, pieces, rng.IntN(30))
		var got [][]int
		for _, sp := range findKeys(s) {
			got = append(got, []int{sp.start, sp.end})
		}
		if want := KeyPattern.FindAllStringIndex(s, -1); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("case %d: findKeys(%q) = %v, KeyPattern finds %v", i, s, got, want)
		}
	}
}

// credentialFieldPattern is what maskFields masks, written as a regular expression: the oracle of
// its hand-written scan.
var credentialFieldPattern = regexp.MustCompile(`"(key|keyId|key_id|apiKeyId|api_key_id)"\s*:\s*"((?:[^"\\]|\\.)*)(?:"|\\?\z)`)

// TestMaskFieldsIsThePattern: maskFields masks exactly the members credentialFieldPattern
// matches, and learns the values of the key id members among them.
func TestMaskFieldsIsThePattern(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8)) //nolint:gosec // G404: reproducible test data, not secrets
	pieces := []string{`"`, `"key"`, `"keyId"`, `"key_id"`, `"apiKeyId"`, `"api_key_id"`, `key`, `Key`, `ey`, `api`,
		`Id`, `_id`, `:`, ` `, "\n", `\`, `\"`, `a`, `,`, `{`, `"key":"`, `"keyId": "`, "é", "\xff"}
	for i := range 20000 {
		s := randomText(rng, pieces, rng.IntN(20))
		var want strings.Builder
		var wantIDs []string
		at := 0
		for _, loc := range credentialFieldPattern.FindAllStringSubmatchIndex(s, -1) {
			want.WriteString(s[at:loc[0]] + `"` + s[loc[2]:loc[3]] + `":"***"`)
			if name, value := s[loc[2]:loc[3]], s[loc[4]:loc[5]]; name != "key" && value != "" && !slices.Contains(wantIDs, value) {
				wantIDs = append(wantIDs, value)
			}
			at = loc[1]
		}
		want.WriteString(s[at:])
		r := newRedactor(nil)
		if got := r.maskFields(s); got != want.String() {
			t.Fatalf("case %d: maskFields(%q) = %q; the pattern gives %q", i, s, got, want.String())
		}
		if !slices.Equal(r.list, wantIDs) {
			t.Fatalf("case %d: maskFields(%q) learnt %q, want %q", i, s, r.list, wantIDs)
		}
	}
}

// TestRedactPartialDropsACutSecret: a body cut anywhere inside a secret keeps no part of it.
func TestRedactPartialDropsACutSecret(t *testing.T) {
	t.Parallel()
	const id = "k_listed0123456789"
	r := newRedactor([]string{"kid_configured"})
	r.learn(id)
	for _, sec := range []string{id, "kid_configured"} {
		for k := 1; k < len(sec); k++ {
			in := `{"error":"x ` + sec[:k]
			if got, want := r.redactPartial(in), `{"error":"x …(incomplete)`; got != want {
				t.Errorf("redactPartial(%q) = %q, want %q", in, got, want)
			}
		}
	}
	// A whole secret at the end is masked, not dropped; other text is kept.
	if got, want := r.redactPartial(`x `+id), `x ***…(incomplete)`; got != want {
		t.Errorf("redactPartial = %q, want %q", got, want)
	}
	if got, want := r.redactPartial(`kid_ and k_ are prefixes, not secrets: x`), `kid_ and k_ are prefixes, not secrets: x…(incomplete)`; got != want {
		t.Errorf("redactPartial = %q, want %q", got, want)
	}
}

// TestLearn: a learnt id is masked in everything redacted after learn returns, in every goroutine,
// while others learn and redact at the same time; known ids do not rebuild the matcher.
func TestLearn(t *testing.T) {
	t.Parallel()
	r := newRedactor([]string{"ps_configured"})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				id := fmt.Sprintf("k_g%di%03d", g, i)
				if got := r.redact("id " + id + "."); got != "id "+id+"." {
					t.Errorf("%s masked before it was learnt: %q", id, got)
				}
				r.learn(id)
				if got := r.redact("id " + id + "."); got != "id ***." {
					t.Errorf("%s not masked after learn: %q", id, got)
					return
				}
				if got := r.sanitizeMessage("bad " + id); got != "bad ***" {
					t.Errorf("%s not masked in a message after learn: %q", id, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	for g := range 8 {
		for i := range 100 {
			id := fmt.Sprintf("k_g%di%03d", g, i)
			if got := r.redact(id); got != "***" {
				t.Fatalf("%s forgotten: %q", id, got)
			}
		}
	}

	m := r.current()
	r.learn("k_g0i000", "", "ps_configured")
	_ = r.redact("x")
	if r.current() != m {
		t.Error("learning known or empty values rebuilt the matcher")
	}
	r.learn("k_new")
	if r.current() == m {
		t.Error("learning a new id did not rebuild the matcher")
	}
	if m2 := r.current(); r.current() != m2 {
		t.Error("the matcher was rebuilt without a change")
	}
}

// benchIDs returns n key ids shaped like the API's (k_ and 16 characters of [a-z0-9]).
func benchIDs(n int) []string {
	rng := rand.New(rand.NewPCG(5, 6)) //nolint:gosec // G404: reproducible test data, not secrets
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	ids := make([]string, n)
	for i := range ids {
		b := []byte("k_")
		for range 16 {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		ids[i] = string(b)
	}
	return ids
}

// benchListBody is a key list answer of one number per id; each id also appears outside its
// "keyId" member, so that the secret scan has real matches to mask.
func benchListBody(ids []string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"numberId":"wn_%04d","number":"55119%08d","displayName":"Número %d","keyId":"%s",`+
			`"keyLast4":"%04d","key":"ps_%032d","revealable":true,"note":"%s"}`, i, i, i, id, i, i, id)
	}
	sb.WriteByte(']')
	return sb.String()
}

// Redacting a trace body of 500 numbers with the client's redactor once it knows their 500 key
// ids (the state after a refresh), and an error message with the same redactor.
func BenchmarkRedactorLearned(b *testing.B) {
	for _, n := range []int{0, 10, 500} {
		ids := benchIDs(max(n, 500))
		body := benchListBody(ids[:500])
		r := newRedactor([]string{"ps_tenantSECRETkey0001"})
		r.learn(ids[:n]...)
		b.Run(fmt.Sprintf("learned=%d/body", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if out := r.redact(body); strings.Contains(out, "ps_0") || (n == 500 && strings.Contains(out, ids[0])) {
					b.Fatal("a secret survived redaction")
				}
			}
		})
		msg := "the key " + ids[len(ids)-1] + " was revoked; use a tenant-scoped key"
		b.Run(fmt.Sprintf("learned=%d/message", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = r.sanitizeMessage(msg)
			}
		})
	}
}

// The hand-built matcher beside the standard library's alternation (regexpRedact) on a 500-key list
// body: with the configured key and the 500 key ids already learnt, and from a secret set that
// learns them from the body (the matcher, or the regexp, built for 501 secrets).
func BenchmarkRedactMatchers(b *testing.B) {
	ids := benchIDs(500)
	body := benchListBody(ids)
	tenant := "ps_tenantSECRETkey0001"
	secrets := append([]string{tenant}, ids...)
	learnt := newRedactor(secrets)
	run := func(name string, redact func() string) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if out := redact(); strings.Contains(out, ids[0]) || strings.Contains(out, "ps_0") {
					b.Fatal("a secret survived redaction")
				}
			}
		})
	}
	run("hand-built/learnt", func() string { return learnt.redact(body) })
	re := secretsRegexp(secrets)
	run("regexp/learnt", func() string { return regexpRedactWith(learnt.maskFields(body), re) })
	run("hand-built/learning", func() string { return newRedactor([]string{tenant}).redact(body) })
	run("regexp/learning", func() string {
		r := newRedactor([]string{tenant})
		m := r.maskFields(body)
		return regexpRedactWith(m, secretsRegexp(r.list))
	})
}

// regexpRedactWith is regexpRedact with its regexp compiled already.
func regexpRedactWith(s string, re *regexp.Regexp) string {
	spans := findKeys(s)
	for i := 0; i < len(s); {
		loc := re.FindStringIndex(s[i:])
		if loc == nil {
			break
		}
		spans = append(spans, span{start: i + loc[0], end: i + loc[1]})
		i += loc[0] + 1
	}
	return maskSpans(s, spans)
}

// What a change of the secret set costs: the matcher rebuilt for the configured key and 501 key
// ids, as the first redaction after a regeneration does once 500 ids are known.
func BenchmarkRedactorRebuild(b *testing.B) {
	secrets := append([]string{"ps_tenantSECRETkey0001"}, benchIDs(501)...)
	b.ReportAllocs()
	for b.Loop() {
		if m := newSecretMatcher(secrets); len(m.depth) < 501 {
			b.Fatal("too few states")
		}
	}
}
