package decpparse

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// Quality flags: problems noticed in a record, kept with it rather than
// silently fixed.
const (
	FlagBuyerSiret           = "buyer_siret_malformed"  // not 14 digits or fails the Luhn check (spaces removed first)
	FlagHolderSiret          = "holder_siret_malformed" // a holder of type SIRET with a malformed SIRET
	FlagCPVPadded            = "cpv_padded"             // a 7-digit CPV that lost its leading zero, padded
	FlagCPVInvalid           = "cpv_invalid"            // a CPV code that is not 8 digits (cpv left empty)
	FlagAmountMissing        = "amount_missing"         // no amount, or "NC"
	FlagAmountInvalid        = "amount_invalid"         // an amount that is not a number (amount left NULL)
	FlagAmountZero           = "amount_zero"
	FlagAmountNegative       = "amount_negative"
	FlagAmountPlacehold      = "amount_placeholder"    // 999999, 9999999.99, ...: see isPlaceholder
	FlagAmountAbsurd         = "amount_absurd"         // above AbsurdAmount
	FlagDateInvalid          = "date_invalid"          // a date that cannot be read or stored (left NULL)
	FlagDateFuture           = "date_future"           // notification or publication after the day of ingestion
	FlagDateBefore2000       = "date_before_2000"      // notification before 2000
	FlagMojibake             = "mojibake"              // U+FFFD in a text: the publisher's encoding was lost
	FlagProcedureOther       = "procedure_unknown"     // a procedure outside the canonical list, kept as given
	FlagDurationInvalid      = "duration_invalid"      // a duration that is not a number, or negative
	FlagNaN                  = "value_nan"             // a bare NaN or Infinity (not JSON), read as null
	FlagConsiderationUnknown = "consideration_unknown" // a declared consideration none of the known spellings covers
	FlagControlChars         = "control_characters"    // raw control characters in a text, removed
)

// AbsurdAmount is the cap above which an amount is flagged absurd: 10
// billion euros. The largest French public contracts (defence programmes,
// Grand Paris Express lots) are in the low billions; a DECP amount above
// this cap has always turned out to be a typo or a unit error in the data
// seen so far. Flagged amounts are kept as given.
const AbsurdAmount = 10e9

// isPlaceholder tells amounts that stand for "unknown": an integer part
// made only of nines, at least six of them (999999, 9999999.99, 999999999).
func isPlaceholder(v float64) bool {
	if v < 999999 {
		return false
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(s, "9") == ""
}

// cleanSiret removes spaces (including non-breaking ones) and dots.
func cleanSiret(s string) string {
	if s == "" {
		return s
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
}

// validSiret checks 14 digits and the Luhn key. La Poste's establishments
// (SIREN 356000000) use a different key: the digit sum is a multiple of 5.
func validSiret(s string) bool {
	if len(s) != 14 {
		return false
	}
	sum, plain := 0, 0
	for i := 0; i < 14; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		plain += d
		if i%2 == 0 { // from the right, every second digit is doubled: even indexes of 14 digits
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if sum%10 == 0 {
		return true
	}
	return strings.HasPrefix(s, "356000000") && plain%5 == 0
}

// normCPV returns the 8 digits of a CPV code ("45000000-7", "45000000",
// " 9310000") and a flag when it had to be padded or is invalid.
func normCPV(s string) (cpv, flag string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	s = strings.ReplaceAll(s, " ", "")
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", FlagCPVInvalid
		}
	}
	switch len(s) {
	case 8:
		return s, ""
	case 7:
		return "0" + s, FlagCPVPadded
	}
	return "", FlagCPVInvalid
}

// chMinDate and chMaxDate bound what a ClickHouse Date can hold.
var (
	chMinDate = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	chMaxDate = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

// parseDate reads "2018-12-17", "2018-12-17+01:00", "2018-12-17Z",
// "2018-12-17T10:00:00+02:00" and "17/12/2018". The date is the calendar
// day as written; the zone suffix is dropped. ok is false when the text is
// not a date or is outside what the database can store.
func parseDate(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	var y, m, d int
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		y, ok = atoi(s[0:4])
		if ok {
			m, ok = atoi(s[5:7])
		}
		if ok {
			d, ok = atoi(s[8:10])
		}
	case len(s) == 10 && s[2] == '/' && s[5] == '/':
		d, ok = atoi(s[0:2])
		if ok {
			m, ok = atoi(s[3:5])
		}
		if ok {
			y, ok = atoi(s[6:10])
		}
	}
	if !ok || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Before(chMinDate) || t.After(chMaxDate) {
		return time.Time{}, false
	}
	return t, true
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// notGiven tells the values that mean "not given": empty, "NC" (non
// communiqué), "null", "N/A".
func notGiven(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > len("NON COMMUNIQUÉ") {
		return false // every value but the markers (without upper-casing it)
	}
	switch strings.ToUpper(s) {
	case "", "NC", "N.C.", "NULL", "N/A", "NA", "NON COMMUNIQUE", "NON COMMUNIQUÉ":
		return true
	}
	return false
}

// parseNumber reads a number given as text: "12 345,67", "12345.67", "1e6".
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '€' {
			return -1
		}
		return r
	}, s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// fold lowers s and strips the French accents and typographic apostrophes,
// for matching spellings. The values folded (kinds, procedures, place
// code types, considerations) are a few spellings repeated by every
// record: the short ones are folded once (folding them was a twentieth of
// the ingestion's time).
func fold(s string) string {
	if len(s) > maxFoldedLen {
		return foldText(s)
	}
	if f, ok := folded.Load(s); ok {
		return f.(string)
	}
	f := foldText(s)
	if foldedCount.Add(1) <= maxFolded {
		folded.Store(strings.Clone(s), f) // s is a substring of its record: keep a copy
	}
	return f
}

const (
	maxFoldedLen = 128
	maxFolded    = 4096 // bounds the memo against free text in these fields
)

var (
	folded      sync.Map // string → its fold
	foldedCount atomic.Int64
)

func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï':
			r = 'i'
		case 'ô', 'ö':
			r = 'o'
		case 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		case '’', '‘', '`', '´':
			r = '\''
		case '\u00a0', '\t', '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Canonical procedures. The 1.4, 1.5 and 2.0 schemas spell the same
// procedures differently; every contract gets one of these values (or
// the value as given, flagged procedure_unknown):
//
//	Procédure adaptée
//	Appel d'offres ouvert
//	Appel d'offres restreint
//	Procédure négociée avec mise en concurrence préalable   (1.5 "Procédure concurrentielle avec négociation", 2.0 "Procédure avec négociation")
//	Marché passé sans publicité ni mise en concurrence préalable (1.4 "Marché public négocié sans publicité…", 1.5 "Marché négocié sans publicité…")
//	Dialogue compétitif
//	Concours
//	Procédure négociée ouverte, Procédure non négociée ouverte,
//	Procédure négociée restreinte, Procédure non négociée restreinte (concessions)
const (
	ProcAdaptee         = "Procédure adaptée"
	ProcAOOuvert        = "Appel d'offres ouvert"
	ProcAORestreint     = "Appel d'offres restreint"
	ProcNegociee        = "Procédure négociée avec mise en concurrence préalable"
	ProcSansPublicite   = "Marché passé sans publicité ni mise en concurrence préalable"
	ProcDialogue        = "Dialogue compétitif"
	ProcConcours        = "Concours"
	ProcNegOuverte      = "Procédure négociée ouverte"
	ProcNonNegOuverte   = "Procédure non négociée ouverte"
	ProcNegRestreinte   = "Procédure négociée restreinte"
	ProcNonNegRestreint = "Procédure non négociée restreinte"
)

// Procedures lists the canonical values in a stable order.
var Procedures = []string{ProcAdaptee, ProcAOOuvert, ProcAORestreint, ProcNegociee, ProcSansPublicite,
	ProcDialogue, ProcConcours, ProcNegOuverte, ProcNonNegOuverte, ProcNegRestreinte, ProcNonNegRestreint}

// procedure maps a spelling to its canonical value; known is false for a
// value outside the list (returned as given).
func procedure(s string) (canon string, known bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	f := fold(s)
	switch {
	case strings.HasPrefix(f, "procedure adaptee"), f == "mapa":
		return ProcAdaptee, true
	case strings.Contains(f, "appel d'offres ouvert"), strings.Contains(f, "appel d'offre ouvert"):
		return ProcAOOuvert, true
	case strings.Contains(f, "appel d'offres restreint"), strings.Contains(f, "appel d'offre restreint"):
		return ProcAORestreint, true
	case strings.Contains(f, "sans publicite"):
		return ProcSansPublicite, true
	case f == "procedure concurrentielle avec negociation", f == "procedure avec negociation",
		strings.HasPrefix(f, "procedure negociee avec"):
		return ProcNegociee, true
	case strings.HasPrefix(f, "dialogue competitif"):
		return ProcDialogue, true
	case strings.HasPrefix(f, "concours"):
		return ProcConcours, true
	case f == "procedure negociee ouverte":
		return ProcNegOuverte, true
	case f == "procedure non negociee ouverte":
		return ProcNonNegOuverte, true
	case f == "procedure negociee restreinte":
		return ProcNegRestreinte, true
	case f == "procedure non negociee restreinte":
		return ProcNonNegRestreint, true
	}
	return s, false
}
