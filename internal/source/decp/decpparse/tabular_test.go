package decpparse

import "testing"

func TestPadTabularCodes(t *testing.T) {
	cases := []struct {
		code, typ, want string
		fixed           bool
	}{
		{"6000", "Code postal", "06000", true},
		{"97100", "Code postal", "97100", false},
		{"1004", "Code commune", "01004", true},
		{"2A004", "Code commune", "2A004", false}, // letters: no zero was lost
		{"1", "Code département", "01", true},
		{"2B", "Code département", "2B", false},
		{"971", "Code département", "971", false},
		{"84", "Code région", "84", false},
		{"1", "Code région", "01", true},
		{"6000.0", "Code postal", "06000", true}, // an integer written as a float
		{"FR", "Code pays", "FR", false},
	}
	for _, c := range cases {
		got, fixed := padPlace(c.code, c.typ)
		if got != c.want || fixed != c.fixed {
			t.Errorf("padPlace(%q, %q) = %q, %v; want %q, %v", c.code, c.typ, got, fixed, c.want, c.fixed)
		}
	}
	for in, want := range map[string]string{"2130001600017": "02130001600017", "2.130001600017e+12": "02130001600017",
		"21300016000170": "21300016000170", "FR123": "FR123", "": ""} {
		if got, _ := padInt(in, 14); got != want {
			t.Errorf("padInt(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSniffTable(t *testing.T) {
	if f := sniffTable([]byte("PAR1\x15\x04")); f != FormatParquet {
		t.Errorf("parquet sniffed as %q", f)
	}
	if f := sniffTable([]byte("\xEF\xBB\xBFuid,id,nature,acheteur_id,titulaire_id,modification_id,donneesActuelles\n")); f != FormatCSV {
		t.Errorf("decp-processing CSV sniffed as %q", f)
	}
	if f := sniffTable([]byte("id;nom;siret\n")); f != "" {
		t.Errorf("another CSV sniffed as %q", f)
	}
}
