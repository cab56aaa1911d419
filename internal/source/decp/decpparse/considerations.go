package decpparse

import "strings"

// Declaration is what one value of considerationsSociales or
// considerationsEnvironnementales declares.
type Declaration struct {
	Clause    bool // a clause (social or environmental condition of execution)
	Criterion bool // an award criterion
	Reserved  bool // a marché (concession) réservé: social only
	None      bool // the buyer declares none
}

// Declare reads one declared value; known is false for a value none of
// the spellings below covers (the contract is then flagged, and the value
// kept in declared_raw).
//
// The 2022 format's enumerations (schemas 2.0.x) are "Clause sociale",
// "Critère social", "Marché réservé" ("Concession réservée" for
// concessions), "Pas de considération sociale", "Clause
// environnementale", "Critère environnemental", "Pas de considération
// environnementale". Producers also write them in the plural, without
// accents, in capitals, joined in one string ("Clause sociale, Critère
// social", as tabular exports do), and as yes/no answers. "Oui" says that
// there is a consideration without saying which: it is read as a clause,
// the usual case (as the clause detector reads BOAMP's indexation flags).
func Declare(value string, env bool) (d Declaration, known bool) {
	v := normDeclared(value)
	if v == "" {
		return d, false
	}
	known = true
	for _, part := range splitDeclared(v) {
		p, ok := declaredSpellings[part]
		if !ok {
			p, ok = declaredPrefix(part)
		}
		if !ok || p.kind != anyKind && (p.kind == envKind) != env {
			known = false // unknown, or the other field's value
			continue
		}
		d.Clause = d.Clause || p.Clause
		d.Criterion = d.Criterion || p.Criterion
		d.Reserved = d.Reserved || p.Reserved && !env
		d.None = d.None || p.None
	}
	if d.Clause || d.Criterion || d.Reserved {
		d.None = false // "Clause sociale, Sans objet": the positive part wins
	}
	return d, known
}

// spelling is a known value: what it declares, and for which field.
type spelling struct {
	Declaration
	kind int
}

const (
	anyKind = iota
	socialKind
	envKind
)

// declaredSpellings maps the folded spellings (see normDeclared). A value
// of the other field ("Critère environnemental" among the social
// considerations) is not read: the contract is flagged instead.
var declaredSpellings = func() map[string]spelling {
	m := map[string]spelling{}
	add := func(kind int, d Declaration, spellings ...string) {
		for _, s := range spellings {
			m[s] = spelling{d, kind}
		}
	}
	add(socialKind, Declaration{Clause: true}, "clause sociale", "clauses sociales", "clause social",
		"clauses sociale", "clause d'insertion", "clauses d'insertion")
	add(envKind, Declaration{Clause: true}, "clause environnementale", "clauses environnementales",
		"clause environnemental")
	add(anyKind, Declaration{Clause: true}, "oui", "yes", "true", "1")
	add(socialKind, Declaration{Criterion: true}, "critere social", "criteres sociaux", "critere sociale",
		"criteres sociales")
	add(envKind, Declaration{Criterion: true}, "critere environnemental", "criteres environnementaux",
		"critere environnementale", "criteres environnementales")
	add(socialKind, Declaration{Reserved: true}, "marche reserve", "marches reserves", "concession reservee",
		"concessions reservees")
	add(socialKind, Declaration{None: true}, "pas de consideration sociale", "pas de considerations sociales",
		"aucune consideration sociale", "sans consideration sociale")
	add(envKind, Declaration{None: true}, "pas de consideration environnementale",
		"pas de considerations environnementales", "aucune consideration environnementale",
		"sans consideration environnementale")
	add(anyKind, Declaration{None: true}, "sans objet", "non", "no", "false", "0", "aucune", "aucun", "neant",
		"non concerne", "non applicable", "pas de consideration", "pas de considerations")
	return m
}()

// declaredPrefix reads a value that begins with a known spelling and
// goes on with details ("Marché réservé (article L2113-12)").
func declaredPrefix(part string) (spelling, bool) {
	for _, p := range []string{"marche reserve", "marches reserves", "concession reservee", "clause sociale",
		"clauses sociales", "clause environnementale", "clauses environnementales", "critere social",
		"criteres sociaux", "critere environnemental", "criteres environnementaux", "pas de consideration"} {
		if strings.HasPrefix(part, p+" ") || strings.HasPrefix(part, p+"(") {
			return declaredSpellings[p], true
		}
	}
	return spelling{}, false
}

// normDeclared folds a declared value (lower case, no accents, single
// spaces, no final full stop).
func normDeclared(s string) string {
	s = strings.Join(strings.Fields(fold(s)), " ")
	return strings.TrimRight(s, ". ")
}

// splitDeclared cuts a value joined from several ("a, b", "a; b", "a et
// b", "a / b", "a | b", "a + b").
func splitDeclared(v string) []string {
	f := func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '/' || r == '+' }
	var out []string
	for _, p := range strings.FieldsFunc(strings.ReplaceAll(v, " et ", ","), f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
