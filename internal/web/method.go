package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/store"
)

type definitionView struct {
	ID, Label, Text string
	Declared        []string
	Detected        []string
}

type freshnessRow struct {
	Name, Source, Schedule string
	LastRun                *schedule.RunInfo
	NewestData             *time.Time
	Lag                    string
	NextRun                *time.Time
}

type methodView struct {
	page
	Indicators []definitionView
	Measures   []definitionView
	Labels     []definitionView
	methodFigures
}

// methodFigures are the figures of /methode read from the store.
type methodFigures struct {
	Pipelines    []freshnessRow
	ContractYrs  []store.YearCount
	Contracts    uint64
	NoticeYrs    []store.YearCount
	Notices      uint64
	NoticeLatest time.Time
	Origin       string
}

// labelTexts define the detector's labels (from LABELS.md), in French.
var labelTexts = map[string]string{
	clause.SocialClause:       "Condition d'exécution à caractère social : heures d'insertion, emploi de personnes éloignées de l'emploi, conditions de travail.",
	clause.SocialCriterion:    "Critère d'attribution portant sur la performance sociale de l'offre (par exemple « insertion professionnelle : 10 % »).",
	clause.EnvClause:          "Condition d'exécution à caractère environnemental : gestion des déchets, produits écolabellisés, réduction des émissions.",
	clause.EnvCriterion:       "Critère d'attribution portant sur la performance environnementale de l'offre.",
	clause.Reserved:           "Marché ou lot réservé (articles L2113-12 à L2113-16 du code de la commande publique), sans que le type de structure soit dit.",
	clause.ReservedDisability: "Réservé aux entreprises adaptées (EA) et établissements et services d'aide par le travail (ESAT) — L2113-12.",
	clause.ReservedInsertion:  "Réservé aux structures d'insertion par l'activité économique (SIAE) — L2113-13.",
	clause.ReservedESS:        "Réservé aux entreprises de l'économie sociale et solidaire (ESS) pour certains services — L2113-15.",
}

func (p *Pages) method(w http.ResponseWriter, r *http.Request) {
	v := &methodView{page: page{Title: "Méthode", Nav: "methode"}}
	q, ferr := single(r.URL.Query())
	if ferr == nil {
		ferr = checkKnown(q)
	}
	if ferr != nil {
		v.Error, v.Status = ferr, http.StatusBadRequest
		p.render(w, r, "method", http.StatusBadRequest, v)
		return
	}
	for _, d := range api.IndicatorDefinitions() {
		v.Indicators = append(v.Indicators, definitionView{ID: "def-" + d.Name, Label: d.Label, Text: d.Text, Declared: d.Declared, Detected: d.Detected})
	}
	for _, d := range api.MeasureDefinitions() {
		v.Measures = append(v.Measures, definitionView{ID: "def-" + d.Name, Label: d.Label, Text: d.Text})
	}
	for _, l := range clause.AllLabels {
		v.Labels = append(v.Labels, definitionView{ID: "label-" + l, Label: labelName(l), Text: labelTexts[l], Detected: []string{l}})
	}
	d, err := p.methodFigures(r.Context())
	if err != nil {
		p.failure(w, r, err)
		return
	}
	v.methodFigures = d
	p.render(w, r, "method", http.StatusOK, v)
}

// fmtLag writes a delay in days or hours.
func fmtLag(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "moins d'une heure"
	case d < 48*time.Hour:
		return fmtInt(uint64(d/time.Hour)) + " h"
	}
	return fmtInt(uint64(d/(24*time.Hour))) + " jours"
}

// methodTTL bounds how long /methode's figures are kept: they change with
// the data (checked through its state) and with runs (not in the state).
const methodTTL = 30 * time.Second

// methodFigures reads the freshness and coverage figures, kept for
// methodTTL while the contracts and notices stay in the same state.
func (p *Pages) methodFigures(ctx context.Context) (methodFigures, error) {
	cs, err := p.st.ContractsState(ctx)
	if err != nil {
		return methodFigures{}, err
	}
	ts, err := p.st.TendersState(ctx)
	if err != nil {
		return methodFigures{}, err
	}
	state := cs + "\x00" + ts
	now := p.opts.Now()
	p.methodMu.Lock()
	defer p.methodMu.Unlock()
	if p.methodData != nil && p.methodState == state && now.Sub(p.methodAt) < methodTTL {
		return *p.methodData, nil
	}
	d, err := p.readMethodFigures(ctx, now)
	if err != nil {
		return d, err
	}
	p.methodData, p.methodState, p.methodAt = &d, state, now
	return d, nil
}

func (p *Pages) readMethodFigures(ctx context.Context, now time.Time) (d methodFigures, err error) {
	statuses, err := schedule.Statuses(ctx, p.st, p.opts.Pipelines, now, nil, nil)
	if err != nil {
		return d, err
	}
	for _, s := range statuses {
		row := freshnessRow{Name: s.Name, Source: s.Source, Schedule: s.Schedule, LastRun: s.LastRun, NewestData: s.NewestData, NextRun: s.NextRun}
		if s.LagSeconds != nil {
			row.Lag = fmtLag(time.Duration(*s.LagSeconds) * time.Second)
		}
		d.Pipelines = append(d.Pipelines, row)
	}
	if len(p.opts.Pipelines) == 0 {
		// No scheduler: the runs recorded (vigie ingest, vigie run).
		last, err := p.st.LastRuns(ctx)
		if err != nil {
			return d, err
		}
		for name, run := range last {
			row := freshnessRow{Name: name, Source: run.Source, LastRun: schedule.NewRunInfo(run)}
			newest, err := p.st.NewestData(ctx, run.Source)
			if err != nil {
				return d, err
			}
			if !newest.IsZero() {
				row.NewestData, row.Lag = &newest, fmtLag(now.Sub(newest))
			}
			d.Pipelines = append(d.Pipelines, row)
		}
		sort.Slice(d.Pipelines, func(i, j int) bool { return d.Pipelines[i].Name < d.Pipelines[j].Name })
	}
	byYear, err := p.api.Indicators(ctx, []string{"year"}, store.ContractFilter{})
	if err != nil {
		return d, err
	}
	d.Origin = byYear.Origin
	for _, row := range byYear.Rows {
		d.ContractYrs = append(d.ContractYrs, store.YearCount{Year: row.Keys[0], Count: row.Contracts})
		d.Contracts += row.Contracts
	}
	if d.NoticeYrs, d.NoticeLatest, err = p.st.NoticeCoverage(ctx); err != nil {
		return d, err
	}
	for _, y := range d.NoticeYrs {
		d.Notices += y.Count
	}
	return d, nil
}
