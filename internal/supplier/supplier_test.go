package supplier

import (
	"strings"
	"testing"
	"time"
)

func TestValidSIREN(t *testing.T) {
	for s, want := range map[string]bool{
		"016750697": true,  // real, from the SIRENE sample
		"552081317": true,  // EDF
		"016750698": false, // key broken
		"01675069":  false,
		"01675069A": false,
	} {
		if got := ValidSIREN(s); got != want {
			t.Errorf("ValidSIREN(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseFlagAndKinds(t *testing.T) {
	for v, want := range map[string][2]bool{"O": {true, true}, "N": {false, true}, "": {false, false}, "True": {true, true}, "false": {false, true}, "?": {false, false}} {
		y, ok := ParseFlag(v)
		if y != want[0] || ok != want[1] {
			t.Errorf("ParseFlag(%q) = %v, %v", v, y, ok)
		}
	}
	for kind, want := range map[string]string{"ACI": SIAE, "etti": SIAE, "EA": EA, "eatt": EA, "ESAT": ESAT, "sap": ""} {
		if c, _ := KindClass(kind); c != want {
			t.Errorf("KindClass(%q) = %q, want %q", kind, c, want)
		}
	}
	if SIRENOf("552 081 317 00012") != "552081317" || SIRENOf("abc") != "" {
		t.Error("SIRENOf")
	}
}

func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

func TestClassifyAsOfDate(t *testing.T) {
	facts := []Fact{
		{SIREN: "900000019", Class: ESS, Yes: false, Source: "sirene", KnownOn: day("2018-03-01")},
		{SIREN: "900000019", Class: ESS, Yes: true, Source: "sirene", KnownOn: day("2021-06-01")},
		{SIREN: "900000019", Class: SIAE, Yes: true, Kind: "aci", Source: "inclusion", KnownOn: day("2025-06-30")},
		{SIREN: "900000019", Class: SIAE, Yes: true, Kind: "ei", Source: "inclusion", KnownOn: day("2025-06-30")},
		{SIREN: "900000019", Class: SocieteMission, Yes: false, Source: "annuaire", KnownOn: day("2024-01-01")},
	}
	names := func(ms []Membership) string {
		var s []string
		for _, m := range ms {
			x := m.Class + "@" + m.KnownOn.Format("2006") + ":" + strings.Join(m.Kinds, "+")
			if m.Later {
				x += "(later)"
			}
			s = append(s, x)
		}
		return strings.Join(s, " ")
	}
	// 2019: SIRENE said "not ESS" then; the SIAE list only knows 2025.
	if got := names(Classify(facts, day("2019-05-01"))); got != "siae@2025:aci+ei(later)" {
		t.Errorf("2019: %s", got)
	}
	// 2022: ESS since 2021.
	if got := names(Classify(facts, day("2022-05-01"))); got != "ess@2021: siae@2025:aci+ei(later)" {
		t.Errorf("2022: %s", got)
	}
	if got := names(Classify(facts, day("2026-01-01"))); got != "ess@2021: siae@2025:aci+ei" {
		t.Errorf("2026: %s", got)
	}
}
