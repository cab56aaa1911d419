package supplier

import "testing"

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
