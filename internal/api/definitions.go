package api

import (
	"net/http"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/report"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/theme"
)

type text struct {
	Label      string `json:"label"`
	Definition string `json:"definition"`
}

type definition struct {
	Name           string   `json:"name"`
	FR             text     `json:"fr"`
	EN             text     `json:"en"`
	Scope          string   `json:"scope"`
	DeclaredFields []string `json:"declared_fields,omitempty"`
	DetectedLabels []string `json:"detected_labels,omitempty"`
	SourceFields   []string `json:"source_fields,omitempty"`
}

var indicatorTexts = map[string][2]text{
	"social": {
		{"Considération sociale", "Marché comportant au moins une considération sociale : clause sociale d'exécution, critère social d'attribution ou marché réservé (handicap, insertion, ESS)."},
		{"Social consideration", "Contract with at least one social consideration: social performance clause, social award criterion or reserved contract (disability, integration, social economy)."}},
	"social_clause": {
		{"Clause sociale", "Condition d'exécution à caractère social (par exemple heures d'insertion)."},
		{"Social clause", "Social performance condition (e.g. integration hours)."}},
	"social_criterion": {
		{"Critère social", "Critère d'attribution portant sur la performance sociale de l'offre."},
		{"Social criterion", "Award criterion on the social performance of the bid."}},
	"reserved": {
		{"Marché réservé", "Marché ou lot réservé aux structures du handicap (ESAT, EA), de l'insertion (SIAE) ou de l'ESS (articles L2113-12 à L2113-16 du code de la commande publique)."},
		{"Reserved contract", "Contract or lot reserved to disability employers (ESAT, EA), work-integration enterprises (SIAE) or social economy enterprises (French public procurement code L2113-12 to L2113-16)."}},
	"env": {
		{"Considération environnementale", "Marché comportant une clause ou un critère environnemental."},
		{"Environmental consideration", "Contract with an environmental clause or award criterion."}},
	"env_clause": {
		{"Clause environnementale", "Condition d'exécution à caractère environnemental."},
		{"Environmental clause", "Environmental performance condition."}},
	"env_criterion": {
		{"Critère environnemental", "Critère d'attribution portant sur la performance environnementale de l'offre."},
		{"Environmental criterion", "Award criterion on the environmental performance of the bid."}},
}

var declaredSourceFields = map[string]string{
	"declared_social_clause":    "DECP 2022 considerationsSociales contains « Clause sociale »",
	"declared_social_criterion": "DECP 2022 considerationsSociales contains « Critère social »",
	"declared_reserved":         "DECP 2022 considerationsSociales contains « Marché réservé » (or marcheReserve)",
	"declared_env_clause":       "DECP 2022 considerationsEnvironnementales contains « Clause environnementale »",
	"declared_env_criterion":    "DECP 2022 considerationsEnvironnementales contains « Critère environnemental »",
}

func (s *Server) definitions(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	var inds []definition
	for _, ind := range store.Indicators {
		t := indicatorTexts[ind.Name]
		var src []string
		for _, f := range ind.Declared {
			src = append(src, "contracts."+f+": "+declaredSourceFields[f])
		}
		src = append(src, "contracts.detected_labels (vigie's detector over the contract's object and codes)")
		inds = append(inds, definition{Name: ind.Name, FR: t[0], EN: t[1],
			Scope:          "DECP contracts (marchés and contrats de concession), current version of each contract (buyer SIRET + contract id), by notification date; contracts without notification date under « unknown »",
			DeclaredFields: ind.Declared, DetectedLabels: ind.Detected, SourceFields: src})
	}
	writeJSON(w, Definitions{
		Indicators: inds,
		Measures:   measureDefinitions,
		GroupBy:    store.GroupDimensions(),
		// what each detected label means (the labelling guide's substance)
		Labels: map[string]any{
			"fr": clause.Reading[0], "en": clause.Reading[1],
			"detector_version": clause.Version,
			"definitions":      clause.Definitions,
			"decisions":        clause.Decisions,
		},
		// GET /api/v1/reports/official reproduces these.
		OfficialFigures: report.Definitions(),
		Themes: map[string]any{
			"fr":      "Thème déduit du code CPV principal par le plus long préfixe de la table ; « autre » sinon.",
			"en":      "Theme derived from the main CPV code by the longest matching prefix of the table; « autre » otherwise.",
			"values":  theme.All,
			"mapping": theme.Mapping,
		},
	})
}

// Definitions is the answer of /api/v1/definitions.
type Definitions struct {
	Indicators      []definition   `json:"indicators"`
	Measures        []definition   `json:"measures"`
	GroupBy         []string       `json:"group_by"`
	Labels          map[string]any `json:"labels" desc:"what each detected label means: fr, en, detector_version, definitions, decisions"`
	OfficialFigures any            `json:"official_figures" desc:"the published figures /api/v1/reports/official reproduces"`
	Themes          map[string]any `json:"themes" desc:"fr, en, values and the CPV prefix → theme mapping"`
}

// measureDefinitions define the measures of every answer.
var measureDefinitions = []definition{
	{Name: "contracts", FR: text{"Contrats", "Nombre de contrats (version la plus récente de chaque contrat)."}, EN: text{"Contracts", "Number of contracts (latest version of each)."}, Scope: "DECP", SourceFields: []string{"contracts.buyer_siret", "contracts.contract_id", "contracts.version"}},
	{Name: "amount", FR: text{"Montant", "Somme des montants publiés (euros HT) ; les contrats sans montant comptent 0 et ne sont pas dans contracts_with_amount."}, EN: text{"Amount", "Sum of published amounts (euros excl. VAT); contracts without amount add 0 and are not in contracts_with_amount."}, Scope: "DECP", SourceFields: []string{"contracts.amount"}},
	{Name: "declared", FR: text{"Déclaré", "Ce que l'acheteur a renseigné dans les champs DECP."}, EN: text{"Declared", "What the buyer filled in the DECP fields."}, Scope: "DECP 2022 format and later; older formats have no such fields (declared_unknown)"},
	{Name: "declared_unknown", FR: text{"Non renseigné", "Contrats sans valeur dans les champs DECP de l'indicateur (aucun « oui » et au moins un champ absent)."}, EN: text{"Not given", "Contracts with no value in the indicator's DECP fields (no « yes » and at least one field missing)."}, Scope: "DECP"},
	{Name: "detected", FR: text{"Détecté", "Ce que le détecteur de vigie a lu dans le texte et les codes."}, EN: text{"Detected", "What vigie's detector read in the text and codes."}, Scope: "all sources", SourceFields: []string{"detected_labels", "detections.evidence"}},
	{Name: "share_contracts", FR: text{"Part en nombre", "Nombre / contrats de la même ligne."}, EN: text{"Share of contracts", "Count / contracts of the same row."}, Scope: "row"},
	{Name: "share_amount", FR: text{"Part en montant", "Montant des contrats comptés / montant de la ligne."}, EN: text{"Share of amount", "Amount of the counted contracts / amount of the row."}, Scope: "row"},
	{Name: "publications", FR: text{"Publications", "Avis publiés par l'acheteur (BOAMP), par année de publication, hors avis annulés."}, EN: text{"Publications", "Notices published by the buyer (BOAMP), by publication year, cancelled ones excluded."}, Scope: "BOAMP notices", SourceFields: []string{"notices.buyer_siret", "notices.publication_date", "notices.cancelled"}},
	{Name: "spaser", FR: text{"Seuil SPASER", "Obligation d'adopter un schéma de promotion des achats socialement et écologiquement responsables au-delà de 100 M€ d'achats annuels jusqu'en 2022, 50 M€ à partir de 2023. Estimation à partir des montants publiés dans les DECP."}, EN: text{"SPASER threshold", "Obligation to adopt a socially and environmentally responsible procurement plan above 100 M€ of annual purchases until 2022, 50 M€ from 2023. Estimated from the amounts published in DECP."}, Scope: "buyer scorecard", SourceFields: []string{"contracts.amount", "contracts.notification_date"}},
	{Name: "pnad", FR: text{"Objectifs PNAD", "Plan national pour des achats durables : en 2025, 30 % des contrats avec une considération sociale et 100 % avec une considération environnementale. Écart = objectif - part."}, EN: text{"PNAD targets", "National sustainable procurement plan: by 2025, 30 % of contracts with a social consideration and 100 % with an environmental one. Gap = target - share."}, Scope: "buyer scorecard"},
	{Name: "tenders_open", FR: text{"Appels d'offres ouverts", "Avis non annulés dont la date limite de réponse est à venir, avec au moins un lot (ou l'avis) réservé ou portant une clause sociale (déclaré ou détecté)."}, EN: text{"Open tenders", "Non-cancelled notices whose response deadline is ahead, with at least one lot (or the notice) reserved or carrying a social clause (declared or detected)."}, Scope: "BOAMP and eForms notices and lots", SourceFields: []string{"notices.deadline", "lots.reserved", "lots.declared_labels", "lots.detected_labels", "detections.evidence"}},
}
