package clause

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"
)

// Matching strategy. Each rule's pattern is split into its top-level
// alternatives; for an alternative whose possible first words can be read
// off the pattern ("\bdispositions? (?:a caractere |…)" starts with
// "disposition"), those words are its anchors and its regexp is run
// anchored at each place one of them starts a word, on a short slice: a
// handful of small anchored regexps instead of one large pattern over the
// text. The few alternatives without such a prefix ("\bl[. ]{0,3}-?2113…")
// are run in windows around the rule's hand-written anchors.

// unit is one alternative of a rule (or the whole rule, windowed).
type unit struct {
	rule     int
	re       *regexp.Regexp // anchored at the start of its slice; nil when windowed
	prefixes [][]byte
}

// anchorRef is an anchor of a unit, indexed by its first byte.
type anchorRef struct {
	unit int
	a    []byte
}

var (
	units      []unit
	ruleUnits  [][]int     // rule → its units
	inWordRefs []anchorRef // anchors that may start inside a word
	trie       = []trieNode{{}}
)

// The anchors that must start a word are kept in a trie over a small
// alphabet: at each word start, one walk along the text's bytes finds every
// anchor there, whatever their number.
const alphabet = 43

var byteClass [256]uint8

func init() {
	for c := 'a'; c <= 'z'; c++ {
		byteClass[c] = uint8(c-'a') + 1
	}
	for c := '0'; c <= '9'; c++ {
		byteClass[c] = uint8(c-'0') + 27
	}
	byteClass[' '], byteClass['\''], byteClass['-'], byteClass['.'], byteClass['/'] = 37, 38, 39, 40, 41
	byteClass[','] = 42
}

type trieNode struct {
	next [alphabet]int32
	out  []int32 // units whose anchor ends here
}

func trieAdd(a []byte, ui int) {
	n := 0
	for _, c := range a {
		k := byteClass[c]
		if k == 0 {
			panic("clause: anchor byte outside the trie alphabet: " + string(a))
		}
		if trie[n].next[k] == 0 {
			trie = append(trie, trieNode{})
			trie[n].next[k] = int32(len(trie) - 1)
		}
		n = int(trie[n].next[k])
	}
	for _, x := range trie[n].out {
		if int(x) == ui {
			return
		}
	}
	trie[n].out = append(trie[n].out, int32(ui))
}

// maxSpan bounds an anchored match (the longest rule match is well under).
const maxSpan = 320

// minPrefix: shorter derived prefixes would fire on too many words; such
// alternatives are windowed instead.
const minPrefix = 3

func buildUnits() {
	ruleUnits = make([][]int, len(rules))
	for i := range rules {
		r := &rules[i]
		alts := splitTop(r.re.String())
		var windowed bool
		var mine []unit
		for _, alt := range alts {
			ps, ok := altPrefixes(alt)
			if !ok || r.inWord || r.re.NumSubexp() > 0 && len(alts) > 1 {
				windowed = true
				continue
			}
			u := unit{rule: i, re: regexp.MustCompile(`^(?:` + alt + `)`)}
			for _, p := range ps {
				u.prefixes = append(u.prefixes, []byte(p))
			}
			mine = append(mine, u)
		}
		if windowed {
			mine = append(mine, unit{rule: i, prefixes: r.anchorBytes})
		}
		for _, u := range mine {
			ruleUnits[i] = append(ruleUnits[i], len(units))
			units = append(units, u)
		}
	}
	for ui, u := range units {
		for _, a := range u.prefixes {
			ref := anchorRef{ui, a}
			if u.re == nil && rules[u.rule].inWord {
				inWordRefs = append(inWordRefs, ref)
			} else {
				trieAdd(a, ui)
			}
		}
	}
}

// splitTop splits a pattern at its top-level '|'.
func splitTop(p string) []string {
	var out []string
	depth, start := 0, 0
	inClass := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// altPrefixes returns words one of which every match of alt starts with.
func altPrefixes(alt string) ([]string, bool) {
	re, err := syntax.Parse(alt, syntax.Perl)
	if err != nil {
		return nil, false
	}
	ps, ok := prefixes(re)
	if !ok || len(ps) == 0 || len(ps) > 64 {
		return nil, false
	}
	// Keep the shortest of prefixes that extend one another: one hit per
	// place.
	sort.Strings(ps)
	var out []string
	for _, p := range ps {
		if len(p) < minPrefix {
			return nil, false
		}
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out, true
}

const maxSet = 64

// exact returns the whole (small, finite) language of re, zero-width
// assertions read as the empty string.
func exact(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch, syntax.OpWordBoundary, syntax.OpBeginText, syntax.OpBeginLine:
		return []string{""}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) >= 8 {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		s, ok := exact(re.Sub[0])
		return append(s, ""), ok
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := exact(sub)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, len(out) <= maxSet
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := exact(sub)
			if !ok || len(out)*len(s) > maxSet {
				return nil, false
			}
			out = cross(out, s)
		}
		return out, true
	}
	return nil, false
}

// prefixes returns strings one of which every match of re starts with.
func prefixes(re *syntax.Regexp) ([]string, bool) {
	if s, ok := exact(re); ok {
		return s, true
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return prefixes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixes(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := prefixes(sub)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			if s, ok := exact(sub); ok && len(out)*len(s) <= maxSet {
				out = cross(out, s)
				continue
			}
			if s, ok := prefixes(sub); ok && len(out)*len(s) <= maxSet {
				out = cross(out, s)
			}
			break
		}
		return out, true
	}
	return nil, false
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// scan holds the per-text hit lists, reused across calls.
type scan struct {
	hits    [][]int // unit → positions, in text order
	touched []int   // the units with hits, to reset them alone
	any     []bool  // rule → some unit has a hit
}

var scanPool = sync.Pool{New: func() any {
	return &scan{hits: make([][]int, len(units)), any: make([]bool, len(rules))}
}}

// anchorHits finds, in one pass over the words of b, where each unit's
// anchors occur. One pass with a first-byte table costs far less than a
// search per anchor over the whole text.
func (sc *scan) anchorHits(b []byte) {
	// Reset only the units the last text hit: resetting all of them was
	// most of the cost of a short text (a contract's object).
	for _, ui := range sc.touched {
		sc.hits[ui] = sc.hits[ui][:0]
	}
	sc.touched = sc.touched[:0]
	clear(sc.any)
	for i := 0; i < len(b); i++ {
		if byteClass[b[i]] == 0 || i > 0 && isWordByte(b[i-1]) {
			continue
		}
		n := 0
		for j := i; j < len(b); j++ {
			k := byteClass[b[j]]
			if k == 0 {
				break
			}
			n = int(trie[n].next[k])
			if n == 0 {
				break
			}
			for _, ui := range trie[n].out {
				sc.hit(int(ui), i)
			}
		}
	}
	for _, ref := range inWordRefs {
		for from := 0; ; {
			k := bytes.Index(b[from:], ref.a)
			if k < 0 {
				break
			}
			sc.hit(ref.unit, from+k)
			from += k + len(ref.a)
		}
	}
}

func (sc *scan) hit(ui, at int) {
	if len(sc.hits[ui]) == 0 {
		sc.touched = append(sc.touched, ui)
	}
	sc.hits[ui] = append(sc.hits[ui], at)
	sc.any[units[ui].rule] = true
}

// findAll returns the distinct matches of rule ri in text order.
func (sc *scan) findAll(b []byte, ri int, ms []match) []match {
	r := &rules[ri]
	for _, ui := range ruleUnits[ri] {
		hits := sc.hits[ui]
		if len(hits) == 0 {
			continue
		}
		u := &units[ui]
		if u.re == nil {
			ms = windowed(b, r, ms, hits)
			continue
		}
		for _, h := range hits {
			end := h + maxSpan
			if end > len(b) {
				end = len(b)
			}
			loc := u.re.FindSubmatchIndex(b[h:end])
			if loc == nil {
				continue
			}
			if e := h + loc[1]; e == end && end < len(b) && isWordByte(b[end]) && isWordByte(b[e-1]) {
				continue
			}
			sub := make([]int, len(loc))
			for k, x := range loc {
				if x >= 0 {
					x += h
				}
				sub[k] = x
			}
			ms = addMatch(ms, match{s: sub[0], e: sub[1], sub: sub})
		}
	}
	if len(ms) > 1 {
		sort.Slice(ms, func(i, j int) bool { return ms[i].s < ms[j].s })
	}
	return ms
}

// windowed runs r's whole regexp in windows around hits, the occurrences
// of its hand-written anchors (overlapping windows merged).
func windowed(b []byte, r *rule, ms []match, hits []int) []match {
	if !sort.IntsAreSorted(hits) {
		sort.Ints(hits)
	}
	for i := 0; i < len(hits); {
		ws, we := hits[i]-winBack, hits[i]+winFwd
		j := i + 1
		for j < len(hits) && hits[j]-winBack <= we {
			we = hits[j] + winFwd
			j++
		}
		i = j
		if ws < 0 {
			ws = 0
		}
		if we > len(b) {
			we = len(b)
		}
		for _, loc := range r.re.FindAllSubmatchIndex(b[ws:we], -1) {
			s, e := ws+loc[0], ws+loc[1]
			if s == ws && ws > 0 && isWordByte(b[ws-1]) && isWordByte(b[ws]) {
				continue // the window cut a word: "sous-traitance" is not "traitance"
			}
			if e == we && we < len(b) && isWordByte(b[we]) && isWordByte(b[e-1]) {
				continue
			}
			sub := make([]int, len(loc))
			for k, x := range loc {
				if x >= 0 {
					x += ws
				}
				sub[k] = x
			}
			ms = addMatch(ms, match{s: s, e: e, sub: sub})
		}
	}
	return ms
}
