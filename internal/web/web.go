// Package web serves vigie's pages for people, in French, beside the API:
// Tendances (/), Appels ouverts (/appels), Acheteurs (/acheteurs and
// /acheteurs/{siret}) and Méthode (/methode). Pages are rendered on the
// server with html/template from the API's own parsing and queries
// (internal/api), so a page and the API never disagree; they work
// without JavaScript (every view is a GET URL) and without any request
// outside vigie.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options tune the pages.
type Options struct {
	// Pipelines are the scheduled pipelines, for the freshness table of
	// /methode (nil: the runs recorded in the store only).
	Pipelines []schedule.Pipeline
	// Now gives the time (tests); default time.Now.
	Now func() time.Time
}

// Pages is the pages' handler set.
type Pages struct {
	api  *api.Server
	st   *store.Store
	opts Options
	tmpl map[string]*template.Template

	dirMu    sync.Mutex
	dirState string
	dir      []dirEntry

	methodMu    sync.Mutex
	methodState string
	methodAt    time.Time
	methodData  *methodFigures
}

// New builds the pages over the API server a and its store.
func New(a *api.Server, st *store.Store, opts Options) (*Pages, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Pages{api: a, st: st, opts: opts, tmpl: map[string]*template.Template{}}
	for _, name := range []string{"trends", "tenders", "buyers", "buyer", "method", "error"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		p.tmpl[name] = t
	}
	return p, nil
}

// Mount registers the pages with handle (api.Server.HandlePage: the API's
// middleware, rate limit included, applies to the pages too).
func (p *Pages) Mount(handle func(pattern string, h http.Handler)) {
	handle("GET /{$}", http.HandlerFunc(p.trends))
	handle("GET /appels", http.HandlerFunc(p.tenders))
	handle("GET /acheteurs", http.HandlerFunc(p.buyers))
	handle("GET /acheteurs/{siret}", http.HandlerFunc(p.buyer))
	handle("GET /methode", http.HandlerFunc(p.method))
	sub, _ := fs.Sub(assetFS, "assets")
	files := http.StripPrefix("/assets/", http.FileServerFS(sub))
	handle("GET /assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}

// page is what every template gets besides its own data.
type page struct {
	Title   string
	Nav     string // active menu entry
	Error   *formError
	Status  int
	Request string // the page's URL, for the skip link and forms
}

// formError is a bad value in a form: shown above the form, the field
// marked invalid, the form kept as it was filled.
type formError struct {
	Field   string
	Message string
}

func (e *formError) Error() string { return e.Field + ": " + e.Message }

// render writes a page; on a template failure nothing partial is sent.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, name string, status int, data any) {
	var buf bytes.Buffer
	if err := p.tmpl[name].Execute(&buf, data); err != nil {
		slog.Error("web: render", "page", name, "err", err)
		http.Error(w, "Erreur interne : la page n'a pas pu être affichée.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", "fr")
	h.Set("Cache-Control", "no-cache")
	// No script, no outside request: say so to the browser too.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// failure renders the error page for a store failure (never the error
// text itself, which is for the log).
func (p *Pages) failure(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "La base de données n'a pas pu répondre. Réessayez dans un instant."
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "TIMEOUT_EXCEEDED") {
		status, msg = http.StatusGatewayTimeout, "La requête a pris trop de temps. Réduisez la sélection (filtres plus précis) et réessayez."
	} else {
		slog.Error("web", "path", r.URL.Path, "err", err)
	}
	p.render(w, r, "error", status, struct {
		page
		Message string
	}{page{Title: "Erreur", Status: status}, msg})
}

// notFound renders a French 404 with a message.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	p.render(w, r, "error", http.StatusNotFound, struct {
		page
		Message string
	}{page{Title: "Introuvable", Status: http.StatusNotFound}, msg})
}

// frenchParamError turns an API parameter error into a form error in
// French, naming the field as the form labels it.
func frenchParamError(err error, q url.Values) (*formError, bool) {
	param, _, ok := api.ParamError(err)
	if !ok {
		return nil, false
	}
	return fieldError(param, q.Get(param)), true
}

// fieldError words a bad value of a field.
func fieldError(param, v string) *formError {
	why, ok := paramHelp[param]
	if !ok {
		why = "valeur non reconnue"
	}
	name := fieldNames[param]
	if name == "" {
		name = param
	}
	msg := "Le champ « " + name + " » contient une valeur invalide"
	if v != "" {
		msg += " (« " + v + " »)"
	}
	return &formError{Field: param, Message: msg + " : " + why + "."}
}

var fieldNames = map[string]string{
	"region": "Région", "departement": "Département", "theme": "Thème", "cpv": "Code CPV",
	"procedure": "Procédure", "nature": "Nature", "buyer": "Acheteur (SIRET ou SIREN)",
	"min_amount": "Montant minimum", "max_amount": "Montant maximum", "from": "Notifié à partir du",
	"to": "Notifié jusqu'au", "source": "Source", "labels": "Type de marché", "q": "Mots-clés",
	"deadline_after": "Date limite après le", "siret": "SIRET ou SIREN", "par": "Répartition par",
	"mesure": "Mesure", "indicateur": "Indicateur",
}

var paramHelp = map[string]string{
	"region":         "choisissez une région de la liste",
	"departement":    "attendu un code de département (01 à 95, 2A, 2B, 971 à 976), plusieurs séparés par des virgules sur la page des appels",
	"theme":          "choisissez un thème de la liste",
	"cpv":            "attendu de 1 à 8 chiffres (début d'un code CPV, par exemple 45 pour les travaux)",
	"procedure":      "lettres, chiffres et ponctuation simple seulement, 120 caractères au plus",
	"nature":         "lettres, chiffres et ponctuation simple seulement, 120 caractères au plus",
	"buyer":          "attendu un SIRET (14 chiffres) ou un SIREN (9 chiffres)",
	"siret":          "attendu un SIRET (14 chiffres) ou un SIREN (9 chiffres)",
	"min_amount":     "attendu un montant en euros, positif, sans espace (par exemple 40000)",
	"max_amount":     "attendu un montant en euros, positif, sans espace (par exemple 40000), au moins égal au minimum",
	"from":           "attendu une date JJ/MM/AAAA valide",
	"to":             "attendu une date valide, après la date de début",
	"labels":         "choisissez parmi les types proposés",
	"q":              "200 caractères au plus",
	"deadline_after": "attendu une date valide (années 1900 à 9999)",
	"par":            "choisissez région, thème ou procédure",
	"mesure":         "choisissez contrats ou montant",
	"indicateur":     "choisissez un indicateur de la liste",
}

// checkKnown rejects parameters a page does not know, as the API does:
// a mistyped filter would otherwise silently show everything.
func checkKnown(q url.Values, known ...string) *formError {
	for name := range q {
		ok := false
		for _, k := range known {
			ok = ok || k == name
		}
		if !ok {
			return &formError{Field: name, Message: "Le paramètre « " + name + " » n'existe pas sur cette page : retirez-le de l'adresse."}
		}
	}
	return nil
}

// cleanQuery keeps the non-empty values of the named parameters, as the
// API query behind a page (the empty fields of a submitted form dropped).
func cleanQuery(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := strings.TrimSpace(q.Get(n)); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// single rejects a parameter given twice (the API does too), except the
// ones a form may repeat (checkboxes), which are joined with commas.
func single(q url.Values, lists ...string) (url.Values, *formError) {
	out := url.Values{}
	for k, vs := range q {
		isList := false
		for _, l := range lists {
			isList = isList || l == k
		}
		switch {
		case isList:
			var parts []string
			for _, v := range vs {
				if v = strings.TrimSpace(v); v != "" {
					parts = append(parts, v)
				}
			}
			out.Set(k, strings.Join(parts, ","))
		case len(vs) > 1:
			return q, &formError{Field: k, Message: "Le paramètre « " + k + " » est donné plusieurs fois : gardez-en un seul."}
		default:
			out.Set(k, strings.TrimSpace(vs[0]))
		}
	}
	return out, nil
}
