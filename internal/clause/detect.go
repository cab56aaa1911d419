package clause

import (
	"bytes"
	"sort"
	"strings"
	"sync"
)

var foldPool = sync.Pool{New: func() any {
	return &folded{b: make([]byte, 0, 4096), pos: make([]int32, 0, 4097), bpos: make([]int32, 0, 4097)}
}}

// DetectText is DetectFields on one field named "text" (used by
// 'vigie detect' on stdin).
func DetectText(text string) Result {
	return DetectFields([]Field{{Name: "text", Text: text}})
}

// DetectFields runs the French text rules over each field and returns the
// positive labels (AllLabels order; `reserved` always set together with a
// specific reserved_* label) and the evidence: Origin Detected, Field the
// field's name, Text the matched span, Start/End rune offsets into the
// field's text. A written "no" ("Marché réservé : non", "pas de clause
// sociale") is kept as Negative evidence and gives no label.
func DetectFields(fields []Field) Result {
	f := foldPool.Get().(*folded)
	defer foldPool.Put(f)
	var ev []Evidence
	for _, fd := range fields {
		if strings.TrimSpace(fd.Text) == "" {
			continue
		}
		f.fold(fd.Text)
		ev = detectField(f, fd, ev)
	}
	return result(ev)
}

// Merge combines declared evidence (from structured codes, possibly
// Negative) with detected results: Labels are the union of the declared
// positives and the detected labels, Evidence is all of it.
func Merge(declared []Evidence, detected Result) Result {
	ev := make([]Evidence, 0, len(declared)+len(detected.Evidence))
	ev = append(ev, declared...)
	ev = append(ev, detected.Evidence...)
	r := result(ev)
	// Detected labels stand even if their evidence was trimmed by a caller.
	r.Labels = unionLabels(r.Labels, detected.Labels)
	return r
}

// result orders and de-duplicates evidence and derives the labels.
func result(ev []Evidence) Result {
	ev = dedupe(ev)
	var on [8]bool
	for _, e := range ev {
		if e.Negative {
			continue
		}
		if i := labelIndex(e.Label); i >= 0 {
			on[i] = true
		}
		if isSpecificReserved(e.Label) {
			on[labelIndex(Reserved)] = true
		}
	}
	labels := []string{}
	for i, l := range AllLabels {
		if on[i] {
			labels = append(labels, l)
		}
	}
	if ev == nil {
		ev = []Evidence{}
	}
	return Result{Labels: labels, Evidence: ev}
}

func unionLabels(a, b []string) []string {
	var on [8]bool
	for _, l := range append(append([]string{}, a...), b...) {
		if i := labelIndex(l); i >= 0 {
			on[i] = true
		}
	}
	out := []string{}
	for i, l := range AllLabels {
		if on[i] {
			out = append(out, l)
		}
	}
	return out
}

func labelIndex(l string) int {
	for i, x := range AllLabels {
		if x == l {
			return i
		}
	}
	return -1
}

func isSpecificReserved(l string) bool {
	return l == ReservedDisability || l == ReservedInsertion || l == ReservedESS
}

func dedupe(ev []Evidence) []Evidence {
	if len(ev) < 2 {
		return ev
	}
	type key struct {
		label, origin, field, text string
		start, end                 int
		neg                        bool
	}
	seen := make(map[key]bool, len(ev))
	out := ev[:0]
	for _, e := range ev {
		k := key{e.Label, e.Origin, e.Field, e.Text, e.Start, e.End, e.Negative}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// match is one accepted regexp match, in folded byte offsets.
type match struct {
	s, e int
	sub  []int
}

func detectField(f *folded, fd Field, ev []Evidence) (out []Evidence) {
	b := f.b
	hint := hintOf(fd.Name)
	emit := func(label string, s, e int, neg bool) {
		rs, re := f.runeSpan(s, e)
		ev = append(ev, Evidence{Label: label, Origin: Detected, Field: fd.Name,
			Text: f.original(fd.Text, s, e), Start: rs, End: re, Negative: neg})
	}
	first := len(ev)
	defer func() {
		mine := ev[first:]
		sort.SliceStable(mine, func(i, j int) bool { return mine[i].Start < mine[j].Start })
		out = ev[:first+len(dropInsideCriteria(mine))]
	}()
	var ms []match
	sc := scanPool.Get().(*scan)
	defer scanPool.Put(sc)
	sc.anchorHits(b)
	reserving := bytes.Contains(b, []byte("reserv"))
	var awardingDone, awardingOn bool
	awarding := func() bool {
		if !awardingDone {
			awardingDone, awardingOn = true, bytes.Contains(b, []byte("attribue")) || containsAny(b, statusCues)
		}
		return awardingOn
	}
	// the conditions of a reservation, written out without the word
	// ("structures d'insertion … lorsqu'elles emploient une proportion
	// minimale de travailleurs défavorisés")
	var statutoryDone, statutoryOn bool
	statutory := func() bool {
		if !statutoryDone {
			statutoryDone, statutoryOn = true, statutoryReservation(b)
		}
		return statutoryOn
	}
	for i := range rules {
		r := &rules[i]
		if !sc.any[i] || r.needsReserv && !reserving && !(r.kind == kReservedKind && awarding()) && !statutory() {
			continue
		}
		if r.kind == kTerm && hint == hintSelection && r.mode != mClause && r.name != "clause-sociale" && r.name != "clause-env" {
			// selection: only reservations count, and what names
			// itself a clause ("le marché prévoit des conditions
			// d'exécution à caractère environnemental")
			continue
		}
		ms = sc.findAll(b, i, ms[:0])
		for _, m := range ms {
			s, e := m.s, m.e
			switch r.kind {
			case kTerm:
				// contexts are computed only when the mode asks
				crit := func() bool { return hint == hintCriteria || (hint != hintExecution && criterionContext(b, s, e)) }
				var label string
				switch mode := r.mode; {
				case hint == hintSelection:
					label = pick(r.social, false)
				default:
					switch mode {
					case mCrit:
						label = pick(r.social, true)
					case mClause:
						label = pick(r.social, false)
					case mAuto:
						label = pick(r.social, crit())
					case mCritOnly:
						if crit() {
							label = pick(r.social, true)
						} else if hint == hintExecution && !r.noClause && !selection(b, s) && (r.social || !purchaseSubject(b, s)) {
							// "Développement durable : …", "Insertion : …" in
							// the execution conditions: a condition.
							label = pick(r.social, false)
						}
					case mCtx:
						if crit() {
							label = pick(r.social, true)
						} else if (hint == hintExecution && !selection(b, s) || clauseContext(b, s, e)) && (r.social || !purchaseSubject(b, s)) {
							label = pick(r.social, false)
						} else if hint == hintObject && !r.social && productSpecRe.Match(b[s:e]) && productSpec(b, s) {
							// "fourniture de pains … issues de l'agriculture
							// biologique", "acquisition de véhicules
							// électriques": an environmental specification
							// of what is bought (LABELS.md)
							label = EnvClause
						}
					}
				}
				if label == "" || !r.social && otherEnvironment(b, s, e) {
					continue
				}
				if r.notCoaching && coaching(b, s, e) {
					continue
				}
				if r.notReserving && (reserving && (reservationBefore(b, s, 250) >= 0 || reservationAfter(b, e, 120) >= 0) || statutory() || reservingReference(b, s, e)) {
					continue
				}
				if notAFeature(b, s, e, r.social, hint) {
					continue
				}
				emit(label, s, e, negated(b, s, e))
			case kReservedKind:
				if r.label == ReservedDisability && startsWithAny(bytes.TrimLeft(after(b, e, 40, false), " "), eitherDisadvantaged) {
					continue // "handicapés ou défavorisés": the kind is not told
				}
				if v := trimLead(after(b, e, 30, false)); hasPrefixAny(v, yes) {
					// a form's checkbox heading: "Ateliers protégés : oui"
					emit(r.label, s, e, false)
					emit(Reserved, s, e, false)
					continue
				} else if hasPrefixAny(v, no) {
					continue
				}
				rs := reservationBefore(b, s, 250)
				if rs < 0 {
					rs = reservationAfter(b, e, 120)
				}
				if rs < 0 {
					rs = reservationNear(b, s, 160)
				}
				if rs < 0 {
					rs = awardedTo(b, s)
				}
				if rs < 0 {
					rs = proofOfStatus(b, s)
				}
				if r.label == ReservedInsertion && bytes.Contains(b[s:e], []byte("handicapes et defavorises")) && disabledOnlyByArticle(b) {
					continue
				}
				if rs < 0 && statutory() {
					rs = s // the kind, with the conditions of its reservation
				}
				if rs < 0 {
					continue
				}
				lo, hi := s, e
				if rs < lo {
					lo = rs
				}
				if re := wordEnd(b, rs); re > hi {
					hi = re
				}
				if negated(b, lo, hi) {
					emit(Reserved, lo, hi, true)
					continue
				}
				emit(r.label, lo, hi, false)
				emit(Reserved, lo, hi, false)
			case kLegal, kLegalCtx:
				label := r.groups[string(b[m.sub[2]:m.sub[3]])]
				if label == "" {
					continue
				}
				if r.kind == kLegalCtx && !statutory() && reservationBefore(b, s, 250) < 0 && reservationAfter(b, e, 150) < 0 {
					continue
				}
				if r.kind == kLegal && citedForClause(b, s, e) || r.name == "reserve-kind" && (!positiveReserv(b, s) || insertionOfDisabled(b, e) || hoursReserved(b, s)) {
					continue
				}
				if negated(b, s, e) || negated(parenthesis(b, s, e)) {
					emit(Reserved, s, e, true)
					continue
				}
				// "Aucune prestation n'est réservée au profit d'entreprises
				// par les articles L. 2113-12 à …": the reservation denied.
				if rs := reservationBefore(b, s, 250); rs >= 0 && negated(b, rs, wordEnd(b, rs)) {
					emit(Reserved, s, e, true)
					continue
				}
				emit(label, s, e, false)
				emit(Reserved, s, e, false)
				if r.name == "l2113" && label == ReservedDisability {
					// "articles L.2113-12 à 14": the range's kinds too
					if end := lawRange(b, e); end >= "13" {
						emit(ReservedInsertion, s, e, false)
					}
				}
			case kReservedGeneric:
				k := bytes.Index(b[s:e], []byte("reserv"))
				if k < 0 || !positiveReserv(b, s+k) {
					continue
				}
				a := after(b, e, 90, true)
				if containsAny(a, notSocialReservation) {
					continue
				}
				if bytes.HasPrefix(b[s+k:e], []byte("reservation")) {
					// "réservation du marché : oui/non"; alone it says nothing.
					v := trimLead(after(b, e, 40, false))
					switch {
					case hasPrefixAny(v, yes):
						emit(Reserved, s, e, false)
					case hasPrefixAny(v, no):
						emit(Reserved, s, e, true)
					}
					continue
				}
				emit(Reserved, s, e, negated(b, s, e))
			}
		}
	}
	return ev
}

// coaching reports whether the sentence around [s, e) buys accompaniment
// towards employment ("accompagnement des bénéficiaires du RSA",
// "prestations d'insertion professionnelle … : accompagnement vers
// l'emploi") rather than a marché d'insertion, whose activity supports the
// insertion pathways.
func coaching(b []byte, s, e int) bool {
	w := around(b, s, e, 150)
	return containsAny(w, coachingCues) && !containsAny(w, supportCues) && !bytes.Contains(b[s:e], []byte("marche"))
}

var (
	coachingCues = words("accompagnement", "accompagner", "accompagne ", "accompagnent", "coaching", "au benefice d", "au profit d", "mission locale",
		"aupres des demandeurs", "aupres de demandeurs", "aupres des publics", "aupres des beneficiaires", "aupres des jeunes")
	supportCues = words("marche d", "marches d", "marche public d", "support", "chantier", "travaux", "realisation de", "entretien", "activite economique")
)

// otherEnvironment reports whether a bare "environnement" at [s, e) is not
// nature: "environnement technique", "environnement de production",
// "environnement numérique de travail", "environnement institutionnel".
func otherEnvironment(b []byte, s, e int) bool {
	if !bytes.HasSuffix(b[s:e], []byte("environnement")) {
		return false
	}
	a := after(b, e, 40, true)
	return hasPrefixAny(bytes.TrimLeft(a, " "), notNature)
}

var notNature = words("technique", "technologique", "logiciel", "numerique", "informatique", "applicati", "de travail",
	"de production", "de pre-production", "de preproduction", "de developpement", "de recette", "de test", "de formation",
	"d'execution", "d'hebergement", "de qualification", "de validation", "de integration", "d'integration", "cloud",
	"virtuel", "windows", "linux", "microsoft", "active directory", "sap", "si ", "du si", "du systeme", "institutionnel",
	"du projet", "de l'operation", "de la mission", "du marche", "des prestations",
	"juridique", "reglementaire", "economique", "concurrentiel", "professionnel", "social", "familial", "scolaire", "hospitalier", "de l'utilisateur")

var eitherDisadvantaged = words("ou defavorise", "et/ou defavorise", "ou des travailleurs defavorise", "ou des personnes defavorise", "ou en difficulte")

func startsWithAny(s []byte, ws [][]byte) bool {
	for _, w := range ws {
		if bytes.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

func pick(social, crit bool) string {
	switch {
	case social && crit:
		return SocialCriterion
	case social:
		return SocialClause
	case crit:
		return EnvCriterion
	}
	return EnvClause
}

func wordEnd(b []byte, i int) int {
	for i < len(b) && isWordByte(b[i]) {
		i++
	}
	return i
}

// addMatch adds m unless an overlapping match is already there (keeping the
// longer one).
func addMatch(ms []match, m match) []match {
	for i, x := range ms {
		if m.s < x.e && x.s < m.e {
			if m.e-m.s > x.e-x.s {
				ms[i] = m
			}
			return ms
		}
	}
	return append(ms, m)
}

// parenthesis widens [s, e) to the parenthesis around it, if any, so that a
// reference in "Marché réservé (art. L2113-12 ou L2113-13) : non" is read
// with the heading's answer.
func parenthesis(b []byte, s, e int) ([]byte, int, int) {
	lo := s - 80
	if lo < 0 {
		lo = 0
	}
	open := bytes.LastIndexByte(b[lo:s], '(')
	if open < 0 || bytes.IndexByte(b[lo+open:s], ')') >= 0 {
		return b, s, e
	}
	hi := e + 120
	if hi > len(b) {
		hi = len(b)
	}
	cl := bytes.IndexByte(b[e:hi], ')')
	if cl < 0 {
		return b, s, e
	}
	return b, lo + open, e + cl + 1
}

// Answers of a form heading: "Marché réservé : oui", "Ateliers protégés : non".
var (
	yes = words("oui")
	no  = words("non")
)

// dropInsideCriteria drops a clause whose span lies inside a criterion of
// the same theme: in "« Performance en matière de développement durable »
// … son offre sera classée", the words are the criterion's, not a clause.
func dropInsideCriteria(ev []Evidence) []Evidence {
	out := ev[:0]
	for i, e := range ev {
		crit := ""
		switch e.Label {
		case EnvClause:
			crit = EnvCriterion
		case SocialClause:
			crit = SocialCriterion
		}
		inside := false
		for j, c := range ev {
			if crit != "" && j != i && c.Label == crit && !c.Negative && !e.Negative && c.Start <= e.Start && e.End <= c.End {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, e)
		}
	}
	return out
}
