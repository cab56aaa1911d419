package api

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zone database

	"github.com/vigie-data/vigie/internal/source/eforms"
	"github.com/vigie-data/vigie/internal/store"
)

// The types below are what the listings encode, in JSON and in CSV, and
// what the OpenAPI document describes. Conventions, for every client
// (pandas, JavaScript, spreadsheets): identifiers are strings; 64-bit
// integers are strings in JSON; booleans are booleans; a date the source
// gives as a date is YYYY-MM-DD, an instant is RFC 3339 with its offset;
// a value the source does not give is null, never "".

// paris is the time zone of French notices' deadlines.
var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Contract is one contract as listed.
type Contract struct {
	UID                     string    `json:"uid" desc:"buyer SIRET followed by the contract id, as DECP defines it"`
	BuyerSiret              *string   `json:"buyer_siret" desc:"buyer SIRET (14 digits, a string: leading zeros matter)"`
	BuyerSiren              *string   `json:"buyer_siren" desc:"buyer SIREN (9 digits)"`
	BuyerName               *string   `json:"buyer_name"`
	ContractID              string    `json:"contract_id" desc:"the buyer's id of the contract"`
	Kind                    *string   `json:"kind" desc:"marche or concession"`
	Nature                  *string   `json:"nature" desc:"nature as published"`
	Object                  *string   `json:"object"`
	CPV                     *string   `json:"cpv" desc:"main CPV code (8 digits, a string)"`
	CPVDivision             *string   `json:"cpv_division" desc:"first two digits of the CPV code"`
	Theme                   *string   `json:"theme" desc:"theme from the CPV mapping"`
	Procedure               *string   `json:"procedure" desc:"procedure as published"`
	Departement             *string   `json:"departement"`
	Region                  *string   `json:"region"`
	NotificationDate        *string   `json:"notification_date" format:"date" desc:"notification date (YYYY-MM-DD)"`
	PublicationDate         *string   `json:"publication_date" format:"date" desc:"publication date (YYYY-MM-DD)"`
	Amount                  *float64  `json:"amount" desc:"amount in euros excl. VAT"`
	DeclaredSocialClause    *bool     `json:"declared_social_clause" desc:"null when the buyer declared nothing"`
	DeclaredSocialCriterion *bool     `json:"declared_social_criterion" desc:"null when the buyer declared nothing"`
	DeclaredReserved        *bool     `json:"declared_reserved" desc:"null when the buyer declared nothing"`
	DeclaredEnvClause       *bool     `json:"declared_env_clause" desc:"null when the buyer declared nothing"`
	DeclaredEnvCriterion    *bool     `json:"declared_env_criterion" desc:"null when the buyer declared nothing"`
	DetectedLabels          []string  `json:"detected_labels" desc:"labels vigie's detector found"`
	QualityFlags            []string  `json:"quality_flags"`
	Source                  string    `json:"source"`
	Origin                  *string   `json:"origin" desc:"the file name or URL the record was read from"`
	Position                *string   `json:"position" desc:"the record's position in its origin"`
	Version                 string    `json:"version" desc:"version of the record (a 64-bit integer, as a string)"`
	IngestedAt              time.Time `json:"ingested_at" desc:"when vigie stored this version"`
}

// Notice is one notice as listed.
type Notice struct {
	NoticeID        string    `json:"notice_id"`
	Source          string    `json:"source"`
	Format          *string   `json:"format"`
	Kind            *string   `json:"kind"`
	Family          *string   `json:"family"`
	PublicationDate string    `json:"publication_date" format:"date"`
	Deadline        *string   `json:"deadline" format:"date-time" desc:"response deadline, Europe/Paris time with its offset"`
	BuyerName       *string   `json:"buyer_name"`
	BuyerSiret      *string   `json:"buyer_siret"`
	Departements    []string  `json:"departements"`
	CPV             []string  `json:"cpv"`
	Procedure       *string   `json:"procedure"`
	Object          *string   `json:"object"`
	URL             *string   `json:"url" desc:"the notice's page (BOAMP, or TED for eForms)"`
	Cancelled       bool      `json:"cancelled"`
	DeclaredLabels  []string  `json:"declared_labels"`
	DetectedLabels  []string  `json:"detected_labels"`
	Origin          *string   `json:"origin" desc:"the file name or URL the record was read from"`
	Position        *string   `json:"position"`
	Version         string    `json:"version" desc:"version of the record (a 64-bit integer, as a string)"`
	IngestedAt      time.Time `json:"ingested_at"`
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func dateStr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func parisTime(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.In(paris).Format(time.RFC3339)
	return &s
}

func flag(v *uint8) *bool {
	if v == nil {
		return nil
	}
	b := *v != 0
	return &b
}

func strList(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// publicOrigin keeps what says where a record comes from without the
// server's directories: a URL as is (without credentials), a file by its
// name.
func publicOrigin(o string) *string {
	if o == "" {
		return nil
	}
	if u, err := url.Parse(o); err == nil && u.Scheme != "" && u.Host != "" {
		u.User = nil
		s := u.String()
		return &s
	}
	o = strings.ReplaceAll(o, "\\", "/")
	b := path.Base(o)
	return &b
}

func contractOf(c *store.ListedContract) Contract {
	return Contract{
		UID: c.UID, BuyerSiret: str(c.BuyerSiret), BuyerSiren: str(c.BuyerSiren), BuyerName: str(c.BuyerName),
		ContractID: c.ContractID, Kind: str(c.Kind), Nature: str(c.Nature), Object: str(c.Object), CPV: str(c.CPV),
		CPVDivision: str(c.CPVDivision), Theme: str(c.Theme), Procedure: str(c.Procedure), Departement: str(c.Departement),
		Region: str(c.Region), NotificationDate: dateStr(c.NotificationDate), PublicationDate: dateStr(c.PublicationDate),
		Amount: c.Amount, DeclaredSocialClause: flag(c.DeclaredSocialClause), DeclaredSocialCriterion: flag(c.DeclaredSocialCriterion),
		DeclaredReserved: flag(c.DeclaredReserved), DeclaredEnvClause: flag(c.DeclaredEnvClause),
		DeclaredEnvCriterion: flag(c.DeclaredEnvCriterion), DetectedLabels: strList(c.DetectedLabels),
		QualityFlags: strList(c.QualityFlags), Source: c.Source, Origin: publicOrigin(c.Origin), Position: str(c.Position),
		Version: strconv.FormatUint(c.Version, 10), IngestedAt: c.IngestedAt.UTC(),
	}
}

func noticeOf(n *store.ListedNotice) Notice {
	return Notice{
		NoticeID: n.NoticeID, Source: n.Source, Format: str(n.Format), Kind: str(n.Kind), Family: str(n.Family),
		PublicationDate: n.PublicationDate.Format(time.DateOnly), Deadline: parisTime(n.Deadline),
		BuyerName: str(n.BuyerName), BuyerSiret: str(n.BuyerSiret), Departements: strList(n.Departements),
		CPV: strList(n.CPV), Procedure: str(n.Procedure), Object: str(n.Object), URL: str(noticeURL(n.Source, n.Format, n.NoticeID, n.URL)),
		Cancelled: n.Cancelled != 0, DeclaredLabels: strList(n.DeclaredLabels), DetectedLabels: strList(n.DetectedLabels),
		Origin: publicOrigin(n.Origin), Position: str(n.Position), Version: strconv.FormatUint(n.Version, 10),
		IngestedAt: n.IngestedAt.UTC(),
	}
}

// noticeURL is the notice's page: as stored, else, for eForms notices
// stored before vigie kept their TED link, TED's.
func noticeURL(source, format, id, stored string) string {
	if stored != "" || format != "eforms" {
		return stored
	}
	return eforms.PageURL("", id)
}
