package pilotstatus

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// credentialFields are the JSON members whose string value is a credential, masked whatever it
// looks like: "key" (a raw key) and the key ids ("keyId", "key_id", "apiKeyId", "api_key_id"),
// which the API accepts as x-api-key-id. Each name holds "ey"; at is where.
var credentialFields = []struct {
	name string
	at   int
}{{"key", 1}, {"keyId", 1}, {"key_id", 1}, {"apiKeyId", 4}, {"api_key_id", 5}}

// Redact masks secrets in s: the value of every JSON "key" member and of every key id member
// ("keyId", "key_id", "apiKeyId", "api_key_id") becomes "***", and so does that key id wherever
// else it appears in s; every match of KeyPattern becomes "ps_***" and every non-empty value in
// secrets (the configured API key or API key id) becomes "***". Where matches overlap, the union
// is masked, so no part of any of them survives; it is "ps_***" only when it is exactly one
// KeyPattern match.
func Redact(s string, secrets ...string) string {
	return newRedactor(secrets).redact(s)
}

// Redact masks in s what Redact does, and also every key id this Client has listed or made and its
// configured credential, whatever surrounds them.
func (c *Client) Redact(s string) string { return c.redactor.redact(s) }

// redactor is Redact with a secret set that can grow: the configured credentials, then every key
// id the client learns from an answer. Its matcher is built once per change of the set, on the
// first use after the change. It is safe for concurrent use.
type redactor struct {
	mu      sync.Mutex
	set     map[string]bool // every non-empty secret; guarded by mu
	list    []string        // the keys of set, in the order they came; guarded by mu
	matcher atomic.Pointer[secretMatcher]
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{set: map[string]bool{}}
	r.learn(secrets...)
	return r
}

// learn adds secrets (key ids, for the most part) to the set masked as "***" in everything
// redacted from then on. Empty and already known values change nothing.
func (r *redactor) learn(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range secrets {
		if s != "" && !r.set[s] {
			r.set[s] = true
			r.list = append(r.list, s)
			changed = true
		}
	}
	if changed {
		// The next redaction builds a matcher that includes them. A matcher built before this
		// point cannot be stored after it: building and storing happen under mu.
		r.matcher.Store(nil)
	}
}

// current returns the matcher of the secret set as it is now.
func (r *redactor) current() *secretMatcher {
	if m := r.matcher.Load(); m != nil {
		return m
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.matcher.Load(); m != nil {
		return m
	}
	m := newSecretMatcher(r.list)
	r.matcher.Store(m)
	return m
}

func (r *redactor) redact(s string) string {
	return r.redactTail(s, false)
}

// redactPartial redacts a body of which only a prefix was read: a secret cut at the end would
// otherwise survive as a fragment, so the longest tail that starts a secret is dropped too.
func (r *redactor) redactPartial(s string) string {
	return r.redactTail(s, true) + "…(incomplete)"
}

// redactTail masks credential members, then KeyPattern matches and secrets in one pass. With
// dropTail, the longest tail of s that is the start of a secret is dropped as well.
func (r *redactor) redactTail(s string, dropTail bool) string {
	s = r.maskFields(s)
	m := r.current()
	spans, state := m.find(s, findKeys(s))
	end := len(s)
	if dropTail && m.edges[state+1] > m.edges[state] {
		// s ends with the start of a longer secret. (A state without edges is a whole secret,
		// masked below with every shorter tail inside it.)
		end -= m.depth[state]
	}
	if len(spans) == 0 && end == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(end)
	at := 0
	for _, sp := range spans {
		if sp.start >= end {
			break
		}
		b.WriteString(s[at:sp.start])
		if sp.key && sp.end <= end {
			b.WriteString(KeyPrefix + "***")
		} else {
			b.WriteString("***")
		}
		at = min(sp.end, end)
	}
	if at < end {
		b.WriteString(s[at:end])
	}
	return b.String()
}

// maskFields masks the value of every credential member (see credentialFields) and learns the key
// ids among them, so that the same id is masked wherever else it appears, in s and later.
func (r *redactor) maskFields(s string) string {
	var b strings.Builder
	var ids []string
	at := 0 // s[:at] is in b, masked
	for i := 0; ; {
		j := strings.Index(s[i:], "ey")
		if j < 0 {
			break
		}
		m, ok := credentialMember(s, i+j, at)
		if !ok {
			i += j + 1
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[at:m.start])
		b.WriteString(`"`)
		b.WriteString(m.name)
		b.WriteString(`":"***"`)
		if m.name != "key" {
			ids = append(ids, s[m.valueStart:m.valueEnd])
		}
		at, i = m.end, m.end
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[at:])
	r.learn(ids...)
	return b.String()
}

// member is a credential member found by credentialMember: s[start:end] is the member, from the
// name's opening quote to the value's closing quote (or the end of s, for a value cut off there),
// and s[valueStart:valueEnd] is the value as written.
type member struct {
	name                             string
	start, end, valueStart, valueEnd int
}

// credentialMember reports the credential member whose name holds the "ey" at s[ey:], if there is
// one that starts at or after from. It matches what the regular expression
//
//	"(key|keyId|key_id|apiKeyId|api_key_id)"\s*:\s*"((?:[^"\\]|\\.)*)(?:"|\\?\z)
//
// matches there.
func credentialMember(s string, ey, from int) (member, bool) {
	for _, f := range credentialFields {
		start := ey - f.at - 1
		if start < from || !strings.HasPrefix(s[start+1:], f.name) {
			continue
		}
		i := start + 1 + len(f.name)
		if s[start] != '"' || i >= len(s) || s[i] != '"' {
			continue
		}
		i = skipSpace(s, i+1)
		if i >= len(s) || s[i] != ':' {
			return member{}, false
		}
		i = skipSpace(s, i+1)
		if i >= len(s) || s[i] != '"' {
			return member{}, false
		}
		m := member{name: f.name, start: start, valueStart: i + 1}
		for i++; ; i++ {
			switch {
			case i >= len(s):
				m.valueEnd, m.end = len(s), len(s) // cut off: masked to the end
				return m, true
			case s[i] == '"':
				m.valueEnd, m.end = i, i+1
				return m, true
			case s[i] == '\\' && i+1 == len(s):
				m.valueEnd, m.end = i, len(s)
				return m, true
			case s[i] == '\\' && s[i+1] == '\n':
				return member{}, false // as "." does not match a newline
			case s[i] == '\\':
				i++
			}
		}
	}
	return member{}, false
}

// skipSpace returns the index of the first byte at or after i that is not \s (RE2's [\t\n\f\r ]).
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	return i
}

// sanitizeMessage redacts an error message from the API, flattens control characters and cuts it.
func (r *redactor) sanitizeMessage(s string) string {
	s = r.redact(s)
	s = strings.Map(func(c rune) rune {
		if unicode.IsControl(c) { // C0, DEL and C1 (U+0080 to U+009F, such as CSI and NEL)
			return ' '
		}
		return c
	}, s)
	return strings.TrimSpace(cut(s, maxMessageRunes))
}

// span is a part of a text to mask, [start, end); key marks exactly one KeyPattern match.
type span struct {
	start, end int
	key        bool
}

// keyByte reports whether c is in KeyPattern's class after "ps_": [A-Za-z0-9_\-].
func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// findKeys returns the spans of KeyPattern's matches in s, as KeyPattern.FindAllStringIndex finds
// them (leftmost, longest, not overlapping), without running the regexp.
func findKeys(s string) []span {
	var spans []span
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], KeyPrefix)
		if j < 0 {
			break
		}
		start := i + j
		end := start + 3
		for end < len(s) && keyByte(s[end]) {
			end++
		}
		if end == start+len(KeyPrefix) { // the prefix alone is not a key
			i = start + 1
			continue
		}
		spans = append(spans, span{start: start, end: end, key: true})
		i = end
	}
	return spans
}

// secretMatcher finds every occurrence of a fixed set of secrets in one pass over a text, whatever
// their number (an Aho-Corasick automaton). Its states are the distinct prefixes of the secrets,
// numbered breadth first, state 0 the empty one; state i > 0 is reached by edge i-1 alone.
//
// The standard library's alternative, one compiled alternation of the escaped secrets searched
// again after each match's start (regexpRedact in the tests), gives the same result on the same
// oracle but takes about ten to twenty times as long on a 500-key list body with its 500 key ids
// (BenchmarkRedactMatchers, in BENCHMARKS.md), so the matcher is built here.
type secretMatcher struct {
	root   [256]int // the state after reading a byte in state 0
	edges  []int    // the edges of state i are labels[edges[i]:edges[i+1]], sorted
	labels []byte
	fail   []int // the state of the longest proper suffix of a state's prefix
	depth  []int // the length of a state's prefix
	out    []int // the length of the longest secret that ends a state's prefix; 0 for none
}

func newSecretMatcher(secrets []string) *secretMatcher {
	t := newTrie(secrets)
	n := len(t.parent)
	number, order := t.breadthFirst()
	m := &secretMatcher{
		edges:  make([]int, n+1),
		labels: make([]byte, n-1),
		fail:   make([]int, n),
		depth:  make([]int, n),
		out:    make([]int, n),
	}
	for st := 1; st < n; st++ {
		v := order[st]
		m.labels[st-1] = t.label[v]
		m.depth[st] = t.depth[v]
		m.edges[number[t.parent[v]]+1]++
	}
	for st := 1; st <= n; st++ {
		m.edges[st] += m.edges[st-1]
	}
	for e := m.edges[0]; e < m.edges[1]; e++ {
		m.root[m.labels[e]] = e + 1
	}
	// Failure links and outputs, breadth first: a state's failure link is shallower, so done.
	for st := 1; st < n; st++ {
		if t.final[order[st]] {
			m.out[st] = m.depth[st]
		} else {
			m.out[st] = m.out[m.fail[st]]
		}
		for e := m.edges[st]; e < m.edges[st+1]; e++ {
			m.fail[e+1] = m.step(m.fail[st], m.labels[e])
		}
	}
	return m
}

// trie is the trie of a set of secrets in depth-first order: one node per distinct prefix, each
// after its parent and, among siblings, by label. Node 0 is the empty prefix.
type trie struct {
	parent []int  // -1 for node 0
	label  []byte // the last byte of the node's prefix
	depth  []int  // the length of the node's prefix
	final  []bool // whether the node's prefix is a secret
}

func newTrie(secrets []string) trie {
	sorted := slices.Clone(secrets)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)

	t := trie{parent: []int{-1}, label: []byte{0}, depth: []int{0}, final: []bool{false}}
	path := []int{0} // path[d] is the node of the previous secret's prefix of length d
	prev := ""
	for _, sec := range sorted {
		if sec == "" {
			continue
		}
		common := 0
		for common < len(prev) && common < len(sec) && prev[common] == sec[common] {
			common++
		}
		path = path[:common+1]
		for d := common; d < len(sec); d++ {
			t.parent = append(t.parent, path[d])
			t.label = append(t.label, sec[d])
			t.depth = append(t.depth, d+1)
			t.final = append(t.final, false)
			path = append(path, len(t.parent)-1)
		}
		t.final[path[len(sec)]] = true
		prev = sec
	}
	return t
}

// breadthFirst numbers the nodes by depth, then depth-first order. The children of a state then
// follow one another, by label, and states' children come in the order of the states. number maps
// a depth-first index to its breadth-first number, order the other way round.
func (t trie) breadthFirst() (number, order []int) {
	first := make([]int, slices.Max(t.depth)+2) // first breadth-first number of each depth
	for _, d := range t.depth {
		first[d+1]++
	}
	for d := 1; d < len(first); d++ {
		first[d] += first[d-1]
	}
	number = make([]int, len(t.depth))
	order = make([]int, len(t.depth))
	for v, d := range t.depth {
		number[v] = first[d]
		order[first[d]] = v
		first[d]++
	}
	return number, order
}

// step returns the state after reading c in state st.
func (m *secretMatcher) step(st int, c byte) int {
	for st != 0 {
		for e := m.edges[st]; e < m.edges[st+1]; e++ {
			if m.labels[e] == c {
				return e + 1
			}
		}
		st = m.fail[st]
	}
	return m.root[c]
}

// find returns the parts of s to mask: keys (spans sorted and not overlapping, as findKeys
// returns them) merged with every occurrence of a secret, overlaps joined, in order. It also
// returns the state after the whole of s: its depth is the length of the longest tail of s that
// starts a secret.
func (m *secretMatcher) find(s string, keys []span) ([]span, int) {
	var out []span
	push := func(x span) {
		// Spans arrive in order of their end: join x with every earlier span it overlaps.
		for len(out) > 0 && out[len(out)-1].end > x.start {
			y := out[len(out)-1]
			out = out[:len(out)-1]
			joined := span{start: min(x.start, y.start), end: max(x.end, y.end)}
			joined.key = x.key && x.start == joined.start && x.end == joined.end ||
				y.key && y.start == joined.start && y.end == joined.end
			x = joined
		}
		out = append(out, x)
	}
	st := int(0)
	if len(m.labels) == 0 {
		for _, k := range keys {
			push(k)
		}
		return out, 0
	}
	for i := 0; i < len(s); i++ {
		st = m.step(st, s[i])
		if n := m.out[st]; n > 0 {
			end := i + 1
			for len(keys) > 0 && keys[0].end <= end {
				push(keys[0])
				keys = keys[1:]
			}
			push(span{start: end - n, end: end})
		}
	}
	for _, k := range keys {
		push(k)
	}
	return out, st
}
