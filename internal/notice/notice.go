// Package notice is the one model of a procurement notice (BOAMP V230,
// national forms, eForms) that the parsers produce and the store writes.
package notice

import (
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
)

// Kinds of notice.
const (
	KindCall         = "call_for_tenders"
	KindAward        = "award"
	KindCorrection   = "correction"
	KindCancellation = "cancellation"
	KindPrior        = "prior_information"
	KindOther        = "other"
)

// Notice is one published notice, whatever its source format.
type Notice struct {
	ID               string // BOAMP idweb, or the eForms notice id
	Source           string // "boamp", "eforms"
	Format           string // "v230", "fns-3.2.5", "eforms", …
	Kind             string
	Family           string // JOUE, FNS, MAPA, DSP, …
	PublicationDate  time.Time
	Deadline         *time.Time // an instant (UTC), nil when none
	BuyerName        string
	BuyerSIRET       string
	Departements     []string // zero-padded: "02", "2A", "971"
	CPV              []string // 8-digit codes, check digit dropped
	Descriptors      []string // BOAMP descriptor codes
	MarketType       string   // works, supplies, services
	Procedure        string
	Object           string
	ExecutionConds   string
	ParticipConds    string
	AwardCriteria    string
	AdditionalInfo   string
	URL              string
	ParentID         string // corrected/cancelled notice, or the call of an award
	ContractFolderID string
	Cancelled        bool
	Winners          []string
	Lots             []Lot
	Declared         []clause.Evidence // structured flags of the notice itself
	Detection        clause.Result     // filled by Analyse
	Origin           string            // file or URL the notice came from
	Position         string            // where in it (record index, archive member)
}

// Lot is one lot of a notice.
type Lot struct {
	Number         string
	Title          string
	Description    string
	CPV            []string
	Reserved       *bool // nil: not said
	ExecutionConds string
	AwardCriteria  string
	Declared       []clause.Evidence
	Detection      clause.Result
}

// Departement normalises a département code: "2" and "02" are the same.
// Corsica (2A/2B) and overseas codes (971…) are kept as they are.
func Departement(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		return "0" + s
	}
	return s
}

// CPV normalises a CPV code: "45432111-5" → "45432111".
func CPV(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '-'); i > 0 {
		s = s[:i]
	}
	return s
}

// AddUnique appends the non-empty values not already in list.
func AddUnique(list []string, vals ...string) []string {
	for _, v := range vals {
		if v == "" {
			continue
		}
		found := false
		for _, x := range list {
			if x == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
