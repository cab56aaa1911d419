package decp

import (
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// What the national consolidated files carry and JSON refuses — bare NaN,
// raw control characters in strings — and numbers out of range flag the
// field, not the record; "Clauses sociales" and "Oui" are declarations.
func TestLenientValues(t *testing.T) {
	st := storetest.New(t)
	sum := ingestFile(t, st, fixture("lenient-2022.json"), Options{})
	wantSummary(t, "lenient-2022", sum, 4, 4, 4, 0, 0, 0)

	c := current(t, st, "21750001630066", "L-1") // montant 1e400
	if c.Amount != nil || !has(c.QualityFlags, decpparse.FlagAmountInvalid) {
		t.Errorf("L-1: amount %v flags %v, want NULL and %s", f64(c.Amount), c.QualityFlags, decpparse.FlagAmountInvalid)
	}
	if flag8(c.DeclaredSocialClause)+flag8(c.DeclaredSocialCriterion)+flag8(c.DeclaredReserved) != "100" ||
		flag8(c.DeclaredEnvClause)+flag8(c.DeclaredEnvCriterion) != "10" {
		t.Errorf("L-1: \"Clauses sociales\" / \"Oui\" read as social %s%s%s env %s%s", flag8(c.DeclaredSocialClause),
			flag8(c.DeclaredSocialCriterion), flag8(c.DeclaredReserved), flag8(c.DeclaredEnvClause), flag8(c.DeclaredEnvCriterion))
	}
	c = current(t, st, "21750001630066", "L-2") // a 1 000-digit amount
	if c.Amount != nil || !has(c.QualityFlags, decpparse.FlagAmountInvalid) || f64(c.DurationMonths) != 24 {
		t.Errorf("L-2: amount %v duration %v flags %v", f64(c.Amount), f64(c.DurationMonths), c.QualityFlags)
	}
	c = current(t, st, "21750001630066", "L-3") // raw NUL, \x01, tab; dureeMois NaN
	if c.Object != "Travaux de voirie et reseaux" || !has(c.QualityFlags, decpparse.FlagControlChars) ||
		c.DurationMonths != nil || !has(c.QualityFlags, decpparse.FlagNaN) || f64(c.Amount) != 250000 {
		t.Errorf("L-3: object %q duration %v flags %v", c.Object, f64(c.DurationMonths), c.QualityFlags)
	}
	c = current(t, st, "21750001630066", "CC-N") // "concessionnaires": NaN
	if c.Kind != decpparse.KindConcession || !has(c.QualityFlags, decpparse.FlagNaN) || f64(c.Amount) != 1200000 {
		t.Errorf("CC-N: %+v", c)
	}
}
