package boamp

import (
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

func TestParseDeadline(t *testing.T) {
	for in, want := range map[string]string{
		"2026-02-16T12:00:00.000+01:00": "2026-02-16T11:00:00Z",
		"2026-02-27T12:00:00":           "2026-02-27T11:00:00Z", // winter, Paris
		"2026-06-27T12:00:00":           "2026-06-27T10:00:00Z", // summer, Paris
		"2026-02-20T11:00:00.000":       "2026-02-20T10:00:00Z",
		"2015-04-20T12:00:00+01:00":     "2015-04-20T11:00:00Z",
		"2017-02-07":                    "2017-02-06T23:00:00Z",
	} {
		got, ok := parseDeadline(in)
		if !ok || got.Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("parseDeadline(%q) = %v %v, want %s", in, got, ok, want)
		}
	}
	if _, ok := parseDeadline("bientôt"); ok {
		t.Error("parseDeadline accepted text")
	}
}

func TestDepartementAndPlain(t *testing.T) {
	for in, want := range map[string]string{"2": "02", "02": "02", "2a": "2A", "971": "971", " 75 ": "75"} {
		if got := notice.Departement(in); got != want {
			t.Errorf("Departement(%q) = %q, want %q", in, got, want)
		}
	}
	if got := plain("Repas &amp; goûters<br/>du  département <b>entier</b>"); got != "Repas & goûters\ndu département entier" {
		t.Errorf("plain = %q", got)
	}
}

// The same V230 content as XML and as the API's JSON parses the same.
func TestXMLAndJSONAgree(t *testing.T) {
	x, err := doctree.ParseXML(strings.NewReader(`<ANNONCE><GESTION><REFERENCE><IDWEB>1-1</IDWEB><TYPE_AVIS><NATURE><ATTRIBUTION/></NATURE></TYPE_AVIS></REFERENCE>
		<INDEXATION><DEP_PUBLICATION>08</DEP_PUBLICATION></INDEXATION></GESTION>
		<DONNEES><OBJET><CPV><PRINCIPAL>45000000</PRINCIPAL></CPV></OBJET><CONDITION_PARTICIPATION><MARCHE_RESERVE_OUI><EMPLOIS_PROTEGES/></MARCHE_RESERVE_OUI></CONDITION_PARTICIPATION></DONNEES></ANNONCE>`))
	if err != nil {
		t.Fatal(err)
	}
	nx, err := ParseXML(x)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := doctree.FromJSON("GESTION", []byte(`{"REFERENCE":{"IDWEB":"1-1","TYPE_AVIS":{"NATURE":{"ATTRIBUTION":""}}},"INDEXATION":{"DEP_PUBLICATION":"08"}}`))
	d, _ := doctree.FromJSON("DONNEES", []byte(`{"OBJET":{"CPV":{"PRINCIPAL":"45000000"}},"CONDITION_PARTICIPATION":{"MARCHE_RESERVE_OUI":{"EMPLOIS_PROTEGES":""}}}`))
	nj, err := fromDonnees(g, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*notice.Notice{nx, nj} {
		if n.ID != "1-1" || n.Kind != notice.KindAward || strings.Join(n.CPV, ",") != "45000000" ||
			strings.Join(n.Departements, ",") != "08" || len(n.Declared) < 2 {
			t.Errorf("%+v", n)
		}
	}
	if len(nx.Declared) != len(nj.Declared) {
		t.Errorf("declared evidence differs: XML %v, JSON %v", nx.Declared, nj.Declared)
	}
}
