// Package decpparse reads DECP ("données essentielles de la commande
// publique"), the awarded-contract records French buyers publish, in every
// format real files use — the 2019 format (schema 1.x) and the 2022
// format (schema 2.0.x), JSON or XML, plain, gzip or zip — into cleaned
// and flagged contracts, streaming. It never touches the store: package
// decp runs it and writes what it gives (as VictoriaMetrics keeps
// lib/protoparser apart from its handlers).
//
// The way through: OpenDocuments or OpenFile give the documents of an
// input (decompressed, a zip's entries); Sniff tells JSON from XML;
// ScanJSON or ScanXML cut each document into Records without decoding
// them; a Decoder parses a Record into a Contract (Parse), with its
// identity (KeyHash) and version (Version).
package decpparse

import "time"

// Kinds of contract.
const (
	KindMarche     = "marche"
	KindConcession = "concession"
)

// Schema versions (the arrêté that defines the format of a record).
const (
	Schema2019 = "2019" // arrêté du 22 mars 2019, schema 1.x
	Schema2022 = "2022" // arrêté du 22 décembre 2022, schema 2.0.x
)

// Contract is one DECP record, read and cleaned. Pointers are nil when
// the record did not give the value.
type Contract struct {
	Kind          string
	SchemaVersion string
	UID           string // buyer SIRET + id unless the record gives its own
	ID            string
	Buyer         Buyer
	Nature        string
	Object        string
	CPV           string // 8 digits, check digit removed; "" when missing or invalid
	Procedure     string // canonical value, see procedures
	Place         Place
	// Current values, after the modifications are applied.
	DurationMonths *float64
	Amount         *float64 // montant, or valeurGlobale for a concession
	Holders        []Holder
	// As first awarded.
	InitialAmount         *float64
	InitialDurationMonths *float64
	InitialHolders        []Holder

	NotificationDate *time.Time // dateNotification, or dateSignature for a concession
	PublicationDate  *time.Time // datePublicationDonnees
	PriceForm        string
	Techniques       []string
	Modalities       []string
	Modifications    []Modification
	Subcontracts     []Subcontract
	Considerations   Considerations
	QualityFlags     []string

	// LastPublished is the latest publication date the record carries
	// (its own or a modification's): it orders versions of a contract.
	LastPublished *time.Time
	ContentHash   uint64
}

// Buyer is the acheteur (or autorité concédante).
type Buyer struct {
	SIRET string // spaces removed; kept even when malformed (flagged)
	SIREN string // first 9 digits of the SIRET
	Name  string
}

// Place is the lieu d'exécution and what is derived from it.
type Place struct {
	Code        string
	CodeType    string
	Name        string
	Departement string // e.g. "75", "2A", "971"; "" when it cannot be told
	Region      string // region name, see regions
}

// Holder is a titulaire (marché) or concessionnaire (concession).
type Holder struct {
	Type string // typeIdentifiant: SIRET, TVA, TAHITI, HORS-UE, ...
	ID   string
	Name string
}

// Modification is one modification of a contract.
type Modification struct {
	ID              string // its id, or its rank (1-based) when it has none
	Object          string
	SignatureDate   *time.Time // dateNotificationModification / dateSignatureModification
	PublicationDate *time.Time
	Amount          *float64 // the contract's amount after the modification
	DurationMonths  *float64 // the contract's duration after the modification
	Holders         []Holder // the contract's holders after the modification, when given
}

// Subcontract is an acte de sous-traitance.
type Subcontract struct {
	ID               string
	Subcontractor    Holder
	DurationMonths   *float64
	NotificationDate *time.Time
	Amount           *float64
	PriceVariation   string
}

// Considerations are what the buyer declared. A nil flag means "not
// given" (absent, null, "NC", or a 2019-format record where the field did
// not exist); false means the buyer declared none ("Pas de considération
// sociale", "Sans objet", "Non") or ticked only other values.
type Considerations struct {
	SocialClause    *bool
	SocialCriterion *bool
	Reserved        *bool
	EnvClause       *bool
	EnvCriterion    *bool
	Social          []string // the values as given
	Environmental   []string
}
