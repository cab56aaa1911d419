package boamp

import (
	"strings"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

// fromGestion fills what the GESTION block says (identity, family,
// nature, status, publication, deadline with its offset, départements,
// descriptors, the previous notice) — common to V230 and the national
// forms.
func fromGestion(n *notice.Notice, g *doctree.Node) {
	if g == nil {
		return
	}
	ref := g.Kid("REFERENCE")
	if id := ref.Str("IDWEB"); id != "" {
		n.ID = id
	}
	tv := ref.Kid("TYPE_AVIS")
	if f := tv.Kid("FAMILLE").First(); f != "" {
		n.Family = f
	}
	nature := tv.Kid("NATURE").First()
	statut := tv.Kid("STATUT").First()
	if k := kindOf(nature, statut); k != "" {
		n.Kind = k
	}
	for _, a := range g.PathAll("MARCHE/ANNONCE_ANTERIEUR") {
		if id := a.Str("REFERENCE/IDWEB"); id != "" && n.ParentID == "" {
			n.ParentID = id
		}
	}
	ix := g.Kid("INDEXATION")
	if d, ok := parseDate(ix.Str("DATE_PUBLICATION")); ok {
		n.PublicationDate = d
	}
	if t, ok := parseDeadline(ix.Str("DATE_LIMITE_REPONSE")); ok {
		n.Deadline = &t
	}
	for _, d := range ix.All("DEP_PUBLICATION") {
		n.Departements = notice.AddUnique(n.Departements, notice.Departement(d.Text))
	}
	for _, d := range ix.PathAll("DESCRIPTEURS/DESCRIPTEUR") {
		n.Descriptors = notice.AddUnique(n.Descriptors, d.Str("CODE"))
	}
	if n.BuyerName == "" {
		n.BuyerName = ix.Str("NOMORGANISME")
	}
	if p := ix.Kid("TYPE_PROCEDURE").First(); p != "" && n.Procedure == "" {
		n.Procedure = p
	}
	if mt := marketType(ix.Kid("NATURE_MARCHE").First()); mt != "" {
		n.MarketType = mt
	}
	if n.Object == "" {
		n.Object = plain(ix.Str("RESUME_OBJET"))
	}
	for _, c := range ix.Kid("CRITERES_SOCIAUX_ENV").Children() {
		n.Declared = append(n.Declared, clause.FromBOAMP(c.Name, "GESTION/INDEXATION/CRITERES_SOCIAUX_ENV/"+c.Name)...)
	}
}

// kindOf maps the BOAMP nature and status to a notice kind.
func kindOf(nature, statut string) string {
	switch strings.ToUpper(statut) {
	case "RECTIFICATIF", "MODIFICATION":
		return notice.KindCorrection
	case "ANNULATION", "AVIS_ANNULE", "ANNULE":
		return notice.KindCancellation
	}
	switch strings.ToUpper(nature) {
	case "APPEL_OFFRE", "AVIS_MARCHE", "CONCOURS":
		return notice.KindCall
	case "ATTRIBUTION", "RESULTAT", "ATTRIBUTION_PARTIELLE":
		return notice.KindAward
	case "RECTIFICATIF", "MODIFICATION":
		return notice.KindCorrection
	case "ANNULATION":
		return notice.KindCancellation
	case "PRE-INFORMATION", "PRE_INFORMATION", "PREINFORMATION", "AVIS_PREINFORMATION", "PERIODIQUE":
		return notice.KindPrior
	case "":
		return ""
	}
	return notice.KindOther
}

// marketType maps BOAMP's and the forms' names to works/supplies/services.
func marketType(s string) string {
	switch strings.ToUpper(s) {
	case "TRAVAUX":
		return "works"
	case "FOURNITURES", "FOURNITURE":
		return "supplies"
	case "SERVICES", "SERVICE":
		return "services"
	}
	return ""
}

// structured element names of V230 that carry declared evidence; the
// clause package decides what each means.
var v230Codes = map[string]bool{
	"MARCHE_RESERVE_OUI": true, "MARCHE_RESERVE_NON": true, "ATELIERS_PROTEGES": true,
	"EMPLOIS_PROTEGES": true, "PRESTATION_RESERVEE_OUI": true, "PRESTATION_RESERVEE_NON": true,
	"SOCIAUX": true, "ENVIRONNEMENTAUX": true, "CLAUSE_SOCIALE": true, "CLAUSE_ENVIRONNEMENTALE": true,
}

// declared collects the evidence of the structured codes under n.
func declared(n *doctree.Node, base string) []clause.Evidence {
	var out []clause.Evidence
	n.Walk(base, func(path string, c *doctree.Node) bool {
		if c.Name == "LOT" && strings.HasSuffix(path, "/LOTS/LOT") {
			return false // a lot's codes belong to the lot
		}
		if v230Codes[c.Name] {
			out = append(out, clause.FromBOAMP(c.Name, path)...)
		}
		return true
	})
	return out
}

// parseV230 reads a notice in the Boamp_v230 layout (XML, or the API's
// JSON of it): g is GESTION, d is DONNEES.
func parseV230(g, d *doctree.Node) *notice.Notice {
	n := &notice.Notice{Source: "boamp", Format: "v230", Kind: notice.KindOther}
	fromGestion(n, g)
	id := d.Kid("IDENTITE")
	n.BuyerName = firstNonEmpty(id.Str("DENOMINATION"), n.BuyerName)
	n.BuyerSIRET = siret(firstNonEmpty(id.Str("SIRET"), id.Str("CODE_IDENT_NATIONAL")))

	obj := d.Kid("OBJET")
	n.Object = join(obj.Str("TITRE_MARCHE"), obj.Str("OBJET_COMPLET"))
	if n.Object == "" {
		n.Object = plain(g.Path("INDEXATION").Str("RESUME_OBJET"))
	}
	if mt := marketType(obj.Kid("TYPE_MARCHE").First()); mt != "" {
		n.MarketType = mt
	}
	for _, c := range obj.All("CPV") {
		for _, k := range c.Kids {
			n.CPV = notice.AddUnique(n.CPV, notice.CPV(k.Text))
		}
	}
	proc := d.Kid("PROCEDURE")
	if p := proc.Kid("TYPE_PROCEDURE").First(); p != "" {
		n.Procedure = p
	}
	n.AwardCriteria = criteria(proc.Kid("CRITERES_ATTRIBUTION"))
	if n.Deadline == nil {
		for _, k := range []string{"RECEPT_OFFRES", "RECEPT_CANDIDAT"} {
			if t, ok := parseDeadline(d.Path("CONDITION_DELAI").Str(k)); ok {
				n.Deadline = &t
				break
			}
		}
	}
	cp := d.Kid("CONDITION_PARTICIPATION")
	var partic []string
	for _, c := range cp.Children() {
		switch {
		case c.Name == "CONDITION_PARTICULIERE_EXECUTION":
			n.ExecutionConds = join(n.ExecutionConds, c.AllText())
		case !v230Codes[c.Name]:
			partic = append(partic, c.AllText())
		}
	}
	n.ParticipConds = join(partic...)
	if e := d.Path("CONDITION_RELATIVE_MARCHE").Find("CONDITION_PARTICULIERE_EXECUTION"); e != nil {
		n.ExecutionConds = join(n.ExecutionConds, e.AllText())
	}
	rc := d.Kid("RENSEIGNEMENTS_COMPLEMENTAIRES")
	n.AdditionalInfo = join(rc.Str("RENS_COMPLEMENT"), obj.Str("LOTS_RESERVE_POUVOIR_ADJUDICATEUR"))
	for _, t := range d.PathAll("ATTRIBUTION/DECISION/TITULAIRE") {
		n.Winners = notice.AddUnique(n.Winners, strings.TrimSpace(t.Str("DENOMINATION")))
	}
	for _, t := range d.PathAll("ATTRIBUTION/LOT/DECISION/TITULAIRE") {
		n.Winners = notice.AddUnique(n.Winners, strings.TrimSpace(t.Str("DENOMINATION")))
	}
	n.Declared = append(n.Declared, declared(d, "DONNEES")...)
	for i, l := range obj.PathAll("LOTS/LOT") {
		lot := notice.Lot{
			Number:         firstNonEmpty(l.Str("NUM"), itoa(i+1)),
			Title:          plain(l.Str("INTITULE")),
			Description:    plain(l.Str("DESCRIPTION")),
			AwardCriteria:  criteria(l.Kid("CRITERES_ATTRIBUTION")),
			ExecutionConds: join(l.Str("CONDITION_PARTICULIERE_EXECUTION")),
		}
		for _, c := range l.All("CPV") {
			for _, k := range c.Kids {
				lot.CPV = notice.AddUnique(lot.CPV, notice.CPV(k.Text))
			}
		}
		path := "DONNEES/OBJET/LOTS/LOT[" + lot.Number + "]"
		l.Walk(path, func(p string, c *doctree.Node) bool {
			if v230Codes[c.Name] {
				lot.Declared = append(lot.Declared, clause.FromBOAMP(c.Name, p)...)
			}
			return true
		})
		n.Lots = append(n.Lots, lot)
	}
	return n
}

// criteria renders award criteria as text, weights included
// ("Prix (60)").
func criteria(c *doctree.Node) string {
	if c == nil {
		return ""
	}
	var parts []string
	c.Walk("", func(_ string, k *doctree.Node) bool {
		switch {
		case k.Name == "CRITERE" || k.Name == "critere":
			s := plain(k.Text)
			if w := firstNonEmpty(k.Attr("POIDS"), k.Attr("poids")); w != "" {
				s += " (" + w + ")"
			}
			parts = append(parts, s)
			return false
		case k.Text != "":
			parts = append(parts, plain(k.Text))
		case len(k.Kids) == 0 && k != c:
			parts = append(parts, k.Name) // CRITERES_PRIX, CRITERES_CCTP…
		}
		return true
	})
	return strings.Join(parts, "\n")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			return x
		}
	}
	return ""
}

// siret keeps a 14-digit SIRET (spaces removed), else "".
func siret(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u00a0", "")
	if len(s) != 14 {
		return ""
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return s
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
