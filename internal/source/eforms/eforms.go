// Package eforms reads eForms UBL notices (ContractNotice,
// ContractAwardNotice, PriorInformationNotice) — as XML from TED or the
// DILA archives, or as the JSON the BOAMP API makes of them — into the
// notice model. It works on a doctree, so both containers share one
// parser.
package eforms

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

// Roots are the UBL document elements of eForms notices.
var Roots = map[string]string{
	"ContractNotice":         notice.KindCall,
	"ContractAwardNotice":    notice.KindAward,
	"PriorInformationNotice": notice.KindPrior,
}

// listName of a code → its business term, for the structured flags.
var terms = map[string]string{
	"reserved-procurement":   "BT-71",
	"reserved-execution":     "BT-736",
	"environmental-impact":   "BT-774",
	"social-objective":       "BT-775",
	"innovative-acquisition": "BT-776",
	"gpp-criteria":           "BT-805",
	"strategic-procurement":  "BT-06",
	"accessibility":          "BT-754",
	"award-criterion-type":   "BT-539",
}

var paris, _ = time.LoadLocation("Europe/Paris")

type org struct {
	name, companyID, postal, country string
}

// Parse reads the notice whose UBL root is root.
func Parse(root *doctree.Node) (*notice.Notice, error) {
	kind, ok := Roots[root.Name]
	if !ok {
		return nil, fmt.Errorf("eforms: root <%s> is not a notice", root.Name)
	}
	n := &notice.Notice{Source: "eforms", Format: "eforms", Kind: kind, Family: "JOUE"}
	for _, id := range root.All("ID") {
		if id.Attr("schemeName") == "notice-id" || n.ID == "" {
			n.ID = id.Text
		}
	}
	if n.ID == "" {
		return nil, fmt.Errorf("eforms: no notice id (BT-701)")
	}
	n.ContractFolderID = root.Str("ContractFolderID")
	ext := root.Path("UBLExtensions/UBLExtension/ExtensionContent/EformsExtension")
	if ch := ext.Path("Changes/ChangedNoticeIdentifier"); ch != nil {
		n.Kind = notice.KindCorrection
		n.ParentID = stripVersion(ch.Text)
	}
	n.URL = PageURL(ext.Str("Publication/NoticePublicationID"), n.ID)
	if d, ok := date(ext.Str("Publication/PublicationDate")); ok {
		n.PublicationDate = d
	} else if d, ok := date(root.Str("IssueDate")); ok {
		n.PublicationDate = d
	}
	orgs := map[string]org{}
	for _, o := range ext.PathAll("Organizations/Organization") {
		c := o.Kid("Company")
		orgs[c.Str("PartyIdentification/ID")] = org{
			name:      c.Str("PartyName/Name"),
			companyID: c.Str("PartyLegalEntity/CompanyID"),
			postal:    c.Str("PostalAddress/PostalZone"),
			country:   c.Str("PostalAddress/Country/IdentificationCode"),
		}
	}
	buyer := orgs[root.Str("ContractingParty/Party/PartyIdentification/ID")]
	n.BuyerName = buyer.name
	if s := strings.ReplaceAll(buyer.companyID, " ", ""); len(s) == 14 && buyer.country == "FRA" {
		n.BuyerSIRET = s
	}
	pp := root.Kid("ProcurementProject")
	n.Object = join(pp.Str("Name"), pp.Str("Description"))
	n.MarketType = pp.Str("ProcurementTypeCode")
	n.CPV = cpvs(pp)
	n.Procedure = root.Str("TenderingProcess/ProcedureCode")
	n.AdditionalInfo = join(texts(root.All("Note"))...)
	n.Declared = flags(pp, "ProcurementProject")

	var exec, award []string
	var deadline *time.Time
	for _, l := range root.All("ProcurementProjectLot") {
		lot := parseLot(l)
		if l.Kid("ID").Attr("schemeName") != "Lot" && l.Kid("ID").Attr("schemeName") != "" {
			continue // groups of lots and parts are not lots
		}
		for _, c := range lot.CPV {
			n.CPV = notice.AddUnique(n.CPV, c)
		}
		exec = append(exec, lot.ExecutionConds)
		award = append(award, lot.AwardCriteria)
		if t, ok := deadlineOf(l.Path("TenderingProcess/TenderSubmissionDeadlinePeriod")); ok && (deadline == nil || t.Before(*deadline)) {
			deadline = &t
		}
		if pc := l.Str("ProcurementProject/RealizedLocation/Address/PostalZone"); pc != "" {
			n.Departements = notice.AddUnique(n.Departements, dep(pc))
		}
		n.Lots = append(n.Lots, lot)
	}
	n.Deadline = deadline
	n.ExecutionConds = joinUnique(exec)
	n.AwardCriteria = joinUnique(award)
	if len(n.Departements) == 0 && buyer.country == "FRA" && buyer.postal != "" {
		n.Departements = []string{dep(buyer.postal)}
	}
	n.Winners = winners(ext, orgs)
	return n, nil
}

func parseLot(l *doctree.Node) notice.Lot {
	lp := l.Kid("ProcurementProject")
	lot := notice.Lot{
		Number:      l.Str("ID"),
		Title:       plain(lp.Str("Name")),
		Description: plain(lp.Str("Description")),
		CPV:         cpvs(lp),
	}
	tt := l.Kid("TenderingTerms")
	var exec []string
	for _, r := range tt.All("ContractExecutionRequirement") {
		if r.Kid("ExecutionRequirementCode").Attr("listName") == "conditions" {
			exec = append(exec, texts(r.All("Description"))...)
		}
	}
	lot.ExecutionConds = join(exec...)
	var crit []string
	for _, ac := range tt.PathAll("AwardingTerms/AwardingCriterion") {
		crit = append(crit, texts(ac.All("Description"))...)
		for _, s := range ac.All("SubordinateAwardingCriterion") {
			line := join(texts(s.All("Description"))...)
			if w := s.Find("ParameterNumeric"); w != nil && w.Text != "" {
				line += " (" + w.Text + ")"
			}
			crit = append(crit, line)
		}
	}
	lot.AwardCriteria = join(crit...)
	base := "ProcurementProjectLot[" + lot.Number + "]"
	lot.Declared = append(flags(lp, base+"/ProcurementProject"), flags(tt, base+"/TenderingTerms")...)
	for _, e := range lot.Declared {
		if e.Label == clause.Reserved && strings.Contains(e.Field, "TendererRequirementTypeCode") {
			v := !e.Negative
			lot.Reserved = &v
		}
	}
	return lot
}

// flags turns every code with a known listName under n into declared
// evidence (clause.FromEForms decides what it means).
func flags(n *doctree.Node, base string) []clause.Evidence {
	var out []clause.Evidence
	n.Walk(base, func(path string, c *doctree.Node) bool {
		if c.Name == "ProcurementProjectLot" {
			return false
		}
		if bt, ok := terms[c.Attr("listName")]; ok && c.Text != "" {
			out = append(out, clause.FromEForms(bt, c.Text, path)...)
		}
		return true
	})
	return out
}

// winners follows the chosen tenders to their tenderers' names.
func winners(ext *doctree.Node, orgs map[string]org) []string {
	res := ext.Kid("NoticeResult")
	if res == nil {
		return nil
	}
	won := map[string]bool{}
	for _, lr := range res.All("LotResult") {
		if lr.Str("TenderResultCode") != "selec-w" {
			continue
		}
		for _, t := range lr.All("LotTender") {
			won[t.Str("ID")] = true
		}
	}
	parties := map[string]bool{}
	for _, t := range res.All("LotTender") {
		if won[t.Str("ID")] {
			parties[t.Str("TenderingParty/ID")] = true
		}
	}
	var out []string
	for _, tp := range res.All("TenderingParty") {
		if !parties[tp.Str("ID")] {
			continue
		}
		for _, t := range tp.All("Tenderer") {
			if o, ok := orgs[t.Str("ID")]; ok && o.name != "" {
				out = notice.AddUnique(out, o.name)
			}
		}
	}
	return out
}

func cpvs(pp *doctree.Node) []string {
	var out []string
	for _, name := range []string{"MainCommodityClassification", "AdditionalCommodityClassification"} {
		for _, c := range pp.All(name) {
			out = notice.AddUnique(out, notice.CPV(c.Str("ItemClassificationCode")))
		}
	}
	return out
}

// deadlineOf reads BT-131: EndDate "2024-02-28+02:00" and EndTime
// "12:00:00+02:00" (the offset of either; Paris time when neither has one).
func deadlineOf(p *doctree.Node) (time.Time, bool) {
	d := p.Str("EndDate")
	if len(d) < 10 {
		return time.Time{}, false
	}
	tm := p.Str("EndTime")
	if tm == "" {
		tm = "23:59:59"
	}
	off := ""
	if len(tm) > 8 {
		off, tm = tm[8:], tm[:8]
	} else if len(d) > 10 {
		off = d[10:]
	}
	if off == "Z" || off == "" {
		if off == "Z" {
			t, err := time.Parse("2006-01-02T15:04:05", d[:10]+"T"+tm)
			return t, err == nil
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05", d[:10]+"T"+tm, paris)
		return t.UTC(), err == nil
	}
	t, err := time.Parse("2006-01-02T15:04:05Z07:00", d[:10]+"T"+tm+off)
	return t.UTC(), err == nil
}

func date(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// dep is the département of a French postal code.
func dep(pc string) string {
	pc = strings.TrimSpace(pc)
	if len(pc) != 5 {
		return ""
	}
	if strings.HasPrefix(pc, "97") || strings.HasPrefix(pc, "98") {
		return pc[:3]
	}
	if strings.HasPrefix(pc, "20") { // Corsica: 200xx-201xx 2A, 202xx-206xx 2B
		if pc[2] < '2' {
			return "2A"
		}
		return "2B"
	}
	return pc[:2]
}

// stripVersion drops the "-01" version suffix of a changed notice id.
func stripVersion(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 3 && s[len(s)-3] == '-' {
		return s[:len(s)-3]
	}
	return s
}

func texts(ns []*doctree.Node) []string {
	// Prefer French when the text is given in several languages.
	var fra, all []string
	for _, n := range ns {
		all = append(all, n.Text)
		if n.Attr("languageID") == "FRA" {
			fra = append(fra, n.Text)
		}
	}
	if len(fra) > 0 {
		return fra
	}
	return all
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = plain(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

func joinUnique(parts []string) string {
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

func plain(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// PageURL is the notice's page on TED: by its publication number
// (BT-5042, e.g. 00137599-2024) once published, else TED's search for the
// notice id, which finds it once it is.
func PageURL(publicationID, noticeID string) string {
	if publicationID != "" {
		return "https://ted.europa.eu/en/notice/-/detail/" + url.PathEscape(publicationID)
	}
	return "https://ted.europa.eu/en/search/result?FT=" + url.QueryEscape(noticeID)
}
