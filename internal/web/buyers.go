package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/store"
)

// dirEntry is a buyer of the directory with its folded name.
type dirEntry struct {
	store.DirectoryBuyer
	folded string
}

// fold lower-cases and strips accents, so that "ecole" finds "École".
func fold(s string) string { return unaccent.Replace(strings.ToLower(s)) }

var unaccent = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "î", "i", "ï", "i", "ñ", "n", "ó", "o", "ô", "o", "ö", "o", "ú", "u", "ù", "u", "û", "u", "ü", "u", "ÿ", "y",
	"œ", "oe", "æ", "ae", "’", "'", "-", " ")

// directory is the buyer directory of the current data, read again when
// contracts or notices change.
func (p *Pages) directory(ctx context.Context) ([]dirEntry, error) {
	cs, err := p.st.ContractsState(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := p.st.TendersState(ctx)
	if err != nil {
		return nil, err
	}
	state := cs + "\x00" + ts
	p.dirMu.Lock()
	defer p.dirMu.Unlock()
	if p.dir != nil && p.dirState == state {
		return p.dir, nil
	}
	list, err := p.st.BuyerDirectory(ctx)
	if err != nil {
		return nil, err
	}
	dir := make([]dirEntry, len(list))
	for i, b := range list {
		dir[i] = dirEntry{b, fold(b.Name)}
	}
	p.dir, p.dirState = dir, state
	return dir, nil
}

const maxBuyerHits = 50

type buyersView struct {
	page
	Q     string
	Hits  []store.DirectoryBuyer
	More  int
	Asked bool
}

func (p *Pages) buyers(w http.ResponseWriter, r *http.Request) {
	v := &buyersView{page: page{Title: "Acheteurs", Nav: "acheteurs"}}
	q, ferr := single(r.URL.Query())
	if ferr == nil {
		ferr = checkKnown(q, "q")
	}
	v.Q = q.Get("q")
	v.Asked = v.Q != ""
	if ferr == nil && len(v.Q) > 200 {
		ferr = fieldError("q", v.Q[:40]+"…")
	}
	if ferr == nil && v.Asked {
		digits := strings.ReplaceAll(v.Q, " ", "")
		if isDigits(digits) && !api.ValidBuyerID(digits) {
			ferr = &formError{Field: "q", Message: "« " + v.Q + " » n'est ni un SIRET (14 chiffres) ni un SIREN (9 chiffres) : vérifiez le nombre de chiffres, ou cherchez par nom."}
		}
	}
	if ferr != nil {
		v.Error, v.Status = ferr, http.StatusBadRequest
		p.render(w, r, "buyers", http.StatusBadRequest, v)
		return
	}
	if v.Asked {
		dir, err := p.directory(r.Context())
		if err != nil {
			p.failure(w, r, err)
			return
		}
		v.Hits, v.More = searchBuyers(dir, v.Q)
	}
	p.render(w, r, "buyers", http.StatusOK, v)
}

// searchBuyers finds buyers by SIRET, SIREN (digits) or by every word of
// the name, the most active first.
func searchBuyers(dir []dirEntry, q string) ([]store.DirectoryBuyer, int) {
	digits := strings.ReplaceAll(q, " ", "")
	var hits []store.DirectoryBuyer
	if isDigits(digits) {
		for _, b := range dir {
			if strings.HasPrefix(b.Siret, digits) {
				hits = append(hits, b.DirectoryBuyer)
			}
		}
	} else {
		words := strings.Fields(fold(q))
		for _, b := range dir {
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(b.folded, w)
			}
			if ok {
				hits = append(hits, b.DirectoryBuyer)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		return hits[i].Contracts+hits[i].Notices > hits[j].Contracts+hits[j].Notices
	})
	more := 0
	if len(hits) > maxBuyerHits {
		more = len(hits) - maxBuyerHits
		hits = hits[:maxBuyerHits]
	}
	return hits, more
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type buyerView struct {
	page
	ID        string
	SC        api.Scorecard
	Chart     any
	Contracts []store.ListedContract
	Tenders   []store.Tender
	MoreOpen  bool
	JSON, CSV string
	OpenLink  string
	Latest    *api.ScorecardYear
}

func (p *Pages) buyer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("siret")
	v := &buyerView{page: page{Title: "Acheteur " + id, Nav: "acheteurs"}, ID: id}
	q, ferr := single(r.URL.Query())
	if ferr == nil {
		ferr = checkKnown(q)
	}
	if ferr == nil && !api.ValidBuyerID(id) {
		ferr = &formError{Field: "siret", Message: "« " + id + " » n'est ni un SIRET (14 chiffres) ni un SIREN (9 chiffres). Cherchez l'acheteur par son nom ci-dessous."}
	}
	if ferr != nil {
		bv := &buyersView{page: page{Title: "Acheteurs", Nav: "acheteurs", Error: ferr, Status: http.StatusBadRequest}, Q: id}
		p.render(w, r, "buyers", http.StatusBadRequest, bv)
		return
	}
	// The recent contracts and open notices are read beside the scorecard.
	siret, siren := id, ""
	if len(id) == 9 {
		siret, siren = "", id
	}
	var tenders []store.Tender
	var more bool
	var sideErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if v.Contracts, sideErr = p.st.RecentContracts(r.Context(), siret, siren, 20); sideErr != nil {
			return
		}
		_, tenders, more, sideErr = p.api.OpenTenders(r.Context(), url.Values{"buyer": {id}, "limit": {"20"}})
	}()
	sc, found, err := p.api.BuyerScorecard(r.Context(), id)
	<-done
	if err == nil {
		err = sideErr
	}
	if err != nil {
		p.failure(w, r, err)
		return
	}
	if !found {
		p.notFound(w, r, "Aucun contrat ni avis de l'acheteur "+id+" dans les données de vigie.")
		return
	}
	v.SC = sc
	if sc.Name != "" {
		v.Title = sc.Name
	}
	for i := len(sc.Years) - 1; i >= 0; i-- {
		if sc.Years[i].SpaserThreshold != nil && sc.Years[i].Contracts > 0 {
			v.Latest = &sc.Years[i]
			break
		}
	}
	v.Tenders, v.MoreOpen = tenders, more
	v.OpenLink = "/appels?buyer=" + url.QueryEscape(id)
	v.JSON = "/api/v1/buyers/" + id + "/scorecard"
	v.CSV = v.JSON + "?format=csv"
	ch := barChart{ID: "chart-buyer", Title: "Part des contrats avec une considération sociale ou environnementale, par année",
		Desc:   "Barres groupées par année : parts déclarées et détectées, sociales et environnementales. Les chiffres sont dans le tableau qui suit.",
		XLabel: "Année de notification", YLabel: "Part des contrats (%)",
		Series: []series{{Name: "Social déclaré", Class: "declared"}, {Name: "Social détecté", Class: "detected"},
			{Name: "Environnement déclaré", Class: "declared2"}, {Name: "Environnement détecté", Class: "detected2"}}}
	for _, y := range sc.Years {
		if y.Contracts == 0 {
			continue
		}
		ch.Categories = append(ch.Categories, y.Year)
		ch.Series[0].Values = append(ch.Series[0].Values, y.Social.Declared.ShareContracts)
		ch.Series[1].Values = append(ch.Series[1].Values, y.Social.Detected.ShareContracts)
		ch.Series[2].Values = append(ch.Series[2].Values, y.Env.Declared.ShareContracts)
		ch.Series[3].Values = append(ch.Series[3].Values, y.Env.Detected.ShareContracts)
	}
	if len(ch.Categories) > 0 {
		v.Chart = ch.Vertical()
	}
	p.render(w, r, "buyer", http.StatusOK, v)
}
