package boamp

import (
	"strings"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

// fnsRoots are the roots of the national forms (schema 3.x): FNSimple
// and its siblings. Their layout is the same below the root.
var fnsRoots = map[string]bool{"FNSimple": true, "MAPA": true, "DSP": true, "DIVERS": true, "FNS": true, "JOUE": true}

// execution-condition fields of the national forms (the ones a buyer
// writes clauses in).
var fnsExecFields = []string{"conditionExecution", "conditionsExecution", "conditionParticuliereExecution", "clauseExecution"}

// parseFNS reads a national-form notice: g is GESTION, root the FNSimple
// (or MAPA, DSP, DIVERS) element.
func parseFNS(g, root *doctree.Node) *notice.Notice {
	n := &notice.Notice{Source: "boamp", Format: "fns", Kind: notice.KindOther}
	if v := g.Path("INDEXATION").Str("SCHEMA"); v != "" {
		n.Format = "fns-" + v
	}
	fromGestion(n, g)
	org := root.Kid("organisme")
	n.BuyerName = firstNonEmpty(org.Str("nomOfficiel"), n.BuyerName)
	if org.Kid("typeIdentificationNational").Kid("siret") != nil || org.Kid("typeIdentificationNational") == nil {
		n.BuyerSIRET = siret(org.Str("codeIdentificationNational"))
	}
	// initial, rectif, attribution…: the body under the root besides organisme.
	body := root.Kid("initial")
	if body == nil {
		for _, k := range root.Kids {
			if k.Name != "organisme" {
				body = k
				break
			}
		}
	}
	switch strings.ToLower(bodyName(body)) {
	case "rectif", "rectificatif", "modification":
		n.Kind = notice.KindCorrection
	case "annulation":
		n.Kind = notice.KindCancellation
	case "attribution", "resultat":
		if n.Kind == notice.KindOther || n.Kind == notice.KindCall {
			n.Kind = notice.KindAward
		}
	}
	nm := body.Find("natureMarche")
	if nm != nil {
		n.Object = join(nm.Str("intitule"), nm.Str("description"))
		for _, c := range nm.Find("codeCPV").Children() {
			n.CPV = notice.AddUnique(n.CPV, cpvOf(c)...)
		}
		if mt := marketType(nm.Kid("natureMarche").First()); mt != "" {
			n.MarketType = mt
		}
		if rm := nm.Kid("reservationMarche"); rm != nil {
			for _, k := range rm.Kids {
				n.Declared = append(n.Declared, clause.FromBOAMP("reservationMarche/"+k.Name, "DONNEES/"+root.Name+"/"+body.Name+"/natureMarche/reservationMarche/"+k.Name)...)
				for _, kk := range k.Kids { // the kind of reservation, when given
					n.Declared = append(n.Declared, clause.FromBOAMP("reservationMarche/"+k.Name+"/"+kk.Name, "DONNEES/"+root.Name+"/"+body.Name+"/natureMarche/reservationMarche/"+k.Name+"/"+kk.Name)...)
				}
			}
		}
	}
	proc := body.Kid("procedure")
	if t, ok := parseDeadline(proc.Str("dateReceptionOffres")); ok && n.Deadline == nil {
		n.Deadline = &t
	}
	if t, ok := parseDeadline(proc.Str("dateReceptionCandidatures")); ok && n.Deadline == nil {
		n.Deadline = &t
	}
	n.ParticipConds = join(proc.Str("capaciteExercice"), proc.Str("capaciteEcoFin"), proc.Str("capaciteTech"))
	n.AwardCriteria = fnsCriteria(proc)
	var exec []string
	for _, f := range fnsExecFields {
		if c := body.Find(f); c != nil {
			exec = append(exec, c.AllText())
		}
	}
	n.ExecutionConds = join(exec...)
	if ic := body.Kid("informComplementaire"); ic != nil {
		n.AdditionalInfo = join(ic.AllText())
	}
	body.Walk("", func(_ string, c *doctree.Node) bool {
		if strings.HasPrefix(strings.ToLower(c.Name), "titulaire") {
			name := firstNonEmpty(c.Str("nomOfficiel"), c.Str("denomination"), c.Str("DENOMINATION"), c.Text)
			n.Winners = notice.AddUnique(n.Winners, name)
			return false
		}
		return true
	})
	for i, l := range body.PathAll("lots/lot") {
		lot := notice.Lot{
			Number:        firstNonEmpty(l.Str("numero"), l.Str("numLot"), l.Str("num"), itoa(i+1)),
			Title:         plain(l.Str("intitule")),
			Description:   plain(l.Str("description")),
			AwardCriteria: fnsCriteria(l),
		}
		if lot.Title == "" {
			lot.Title = firstLine(lot.Description)
		}
		for _, c := range l.Find("codeCPV").Children() {
			lot.CPV = notice.AddUnique(lot.CPV, cpvOf(c)...)
		}
		if rm := l.Kid("reservationMarche"); rm != nil {
			for _, k := range rm.Kids {
				lot.Declared = append(lot.Declared, clause.FromBOAMP("reservationMarche/"+k.Name, "DONNEES/"+root.Name+"/lots/lot["+lot.Number+"]/reservationMarche/"+k.Name)...)
			}
		}
		var lexec []string
		for _, f := range fnsExecFields {
			if c := l.Find(f); c != nil {
				lexec = append(lexec, c.AllText())
			}
		}
		lot.ExecutionConds = join(lexec...)
		n.Lots = append(n.Lots, lot)
	}
	return n
}

func bodyName(n *doctree.Node) string {
	if n == nil {
		return ""
	}
	return n.Name
}

// cpvOf reads the codes of one codeCPV entry (objetPrincipal holds
// classPrincipale and maybe classSupplementaire).
func cpvOf(c *doctree.Node) []string {
	var out []string
	if c.Text != "" {
		out = append(out, notice.CPV(c.Text))
	}
	for _, k := range c.Kids {
		if strings.HasPrefix(k.Name, "class") && k.Text != "" {
			out = append(out, notice.CPV(k.Text))
		}
	}
	return out
}

func fnsCriteria(n *doctree.Node) string {
	if n == nil {
		return ""
	}
	var parts []string
	for _, k := range n.Kids {
		if strings.HasPrefix(k.Name, "criteres") || strings.HasPrefix(k.Name, "critere") {
			parts = append(parts, k.AllText())
		}
	}
	return join(parts...)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
