package export

import (
	"path"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

// The rows of each table as exported. Field tags: parquet (the column's
// name and Parquet options), fr and en (its description in the
// datapackage). Identifiers are text, so that SIRET and CPV keep their
// leading zeros in every reader.

// Contract is an exported contract.
type Contract struct {
	UID                     string     `parquet:"uid" fr:"Identifiant unique (SIRET de l'acheteur + identifiant du marché)" en:"Unique id (buyer SIRET + contract id)"`
	BuyerSiret              string     `parquet:"buyer_siret" fr:"SIRET de l'acheteur" en:"Buyer SIRET"`
	BuyerSiren              string     `parquet:"buyer_siren" fr:"SIREN de l'acheteur" en:"Buyer SIREN"`
	BuyerName               string     `parquet:"buyer_name" fr:"Nom de l'acheteur" en:"Buyer name"`
	ContractID              string     `parquet:"contract_id" fr:"Identifiant du marché chez l'acheteur" en:"Contract id at the buyer"`
	Kind                    string     `parquet:"kind" fr:"marche ou concession" en:"marche or concession"`
	Nature                  string     `parquet:"nature" fr:"Nature du contrat" en:"Nature of the contract"`
	Object                  string     `parquet:"object" fr:"Objet" en:"Object"`
	CPV                     string     `parquet:"cpv" fr:"Code CPV principal (8 chiffres)" en:"Main CPV code (8 digits)"`
	CPVDivision             string     `parquet:"cpv_division" fr:"Division CPV (2 chiffres)" en:"CPV division (2 digits)"`
	Theme                   string     `parquet:"theme" fr:"Thème déduit du CPV" en:"Theme derived from the CPV"`
	Procedure               string     `parquet:"procedure" fr:"Procédure" en:"Procedure"`
	Departement             string     `parquet:"departement" fr:"Département du lieu d'exécution" en:"Département of the place of performance"`
	Region                  string     `parquet:"region" fr:"Région du lieu d'exécution" en:"Region of the place of performance"`
	NotificationDate        *time.Time `parquet:"notification_date,optional,date" fr:"Date de notification" en:"Notification date"`
	PublicationDate         *time.Time `parquet:"publication_date,optional,date" fr:"Date de publication des données" en:"Data publication date"`
	Amount                  *float64   `parquet:"amount,optional" fr:"Montant HT en euros (après modifications)" en:"Amount excl. VAT in euros (after modifications)"`
	DeclaredSocialClause    *bool      `parquet:"declared_social_clause,optional" fr:"Clause sociale déclarée (vide : non renseigné)" en:"Social clause declared (empty: not given)"`
	DeclaredSocialCriterion *bool      `parquet:"declared_social_criterion,optional" fr:"Critère social déclaré" en:"Social criterion declared"`
	DeclaredReserved        *bool      `parquet:"declared_reserved,optional" fr:"Marché réservé déclaré" en:"Reserved contract declared"`
	DeclaredEnvClause       *bool      `parquet:"declared_env_clause,optional" fr:"Clause environnementale déclarée" en:"Environmental clause declared"`
	DeclaredEnvCriterion    *bool      `parquet:"declared_env_criterion,optional" fr:"Critère environnemental déclaré" en:"Environmental criterion declared"`
	DetectedLabels          []string   `parquet:"detected_labels,list" fr:"Étiquettes détectées par vigie" en:"Labels detected by vigie"`
	QualityFlags            []string   `parquet:"quality_flags,list" fr:"Signalements de qualité des données" en:"Data quality flags"`
	Source                  string     `parquet:"source" fr:"Canal de publication" en:"Publication channel"`
	Origin                  string     `parquet:"origin" fr:"Fichier ou URL d'origine" en:"File or URL of origin"`
	Position                string     `parquet:"position" fr:"Position dans le fichier d'origine" en:"Position in the file of origin"`
	Version                 string     `parquet:"version" fr:"Version de l'enregistrement (texte : entier 64 bits)" en:"Row version (text: 64-bit integer)"`
	IngestedAt              time.Time  `parquet:"ingested_at,timestamp(millisecond)" fr:"Chargé dans vigie le (UTC)" en:"Loaded into vigie at (UTC)"`
}

func flag(v *uint8) *bool {
	if v == nil {
		return nil
	}
	b := *v == 1
	return &b
}

// origin hides the server's own paths: a local file is named by its base
// name, a URL is kept.
func origin(o string) string {
	if strings.Contains(o, "://") {
		return o
	}
	return path.Base(o)
}

func day(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func contractOf(c *store.ListedContract) Contract {
	return Contract{UID: c.UID, BuyerSiret: c.BuyerSiret, BuyerSiren: c.BuyerSiren, BuyerName: c.BuyerName, ContractID: c.ContractID,
		Kind: c.Kind, Nature: c.Nature, Object: c.Object, CPV: c.CPV, CPVDivision: c.CPVDivision, Theme: c.Theme, Procedure: c.Procedure,
		Departement: c.Departement, Region: c.Region, NotificationDate: day(c.NotificationDate), PublicationDate: day(c.PublicationDate),
		Amount: c.Amount, DeclaredSocialClause: flag(c.DeclaredSocialClause), DeclaredSocialCriterion: flag(c.DeclaredSocialCriterion),
		DeclaredReserved: flag(c.DeclaredReserved), DeclaredEnvClause: flag(c.DeclaredEnvClause), DeclaredEnvCriterion: flag(c.DeclaredEnvCriterion),
		DetectedLabels: c.DetectedLabels, QualityFlags: c.QualityFlags, Source: c.Source, Origin: origin(c.Origin), Position: c.Position,
		Version: u64(c.Version), IngestedAt: c.IngestedAt.UTC()}
}

// Notice is an exported notice.
type Notice struct {
	NoticeID        string     `parquet:"notice_id" fr:"Identifiant de l'avis" en:"Notice id"`
	Source          string     `parquet:"source" fr:"Source (boamp, eforms…)" en:"Source (boamp, eforms…)"`
	Format          string     `parquet:"format" fr:"Format de l'avis" en:"Notice format"`
	Kind            string     `parquet:"kind" fr:"Type d'avis" en:"Notice kind"`
	Family          string     `parquet:"family" fr:"Famille d'avis" en:"Notice family"`
	PublicationDate *time.Time `parquet:"publication_date,optional,date" fr:"Date de publication" en:"Publication date"`
	Deadline        *time.Time `parquet:"deadline,optional,timestamp(millisecond)" fr:"Date limite de réponse (UTC)" en:"Response deadline (UTC)"`
	BuyerName       string     `parquet:"buyer_name" fr:"Acheteur" en:"Buyer"`
	BuyerSiret      string     `parquet:"buyer_siret" fr:"SIRET de l'acheteur" en:"Buyer SIRET"`
	Departements    []string   `parquet:"departements,list" fr:"Départements" en:"Départements"`
	CPV             []string   `parquet:"cpv,list" fr:"Codes CPV" en:"CPV codes"`
	Procedure       string     `parquet:"procedure" fr:"Procédure" en:"Procedure"`
	Object          string     `parquet:"object" fr:"Objet" en:"Object"`
	URL             string     `parquet:"url" fr:"Lien vers l'avis officiel" en:"Link to the official notice"`
	Cancelled       bool       `parquet:"cancelled" fr:"Avis annulé" en:"Notice cancelled"`
	DeclaredLabels  []string   `parquet:"declared_labels,list" fr:"Étiquettes déclarées par l'acheteur" en:"Labels declared by the buyer"`
	DetectedLabels  []string   `parquet:"detected_labels,list" fr:"Étiquettes détectées par vigie" en:"Labels detected by vigie"`
	Origin          string     `parquet:"origin" fr:"Fichier ou URL d'origine" en:"File or URL of origin"`
	Position        string     `parquet:"position" fr:"Position dans l'origine" en:"Position in the origin"`
	Version         string     `parquet:"version" fr:"Version de l'enregistrement" en:"Row version"`
	IngestedAt      time.Time  `parquet:"ingested_at,timestamp(millisecond)" fr:"Chargé dans vigie le (UTC)" en:"Loaded into vigie at (UTC)"`
}

func noticeOf(n *store.ListedNotice) Notice {
	pub := n.PublicationDate
	var deadline *time.Time
	if n.Deadline != nil {
		d := n.Deadline.UTC()
		deadline = &d
	}
	return Notice{NoticeID: n.NoticeID, Source: n.Source, Format: n.Format, Kind: n.Kind, Family: n.Family, PublicationDate: day(&pub),
		Deadline: deadline, BuyerName: n.BuyerName, BuyerSiret: n.BuyerSiret, Departements: n.Departements, CPV: n.CPV,
		Procedure: n.Procedure, Object: n.Object, URL: n.URL, Cancelled: n.Cancelled == 1, DeclaredLabels: n.DeclaredLabels,
		DetectedLabels: n.DetectedLabels, Origin: origin(n.Origin), Position: n.Position, Version: u64(n.Version), IngestedAt: n.IngestedAt.UTC()}
}

// Lot is an exported lot.
type Lot struct {
	NoticeID            string     `parquet:"notice_id" fr:"Identifiant de l'avis" en:"Notice id"`
	LotNumber           string     `parquet:"lot_number" fr:"Numéro du lot" en:"Lot number"`
	Title               string     `parquet:"title" fr:"Intitulé" en:"Title"`
	Description         string     `parquet:"description" fr:"Description" en:"Description"`
	CPV                 []string   `parquet:"cpv,list" fr:"Codes CPV" en:"CPV codes"`
	Reserved            *bool      `parquet:"reserved,optional" fr:"Lot réservé (vide : non dit)" en:"Reserved lot (empty: not said)"`
	ExecutionConditions string     `parquet:"execution_conditions" fr:"Conditions d'exécution" en:"Performance conditions"`
	AwardCriteria       string     `parquet:"award_criteria" fr:"Critères d'attribution" en:"Award criteria"`
	DeclaredLabels      []string   `parquet:"declared_labels,list" fr:"Étiquettes déclarées" en:"Declared labels"`
	DeclaredNegative    []string   `parquet:"declared_negative,list" fr:"Étiquettes déclarées absentes" en:"Labels declared absent"`
	DetectedLabels      []string   `parquet:"detected_labels,list" fr:"Étiquettes détectées par vigie" en:"Labels detected by vigie"`
	PublicationDate     *time.Time `parquet:"publication_date,optional,date" fr:"Date de publication de l'avis" en:"Notice publication date"`
}

func lotOf(l *store.ExportedLot) Lot {
	pub := l.PublicationDate
	return Lot{NoticeID: l.NoticeID, LotNumber: l.LotNumber, Title: l.Title, Description: l.Description, CPV: l.CPV,
		Reserved: flag(l.Reserved), ExecutionConditions: l.ExecutionConditions, AwardCriteria: l.AwardCriteria,
		DeclaredLabels: l.DeclaredLabels, DeclaredNegative: l.DeclaredNegative, DetectedLabels: l.DetectedLabels, PublicationDate: day(&pub)}
}

// Supplier is an exported supplier row.
type Supplier struct {
	SIREN         string     `parquet:"siren" fr:"SIREN" en:"SIREN"`
	Source        string     `parquet:"source" fr:"Source de référence" en:"Reference source"`
	Name          string     `parquet:"name" fr:"Nom" en:"Name"`
	Active        *bool      `parquet:"active,optional" fr:"Unité active" en:"Unit active"`
	LegalCategory string     `parquet:"legal_category" fr:"Catégorie juridique" en:"Legal category"`
	KnownOn       *time.Time `parquet:"known_on,optional,date" fr:"Connu de la source le" en:"Known to the source on"`
	Classes       []string   `parquet:"classes,list" fr:"Classes (ess, siae, ea, esat, societe_mission) selon le fait le plus récent de chaque source" en:"Classes (ess, siae, ea, esat, societe_mission) by the newest fact of each source"`
}

func supplierOf(s *store.ExportedSupplier) Supplier {
	k := s.KnownOn
	return Supplier{SIREN: s.SIREN, Source: s.Source, Name: s.Name, Active: flag(s.Active), LegalCategory: s.LegalCategory,
		KnownOn: day(&k), Classes: s.Classes}
}

func u64(v uint64) string {
	const digits = "0123456789"
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = digits[v%10]
		v /= 10
	}
	return string(b[i:])
}
