package boamp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/doctree"
	"github.com/vigie-data/vigie/internal/source/eforms"
)

// apiRecord is one record of the Opendatasoft dataset: indexed fields
// plus gestion and donnees, JSON documents sent as strings.
type apiRecord struct {
	IDWeb               string          `json:"idweb"`
	ContractFolderID    *string         `json:"contractfolderid"`
	Objet               string          `json:"objet"`
	Famille             string          `json:"famille"`
	CodeDepartement     stringList      `json:"code_departement"`
	DateParution        string          `json:"dateparution"`
	DateLimiteReponse   string          `json:"datelimitereponse"`
	NomAcheteur         string          `json:"nomacheteur"`
	Titulaire           stringList      `json:"titulaire"`
	ProcedureLibelle    string          `json:"procedure_libelle"`
	TypeProcedure       string          `json:"type_procedure"`
	Nature              string          `json:"nature"`
	Etat                string          `json:"etat"`
	Criteres            stringList      `json:"criteres"`
	DescripteurCode     stringList      `json:"descripteur_code"`
	TypeMarche          stringList      `json:"type_marche"`
	AnnonceLie          stringList      `json:"annonce_lie"`
	AnnoncesAnterieures stringList      `json:"annonces_anterieures"`
	URLAvis             string          `json:"url_avis"`
	Gestion             json.RawMessage `json:"gestion"`
	Donnees             json.RawMessage `json:"donnees"`
}

// stringList accepts a list, a single string or null.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = nil
	case len(b) > 0 && b[0] == '[':
		var raw []any
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		*s = nil
		for _, v := range raw {
			if v != nil {
				*s = append(*s, strings.TrimSpace(fmt.Sprint(v)))
			}
		}
	default:
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = stringList{strings.TrimSpace(fmt.Sprint(v))}
	}
	return nil
}

// embedded decodes gestion/donnees: a JSON string holding a document
// (the API's way) or the document itself.
func embedded(name string, raw json.RawMessage) (*doctree.Node, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", strings.ToLower(name), err)
		}
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		raw = []byte(s)
	}
	n, err := doctree.FromJSON(name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.ToLower(name), err)
	}
	return n, nil
}

// ParseRecord reads one API record (the JSON object of a /records result
// or an exports array element) into a notice.
func ParseRecord(raw []byte) (*notice.Notice, error) {
	var r apiRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if r.IDWeb == "" {
		return nil, fmt.Errorf("record: no idweb")
	}
	g, err := embedded("GESTION", r.Gestion)
	if err != nil {
		return nil, err
	}
	d, err := embedded("DONNEES", r.Donnees)
	if err != nil {
		return nil, err
	}
	var n *notice.Notice
	if d != nil {
		if n, err = fromDonnees(g, d); err != nil {
			return nil, fmt.Errorf("record %s: %w", r.IDWeb, err)
		}
	} else {
		// No donnees: the indexed fields are all there is.
		n = &notice.Notice{Source: "boamp", Format: "api", Kind: notice.KindOther}
		fromGestion(n, g)
	}
	overlayAPI(n, &r)
	return n, nil
}

// fromDonnees picks the parser from the shape of donnees.
func fromDonnees(g, d *doctree.Node) (*notice.Notice, error) {
	if e := d.Kid("EFORMS"); e != nil {
		if len(e.Kids) == 0 {
			return nil, fmt.Errorf("donnees: empty EFORMS")
		}
		n, err := eforms.Parse(e.Kids[0])
		if err != nil {
			return nil, err
		}
		uuid := n.ID
		n.Source = "boamp"
		fromGestion(n, g) // the idweb names the notice; the eForms id is kept as the folder link
		if n.ContractFolderID == "" {
			n.ContractFolderID = uuid
		}
		return n, nil
	}
	for _, k := range d.Kids {
		if fnsRoots[k.Name] {
			return parseFNS(g, k), nil
		}
	}
	if d.Kid("IDENTITE") != nil || d.Kid("OBJET") != nil {
		return parseV230(g, d), nil
	}
	return nil, fmt.Errorf("donnees: unknown shape (first element %q)", d.First())
}

// ParseXML reads one XML notice: BOAMP (GESTION + DONNEES under any root)
// or eForms UBL.
func ParseXML(root *doctree.Node) (*notice.Notice, error) {
	if _, ok := eforms.Roots[root.Name]; ok {
		return eforms.Parse(root)
	}
	g, d := root.Kid("GESTION"), root.Kid("DONNEES")
	if d == nil {
		return nil, fmt.Errorf("xml: root <%s> has neither DONNEES nor an eForms notice", root.Name)
	}
	n, err := fromDonnees(g, d)
	if err != nil {
		return nil, err
	}
	if n.ID == "" {
		return nil, fmt.Errorf("xml: no IDWEB")
	}
	if n.URL == "" {
		n.URL = noticeURL(n.ID)
	}
	return n, nil
}

func noticeURL(idweb string) string {
	return "https://www.boamp.fr/pages/avis/?q=idweb:" + idweb
}

// overlayAPI adds what the API's indexed fields say. GESTION values win
// where both exist: the API's datelimitereponse is not a correct UTC
// conversion and code_departement loses its zeros.
func overlayAPI(n *notice.Notice, r *apiRecord) {
	n.ID = r.IDWeb
	if n.Family == "" {
		n.Family = r.Famille
	}
	if k := kindOf(r.Nature, r.Etat); k != "" && (n.Kind == notice.KindOther || k == notice.KindCorrection || k == notice.KindCancellation) {
		n.Kind = k
	}
	if n.PublicationDate.IsZero() {
		if d, ok := parseDate(r.DateParution); ok {
			n.PublicationDate = d
		}
	}
	if n.Deadline == nil {
		if t, ok := parseDeadline(r.DateLimiteReponse); ok {
			n.Deadline = &t
		}
	}
	for _, d := range r.CodeDepartement {
		n.Departements = notice.AddUnique(n.Departements, notice.Departement(d))
	}
	for _, d := range r.DescripteurCode {
		n.Descriptors = notice.AddUnique(n.Descriptors, d)
	}
	if n.BuyerName == "" {
		n.BuyerName = r.NomAcheteur
	}
	if n.MarketType == "" && len(r.TypeMarche) > 0 {
		n.MarketType = marketType(r.TypeMarche[0])
	}
	if r.ProcedureLibelle != "" {
		n.Procedure = firstNonEmpty(r.TypeProcedure, n.Procedure, r.ProcedureLibelle)
	}
	if n.Object == "" {
		n.Object = plain(r.Objet)
	}
	for _, t := range r.Titulaire {
		n.Winners = notice.AddUnique(n.Winners, t)
	}
	if n.ParentID == "" {
		for _, l := range append(append(stringList{}, r.AnnonceLie...), r.AnnoncesAnterieures...) {
			if l != "" && l != r.IDWeb {
				n.ParentID = l
				break
			}
		}
	}
	if r.ContractFolderID != nil && *r.ContractFolderID != "" {
		n.ContractFolderID = *r.ContractFolderID
	}
	for _, c := range r.Criteres {
		n.Declared = append(n.Declared, clause.FromBOAMP(c, "criteres")...)
	}
	n.URL = firstNonEmpty(r.URLAvis, noticeURL(r.IDWeb))
	if strings.EqualFold(r.Etat, "AVIS_ANNULE") {
		n.Cancelled = true
	}
}
