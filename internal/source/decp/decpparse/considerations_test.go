package decpparse

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every value variant seen for the declared considerations — the 2022
// enumerations, the real files, the official examples, what producers
// write besides — read through the whole mapping into the contract's
// declared_* flags ("1" declared, "0" declared none, "-" not given).
func TestDeclaredConsiderations(t *testing.T) {
	cases := []struct {
		social, env []string
		want        string // social clause, criterion, reserved / env clause, criterion
		unknown     bool   // flagged consideration_unknown
	}{
		// The 2022 enumerations (schemas 2.0.2, 2.0.3).
		{[]string{"Clause sociale"}, nil, "100/--", false},
		{[]string{"Critère social"}, nil, "010/--", false},
		{[]string{"Marché réservé"}, nil, "001/--", false},
		{[]string{"Concession réservée"}, nil, "001/--", false},
		{[]string{"Pas de considération sociale"}, []string{"Pas de considération environnementale"}, "000/00", false},
		{nil, []string{"Clause environnementale"}, "---/10", false},
		{nil, []string{"Critère environnemental"}, "---/01", false},
		{[]string{"Clause sociale", "Critère social", "Marché réservé"}, []string{"Clause environnementale", "Critère environnemental"}, "111/11", false},
		// What producers write besides.
		{[]string{"Clauses sociales"}, []string{"Clauses environnementales"}, "100/10", false},
		{[]string{"Critères sociaux"}, []string{"Critères environnementaux"}, "010/01", false},
		{[]string{"Oui"}, []string{"OUI"}, "100/10", false},
		{[]string{"Non"}, []string{"non"}, "000/00", false},
		{[]string{"Sans objet"}, []string{"Néant"}, "000/00", false},
		{[]string{"CLAUSE SOCIALE"}, []string{"critere environnemental."}, "100/01", false},
		{[]string{"Clause sociale, Critère social"}, []string{"Clause environnementale; Critère environnemental"}, "110/11", false},
		{[]string{"Clause sociale et marché réservé"}, nil, "101/--", false},
		{[]string{"Marché réservé (article L2113-12)"}, nil, "001/--", false},
		{[]string{"Pas de considérations sociales"}, []string{"Pas de considérations environnementales"}, "000/00", false},
		{[]string{"Clause sociale", "Sans objet"}, nil, "100/--", false},
		// Not given.
		{[]string{"NC"}, []string{""}, "---/--", false},
		{nil, nil, "---/--", false},
		// Unknown values, or the other field's: not read, flagged.
		{[]string{"Insertion professionnelle"}, nil, "---/--", true},
		{[]string{"Critère environnemental"}, nil, "---/--", true},
		{[]string{"Clause sociale", "Peut-être"}, nil, "100/--", true},
	}
	for _, c := range cases {
		rec := map[string]any{"id": "X1", "acheteur": map[string]any{"id": "21350238800019"}}
		if c.social != nil {
			rec["considerationsSociales"] = map[string]any{"considerationSociale": c.social}
		}
		if c.env != nil {
			rec["considerationsEnvironnementales"] = map[string]any{"considerationEnvironnementale": c.env}
		}
		b, _ := json.Marshal(rec)
		p := (*Decoder)(nil).Parse(&Record{Text: string(b), Envelope: Schema2022}, time.Now())
		if p.Err != nil {
			t.Fatalf("%v / %v: %v", c.social, c.env, p.Err)
		}
		k := p.Contract.Considerations
		got := flags(k.SocialClause, k.SocialCriterion, k.Reserved) + "/" + flags(k.EnvClause, k.EnvCriterion)
		if got != c.want || has(p.Contract.QualityFlags, FlagConsiderationUnknown) != c.unknown {
			t.Errorf("%q / %q: %s (flags %v), want %s (unknown %v)", c.social, c.env, got, p.Contract.QualityFlags, c.want, c.unknown)
		}
	}
}

func flags(bs ...*bool) string {
	var s strings.Builder
	for _, b := range bs {
		switch {
		case b == nil:
			s.WriteByte('-')
		case *b:
			s.WriteByte('1')
		default:
			s.WriteByte('0')
		}
	}
	return s.String()
}

func has(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Every value the real files, the official examples and the schemas'
// enumerations carry is a known spelling.
func TestDeclaredValuesOfTheSamples(t *testing.T) {
	dir := sharedData(t)
	jsonValue := regexp.MustCompile(`"consideration(Sociale|Environnementale)"\s*:\s*(\[[^\]]*\]|"[^"]*")`)
	xmlValue := regexp.MustCompile(`<consideration(Sociale|Environnementale)>([^<]*)<`)
	enum := regexp.MustCompile(`<xs:enumeration value="([^"]*consid[^"]*|Clause [^"]*|Crit[^"]*|[^"]*réservée?)"`)
	seen := map[string]bool{}
	check := func(v string, env bool) {
		if seen[fmt.Sprint(v, env)] || notGiven(v) {
			return
		}
		seen[fmt.Sprint(v, env)] = true
		if _, known := Declare(v, env); !known {
			t.Errorf("%q (environmental %v) is not a known spelling", v, env)
		}
	}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, m := range jsonValue.FindAllStringSubmatch(string(b), -1) {
			var vals []string
			if json.Unmarshal([]byte(m[2]), &vals) != nil {
				var v string
				json.Unmarshal([]byte(m[2]), &v)
				vals = []string{v}
			}
			for _, v := range vals {
				check(v, m[1] == "Environnementale")
			}
		}
		for _, m := range xmlValue.FindAllStringSubmatch(string(b), -1) {
			check(m[2], m[1] == "Environnementale")
		}
		for _, m := range enum.FindAllStringSubmatch(string(b), -1) {
			check(m[1], strings.Contains(fold(m[1]), "environnement"))
		}
		return nil
	})
	if len(seen) < 8 {
		t.Errorf("only %d values found in the samples: %v", len(seen), seen)
	}
	t.Logf("%d values of the samples read", len(seen))
}
