package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/theme"
)

// The three indicators the Tendances page charts, in order.
var trendIndicators = []struct{ Name, Title string }{
	{"social", "Considération sociale"},
	{"env", "Considération environnementale"},
	{"reserved", "Marché réservé"},
}

// breakdownDims are the dimensions the breakdown chart offers (par=).
var breakdownDims = []option{{"region", "Région"}, {"theme", "Thème"}, {"procedure", "Procédure"}}

type option struct{ Value, Label string }

// trendFilters are the API's contract filters the page offers.
var trendFilters = []string{"region", "departement", "theme", "cpv", "procedure", "nature", "buyer", "min_amount", "max_amount"}

type indicatorView struct {
	Name, Title string
	Chart       template.HTML
	Rows        []indicatorRow
}

type indicatorRow struct {
	Year      string
	Contracts uint64
	Amount    float64
	C         api.Consideration
}

type breakdownRow struct {
	Key       string
	Contracts uint64
	C         api.Consideration
}

type trendsView struct {
	page
	Q            url.Values // the form as filled
	Regions      []option
	Departements []option
	Themes       []option
	Dims         []option
	Indicators   []option
	HasData      bool
	Total        uint64
	TotalAmount  float64
	Views        []indicatorView
	Breakdown    template.HTML
	BRows        []breakdownRow
	BTruncated   int
	BTitle       string
	CSV          string // the API query behind the table, as CSV
	JSON         string
	BreakdownCSV string
	Mesure       string
	Par          string
	Indicateur   string
}

func (p *Pages) trends(w http.ResponseWriter, r *http.Request) {
	v := &trendsView{page: page{Title: "Tendances", Nav: "tendances"}, Regions: regionOptions(), Departements: departementOptions(),
		Themes: themeOptions(), Dims: breakdownDims, Q: r.URL.Query()}
	for _, ind := range trendIndicators {
		v.Indicators = append(v.Indicators, option{ind.Name, ind.Title})
	}
	q, ferr := single(r.URL.Query())
	if ferr == nil {
		ferr = checkKnown(q, append(trendFilters, "par", "mesure", "indicateur")...)
	}
	v.Q = q
	v.Par, v.Mesure, v.Indicateur = or(q.Get("par"), "region"), or(q.Get("mesure"), "contrats"), or(q.Get("indicateur"), "social")
	if ferr == nil {
		ferr = checkChoice(q, "par", v.Par, "region", "theme", "procedure")
	}
	if ferr == nil {
		ferr = checkChoice(q, "mesure", v.Mesure, "contrats", "montant")
	}
	if ferr == nil {
		ferr = checkChoice(q, "indicateur", v.Indicateur, "social", "env", "reserved")
	}
	if ferr == nil && q.Get("region") != "" && !validRegion(q.Get("region")) {
		ferr = &formError{Field: "region", Message: "La région « " + q.Get("region") + " » n'existe pas : choisissez une région de la liste."}
	}
	apiQ := cleanQuery(q, trendFilters...)
	var f store.ContractFilter
	if ferr == nil {
		var err error
		if f, err = api.ParseContractFilter(apiQ); err != nil {
			if fe, ok := frenchParamError(err, apiQ); ok {
				ferr = fe
			} else {
				p.failure(w, r, err)
				return
			}
		}
	}
	if ferr == nil && f.MinAmount != nil && f.MaxAmount != nil && *f.MaxAmount < *f.MinAmount {
		ferr = &formError{Field: "max_amount", Message: "Le montant maximum est inférieur au montant minimum."}
	}
	if ferr != nil {
		v.Error, v.Status = ferr, http.StatusBadRequest
		p.render(w, r, "trends", http.StatusBadRequest, v)
		return
	}
	// The two queries run side by side: the page waits for the slower only.
	var byDim store.IndicatorResult
	var dimErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		byDim, dimErr = p.api.Indicators(r.Context(), []string{v.Par}, f)
	}()
	byYear, err := p.api.Indicators(r.Context(), []string{"year"}, f)
	<-done
	if err == nil {
		err = dimErr
	}
	if err != nil {
		p.failure(w, r, err)
		return
	}
	csv := url.Values{"group_by": {"year"}}
	for k, vs := range apiQ {
		csv[k] = vs
	}
	v.JSON = "/api/v1/contracts/indicators?" + csv.Encode()
	csv.Set("format", "csv")
	v.CSV = "/api/v1/contracts/indicators?" + csv.Encode()
	csv.Set("group_by", v.Par)
	v.BreakdownCSV = "/api/v1/contracts/indicators?" + csv.Encode()

	byAmount := v.Mesure == "montant"
	unit := "Part des contrats (%)"
	if byAmount {
		unit = "Part du montant (%)"
	}
	for _, row := range byYear.Rows {
		v.Total += row.Contracts
		v.TotalAmount += row.Amount
	}
	v.HasData = v.Total > 0
	for _, ind := range trendIndicators {
		iv := indicatorView{Name: ind.Name, Title: ind.Title}
		ch := barChart{ID: "chart-" + ind.Name, Title: ind.Title + " — " + lower(unit) + ", déclarée et détectée, par année",
			Desc:   "Barres groupées par année de notification : part déclarée par l'acheteur et part détectée par vigie. Les chiffres sont dans le tableau qui suit.",
			XLabel: "Année de notification", YLabel: unit,
			Series: []series{{Name: "Déclaré", Class: "declared"}, {Name: "Détecté", Class: "detected"}}}
		for _, row := range byYear.Rows {
			c := api.Consider(row, ind.Name)
			iv.Rows = append(iv.Rows, indicatorRow{Year: row.Keys[0], Contracts: row.Contracts, Amount: row.Amount, C: c})
			ch.Categories = append(ch.Categories, row.Keys[0])
			d, t := c.Declared.ShareContracts, c.Detected.ShareContracts
			if byAmount {
				d, t = c.Declared.ShareAmount, c.Detected.ShareAmount
			}
			ch.Series[0].Values = append(ch.Series[0].Values, d)
			ch.Series[1].Values = append(ch.Series[1].Values, t)
		}
		iv.Chart = ch.Vertical()
		v.Views = append(v.Views, iv)
	}

	// Breakdown: the largest groups first, at most 20 bars.
	rows := append([]store.IndicatorRow(nil), byDim.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Contracts > rows[j].Contracts })
	if len(rows) > 20 {
		v.BTruncated = len(rows) - 20
		rows = rows[:20]
	}
	indTitle := ""
	for _, ind := range trendIndicators {
		if ind.Name == v.Indicateur {
			indTitle = ind.Title
		}
	}
	dimTitle := ""
	for _, d := range breakdownDims {
		if d.Value == v.Par {
			dimTitle = d.Label
		}
	}
	v.BTitle = indTitle + " par " + lower(dimTitle)
	bc := barChart{ID: "chart-breakdown", Title: v.BTitle + " — " + lower(unit) + ", toutes années",
		Desc:   "Une bande par " + lower(dimTitle) + ", des plus nombreuses en contrats aux moins nombreuses : part déclarée et part détectée. Les chiffres sont dans le tableau qui suit.",
		YLabel: unit, Series: []series{{Name: "Déclaré", Class: "declared"}, {Name: "Détecté", Class: "detected"}}}
	for _, row := range rows {
		c := api.Consider(row, v.Indicateur)
		v.BRows = append(v.BRows, breakdownRow{Key: row.Keys[0], Contracts: row.Contracts, C: c})
		bc.Categories = append(bc.Categories, row.Keys[0])
		d, t := c.Declared.ShareContracts, c.Detected.ShareContracts
		if byAmount {
			d, t = c.Declared.ShareAmount, c.Detected.ShareAmount
		}
		bc.Series[0].Values = append(bc.Series[0].Values, d)
		bc.Series[1].Values = append(bc.Series[1].Values, t)
	}
	v.Breakdown = bc.Horizontal()
	p.render(w, r, "trends", http.StatusOK, v)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func lower(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'A' && r[0] <= 'Z' {
		r[0] += 'a' - 'A'
	}
	return string(r)
}

func checkChoice(q url.Values, field, v string, allowed ...string) *formError {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fieldError(field, v)
}

func regionOptions() []option {
	seen := map[string]bool{}
	var out []option
	for _, d := range departementCodes() {
		if r := decp.RegionOf(d); r != "" && !seen[r] {
			seen[r] = true
			out = append(out, option{r, r})
		}
	}
	sort.Slice(out, func(i, j int) bool { return collate(out[i].Label) < collate(out[j].Label) })
	return out
}

func validRegion(v string) bool {
	for _, o := range regionOptions() {
		if o.Value == v {
			return true
		}
	}
	return false
}

func departementCodes() []string {
	var out []string
	for i := 1; i <= 95; i++ {
		if i == 20 {
			out = append(out, "2A", "2B")
			continue
		}
		out = append(out, string([]byte{byte('0' + i/10), byte('0' + i%10)}))
	}
	return append(out, "971", "972", "973", "974", "976")
}

func departementOptions() []option {
	var out []option
	for _, d := range departementCodes() {
		out = append(out, option{d, d})
	}
	return out
}

func themeOptions() []option {
	var out []option
	for _, t := range theme.All {
		out = append(out, option{t, label(t)})
	}
	return out
}

// collate sorts French names without their accents first letter issue
// (Île-de-France among the I).
func collate(s string) string {
	r := []rune(s)
	if len(r) > 0 && r[0] == 'Î' {
		r[0] = 'I'
	}
	return string(r)
}
