package clause

import (
	"bytes"
	"regexp"
)

// Wording families where a social or environmental word names something
// else than a feature of the contract, found on the real corpus's dev part.

// notAFeature reports whether the match [s, e) of a social (or
// environmental) term is not a clause or criterion of the contract.
func notAFeature(b []byte, s, e int, social bool, hint fieldHint) bool {
	m := b[s:e]
	if social {
		if bytes.Contains(m, []byte("insertion")) && (architecturalInsertion(b, s, e) || fundName(b, s)) {
			return true
		}
		if legalReminder(b, s, e) {
			return true
		}
	} else if bytes.Equal(m, []byte("developpement durable")) {
		// "des éléments à caractère social qui prennent en compte les
		// objectifs de développement durable": the social elements.
		w := before(b, s, 120, false)
		if bytes.Contains(w, []byte("caractere social")) && !bytes.Contains(w, []byte("environnement")) {
			return true
		}
	}
	if orgName(b, s) || funding(b, s) || legalQuote(b, s) || hasSuffixAny(before(b, s, 40, true), words("au developpement des ")) {
		return true
	}
	if !social && (surroundings(b, s, e) || hint != hintCriteria && hse(b, s)) {
		return true
	}
	if !social && (envStudy(b, s) || refresherTraining(b, s, e)) {
		return true
	}
	if !social && hint != hintCriteria && skillList(b, s, e) {
		return true
	}
	return false
}

// architecturalInsertion: "insertion urbaine", "insertion dans le site",
// "qualité architecturale et insertion paysagère": a building fitting its
// surroundings, not people into work.
func architecturalInsertion(b []byte, s, e int) bool {
	a := bytes.TrimLeft(after(b, e, 40, true), " ")
	for _, w := range architecturalAfter {
		if bytes.HasPrefix(a, w) {
			return true
		}
	}
	if containsAny(before(b, s, 50, true), architecturalBefore) {
		return true
	}
	// a bare "insertion" among architectural words of its sentence:
	// "Qualité architecturale et paysagère (insertion urbaine, qualité de
	// l'insertion et impact du bâtiment …)"
	return string(b[s:e]) == "insertion" && containsAny(before(b, s, 80, false), words("architectur", "paysag"))
}

var (
	architecturalAfter = words("urbain", "dans le site", "dans son site", "au site", "dans l'environnement", "dans son environnement",
		"dans le paysage", "paysag", "architectur", "du projet", "du batiment", "des batiments", "de l'ouvrage", "des ouvrages",
		"de l'equipement", "dans le tissu", "dans le quartier", "dans le contexte", "dans l'espace", "dans la ville", "du bati",
		"de la construction", "dans le bati", "volumetrique", "et integration", "dans le cadre bati", "dans le milieu", "territoriale",
		"generale sur le site", "sur le site", "sur site", "dans le terrain",
		// advertising: "tarifs d'insertion publicitaires", "insertion presse"
		"publicitaire", "dans la presse", "presse", "d'annonce", "d'un avis", "de l'avis", "au boamp", "au joue", "au bulletin", "dans un journal", "dans les journaux")
	architecturalBefore = words("architectur", "urbain", "urbanis", "paysag", "volumetr")
)

// fundName: "FIPHFP (fonds pour l'insertion des personnes handicapées)":
// a funding body.
func fundName(b []byte, s int) bool {
	w := bytes.TrimRight(before(b, s, 30, true), " ")
	return hasSuffixAny(w, words("fonds pour l'", "fonds pour l", "fonds d'", "fonds pour", "fonds en faveur de l'"))
}

// legalReminder: the L.5212-1 duty every firm has ("en règle au regard
// des articles L. 5212-1 à 11 du code du travail concernant l'emploi des
// travailleurs handicapés"), among a candidate's declarations.
func legalReminder(b []byte, s, e int) bool {
	w, a := before(b, e, 300, false), after(b, e, 300, false)
	return containsAny(w, legalReminderCues) || containsAny(a, legalReminderCues) || l5212Re.Match(w) || l5212Re.Match(a)
}

// l5212Re: the duty to employ disabled workers (L.5212-1 to -11), not
// L.5212-13, which lists who counts as one (the public of a clause).
var l5212Re = regexp.MustCompile(`5212-(?:1|2|11)(?:[^0-9]|$)`)

var legalReminderCues = words("en regle au regard", "en regle avec", "1512-", "interdiction de soumissionner",
	"interdictions de soumissionner", "respect de l'obligation d'emploi", "assujetties a l'obligation", "assujettis a l'obligation", "regard de l'obligation d'emploi")

// orgNameRe: a department or body named after its field ("Direction
// Aménagement et Environnement", "service Développement durable").
var orgNameRe = regexp.MustCompile(`(?:^|[^a-z])(?:direction|pole|ministere|agence|delegation|sous-direction|vice-presidence)s?(?: (?:generale|regionale|departementale|de l'|de la|du|des|d'|et|en charge de l'|en charge du|en charge de la|[a-z'-]+)){0,5} $`)

func orgName(b []byte, s int) bool {
	w := before(b, s, 80, true)
	if len(w) == 0 || !orgNameRe.Match(append(bytes.TrimRight(bytes.Clone(w), " "), ' ')) {
		return false
	}
	return true
}

// skillList: "Écologie, hydraulique, environnement, expertise zones
// humides", "spécialistes … qualité environnementale": a skill asked of a
// team, not a feature of the contract.
func skillList(b []byte, s, e int) bool {
	return containsAny(before(b, s, 200, false), skillCues) || containsAny(after(b, e, 60, false), skillCues)
}

var skillCues = words("competence", "specialiste", "disciplines", "expertise", "pluridisciplinaire", "ingenierie", "cotraitant", "bureau d'etude", "bureaux d'etude")

// statutoryReservation: the conditions of L.2113-12/13 written out.
var statutoryRe = regexp.MustCompile(`proportion minimale(?:, fixee par voie reglementaire,)? de travailleurs|(?:[0-9] ?|le |un )% (?:de |des )?travailleurs (?:handicapes|defavorises|concernes)|lorsqu'(?:ils|elles) emploient|ne peuvent exercer une activite professionnelle dans des conditions normales`)

func statutoryReservation(b []byte) bool {
	// plain searches for the phrases, the regexp only in a window around
	// a "% de travailleurs": over a whole notice it cost more than all the
	// rules together
	if containsAny(b, statutoryPhrases) {
		return true
	}
	for _, a := range statutoryAnchors {
		for from := 0; ; {
			k := bytes.Index(b[from:], a)
			if k < 0 {
				break
			}
			p := from + k
			if statutoryRe.Match(b[max(p-4, 0):min(p+50, len(b))]) {
				return true
			}
			from = p + len(a)
		}
	}
	return false
}

var (
	statutoryPhrases = words("lorsqu'ils emploient", "lorsqu'elles emploient", "ne peuvent exercer une activite professionnelle dans des conditions normales",
		"proportion minimale de travailleurs", "proportion minimale, fixee par voie reglementaire, de travailleurs")
	statutoryAnchors = words("% de travailleurs", "% des travailleurs")
)

// citedForClause: "conformément à l'article L. 2113-13 …, le cahier des
// charges comporte des clauses visant à promouvoir l'emploi": the
// reference is cited for a clause, and nothing is reserved.
func citedForClause(b []byte, s, e int) bool {
	w := around(b, s, e, 200)
	return bytes.Contains(w, []byte("clause")) && !bytes.Contains(w, []byte("reserv"))
}

// envStudy: "évaluation environnementale", "étude d'impact
// environnemental": a study that is what is bought.
func envStudy(b []byte, s int) bool {
	w := before(b, s, 30, true)
	return hasSuffixAny(w, words("evaluation ", "evaluations ", "etude ", "etudes ", "etude d'", "etudes d'", "autorisation ", "autorisations ",
		"diagnostic ", "diagnostics ", "expertise ", "inventaire ", "inventaires ", "etat initial de l'"))
}

// refresherTraining: "recyclage quinquennal du BNSSA": refresher training.
func refresherTraining(b []byte, s, e int) bool {
	if !bytes.Contains(b[s:e], []byte("recycl")) {
		return false
	}
	a := bytes.TrimLeft(after(b, e, 40, true), " ")
	return startsWithAny(a, words("quinquennal", "triennal", "annuel", "periodique", "des connaissances", "des competences", "professionnel")) ||
		containsAny(around(b, s, e, 150), words("formation", "brevet", "bnssa", "beesan", "secourisme", "sauveteur", "habilitation", "caces"))
}

// insertionOfDisabled: "réservé à l'insertion des personnes handicapées"
// names disabled workers, not SIAE.
func insertionOfDisabled(b []byte, e int) bool {
	a := bytes.TrimLeft(after(b, e, 40, true), " ")
	return startsWithAny(a, words("des personnes handicap", "des travailleurs handicap", "de personnes handicap", "de travailleurs handicap", "des personnes en situation de handicap"))
}

// hoursReserved: "un nombre d'heures … est réservé à l'insertion": hours
// set aside for insertion, a clause, not a reserved contract.
func hoursReserved(b []byte, s int) bool {
	return bytes.Contains(before(b, s, 100, true), []byte("heure"))
}

// around returns a copy of the sentence text before s and after e (at
// most max bytes each side), the match left out. A copy: appending to a
// slice of the folded text would overwrite it.
func around(b []byte, s, e, max int) []byte {
	w := before(b, s, max, false)
	a := after(b, e, max, false)
	out := make([]byte, 0, len(w)+1+len(a))
	out = append(out, w...)
	out = append(out, ' ')
	return append(out, a...)
}

// reservingReference: an L.2113-12/13 reference in the sentence, not cited
// for a clause: "marché d'insertion professionnelle conformément à
// l'article L 2113-13" is the reservation.
var reservingRefRe = regexp.MustCompile(`l[. ]{0,3}-?2113 ?-? ?1[23]\b`)

func reservingReference(b []byte, s, e int) bool {
	w := around(b, s, e, 200)
	return bytes.Contains(w, []byte("2113")) && reservingRefRe.Match(w) && !bytes.Contains(w, []byte("clause"))
}

// awardedTo: "le lot 4 sera attribué à des entreprises adaptées": a
// reservation without the word. Returns the position of "attribu…" or -1.
var awardedToRe = regexp.MustCompile(`(?:^|[^a-z])(attribue(?:e|s|es)? (?:exclusivement |uniquement )?(?:a|aux) (?:des |une |un |l'|les |)(?:[a-z]+ ){0,1})$`)

func awardedTo(b []byte, s int) int {
	w := before(b, s, 60, false)
	m := awardedToRe.FindSubmatchIndex(w)
	if m == nil {
		return -1
	}
	return s - len(w) + m[2]
}

// funding: how the contract is paid for ("financement … FIPHFP",
// "subventions … au titre de certificat d'économie d'énergie", "Fonds
// européens (LIFE : l'Instrument Financier pour l'Environnement)").
func funding(b []byte, s int) bool {
	return containsAny(before(b, s, 150, false), fundingCues)
}

var fundingCues = words("financement", "finance sur", "finances sur", "subvention", "fonds ", "instrument financier", "budget", "credits d'", "mode de paiement", "modalites de paiement")

// legalQuote: the code's general statement (L.3-1: "la commande publique
// participe à l'atteinte des objectifs de développement durable").
func legalQuote(b []byte, s int) bool {
	return containsAny(before(b, s, 200, false), words("l3-1", "l. 3-1", "l.3-1", "participe a l'atteinte"))
}

// surroundings: "insertion du projet dans son environnement", "intégration
// de l'ouvrage dans son environnement immédiat": a building's setting.
func surroundings(b []byte, s, e int) bool {
	if !bytes.Contains(b[s:e], []byte("environnement")) {
		return false
	}
	w := before(b, s, 60, true)
	if containsAny(w, words("insertion", "integration", "inscription", "s'inserer", "s'integrer", "insere", "integre", "adaptation")) &&
		hasSuffixAny(w, words("dans son ", "dans l'", "dans leur ", "dans un ", "a son ", "a l'", "avec son ", "avec l'", "sur son ")) {
		return true
	}
	if !bytes.HasSuffix(b[s:e], []byte("environnement")) {
		return false
	}
	a := bytes.TrimLeft(after(b, e, 30, true), " ")
	return startsWithAny(a, words("existant", "immediat", "urbain", "bati", "paysager", "proche", "architectural", "du site", "du projet", "du batiment", "de travail"))
}

// hse: "Système de Management Sécurité, Environnement", "QSE": a health,
// safety and environment management system asked of a candidate.
func hse(b []byte, s int) bool {
	w := bytes.TrimRight(before(b, s, 40, false), " ")
	return hasSuffixAny(w, words("securite,", "securite et", "hygiene, securite,", "qualite, securite,", "securite -", "securite/", "qse", "hse", "qhse"))
}

// productSpec: in an object, the environmental words qualify a product
// bought ("fourniture de …", "acquisition de …"), or no purchase word
// precedes them; a service about the environment ("collecte des
// déchets", "étude …", "travaux de rénovation énergétique") is what is
// bought and no clause.
func productSpec(b []byte, s int) bool {
	w := before(b, s, 80, false)
	if k := bytes.LastIndexByte(w, ':'); k >= 0 {
		w = w[k+1:]
	}
	cue, _ := lastWordCue(w, purchaseWords)
	return cue == nil || startsWithAny(cue, productPurchases)
}

// productSpecRe: the words that, in an object, specify the product
// rather than name it (a "laser pour bio-impression", "dispositifs à usage
// unique", "pièces détachées" are products, not specifications).
var productSpecRe = regexp.MustCompile(`agriculture biologique|ecolabel|eco-label|labellis|electrique|hybride|faibles? emissions?|recycle|biosource|peu polluant|gnv|biogaz|commerce equitable`)

var productPurchases = words("fourniture", "acquisition", "achat", "location", "pose ", "installation", "installe")

// kindByRange: "réservé aux opérateurs qui emploient des travailleurs
// handicapés et défavorisés" names both kinds, unless the text cites
// L.2113-12 alone (then the disabled only).
var l211312Re = regexp.MustCompile(`l[. ]{0,3}-?2113 ?-? ?12\b(?: ?(?:a|et) (?:l[. ]{0,3}-?)?(?:2113 ?-? ?)?1[3-6]\b)?`)

func disabledOnlyByArticle(b []byte) bool {
	for _, m := range l211312Re.FindAll(b, -1) {
		if !bytes.HasSuffix(m, []byte("12")) {
			return false // a range
		}
	}
	return l211312Re.Match(b) && !bytes.Contains(b, []byte("2113-13")) && !bytes.Contains(b, []byte("2113 13"))
}

// lawRange: "articles L.2113-12 à 14": the kinds of the range's end.
var lawRangeRe = regexp.MustCompile(`^ ?(?:a|et) (?:l[. ]{0,3}-?)?(?:2113 ?-? ?)?(1[3-6])\b`)

func lawRange(b []byte, e int) string {
	m := lawRangeRe.FindSubmatch(after(b, e, 20, false))
	if m == nil {
		return ""
	}
	return string(m[1])
}

// proofOfStatus: "fournir un justificatif d'entreprise adaptée", "doit
// être agréé entreprise adaptée": the kind is a condition to take part.
func proofOfStatus(b []byte, s int) int {
	w := before(b, s, 60, false)
	_, at := lastWordCue(w, statusCues)
	if at <= 0 && !containsAny(w, statusCues) {
		return -1
	}
	return s - len(w) + at
}

var statusCues = words("justificatif", "justifier", "agree", "agrement", "attestation", "preuve", "statut")
