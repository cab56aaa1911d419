package theme

import "testing"

func TestFromCPV(t *testing.T) {
	cases := map[string]string{
		"15800000-6":  Alimentation,
		"55524000-9":  Alimentation, // school catering
		"03221000":    Alimentation,
		"03410000-7":  Autre, // wood is not food
		"34110000-1":  Mobilite,
		"34144511-3":  Dechets, // refuse-collection vehicle beats transport equipment
		"60100000-9":  Mobilite,
		"45233160-8":  Mobilite, // cycle paths
		"45210000-2":  Habitat,
		"71000000-8":  Habitat,
		"45222100-9":  Dechets,
		"90511000-2":  Dechets,
		"90610000-6":  Dechets,
		"90910000-9":  Autre,
		"72000000-5":  Autre,
		"":            Autre,
		"  15000000 ": Alimentation,
		"abc":         Autre,
	}
	for cpv, want := range cases {
		if got := FromCPV(cpv); got != want {
			t.Errorf("FromCPV(%q) = %q, want %q", cpv, got, want)
		}
	}
}

func TestMappingIsWellFormed(t *testing.T) {
	known := map[string]bool{}
	for _, th := range All {
		known[th] = true
	}
	seen := map[string]bool{}
	for _, r := range Mapping {
		if !known[r.Theme] || r.Theme == Autre {
			t.Errorf("rule %q: theme %q", r.Prefix, r.Theme)
		}
		if seen[r.Prefix] {
			t.Errorf("prefix %q mapped twice", r.Prefix)
		}
		seen[r.Prefix] = true
		if digits(r.Prefix) != r.Prefix || r.Prefix == "" || r.Label == "" {
			t.Errorf("rule %+v malformed", r)
		}
	}
}
