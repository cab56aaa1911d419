package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/theme"
)

// French formatting of the figures, shared by the templates and the charts.

const nbsp = "\u202f" // narrow no-break space, the French thousands separator

// fmtInt writes 1 234 567.
func fmtInt(v uint64) string {
	s := strconv.FormatUint(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtEuro writes an amount in whole euros: 1 234 567 €.
func fmtEuro(v float64) string {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "n.d."
	}
	return fmtInt(uint64(math.Round(v))) + "\u00a0€"
}

// fmtEuroPtr is fmtEuro for an amount that may be missing.
func fmtEuroPtr(v *float64) string {
	if v == nil {
		return "non publié"
	}
	return fmtEuro(*v)
}

// fmtShare writes a share (0 to 1) as 12,3 %; "n.d." when unknown.
func fmtShare(v *float64) string {
	if v == nil {
		return "n.d."
	}
	return pct(*v)
}

// rawShare is the exact share, for data-value attributes ("" when unknown).
func rawShare(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

var months = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// paris is the time zone deadlines are shown in.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "n.d."
	}
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func fmtDatePtr(t *time.Time) string {
	if t == nil {
		return "n.d."
	}
	return fmtDate(*t)
}

// fmtDeadline writes a deadline in Paris time: 3 mars 2026 à 12 h 00.
func fmtDeadline(t time.Time) string {
	p := t.In(paris)
	return fmtDate(p) + " à " + p.Format("15 h 04")
}

// daysLeft is the number of whole days until t (0 on the day itself).
func daysLeft(t, now time.Time) int {
	d := t.Sub(now)
	if d < 0 {
		return -1
	}
	return int(d / (24 * time.Hour))
}

func fmtDaysLeft(n int) string {
	switch {
	case n < 0:
		return "clos"
	case n == 0:
		return "dernier jour"
	case n == 1:
		return "1 jour restant"
	}
	return strconv.Itoa(n) + " jours restants"
}

// label turns a stored group key into words.
func label(k string) string {
	switch k {
	case "unknown", "":
		return "non renseigné"
	}
	if t, ok := themeNames[k]; ok {
		return t
	}
	return k
}

var themeNames = map[string]string{
	theme.Alimentation: "Alimentation",
	theme.Mobilite:     "Mobilité",
	theme.Habitat:      "Habitat",
	theme.Dechets:      "Déchets",
	theme.Autre:        "Autre",
}

// labelNames are the clause labels in French (see LABELS.md).
var labelNames = map[string]string{
	clause.SocialClause:       "Clause sociale",
	clause.SocialCriterion:    "Critère social",
	clause.EnvClause:          "Clause environnementale",
	clause.EnvCriterion:       "Critère environnemental",
	clause.Reserved:           "Marché réservé",
	clause.ReservedDisability: "Réservé handicap (ESAT, EA)",
	clause.ReservedInsertion:  "Réservé insertion (SIAE)",
	clause.ReservedESS:        "Réservé ESS",
}

func labelName(l string) string {
	if n, ok := labelNames[l]; ok {
		return n
	}
	return l
}

var funcs = template.FuncMap{
	"int":       fmtInt,
	"euro":      fmtEuro,
	"europtr":   fmtEuroPtr,
	"share":     fmtShare,
	"rawshare":  rawShare,
	"date":      fmtDate,
	"dateptr":   fmtDatePtr,
	"deadline":  fmtDeadline,
	"label":     label,
	"labelname": labelName,
	"daysleft":  fmtDaysLeft,
	"raw":       func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) },
	"lower":     lower,
	"fieldname": fieldName,
	"deref":     func(b *bool) bool { return b != nil && *b },
	"derefF":    func(f *float64) float64 { return *f },
	"ptr":       func(f float64) *float64 { return &f },
	"bad":       func(e *formError, field string) bool { return e != nil && e.Field == field },
	"has":       func(m map[string]bool, k string) bool { return m[k] },
}
