package web

import (
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
)

func marked(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// The evidence sentence is cut at the sentence ends around the span and
// every match of the same field inside it is marked, by rune offsets.
func TestSentence(t *testing.T) {
	text := "Objet : travaux. Le titulaire réalise des heures d'insertion au profit de publics éloignés de l'emploi ; clause sociale obligatoire. Fin."
	rs := []rune(text)
	at := func(s string) (int, int) {
		i := strings.Index(text, s)
		start := len([]rune(text[:i]))
		return start, start + len([]rune(s))
	}
	s1, e1 := at("heures d'insertion")
	s2, e2 := at("éloignés de l'emploi")
	ev := []clause.Evidence{
		{Label: clause.SocialClause, Origin: clause.Detected, Field: "object", Text: string(rs[s1:e1]), Start: s1, End: e1},
		{Label: clause.SocialClause, Origin: clause.Detected, Field: "object", Text: string(rs[s2:e2]), Start: s2, End: e2},
	}
	got := marked(sentence(text, ev[0], ev))
	want := " Le titulaire réalise des [heures d'insertion] au profit de publics [éloignés de l'emploi] ;"
	if got != want {
		t.Errorf("sentence:\n got %q\nwant %q", got, want)
	}
	// Offsets that do not hold the text (an older detector): found by text.
	moved := ev[0]
	moved.Start, moved.End = 0, 5
	if got := marked(sentence(text, moved, nil)); !strings.Contains(got, "[heures d'insertion]") {
		t.Errorf("moved offsets: %q", got)
	}
	// No text for the field: the evidence alone, marked.
	if got := marked(sentence("", ev[0], ev)); got != "[heures d'insertion]" {
		t.Errorf("no text: %q", got)
	}
	// A negative evidence is not shown as the reason.
	neg := []clause.Evidence{{Label: clause.Reserved, Origin: clause.Detected, Field: "object", Text: "pas réservé", Negative: true}}
	if s := snippets(neg, func(string) string { return "" }); len(s) != 0 {
		t.Errorf("negative evidence shown: %+v", s)
	}
}

func TestShortTitle(t *testing.T) {
	if ti, long := shortTitle("Nettoyage des locaux"); ti != "Nettoyage des locaux" || long {
		t.Errorf("short: %q %v", ti, long)
	}
	ti, long := shortTitle("Prestations traiteurs\nL'accord-cadre a pour objet…")
	if ti != "Prestations traiteurs" || !long {
		t.Errorf("first line: %q %v", ti, long)
	}
	ti, _ = shortTitle(strings.Repeat("mot ", 100))
	if n := len([]rune(ti)); n > 161 || !strings.HasSuffix(ti, "…") {
		t.Errorf("cut: %d runes %q", n, ti)
	}
}

func TestSearchBuyers(t *testing.T) {
	var dir []dirEntry
	for _, b := range []store.DirectoryBuyer{
		{Siret: "21690123100011", Name: "Ville de Lyon", Contracts: 10},
		{Siret: "13001845000028", Name: "GIP Maximilien", Contracts: 40},
		{Siret: "26830066200015", Name: "C.C.A.S. de Toulon — École", Notices: 2},
	} {
		dir = append(dir, dirEntry{b, fold(b.Name)})
	}
	names := func(hits []store.DirectoryBuyer) string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Siret)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"lyon":           "21690123100011",
		"ECOLE toulon":   "26830066200015",
		"130018450":      "13001845000028",
		"21690123100011": "21690123100011",
		"de":             "21690123100011,26830066200015",
		"nantes":         "",
	} {
		if got, _ := searchBuyers(dir, q); names(got) != want {
			t.Errorf("%q: %s, want %s", q, names(got), want)
		}
	}
}

// Every chart carries its title, description, axis label with its unit
// and legend; shares above the axis end are drawn at the end.
func TestChart(t *testing.T) {
	half, none := 0.5, (*float64)(nil)
	c := barChart{ID: "c", Title: "Titre", Desc: "Desc", XLabel: "Année", YLabel: "Part des contrats (%)",
		Categories: []string{"2023", "unknown"}, Series: []series{{"Déclaré", "declared", []*float64{&half, none}}, {"Détecté", "detected", []*float64{none, &half}}}}
	for _, svg := range []string{string(c.Vertical()), string(c.Horizontal())} {
		for _, want := range []string{`<title id="c-t">Titre</title>`, `<desc id="c-d">Desc</desc>`, "Part des contrats (%)", "Déclaré", "Détecté",
			`class="declared"`, `class="detected"`, "50\u00a0%", "non renseigné", `role="img"`} {
			if !strings.Contains(svg, want) {
				t.Errorf("chart lacks %q", want)
			}
		}
	}
	if n := strings.Count(string(c.Vertical()), "<rect"); n != 2 {
		t.Errorf("%d bars for two figures", n)
	}
}

func TestFrenchNumbers(t *testing.T) {
	if got := fmtInt(1234567); got != "1\u202f234\u202f567" {
		t.Errorf("fmtInt: %q", got)
	}
	v := 0.1234
	if got := fmtShare(&v); got != "12,3\u00a0%" {
		t.Errorf("fmtShare: %q", got)
	}
	if got := fmtShare(nil); got != "n.d." {
		t.Errorf("nil share: %q", got)
	}
}
