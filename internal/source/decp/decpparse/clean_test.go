package decpparse

import "testing"

func TestSiret(t *testing.T) {
	for s, want := range map[string]bool{"21350238800019": true, "13001845000028": true, "35600000000048": true,
		"21350238800018": false, "4781914061": false, "2135023880001A": false} {
		if got := validSiret(cleanSiret(s)); got != want {
			t.Errorf("validSiret(%q) = %v", s, got)
		}
	}
	if got := cleanSiret("213 502\u00a0388 00019"); got != "21350238800019" {
		t.Errorf("cleanSiret = %q", got)
	}
}

func TestCPV(t *testing.T) {
	for in, want := range map[string][2]string{"45000000-7": {"45000000", ""}, "9310000": {"09310000", FlagCPVPadded},
		"1": {"", FlagCPVInvalid}, "": {"", ""}, "4500000a": {"", FlagCPVInvalid}} {
		cpv, flag := normCPV(in)
		if cpv != want[0] || flag != want[1] {
			t.Errorf("normCPV(%q) = %q, %q", in, cpv, flag)
		}
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{"2018-12-17+01:00": "2018-12-17", "2018-12-17-05:00": "2018-12-17",
		"2024-01-02T10:00:00Z": "2024-01-02", "17/12/2018": "2018-12-17", "2018-02-30": "", "NC": "", "1969-12-31": ""} {
		d, ok := parseDate(in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProcedures(t *testing.T) {
	for in, want := range map[string]string{
		"Marché public négocié sans publicité ni mise en concurrence préalable": ProcSansPublicite,
		"Marché négocié sans publicité ni mise en concurrence préalable":        ProcSansPublicite,
		"Procédure concurrentielle avec négociation":                            ProcNegociee,
		"Procédure avec négociation":                                            ProcNegociee,
		"PROCEDURE ADAPTEE":                                                     ProcAdaptee,
		"Appel d’offres ouvert":                                                 ProcAOOuvert,
		"Procédure non négociée restreinte":                                     ProcNonNegRestreint,
	} {
		if got, known := procedure(in); got != want || !known {
			t.Errorf("procedure(%q) = %q, %v", in, got, known)
		}
	}
	if _, known := procedure("Autre chose"); known {
		t.Error("an unknown procedure was mapped")
	}
}

func TestPlaces(t *testing.T) {
	for _, tc := range []struct{ code, typ, dep, region string }{
		{"20000", "Code postal", "2A", "Corse"}, {"20200", "Code postal", "2B", "Corse"},
		{"97411", "Code postal", "974", "La Réunion"}, {"2A004", "Code commune", "2A", "Corse"},
		{"67067", "Code commune", "67", "Grand Est"}, {"1", "Code département", "01", "Auvergne-Rhône-Alpes"},
		{"976", "Code département", "976", "Mayotte"}, {"11", "Code région", "", "Île-de-France"},
		{"INO", "Code commune", "", ""}, {"FR", "Code pays", "", ""},
	} {
		p := Place{Code: tc.code, CodeType: tc.typ}
		derivePlace(&p)
		if p.Departement != tc.dep || p.Region != tc.region {
			t.Errorf("%s %s → %q %q, want %q %q", tc.typ, tc.code, p.Departement, p.Region, tc.dep, tc.region)
		}
	}
	// Every département maps to a named région.
	for d, r := range departementRegion {
		if regions[r] == "" {
			t.Errorf("département %s: région code %s has no name", d, r)
		}
	}
	if len(departementRegion) != 101 {
		t.Errorf("%d départements, want 101", len(departementRegion))
	}
}

func TestPlaceholderAndCap(t *testing.T) {
	for v, want := range map[float64]bool{999999: true, 9999999.99: true, 999999999: true, 99999: false, 1999999: false} {
		if isPlaceholder(v) != want {
			t.Errorf("isPlaceholder(%v) != %v", v, want)
		}
	}
}
