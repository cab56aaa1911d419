package web

import (
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
	Indicators   []definitionView
	Measures     []definitionView
	Labels       []definitionView
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
	ctx := r.Context()
	now := p.opts.Now()
	statuses, err := schedule.Statuses(ctx, p.st, p.opts.Pipelines, now, nil, nil)
	if err != nil {
		p.failure(w, r, err)
		return
	}
	for _, s := range statuses {
		row := freshnessRow{Name: s.Name, Source: s.Source, Schedule: s.Schedule, LastRun: s.LastRun, NewestData: s.NewestData, NextRun: s.NextRun}
		if s.LagSeconds != nil {
			row.Lag = fmtLag(time.Duration(*s.LagSeconds) * time.Second)
		}
		v.Pipelines = append(v.Pipelines, row)
	}
	if len(p.opts.Pipelines) == 0 {
		// No scheduler: the runs recorded (vigie ingest, vigie run).
		last, err := p.st.LastRuns(ctx)
		if err != nil {
			p.failure(w, r, err)
			return
		}
		for name, run := range last {
			row := freshnessRow{Name: name, Source: run.Source, LastRun: schedule.NewRunInfo(run)}
			newest, err := p.st.NewestData(ctx, run.Source)
			if err != nil {
				p.failure(w, r, err)
				return
			}
			if !newest.IsZero() {
				row.NewestData, row.Lag = &newest, fmtLag(now.Sub(newest))
			}
			v.Pipelines = append(v.Pipelines, row)
		}
		sort.Slice(v.Pipelines, func(i, j int) bool { return v.Pipelines[i].Name < v.Pipelines[j].Name })
	}
	byYear, err := p.api.Indicators(ctx, []string{"year"}, store.ContractFilter{})
	if err != nil {
		p.failure(w, r, err)
		return
	}
	v.Origin = byYear.Origin
	for _, row := range byYear.Rows {
		v.ContractYrs = append(v.ContractYrs, store.YearCount{Year: row.Keys[0], Count: row.Contracts})
		v.Contracts += row.Contracts
	}
	if v.NoticeYrs, v.NoticeLatest, err = p.st.NoticeCoverage(ctx); err != nil {
		p.failure(w, r, err)
		return
	}
	for _, y := range v.NoticeYrs {
		v.Notices += y.Count
	}
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
