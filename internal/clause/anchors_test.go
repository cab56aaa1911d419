package clause

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// The anchored, per-alternative matching must find what each rule's whole
// regexp finds over the whole text: it is a way to run the rules faster,
// not a change of what they match.
func TestUnitsFindWhatRulesFind(t *testing.T) {
	f := &folded{}
	sc := scanPool.Get().(*scan)
	defer scanPool.Put(sc)
	for _, path := range []string{corpusPath, heldoutPath} {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s := bufio.NewScanner(fh)
		for s.Scan() {
			var c Case
			if err := json.Unmarshal(s.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			f.fold(c.Text)
			sc.anchorHits(f.b)
			for ri := range rules {
				got := sc.findAll(f.b, ri, nil)
				for _, loc := range rules[ri].re.FindAllIndex(f.b, -1) {
					// the same match, or an overlapping one at least as long
					// (overlapping matches keep the longer)
					found := false
					for _, m := range got {
						if m.s < loc[1] && loc[0] < m.e && m.e-m.s >= loc[1]-loc[0] {
							found = true
						}
					}
					if !found {
						t.Errorf("%s: rule %s matches %q, the units do not", c.ID, rules[ri].name, f.b[loc[0]:loc[1]])
					}
				}
			}
		}
		fh.Close()
	}
}

func TestPrefixes(t *testing.T) {
	for alt, want := range map[string][]string{
		`\bconditions? (?:a caractere|de nature) sociales?\b`: {"condition"},
		`\b(?:entreprises?|structures?) adaptees?\b`:          {"entreprise", "structure"},
		`\bsiae\b`: {"siae"},
	} {
		got, ok := altPrefixes(alt)
		if !ok || len(got) == 0 {
			t.Errorf("%s: no prefixes", alt)
			continue
		}
		// every derived prefix extends one of the words a match starts with
		for _, g := range got {
			if !startsWithAny([]byte(g), words(want...)) {
				t.Errorf("%s: prefix %q is not one of %q", alt, g, want)
			}
		}
	}
	if _, ok := altPrefixes(`\bl[. ]{0,3}-?2113`); ok {
		t.Errorf("a one-letter prefix must not anchor a unit")
	}
}

// A term rule's alternative without a derivable word prefix makes the whole
// rule run in windows around every hit of its anchors: the v3 rules went
// from ~80 to ~1 MB/s with one such alternative ("[0-9]+ % renouvelable").
func TestTermRulesAnchored(t *testing.T) {
	for _, u := range units {
		if u.re == nil && rules[u.rule].kind == kTerm {
			t.Errorf("rule %s has an alternative without a word prefix: it runs windowed", rules[u.rule].name)
		}
	}
}
