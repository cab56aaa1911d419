package clause

import (
	"bytes"
	"regexp"
)

// abbreviations that a full stop does not end a sentence after.
var abbreviations = []string{"art", "arts", "cf", "al", "ex", "op", "mme", "ref", "min", "max", "env", "ste", "no", "num", "chap", "vol", "p", "pp"}

// Context tests on folded text. A "sentence" here is bounded by a line
// break, a semicolon or a full stop that does not follow a single letter or
// an abbreviation: "L. 2113-12", "art. 36" and "C.C.A.P." do not end one.

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// isStop reports whether b[i] ends a sentence. With comma, a comma does too.
func isStop(b []byte, i int, comma bool) bool {
	switch b[i] {
	case '\n', ';', '!', '?':
		return true
	case ',':
		return comma
	case '.':
		if i+1 < len(b) && b[i+1] != ' ' && b[i+1] != '\n' {
			return false
		}
		j := i
		for j > 0 && isWordByte(b[j-1]) {
			j--
		}
		w := b[j:i]
		if len(w) <= 1 {
			return false // "L. 2113-12", "M. Dupont"
		}
		for _, a := range abbreviations {
			if string(w) == a {
				return false
			}
		}
		return true
	}
	return false
}

// before returns the text before i within its sentence, at most max bytes.
func before(b []byte, i, max int, comma bool) []byte {
	lo := i - max
	if lo < 0 {
		lo = 0
	}
	for j := i - 1; j >= lo; j-- {
		if isStop(b, j, comma) {
			return b[j+1 : i]
		}
	}
	return b[lo:i]
}

// after returns the text from i within its sentence, at most max bytes.
func after(b []byte, i, max int, comma bool) []byte {
	hi := i + max
	if hi > len(b) {
		hi = len(b)
	}
	for j := i; j < hi; j++ {
		if isStop(b, j, comma) {
			return b[i:j]
		}
	}
	return b[i:hi]
}

func containsAny(s []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.Contains(s, w) {
			return true
		}
	}
	return false
}

// containsAnyWord is containsAny for cues that must start a word: "ni "
// is a negation, "fourni " is not.
func containsAnyWord(s []byte, words [][]byte) bool {
	for _, w := range words {
		for from := 0; ; {
			k := bytes.Index(s[from:], w)
			if k < 0 {
				break
			}
			if p := from + k; p == 0 || !isWordByte(s[p-1]) || !isWordByte(w[0]) {
				return true
			}
			from += k + 1
		}
	}
	return false
}

func hasPrefixAny(s []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.HasPrefix(s, w) && (len(s) == len(w) || !isWordByte(s[len(w)]) || !isWordByte(w[len(w)-1])) {
			return true
		}
	}
	return false
}

func words(ws ...string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

// Negation cues: written before a feature ("pas de clause sociale",
// "le marché n'est pas réservé") or right after a heading ("Marché réservé :
// non", "Clause sociale : néant").
var (
	negBefore = words("pas de ", "pas d'", "pas un ", "pas une ", "aucune ", "aucun ", "sans ", "n'est pas", "ne sont pas",
		"ne comporte pas", "ne comportent pas", "ne prevoit pas", "ne contient pas", "n'impose pas", "ne fait pas",
		"non ", "ni ", "n'y a pas", "ne sera pas", "ne seront pas", "hors ", "absence de ", "n'a pas", "ne s'agit pas")
	negAfterPrefix = words("non", "neant", "sans objet", "aucun", "aucune", "pas de", "n'est pas", "ne sont pas",
		"ne s'applique", "non applicable", "sans", "nc", "n/a", "-", "/")
	negAfterAnywhere = words("ne s'applique pas", "ne s'appliquent pas", "n'est pas applicable", "ne sont pas applicables",
		"ne sera pas", "ne seront pas", "ne sont pas", "n'est pas", "est supprime", "sont supprimes")
)

// newClause: a conjunction that starts a new phrase after a negation cue.
var newClause = words(" et les ", " et le ", " et la ", " et l'", " et des ", " et un ", " et une ", " mais ", " tandis ")

// harms: what "sans" makes a requirement of rather than denies.
var harms = words("travail des enfants", "travail force", "travail dissimule", "travail illegal", "discrimination", "harcelement",
	"substance", "solvant", "parfum", "surexploit", "cmr", "cov", "compose", "perturbat", "metaux lourds", "biocide", "produits dangereux",
	"vaisselle jetable", "jetable", "barquette", "suremballage", "produits chimiques", "produit chimique", "emballage", "pesticide", "produits phyto", "phyto", "emission", "plastique", "dechet", "gaspillage", "nuisance")

// lastWordCue returns the cue of ws that occurs last (at a word start) in s.
func lastWordCue(s []byte, ws [][]byte) ([]byte, int) {
	var best []byte
	at := -1
	for _, w := range ws {
		for from := 0; ; {
			k := bytes.Index(s[from:], w)
			if k < 0 {
				break
			}
			p := from + k
			if (p == 0 || !isWordByte(s[p-1]) || !isWordByte(w[0])) && p >= at {
				best, at = w, p
			}
			from = p + 1
		}
	}
	if at < 0 {
		return nil, 0
	}
	return best, at
}

// negated reports whether the folded span [s, e) is denied in its sentence.
func negated(b []byte, s, e int) bool {
	if w := before(b, s, 60, true); containsAnyWord(w, negBefore) {
		cue, at := lastWordCue(w, negBefore)
		rest := w[at+len(cue):]
		switch {
		case containsAny(rest, newClause):
			// "sans suremballage et les emballages seront repris": the
			// cue denies an earlier phrase, not this one.
		case startsWithAny(b[s:e], harms):
			// "sans pesticides", "sans recours au travail des enfants",
			// "aucune forme de discrimination": the requirement.
		default:
			return true
		}
	}
	a := trimLead(skipCoordinated(after(b, e, 80, false)))
	if hasPrefixAny(a, negAfterPrefix) && !bytes.HasPrefix(a, []byte("-")) && !bytes.HasPrefix(a, []byte("/")) {
		return true
	}
	if len(a) > 0 && (a[0] == '-' || a[0] == '/') && len(a) == 1 {
		return true // an empty heading: "Clause sociale : -"
	}
	return containsAny(after(b, e, 50, true), negAfterAnywhere)
}

// skipCoordinated skips a coordinated heading up to its colon, so that
// "Critères sociaux et environnementaux : non" reads the answer for both.
func skipCoordinated(a []byte) []byte {
	t := bytes.TrimLeft(a, " ")
	if !bytes.HasPrefix(t, []byte("et ")) && !bytes.HasPrefix(t, []byte("ou ")) {
		return a
	}
	k := bytes.IndexByte(t, ':')
	if k < 0 || k > 50 {
		return a
	}
	return t[k:]
}

// trimLead drops what separates a heading from its value: spaces, colons,
// and one parenthesised reference ("Marché réservé (art. L2113-12) : non").
func trimLead(a []byte) []byte {
	for {
		n := len(a)
		for len(a) > 0 && (a[0] == ' ' || a[0] == ':' || a[0] == '?' || a[0] == '"' || a[0] == '=') {
			a = a[1:]
		}
		if len(a) > 0 && a[0] == '(' {
			if k := bytes.IndexByte(a, ')'); k > 0 && k < 80 {
				a = a[k+1:]
			}
		}
		if len(a) == n {
			return a
		}
	}
}

// Criterion context: the feature is something offers are judged on — a
// criterion word earlier in its sentence, a weight right after it
// ("(10 %)", "- 15 points", "noté sur 20"; not "5 % des heures", "à 100 %"),
// or, failing both, a criteria heading earlier on its line.
var (
	critBefore = words("criter", "ponder", "notation", "note ", "notee", "notes ", "jugement", "jugees", "juge ",
		"evalue", "evaluation", "apprecie", "classement des offres", "classees selon", "classees en fonction", "performances en matiere", "note sur")
	weightBeforeRe = regexp.MustCompile(`[0-9] ?(?:%|pour ?cent|points?|pts) (?:pour|au titre d[eu]|consacres? a|attribues? a|affectes? a) (?:la |le |l'|les |une |un )?[a-z' -]{0,30}$`)
	// a weighted heading earlier in the sentence, its description after
	weightHeadRe = regexp.MustCompile(`[0-9] ?(?:%|points?|pts) ?\)? ?: `)
	weightRe     = regexp.MustCompile(`(?:^|[^0-9.,])([0-9]{1,3})(?:[.,][0-9]+)? ?(?:%|pour ?cent|points?\b|pts\b)(?: ?\))? ?(?:$|[;,.)(:\n-]|et\b|sur\b)|\bsur ?[0-9]{1,3}\b|\bponder`)
)

var (
	// "produits répondant à au moins un critère de qualité": what
	// supplies must meet, not an award criterion.
	productCriteriaRe = regexp.MustCompile(`(?:au moins|au minimum) (?:un|une|deux) criteres? de qualite|(?:repondant|repondent|repond|conformes?|satisfaisant|satisfont|respectant|respectent) (?:a |aux )?(?:au moins |au minimum )?(?:un |une |des |les |deux |trois )?criteres?`)
	lineWeightRe      = regexp.MustCompile(`\bnote(?:e|s|es)? sur [0-9]{1,3}\b`)
)

// restOfLine returns the text from i to the end of its line, at most max
// bytes.
func restOfLine(b []byte, i, max int) []byte {
	hi := i + max
	if hi > len(b) {
		hi = len(b)
	}
	if k := bytes.IndexByte(b[i:hi], '\n'); k >= 0 {
		hi = i + k
	}
	return b[i:hi]
}

var reductionCues = words("reduire", "reduction", "diminu", "baisse", "economie", "gain de", "part de", "proportion", "taux de")

var thresholdCues = words("minimal", "proportion", "au moins", "moins", "minimum", "minimale", "maximum", "plus de", "jusqu'a", "d'au moins", "superieur a", "inferieur a", "atteindre")

func hasSuffixAny(s []byte, ws [][]byte) bool {
	for _, w := range ws {
		if bytes.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

func hasDigit(a []byte) bool {
	for _, c := range a {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

var criteriaOf = words("criteres de l'", "criteres du", "criteres d'un", "criteres de", "criteres des")

// labelCriteria: "devront respecter les critères de l'écolabel" names the
// criteria of a label the supplies must meet, not an award criterion.
func labelCriteria(w []byte) bool {
	w = bytes.TrimRight(w, " ")
	return hasSuffixAny(w, criteriaOf) &&
		containsAny(w, obligationWords)
}

func criterionContext(b []byte, s, e int) bool {
	w := before(b, s, 120, false)
	if labelCriteria(w) {
		return false
	}
	if containsAny(w, critBefore) && (!bytes.Contains(w, []byte("criter")) || containsAny(productCriteriaRe.ReplaceAll(w, nil), critBefore)) {
		return true
	}
	// "2) … performance environnementale …; noté sur 15 points": the
	// weight closes the criterion's line.
	if lineWeightRe.Match(restOfLine(b, e, 200)) {
		return true
	}
	if weightBeforeRe.Match(before(b, s, 60, true)) {
		return true
	}
	if hasDigit(w) && weightHeadRe.Match(w) {
		return true // "Valeur sociale (10 points) : nombre d'heures d'insertion"
	}
	a := after(b, e, 80, false)
	if !hasDigit(a) && !bytes.Contains(a, []byte("ponder")) {
		return headingOf(b, s) == hintCriteria // no weight can follow
	}
	for _, m := range weightRe.FindAllSubmatchIndex(a, 3) {
		if m[2] < 0 {
			return true
		}
		if string(a[m[2]:m[3]]) == "100" {
			continue
		}
		// "au moins 20 %", "minimum 30 %": a threshold the contract sets,
		// not the weight of a criterion.
		p := bytes.TrimRight(a[:m[2]], " (")
		if hasSuffixAny(p, thresholdCues) {
			continue
		}
		// "proportion minimale de 20 %", "réduire … de 15 %": a target.
		if q, ok := bytes.CutSuffix(p, []byte(" de")); ok && (hasSuffixAny(q, thresholdCues) ||
			containsAny(before(b, s, 120, false), reductionCues) || containsAny(b[s:e], reductionCues) || containsAny(a[:m[2]], reductionCues)) {
			continue
		}
		return true
	}
	return headingOf(b, s) == hintCriteria
}

// headingOf tells whether the nearest heading cue earlier on the line is
// about award criteria or about execution conditions: a heading such as
// "Critères d'attribution :" or "Conditions d'exécution :" governs the
// sentences that follow it on its line.
func headingOf(b []byte, s int) fieldHint {
	line := b[:s]
	lo := s - 400
	if lo < 0 {
		lo = 0
	}
	for j := s - 1; j >= lo; j-- {
		if b[j] == '\n' {
			lo = j + 1
			break
		}
	}
	line = b[lo:s]
	if bytes.Contains(line, []byte("criter")) {
		line = productCriteriaRe.ReplaceAll(line, nil)
	}
	crit, cond := -1, -1
	for _, w := range critHeadings {
		if k := bytes.LastIndex(line, w); k > crit {
			crit = k
		}
	}
	for _, w := range condHeadings {
		if k := bytes.LastIndex(line, w); k > cond {
			cond = k
		}
	}
	switch {
	case crit > cond:
		return hintCriteria
	case cond > crit:
		return hintExecution
	}
	return hintNone
}

var (
	critHeadings = words("criter", "ponder", "jugement des offres", "notation")
	// "conditions financières" among criteria is no execution heading.
	condHeadings = words("conditions d'", "condition d'", "conditions particulieres", "clause", "execution", "exigence", "prescription")
)

// purchaseSubject reports whether an environmental topic at s is what is
// bought ("travaux d'amélioration de la performance énergétique", "collecte
// des déchets de chantier", "acquisition de véhicules électriques") rather
// than a requirement on how: a purchase word earlier in its phrase (after
// any heading colon).
func purchaseSubject(b []byte, s int) bool {
	w := before(b, s, 80, false) // "prestations de tri, de conditionnement et de recyclage"
	if k := bytes.LastIndexByte(w, ':'); k >= 0 {
		w = w[k+1:]
	}
	cue, at := lastWordCue(w, purchaseWords)
	if cue == nil {
		return false
	}
	// "les fournitures de bureau doivent être éco-conçues": the purchase
	// is the subject of a requirement, the topic its requirement.
	return !containsAny(w[at+len(cue):], obligationWords)
}

// purchaseWords name what is bought, with the "de" of their object.
var purchaseWords = func() [][]byte {
	var out [][]byte
	for _, w := range []string{"travaux", "etude", "etudes", "audit", "diagnostic", "mission", "fourniture", "fournitures",
		"acquisition", "achat", "collecte", "traitement", "production", "assistance", "amelioration", "pose", "location",
		"installation", "maintenance", "entretien", "suivi", "developpement", "elaboration", "prestation", "prestations",
		// what the contractor does as the service bought: "le titulaire
		// installe des bornes", "assure l'entretien courant des véhicules"
		"installe", "entretien courant", "entretien preventif", "entretien regulier"} {
		for _, de := range []string{" de ", " d'", " des ", " du ", " et "} {
			out = append(out, []byte(w+de))
		}
	}
	// training or awareness of the buyer's agents or of residents is
	// what is bought: "formation des agents municipaux au tri des déchets"
	out = append(out, words("formation des agents", "formation des habitants", "formation des usagers",
		"sensibilisation des agents", "sensibilisation des habitants", "sensibilisation des usagers")...)
	return out
}()

var obligationWords = words("doit", "doivent", "devra", "devront", "sera ", "seront", "s'engage", "est tenu", "sont tenu", "comporter", "respecter",
	"se fera", "se feront", "s'effectue")

// Clause context: the feature is something the contract requires.
var clauseCues = words("condition", "clause", "titulaire", "prestataire", "attributaire", "fournisseur", "entreprise retenue",
	"candidat retenu", "devra", "devront", "doit ", "doivent", "s'engage", "est tenu", "sont tenus", "exig",
	"impose", "obligation", "obligatoire", "disposition", "cahier des charges", "cctp", "ccap", "veille", "veiller",
	"respect", "mettre en oeuvre", "mise en oeuvre", "execution", "prescri", "requis",
	// future tense and requirement wording of specifications: "seront
	// issus de", "sera porteur de", "au moins 25 %", "conformes au label"
	" sera ", " seront ", "comporter", "porteur", "porteuse", "conforme", "certifie", "labellise", "garanti",
	// options and PSE count (LABELS.md); contractual commitments and
	// shares of products are requirements
	" pse", "prestation supplementaire", "prestations supplementaires", "en option", "l'option", "engagements contractuels",
	"engagement contractuel", "contractuellement", "% de produits", "% des produits", "% de denrees", "% des denrees",
	"au moins", "au minimum", "minimum de", "privilegi", "proscri", "interdit", "utilise",
	// concessions, and purpose or manner wording: "le délégataire met en
	// œuvre", "afin de limiter", "se fera sans"
	"delegataire", "concessionnaire", "exploitant", "met en oeuvre", "mettra en oeuvre", "afin de", "limiter", "reduire",
	"favoris", "se fera", "se feront", "s'effectuer")

// Selection context: what candidates show to be admitted (capacities,
// certificates, declarations) is neither a clause nor a criterion.
var selectionCues = words("capacite", "candidature", "candidat fournit", "candidat joint", "candidat produit",
	"candidats fournissent", "candidats joignent", "niveau minimal", "niveaux minimaux", "declaration",
	"obligation d'emploi") // the L5212 declaration on employing disabled workers

// selection reports whether the sentence before s is about what
// candidates show to be admitted.
func selection(b []byte, s int) bool {
	return containsAny(before(b, s, 150, false), selectionCues)
}

func clauseContext(b []byte, s, e int) bool {
	if selection(b, s) {
		return false
	}
	w, a := before(b, s, 150, false), after(b, e, 100, false)
	return containsAny(w, clauseCues) || containsAny(a, clauseCues) || futureVerb(w) || futureVerb(a) ||
		presentFrame(w) || headingOf(b, s) == hintExecution
}

// futureVerb reports whether s has a verb in the future of the third
// person ("auront", "intégreront", "utilisera"): specifications state
// requirements that way ("les peintures auront une teneur en COV…").
func futureVerb(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if isWordByte(s[i]) && (i+1 == len(s) || !isWordByte(s[i+1])) {
			j := i + 1
			for j > 0 && isWordByte(s[j-1]) {
				j--
			}
			w := s[j : i+1]
			if len(w) >= 6 && (bytes.HasSuffix(w, []byte("ront")) && !bytes.HasSuffix(w, []byte("front")) || bytes.HasSuffix(w, []byte("ra")) && (bytes.HasSuffix(w, []byte("era")) || bytes.HasSuffix(w, []byte("ira")))) ||
				string(w) == "auront" || string(w) == "aura" || string(w) == "feront" {
				return true
			}
		}
	}
	return false
}

// positiveReserv reports whether b[i:] starting with "reserv" is the
// adjective of a reservation ("marché réservé", "lots réservés",
// "réservation : oui"), not "se réserve le droit", "sous réserve de",
// "les réserves", "réserver".
func positiveReserv(b []byte, i int) bool {
	j := i + len("reserv")
	for j < len(b) && isWordByte(b[j]) {
		j++
	}
	switch string(b[i:j]) {
	case "reserve", "reservee", "reserves", "reservees", "reservation":
	default:
		return false
	}
	pre := before(b, i, 12, true)
	for _, w := range reservNotAfter {
		if bytes.HasSuffix(pre, w) {
			return false
		}
	}
	// "un nombre d'heures … est réservé à l'insertion", "quotité du
	// temps … réservé à des publics": hours set aside, not the contract.
	if containsAny(before(b, i, 80, true), reservedHours) {
		return false
	}
	if string(b[i:j]) == "reservation" {
		return true
	}
	post := b[j:]
	if len(post) > 20 {
		post = post[:20]
	}
	return !hasPrefixAny(post, reservNotBefore)
}

var (
	reservedHours  = words("heure", "temps ", "quotite", "volume horaire")
	reservNotAfter = words("se ", "s'", "sous ", "sans ", "droit ", "droits ", "avec ", "la ", "les ", "des ", "une ", "en ", "nous ", "me ", "leur ", "toute ", "toutes ", "aucune ", "quelques ", "de ",
		// "5 % des heures réservées à…": hours, not the contract
		"heures ", "travail ", "travaillees ")
	// "le titulaire réserve au moins 7 % des heures": hours, not the contract
	reservNotBefore = words(" le droit", " la faculte", " la possibilite", " de ", " d'", " du ", " au moins", " au minimum", " une part", " un volume", " un nombre",
		" 1", " 2", " 3", " 4", " 5", " 6", " 7", " 8", " 9")
)

// reservationBefore finds a positive "reserv…" before s in its sentence
// (within max bytes); it returns its position or -1.
func reservationBefore(b []byte, s, max int) int {
	w := before(b, s, max, false)
	off := s - len(w)
	for {
		k := bytes.LastIndex(w, []byte("reserv"))
		if k < 0 {
			return -1
		}
		if k == 0 || !isWordByte(w[k-1]) {
			if positiveReserv(b, off+k) {
				return off + k
			}
		}
		w = w[:k]
	}
}

// reservationNear finds a positive "reserv…" within max bytes before s,
// across sentence ends, that is not denied: "Marché réservé : oui.
// Structures concernées : entreprises d'insertion" names in its second
// sentence the kind the first one reserves to. A blank line ends the search.
func reservationNear(b []byte, s, max int) int {
	lo := s - max
	if lo < 0 {
		lo = 0
	}
	w := b[lo:s]
	if k := bytes.LastIndex(w, []byte("\n\n")); k >= 0 {
		w, lo = w[k+2:], lo+k+2
	}
	for {
		k := bytes.LastIndex(w, []byte("reserv"))
		if k < 0 {
			return -1
		}
		if (k == 0 || !isWordByte(w[k-1])) && positiveReserv(b, lo+k) {
			if negated(b, lo+k, wordEnd(b, lo+k)) {
				return -1
			}
			return lo + k
		}
		w = w[:k]
	}
}

// reservationAfter finds a positive "reserv…" after e in its sentence.
func reservationAfter(b []byte, e, max int) int {
	w := after(b, e, max, false)
	for k := 0; k < len(w); {
		x := bytes.Index(w[k:], []byte("reserv"))
		if x < 0 {
			return -1
		}
		p := k + x
		if (p == 0 || !isWordByte(w[p-1])) && positiveReserv(b, e+p) {
			return e + p
		}
		k = p + 1
	}
	return -1
}
