package clause

import "strings"

// Structured codes → declared evidence. Parsers call these with a code they
// read and the path of the field it came from; each returns the evidence
// (Origin Declared, Text the code, Start/End 0), Negative for a structured
// "no". A code that says nothing about the vocabulary gives nil.

func declared(fieldPath, code string, neg bool, labels ...string) []Evidence {
	out := make([]Evidence, len(labels))
	for i, l := range labels {
		out[i] = Evidence{Label: l, Origin: Declared, Field: fieldPath, Text: code, Negative: neg}
	}
	return out
}

// FromEForms maps an eForms business term and its code (from the SDK code
// lists) to evidence. bt is the term with or without its suffix ("BT-71",
// "BT-71-Lot", "BT-71-Part"); fieldPath defaults to bt.
//
//   - BT-71 reserved-procurement: "res-ws" (sheltered workshops and operators
//     whose aim is the integration of disabled OR disadvantaged persons —
//     both CCP L2113-12 and L2113-13 fit, so the kind is left to the text)
//     → reserved; "res-pub-ser" (organisations with a public service
//     mission, directive art. 77 = CCP L2113-15) → reserved + reserved_ess;
//     "none" → reserved, negative.
//   - BT-736 reserved-execution (sheltered employment programmes): "yes" →
//     reserved; "no" → reserved, negative; "not-known" → nothing.
//   - BT-774 environmental-impact (any code) → env_clause.
//   - BT-775 social-objective (any code) → social_clause.
//   - BT-805 gpp-criteria: "eu", "national", "other" → env_criterion;
//     "none" → env_criterion, negative.
//   - BT-06 strategic-procurement: "env-imp" → env_clause, "soc-obj" →
//     social_clause, "none" → both negative; "inn-pur" → nothing.
//   - BT-539 award-criterion-type (cost, price, quality) and BT-754
//     accessibility carry nothing of the vocabulary: the criteria's
//     descriptions (BT-540, BT-734) are text for DetectFields.
func FromEForms(bt, code, fieldPath string) []Evidence {
	if fieldPath == "" {
		fieldPath = bt
	}
	code = strings.TrimSpace(code)
	switch btBase(bt) {
	case "BT-71":
		switch code {
		case "res-ws":
			return declared(fieldPath, code, false, Reserved)
		case "res-pub-ser":
			return declared(fieldPath, code, false, Reserved, ReservedESS)
		case "none":
			return declared(fieldPath, code, true, Reserved)
		}
	case "BT-736":
		switch code {
		case "yes", "true":
			return declared(fieldPath, code, false, Reserved)
		case "no", "false":
			return declared(fieldPath, code, true, Reserved)
		}
	case "BT-774":
		if code != "" {
			return declared(fieldPath, code, false, EnvClause)
		}
	case "BT-775":
		if code != "" {
			return declared(fieldPath, code, false, SocialClause)
		}
	case "BT-805":
		switch code {
		case "eu", "national", "other":
			return declared(fieldPath, code, false, EnvCriterion)
		case "none":
			return declared(fieldPath, code, true, EnvCriterion)
		}
	case "BT-06":
		switch code {
		case "env-imp":
			return declared(fieldPath, code, false, EnvClause)
		case "soc-obj":
			return declared(fieldPath, code, false, SocialClause)
		case "none":
			return declared(fieldPath, code, true, SocialClause, EnvClause)
		}
	}
	return nil
}

// btBase strips the suffix of an eForms field id: "BT-71-Lot" → "BT-71".
func btBase(bt string) string {
	bt = strings.ToUpper(strings.TrimSpace(bt))
	if i := strings.Index(bt, "-"); i >= 0 {
		if j := strings.Index(bt[i+1:], "-"); j >= 0 {
			return bt[:i+1+j]
		}
	}
	return bt
}

// FromDECPConsideration maps a DECP 2022 value of considerationsSociales
// or considerationsEnvironnementales to evidence. A "no" value ("Pas de
// considération sociale", "Sans objet", "Non") denies every label of its
// kind; for the short ones the kind is taken from fieldPath (a path
// containing "nvironnement" is environmental).
func FromDECPConsideration(value, fieldPath string) []Evidence {
	var f folded
	f.fold(strings.TrimSpace(value))
	v := strings.Join(strings.Fields(string(f.b)), " ")
	env := strings.Contains(strings.ToLower(fieldPath), "nvironnement")
	switch v {
	case "clause sociale", "clauses sociales":
		return declared(fieldPath, value, false, SocialClause)
	case "critere social", "criteres sociaux":
		return declared(fieldPath, value, false, SocialCriterion)
	case "marche reserve", "concession reservee", "marches reserves":
		return declared(fieldPath, value, false, Reserved)
	case "clause environnementale", "clauses environnementales":
		return declared(fieldPath, value, false, EnvClause)
	case "critere environnemental", "criteres environnementaux":
		return declared(fieldPath, value, false, EnvCriterion)
	case "pas de consideration sociale", "pas de considerations sociales":
		return declared(fieldPath, value, true, SocialClause, SocialCriterion, Reserved)
	case "pas de consideration environnementale", "pas de considerations environnementales":
		return declared(fieldPath, value, true, EnvClause, EnvCriterion)
	case "sans objet", "non", "aucune", "neant":
		if env {
			return declared(fieldPath, value, true, EnvClause, EnvCriterion)
		}
		return declared(fieldPath, value, true, SocialClause, SocialCriterion, Reserved)
	}
	return nil
}

// FromBOAMP maps a BOAMP code to evidence: an element name of the V230
// schema (code "MARCHE_RESERVE_OUI"), a FNSimple or API value with its
// field (code "oui" with fieldPath ".../reservationMarche", or code
// "reservationMarche/oui"), or an API `criteres` value ("sociaux",
// "environnementaux").
//
//   - MARCHE_RESERVE_OUI → reserved; with ATELIERS_PROTEGES →
//     reserved_disability (CMP 2006 art. 15), EMPLOIS_PROTEGES →
//     reserved_insertion (the reading of old notices);
//     MARCHE_RESERVE_NON → reserved, negative.
//   - reservationMarche oui → reserved; non → reserved, negative.
//   - CRITERES_SOCIAUX_ENV/SOCIAUX and criteres "sociaux" → social_clause;
//     /ENVIRONNEMENTAUX and "environnementaux" → env_clause. This is an
//     indexation flag: "the notice mentions social (environmental)
//     considerations", not whether they are conditions or criteria. It is
//     mapped to the clause label, the usual case (the real V230 sample with
//     the flag carries an environmental execution condition), and the
//     field path stays in the evidence so that a reader can weigh it.
//   - PRESTATION_RESERVEE_OUI/NON (reserved to a profession) → nothing.
func FromBOAMP(code, fieldPath string) []Evidence {
	c := strings.TrimSpace(code)
	if fieldPath == "" {
		fieldPath = c
	}
	lc := strings.ToLower(c)
	lp := strings.ToLower(fieldPath)
	if i := strings.LastIndex(lc, "/"); i >= 0 && strings.Contains(lc[:i], "reservationmarche") {
		lp, lc = lc[:i], lc[i+1:]
	}
	if strings.HasSuffix(lp, "reservationmarche") {
		switch lc {
		case "oui", "true":
			return declared(fieldPath, c, false, Reserved)
		case "non", "false":
			return declared(fieldPath, c, true, Reserved)
		}
		return nil
	}
	switch strings.ToUpper(c) {
	case "MARCHE_RESERVE_OUI":
		return declared(fieldPath, c, false, Reserved)
	case "MARCHE_RESERVE_NON":
		return declared(fieldPath, c, true, Reserved)
	case "ATELIERS_PROTEGES":
		return declared(fieldPath, c, false, Reserved, ReservedDisability)
	case "EMPLOIS_PROTEGES":
		return declared(fieldPath, c, false, Reserved, ReservedInsertion)
	case "SOCIAUX", "CRITERES_SOCIAUX_ENV/SOCIAUX":
		return declared(fieldPath, c, false, SocialClause)
	case "ENVIRONNEMENTAUX", "CRITERES_SOCIAUX_ENV/ENVIRONNEMENTAUX":
		return declared(fieldPath, c, false, EnvClause)
	}
	return nil
}
