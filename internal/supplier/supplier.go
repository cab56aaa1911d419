// Package supplier is what vigie knows of the enterprises that win public
// contracts: facts, each from one reference source and known on one date,
// that place a SIREN in the classes the inclusive-spend measures count.
package supplier

import (
	"slices"
	"strings"
	"time"
)

// Classes of a supplier. A fact of class Unit carries the unit itself
// (name, state, legal category): it says the SIREN exists in the source.
const (
	Unit           = "unit"
	ESS            = "ess"             // économie sociale et solidaire (loi 2014-856, art. 1)
	SIAE           = "siae"            // structure d'insertion par l'activité économique (L.5132-4 code du travail)
	EA             = "ea"              // entreprise adaptée
	ESAT           = "esat"            // établissement et service d'aide par le travail
	SocieteMission = "societe_mission" // société à mission (loi PACTE)
)

// Classes lists the classes a supplier can be placed in, in display order.
var Classes = []string{ESS, SIAE, EA, ESAT, SocieteMission}

// Fact is one thing a source says of a SIREN.
type Fact struct {
	SIREN string
	SIRET string // the establishment, when the source names one
	Class string
	// Yes: the source says the unit is of the class; false: it says it is
	// not (SIRENE's ESS flag "N"). A fact of class Unit is always Yes.
	Yes           bool
	Kind          string // SIAE kind (ei, ai, aci, etti, eiti, geiq), ea or eatt, esat
	Name          string
	Active        *bool // unit still active (SIRENE "A"), nil when the source does not say
	LegalCategory string
	KnownOn       time.Time // when the source knew it
	Position      string    // where in the input (line or row), for provenance
	Source        string    // the source that said it (set when read back; the writer knows its own)
}

// ValidSIREN tells a 9-digit SIREN with a valid Luhn key (La Poste's
// 356000000 passes: its establishments use another rule, not its SIREN).
func ValidSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// SIRENOf is the SIREN of a SIRET or SIREN given with or without spaces,
// "" when it is neither.
func SIRENOf(id string) string {
	id = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '.' {
			return -1
		}
		return r
	}, id)
	if len(id) == 14 || len(id) == 9 {
		for i := 0; i < len(id); i++ {
			if id[i] < '0' || id[i] > '9' {
				return ""
			}
		}
		return id[:9]
	}
	return ""
}

// ParseFlag reads the yes/no forms sources use: SIRENE's O/N, booleans
// written true/false, True/False, 1/0, oui/non. ok is false when the
// value says nothing (empty or unknown).
func ParseFlag(v string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "o", "oui", "true", "1", "t", "y", "yes":
		return true, true
	case "n", "non", "false", "0", "f", "no":
		return false, true
	}
	return false, false
}

// ParseDate reads a date or a datetime's date part (YYYY-MM-DD...).
func ParseDate(v string) (time.Time, bool) {
	if len(v) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", v[:10])
	return t, err == nil
}

// KindClass maps a structure kind as the inclusion sources write it
// (Le marché de l'inclusion's kind, data·inclusion's réseaux porteurs,
// the Annuaire's type_siae) to its class and normalised kind.
func KindClass(kind string) (class, norm string) {
	k := strings.ToLower(strings.TrimSpace(kind))
	switch k {
	case "ei", "ai", "aci", "etti", "eiti", "geiq", "sep":
		return SIAE, k
	case "ea", "eatt":
		return EA, k
	case "esat":
		return ESAT, k
	}
	return "", ""
}

// Membership is a supplier's standing in one class as of a date.
type Membership struct {
	Class   string    `json:"class"`
	Kinds   []string  `json:"kinds,omitempty"`
	Source  string    `json:"source"`
	KnownOn time.Time `json:"known_on"`
	// Later: no source knew the class on the date asked, so the earliest
	// later fact stands in for it (reference data is rarely historised:
	// SIRENE dates the ESS flag by the unit's last processing, the
	// Annuaire and the inclusion lists give today's state).
	Later bool `json:"later,omitempty"`
}

// Classify places a SIREN in the classes its facts say, as of date on:
// for each class and source, the newest fact known on or before on, else
// the earliest fact after it (marked Later). A class is held when any
// source's standing fact says yes; a source's "no" does not outweigh
// another's "yes" (the sources cover different registers: INSEE's ESS
// flag, ESS France's list). Classes come in the order of Classes.
func Classify(facts []Fact, on time.Time) []Membership {
	type key struct{ class, source string }
	standing := map[key][]Fact{}
	for _, f := range facts {
		if f.Class == Unit {
			continue
		}
		k := key{f.Class, f.Source}
		cur := standing[k]
		switch {
		case len(cur) == 0:
			standing[k] = []Fact{f}
		case better(f.KnownOn, cur[0].KnownOn, on):
			standing[k] = []Fact{f}
		case f.KnownOn.Equal(cur[0].KnownOn):
			standing[k] = append(cur, f) // several kinds known the same day
		}
	}
	var out []Membership
	for _, class := range Classes {
		var m *Membership
		for k, fs := range standing {
			if k.class != class {
				continue
			}
			for _, f := range fs {
				if !f.Yes {
					continue
				}
				if m == nil || better(f.KnownOn, m.KnownOn, on) || (f.KnownOn.Equal(m.KnownOn) && k.source < m.Source) {
					m = &Membership{Class: class, Source: k.source, KnownOn: f.KnownOn, Later: f.KnownOn.After(on)}
				}
			}
		}
		if m == nil {
			continue
		}
		for k, fs := range standing {
			if k.class != class {
				continue
			}
			for _, f := range fs {
				if f.Yes && f.Kind != "" && !contains(m.Kinds, f.Kind) {
					m.Kinds = append(m.Kinds, f.Kind)
				}
			}
		}
		slices.Sort(m.Kinds)
		out = append(out, *m)
	}
	return out
}

// better says whether a fact known on a stands for date on better than
// one known on b: known by then and newer, or both later and earlier.
func better(a, b, on time.Time) bool {
	aBefore, bBefore := !a.After(on), !b.After(on)
	switch {
	case aBefore && !bBefore:
		return true
	case !aBefore && bBefore:
		return false
	case aBefore:
		return a.After(b)
	default:
		return a.Before(b)
	}
}

func contains(l []string, s string) bool { return slices.Contains(l, s) }
