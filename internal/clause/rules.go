package clause

import (
	"regexp"
	"strings"
)

// Version identifies the rule set; it is stored with every finding, and
// 'vigie reprocess' re-runs detection on what an older version produced.
// Bump it whenever the rules below change what they find.
const Version uint32 = 8

// How a match becomes labels.
type ruleKind uint8

const (
	// kTerm: a social or environmental feature; Mode says whether it is a
	// clause or a criterion.
	kTerm ruleKind = iota
	// kReservedKind: a kind of beneficiary (ESAT, SIAE, ESS…) that counts
	// only when the sentence reserves the contract to it.
	kReservedKind
	// kLegal: a legal reference that by itself means a reservation of a
	// kind (L2113-12/13/15); the regexp's first group tells which.
	kLegal
	// kLegalCtx: an older or less specific reference (ordonnance 2015-899
	// art. 36-I/36-II/37, CMP art. 15) that counts in a reserving sentence.
	kLegalCtx
	// kReservedGeneric: "marché réservé", "lot réservé", "réservation : oui".
	kReservedGeneric
)

// Modes of kTerm rules.
type termMode uint8

const (
	mAuto   termMode = iota // criterion in a criterion context, else clause
	mCtx                    // criterion or clause by context, else nothing
	mCrit                   // always a criterion
	mClause                 // always a clause
	// mCritOnly: a bare word ("insertion", "environnement") that is a
	// criterion when weighted or listed among criteria ("insertion
	// (10 %)"), and says nothing elsewhere.
	mCritOnly
)

type rule struct {
	name    string
	kind    ruleKind
	social  bool     // kTerm: social (true) or environmental
	mode    termMode // kTerm
	label   string   // kReservedKind, kLegalCtx: the specific reserved label
	anchors []string // literals, one of which every match contains
	re      *regexp.Regexp
	groups  map[string]string // kLegal, kLegalCtx: group text → label
	inWord  bool              // anchors may start inside a word ("l2113")
	// notReserving: a kTerm that does not count in a sentence that reserves
	// the contract ("réservé aux structures d'insertion" is a reservation,
	// not an insertion clause).
	notReserving bool
	// notCoaching: a kTerm that does not count in a sentence about
	// accompanying people towards employment (buying job coaching), unless
	// it says "marché" or names a support activity.
	notCoaching bool
	// noClause: an mCritOnly term that is a criterion among criteria and
	// never a clause by itself.
	noClause bool

	anchorBytes [][]byte
	needsReserv bool // counts only in a text that has "reserv…"
}

// Window around each anchor occurrence in which a rule's regexp is run:
// matching in windows keeps the cost proportional to the few places where
// an anchor occurs rather than to the text's length.
const (
	winBack = 64
	winFwd  = 100
)

func term(name string, social bool, mode termMode, anchors, pattern string) rule {
	return rule{name: name, kind: kTerm, social: social, mode: mode, anchors: strings.Split(anchors, "|"), re: regexp.MustCompile(pattern)}
}

func resKind(name, label, anchors, pattern string) rule {
	return rule{name: name, kind: kReservedKind, label: label, anchors: strings.Split(anchors, "|"), re: regexp.MustCompile(pattern)}
}

var refKinds = map[string]string{
	"12": ReservedDisability, "13": ReservedInsertion, "15": ReservedESS,
	"i": ReservedDisability, "1": ReservedDisability, "ii": ReservedInsertion, "2": ReservedInsertion,
	"37": ReservedESS, "cmp15": ReservedDisability,
}

// The rules, over folded text (lower case, no accents, ASCII apostrophes
// and dashes). Written from the wording of the code de la commande
// publique, the 2015/2016 ordonnance and décret, the 2006 code des marchés
// publics, the DC1/DC2 forms and BOAMP/eForms notices.
var baseRules = []rule{
	// --- social: performance conditions and award criteria
	term("clause-sociale", true, mAuto, "clause",
		`\bclauses? (?:d'execution )?(?:a caracteres? |de nature |d'ordre )socia(?:l|le|les|ux)\b|\bclauses? (?:obligatoires? |sociales? )?(?:sociales?|d'insertion(?: sociale| professionnelle| sociale et professionnelle)?|de promotion de l'emploi|d'insertion et de promotion de l'emploi|d'heures d'insertion)\b`),
	// "devra réserver 20 % du volume total des heures … aux bénéficiaires
	// listés au CCAP": insertion hours, whatever the words after.
	term("reserver-heures", true, mAuto, "reserv",
		`\breserv(?:er|era|eront|e|ee|ees|ent|ant)?[, ]{1,2}(?:au moins |au minimum |un minimum de |a minima )?(?:[0-9]+(?:[.,][0-9]+)? ?%|une part|un volume|un nombre|une partie) (?:[a-z' ]{0,30}?)heures\b`),
	term("heures-reservees", true, mAuto, "heure",
		`\bheures?\b(?: [a-z'-]+){0,8}? (?:est |sont |seront |sera |etant )?reserve(?:e|s|es)? (?:a l'insertion|a des publics|aux publics|a des personnes|aux personnes|aux beneficiaires|a des beneficiaires|a des demandeurs|aux demandeurs)`),
	term("heures-insertion", true, mAuto, "heure",
		`\b(?:heures?|nombre d'heures|volume d'heures) (?:de travail |de main d'oeuvre )?(?:d'|reservees? a l'|consacrees? a l'|dediees? a l'|affectees? a l'|en |au titre de l')insertion\b`),
	term("action-insertion", true, mAuto, "insertion",
		`\b(?:actions?|demarches?|dispositifs?|obligations?|engagements?|objectifs?) (?:d'|en faveur de l'|en matiere d')insertion\b|\b(?:dispositifs?|actions?|clauses?) de promotion de l'emploi\b`),
	term("publics", true, mCtx, "emploi|difficult|chomeur|rsa|minima",
		`\b(?:publics?|personnes?|demandeurs? d'emploi|jeunes) (?:eloigne(?:e|s|es)? (?:de l'|du marche de l'|durablement de l')emploi|en (?:grande )?difficulte(?:s)?(?: sociales?| professionnelles?| d'insertion| sociales? (?:et|ou) professionnelles?)?|rencontrant des difficultes (?:sociales|professionnelles|d'insertion|particulieres)|sans emploi)|\bdemandeurs? d'emploi de (?:tres )?longue duree\b|\bchomeurs? de (?:tres )?longue duree\b|\bbeneficiaires? (?:du rsa|des minima sociaux|de minima sociaux)\b`),
	term("insertion-pro", true, mCtx, "insertion",
		`\b(?:re)?insertion (?:sociale et |socio-)?professionnelle\b|\binsertion par l'(?:activite economique|emploi)\b|\binsertion (?:sociale|durable) (?:et|des|de)\b`),
	term("marche-insertion", true, mClause, "insertion|qualification|prestation",
		`\bdans le cadre (?:de|d'une?|des) (?:missions?|actions?|chantiers?|parcours|operations?) d'insertion\b|\bprestations? de qualification et d'insertion\b|\bprestations? (?:de services? )?d'insertion(?: (?:et|ou) de (?:professionnalisation|qualification))?(?: [a-z'-]+){0,3}? (?:par|lie|liee|lies|liees|via|sur|autour|dans|grace) (?:a |de |d')?(?:l'|le |la |les |des |du |d')?(?:entretien|nettoyage|tri|travaux|espaces?|activites?|chantiers?|realisation|collecte|proprete|restauration|renovation|amenagement)|\bmarches? (?:public )?(?:de services? )?(?:d'insertion|de qualification)(?: (?:et|ou) (?:de qualification|d'insertion))?(?: professionnelles?)?\b|\bprestations? (?:de services? )?(?:d'insertion (?:et|ou) de qualification|de qualification(?: (?:et|ou) d'insertion)?) (?:sociale et )?professionnelles?\b|\bprestations? d'insertion (?:par l'activite economique|sociale|professionnelle|socio-?professionnelle)\b|\bsupport d'activit[a-z]* (?:d'|a l')insertion|\binsertion (?:sociale et professionnelle |professionnelle |sociale )?(?:et de qualification )?(?:par le |au |via le )support (?:d'|de l')?activit|\bsupports? (?:a|de|d'|aux?) (?:des |un |une |l')?(?:parcours |actions? )?(?:d')?insertion\b`),
	term("condition-sociale", true, mClause, "social|element",
		`\belements? a caracteres? socia(?:l|le|les|ux)\b|\bconditions? (?:particulieres? )?d'execution (?:[a-z' ]{0,40}? )?(?:et |ou )(?:a caracteres? |de nature |d'ordre )socia(?:l|le|les|ux)\b|\bconditions? (?:particulieres? )?d'execution (?:du marche )?(?:a caracteres? |de nature |d'ordre |comportant des elements a caractere )?sociale?s?\b|\bconditions? (?:a caracteres?|de nature|d'ordre) sociale?s?\b|\bconditions? (?:d'execution )?(?:a caracteres? |de nature |d'ordre )?(?:environnementales? et sociales?)\b`),
	term("dispositions-sociales", true, mAuto, "social",
		`\b(?:dispositions?|exigences?|considerations?|preoccupations?|engagements?|objectifs?) (?:a caractere |de nature |d'ordre )?sociale?s?(?: et environnementa[a-z]*)?\b|\b(?:dispositions?|exigences?|considerations?) (?:environnementales? et )sociales?\b|\bdimension sociale\b|\bresponsabilite sociale\b`),
	term("critere-social", true, mCrit, "social|sociaux|insertion",
		`\bcriteres? (?:d'attribution |de jugement |de choix )?(?:sociaux|social|d'insertion|de performance sociale|relatifs? a l'insertion)\b|\bperformances? (?:en matiere )?(?:sociales?|d'insertion|en matiere sociale)\b|\bperformance en matiere d'insertion\b`),
	term("facilitateur", true, mClause, "facilitat",
		`\bfacilitat(?:eur|rice|eurs) (?:de la |des |du )?(?:clause|clauses|insertion|plie|maison de l'emploi|emploi)`),

	{name: "en-insertion", kind: kTerm, social: true, mode: mCtx, notReserving: true,
		anchors: []string{"parcours|salarie|personne|stagiaire|structure|siae|insertion"},
		re:      regexp.MustCompile(`\bparcours d'insertion\b|\b(?:salaries?|personnes?|stagiaires?) (?:en (?:situation d')?insertion)\b|\bstructures? (?:d'|de l')insertion(?: par l'activite economique)?\b|\bsiae\b`)},
	term("emploi-publics", true, mCtx, "volet|faveur|quartier|beneficiaire|recrut|embauch|employ",
		`\bvolet (?:insertion|social)\b|\ben faveur de l'(?:emploi|insertion) (?:des|de) (?:jeunes|personnes|publics|demandeurs|seniors|chomeurs)\b|\bquartiers? prioritaires?(?: de la politique de la ville)?\b|\bbeneficiaires? de l'obligation d'emploi\b|\b(?:recruter|embaucher|employer|recrutement|embauche) (?:de |des )?(?:personnes|travailleurs) (?:handicape(?:e|s|es)?|en situation de handicap|eloigne(?:e|s|es)? de l'emploi)\b`),
	term("social-terse", true, mCritOnly, "insertion|volet|aspect|engagement|valeur|dimension|performance|demarche|critere|approche|qualite|politique|socio|emploi|discrimination|egalite",
		`\binsertion(?: (?:professionnelle|sociale))?\b|\b(?:volet|aspects?|engagements?|valeur|dimension|performances?|demarche|criteres?|approche|qualite|politique) socia(?:l|le|ux|les)\b|\bsocio-?professionnel(?:le)?s?\b|\bemploi (?:de|des) (?:personnes?|travailleurs?) (?:handicape(?:e|s|es)?|en situation de handicap)\b|\b(?:lutte contre les )?discriminations?\b|\begalite (?:professionnelle|femmes?-hommes?|entre les femmes et les hommes)\b`),

	// Social conditions other than insertion (L2112-2): equality and
	// non-discrimination, fair trade and ILO labour standards, training
	// (apprentices), employment of disabled workers.
	term("social-topics", true, mCtx, "effectue|realise|execute|confie|assure|egalite|lutte|lutter|non|commerce|acces|retour|l'acces|leur|suivi|accompagne|oriente|inscrit|plie|sous-trait|recours|recourir|faire|fera|co|cotrait|produit|fairtrade|max|convention|norme|travail|apprenti|contrat|alternan|favoris|promouvoir|promotion|developper|faciliter|soutenir",
		`\b(?:effectue|realise|execute|confie|assure)(?:e|s|es)? (?:exclusivement |obligatoirement |en partie )?(?:par|a) (?:un|une|des) (?:esat|entreprises? adaptees?|etablissements? (?:et services? )?d'aide par le travail|siae|structures? (?:d'|de l')insertion)\b|\begalite (?:professionnelle|femmes?-hommes?|entre (?:les )?femmes et (?:les )?hommes|de traitement)\b|\blutter? contre (?:les |toutes? (?:les )?formes? de )?discriminations?\b|\bnon-?discrimination\b|\bcommerce equitable\b|\bproduits? (?:issus du commerce )?equitables?\b|\bfairtrade\b|\bmax havelaar\b|\bconventions? (?:fondamentales? )?de l'(?:oit|organisation internationale du travail)\b|\bnormes? (?:fondamentales? )?(?:de l'oit|internationales du travail)\b|\btravail (?:des enfants|force)\b|\bapprenti(?:e|s|es)?\b|\bcontrats? (?:d'apprentissage|de professionnalisation)\b|\balternan(?:ts?|ce)\b|\b(?:l'|leur )?(?:acces|retour) (?:ou le retour |ou l'acces )?(?:a l'|a un |au retour a l')emploi\b|\b(?:suivie?s?|accompagnee?s?|orientee?s?|inscrite?s?) (?:par|a|aupres) (?:du |de la |le |la )?(?:plie|mission locale|pole emploi|france travail|cap emploi)\b|\bplie\b|\b(?:sous-trait[a-z]*|recours|recourir|faire appel|fera appel|co-?trait[a-z]*)(?: [a-z']+){0,4}? (?:a|aux|au|avec|aupres d'|par) ?(?:une |des |un |l'|les )?(?:entreprises? adaptees?|esat|etablissements? (?:et services? )?d'aide par le travail|siae|structures? (?:d'|de l')insertion)|\b(?:favoris[a-z]*|promouvoir|promotion de|developper|faciliter|soutenir) (?:l'|de l')?(?:emploi|embauche|recrutement) (?:de |des |d')(?:personnes?|travailleurs?|salaries?|jeunes) (?:handicape(?:e|s|es)?|en situation de handicap|eloigne(?:e|s|es)? (?:de l'|du marche de l')emploi)\b`),
	// RSE: the social side always; a weighted "démarche RSE" standing
	// alone is both sides.
	term("rse", true, mCritOnly, "rse|responsabilite",
		`\brse\b|\bresponsabilite societale(?: des entreprises| des organisations)?\b`),
	// LABELS.md: RSE, "responsabilité sociétale des entreprises" are
	// combined wordings: both criteria.
	term("rse-env", false, mCritOnly, "rse|responsabilite",
		`\brse\b|\bresponsabilite societale(?: des entreprises| des organisations)?\b`),
	// "sociétal", "environnemental et social", "apprentissage": the
	// social side of a criterion.
	term("social-terse2", true, mCritOnly, "societa|environnementa|technique|economique|apprentissage|sociaux|social|developpement|environnement|en matiere",
		`\bsocietal(?:e|es|aux)?\b|\b(?:environnementa(?:l|le|les|ux)|techniques?|economiques?) et socia(?:l|le|les|ux)\b|\bapprentissage\b|\bsocia(?:l|le|ux|les) et (?:environnementa[a-z]*|societa[a-z]*)\b|\b(?:developpement durable|environnement) et (?:action |aspects? |volet |politique |dimension )?socia(?:l|le|ux|les)\b|\ben matiere sociale\b`),
	// "sécurité, hygiène et conditions de travail": judged among the
	// criteria; as a condition it is mostly labour law, so never a clause
	// by this rule.
	{name: "conditions-travail", kind: kTerm, social: true, mode: mCritOnly, noClause: true, anchors: []string{"conditions"},
		re: regexp.MustCompile(`\bconditions de travail\b`)},

	// --- environmental
	term("env-terse", false, mCritOnly, "qea|environnement|developpement|ecolog|eco|ecoresp|performance|carbone|emission|co2|dechet|reemploi|durable|consommation|produit|caractere",
		`\benvironnement\b|\benvironnementa(?:l|le|les|ux)\b|\belimination des dechets\b|\bdeveloppement (?:durable|durbale|durabe|durrable)\b|\bqea\b|\bconsommations? en energie\b|\becologi(?:e|que|ques)\b|\beco-?responsab(?:le|les|ilite)\b|\bperformances? energetiques?\b|\bconsommations? (?:energetiques?|d'energie|electriques?)\b|\bproduits? (?:locaux|de saison)\b|\bcaractere durable\b|\b(?:bilan|empreinte) carbone\b|\bemissions? de (?:co2|gaz a effet de serre|ges)\b|\b(?:gestion|reduction|tri) des dechets\b|\breemploi\b`),
	term("clause-env", false, mAuto, "clause",
		`\bclauses? (?:environnementales?|ecologiques?|vertes?|de developpement durable|de reemploi|de re-emploi|de recyclage|carbone)\b`),
	term("condition-env", false, mClause, "environnement|element",
		`\belements? a caracteres? environnementa(?:l|le|les|ux)\b|\bconditions? (?:particulieres? )?d'execution (?:[a-z' ]{0,40}? )?(?:et |ou )(?:a caracteres? |de nature |d'ordre )environnementa(?:l|le|les|ux)\b|\bconditions? (?:particulieres? )?d'execution (?:du marche )?(?:a caracteres? |de nature |d'ordre |comportant des elements a caractere )?environnementa(?:les?|l)\b|\bconditions? (?:a caracteres?|de nature|d'ordre) environnementa(?:les?|l)\b|\bconditions? (?:d'execution )?(?:a caracteres? |de nature |d'ordre )?(?:sociales? et environnementales?)\b`),
	term("dispositions-env", false, mAuto, "environnement",
		`\b(?:dispositions?|exigences?|considerations?|preoccupations?|engagements?|objectifs?|prescriptions?|obligations?) (?:a caractere |de nature |d'ordre |en matiere )?environnementa(?:les?|l|ux)\b|\b(?:dispositions?|exigences?|considerations?) sociales? et environnementa(?:les?|l|ux)\b|\bcaractere environnementa(?:le?)?\b`),
	term("critere-env", false, mCrit, "environnement",
		`\bcriteres? (?:d'attribution |de jugement |de choix )?(?:environnementa(?:ux|l)|de performance environnementale|relatifs? (?:a l'environnement|au developpement durable))\b|\bperformances? en matiere (?:de protection de l'environnement|(?:sociale et )?environnementale|de developpement durable)\b|\bvaleur environnementale\b`),
	term("performance-env", false, mAuto, "environnement",
		`\bperformances? environnementales?\b|\bqualite environnementale (?:de l'offre|des prestations|des produits|des materiaux)\b`),
	term("chantier-vert", false, mAuto, "chantier|soged|dechet",
		`\bchantiers? (?:verts?|propres?|a faibles? nuisances?|respectueux de l'environnement)\b|\bcharte (?:de )?chantier (?:vert|propre|a faibles? nuisances?)\b|\bsoged\b|\bschema d'organisation et de (?:suivi de l'elimination|gestion) des dechets\b`),
	term("env-topics", false, mCtx, "plan|environnement|durable|carbone|emission|dechet|circulaire|empreinte|transport|fret|motorisation|gnv|classe|etiquet|reemploy|re-employ|reutilis|recondition|seconde|carton|palette|conditionnement|tracabilite|bordereau|suivi|bio|compost|methanis|tri|vaisselle|gobelet|couvert|barquette|plastique|reparab|indice|allong|prolong|peu|essence|vegetaux|saison|iso|systeme|emas|niveau|biosourc|biocarbur|hvo|crit|engin|flotte|recuper|reprendr|sobriete|desherbage|en vue|emploi|reemploi|re-emploi|reutilisation|eco-|ecolabel|ecoconc|ecoresp|ecocert|label|biologique|court|vehicule|recycl|energetique|biosource|nf|certifi|pefc|fsc|oeko|gots|ange|energy|foret|agriculture|egalim|produits durables|performance|faible|emballage|reprise|limitation|vaisselle|zero|matiere|contenu|haute|hqe|re2020|re 2020|teneur|filiere|deee|nuisance|tri|plan de gestion|phytosanitaire|pesticide|economie d'energie|economies d'energie|sobriete|euro|suremballage|energie|bois|gestion|produit|contenant|reprendre|recycler|reprise|filiere|signe|sous signe|siqo|bio|usage|a usage|en usage|electricite|origine|biodiversite|gaspillage|consommation|economie|bas carbone|mode|mobilite",
		`\bprotection de l'environnement\b|\bdeveloppement durable\b|\bplans? climat(?:[- ]air[- ]energie)?\b|\bimpacts? (?:sur l'environnement|environnementa(?:l|ux))\b|\b(?:bilan|empreinte|impact) carbone\b|\bemissions? de (?:gaz a effet de serre|co2|ges|polluants)\b|\b(?:tri|valorisation|reduction|recyclage|gestion) (?:selectif |selective )?des dechets de chantier\b|\breduction des dechets\b|\beconomie circulaire\b|\b(?:re-?emploi|reutilisation) des materiaux\b|\beco-?(?:labels?|conception|conc?u(?:e|s|es)?|responsables?|labellis[a-z]+|certifi[a-z]+)\b|\becolabels?\b|\blabels? (?:environnementa[a-z]*|ecologiques?)\b|\bissus? de l'agriculture biologique\b|\bproduits? (?:bio|biologiques)\b|\bcircuits? courts?\b|\b(?:mesures?|actions?|engagements?|demarches?) (?:en faveur|de protection|de preservation) de l'environnement\b|\brespect(?:ueux|ueuse)? de l'environnement\b|\b(?:reprise|recyclage|collecte|valorisation) des (?:emballages|cartouches|consommables)\b|\bvehicules? (?:propres|electriques|a faibles emissions|peu polluants)\b|\bmateriaux (?:biosources|recycles|de reemploi)\b|\bpapier recycle\b|\befficacite energetique\b`+
			// labels and certifications, named
			`|\bnf environnement\b|\b(?:label|labels|certification|certifies?|certifiee?s?|labellisee?s?) (?:ange bleu|energy star|pefc|fsc|oeko-?tex|gots|nf environnement|epeat|tco)\b|\bforets? gerees? (?:durablement|de (?:maniere|facon) durable)\b|\bbois (?:d'origine legale|certifies?)\b`+
			// food: EGalim, organic
			`|\bagriculture biologique\b|\bloi egalim\b|\begalim\b|\bproduits? durables? et de qualite\b`+
			// energy, emissions, materials, waste
			`|\bperformances? energetiques?\b|\bfaibles? emissions?\b|\bhaute qualite environnementale\b|\bhqe\b|\bre ?2020\b|\bteneur en cov\b|\bfiliere (?:de recyclage|agreee de recyclage|rep)\b|\bdeee\b|\bnuisances? sonores?\b|\beconomies? d'energie\b|\bsobriete energetique\b`+
			`|\b(?:issus?|issues?) du re-?emploi\b|\bmatieres? recyclees\b|\bcontenu recycle\b|\brecycle(?:e|s|es)? a [0-9]+ ?%|\brecyclables?\b|\bemballages? (?:recyclables|reutilisables|consignes)\b|\b(?:reprise|limitation|reduction) des emballages\b|\bvaisselle reutilisable\b`+
			`|\btri (?:selectif |selective )?des dechets\b|\bplan de gestion des dechets\b|\bzero phyto\b|\bproduits? phytosanitaires?\b|\bpesticides?\b`+
			`|\bdechets de chantier\b|\bemissions? polluantes?\b|\b(?:limiter|reduire|reduction|limitation) (?:les |des )?emissions\b|\beuro (?:vi|6)\b|\bsuremballages?\b|\bemballages? (?:seront |sont )?repris\b`+
			`|\benergies? renouvelables?\b|\b(?:electricite|energie) (?:d'origine )?renouvelable\b|\borigine renouvelable\b|\bfilieres? (?:de valorisation|de recyclage|agreees?)\b|\bdechets (?:[a-z']+ ){0,5}tri(?:e|es|s)\b|\bsous signes? (?:officiels? )?de (?:qualite|l'origine)\b|\bsiqo\b|\bbio\b|\b(?:a|en) usage unique\b|\bgestion differenciee\b|\bproduits? chimiques? de synthese\b|\bcontenants? (?:reemployables|reutilisables|consignes)\b|\b(?:reprendre|recycler|reprise|recyclage)(?: et (?:a )?(?:reprendre|recycler))? (?:les |des )?(?:toners|cartouches|consommables|equipements usages)\b|\bproduits? de saison\b|\bbiodiversite\b|\bgaspillage alimentaire\b|\b(?:consommations?|economies?) d'eau\b|\bbas carbone\b|\bmodes? (?:de transport |de deplacement )?doux\b|\bmobilite douce\b`+
			// management systems, building labels, fuels, take-back
			`|\biso ?14001\b|\bsystemes? de management (?:environnemental|de l'environnement)\b|\bemas\b|\blabel (?:e[^a-z0-9 ]c|energie[ -]carbone|bbca|biosource)|\bniveau e[1-4] ?c[12]\b|\benergie ?[1-4] ?carbone ?[12]\b|\bbiosource(?:e|s|es)?\b`+
			`|\bbiocarburants?\b|\bhvo\b|\bbio-?gnv\b|\bcrit'? ?air [0-2e]\b|\b(?:vehicules?|engins?|flotte)(?: de chantier| utilitaires?| legers?)? (?:hybrides|a motorisation electrique|au gnv|au biogaz)\b`+
			`|\b(?:reprise|reprendre|reprendra|reprendront|recuperation|recuperer|recuperera|recyclage|collecte|valorisation) (?:des |les |de leurs |ses |leurs )?(?:palettes|emballages|cartouches|consommables|conditionnements|cartons|contenants)\b|\ben vue de (?:leur |son |sa )?(?:re-?emploi|recyclage|reutilisation|valorisation)\b`+
			`|\bsobriete\b|\bdesherbage (?:mecanique|thermique|manuel|alternatif)\b`+
			// footprint, transport, energy classes, circular economy, waste
			// traceability, biowaste, single use, durability, water
			`|\bempreinte (?:environnementale|ecologique|des transports|carbone)\b|\btransports? (?:ferroviaires?|fluvial|fluviaux|combines?|decarbones?|alternatifs? a la route)\b|\bfret ferroviaire\b|\bmodes? de transport (?:alternatifs?|decarbones?)\b`+
			`|\bmotorisations? (?:[a-z]+ )?(?:gnv|bio-?gnv|electriques?|hybrides?|hydrogene)\b|\bgnv\b|\borigine (?:[0-9]{1,3} ?% )?renouvelable|\bclasses? (?:energetiques?|d'efficacite energetique) [a-g]\b|\betiquet(?:te|age) energ[a-z]+\b`+
			`|\b(?:re-?employe|reutilise|reconditionne)(?:e|s|es)?\b|\bseconde main\b|\bfilieres? de re-?emploi\b|\b(?:emballages?|cartons?|palettes?|conditionnements?|contenants?) (?:seront |sont |etant )?(?:repris|recuperes|recycles|reemployes|reutilises)\b`+
			`|\b(?:tracabilite|bordereaux? de suivi|suivi) des dechets\b|\bbio-?dechets\b|\bcompostage\b|\bmethanisation\b|\btri a la source\b`+
			`|\b(?:vaisselle|gobelets?|couverts|barquettes?|contenants?) (?:reutilisables?|lavables?|jetables?|en plastique|compostables?)\b|\bplastiques? (?:a usage unique|jetables?)\b`+
			`|\breparabilite\b|\bindice de durabilite\b|\b(?:allonger|prolonger|allongement) (?:de )?la duree de vie\b|\bpeu consommat(?:eur|rice)s? (?:en |d')(?:eau|energie)\b|\bessences? (?:vegetales )?(?:locales|indigenes)\b|\bvegetaux locaux\b|\bsaisonnalite\b`),

	// --- reserved: kinds of beneficiaries, counted in a reserving sentence
	resKind("ea-esat", ReservedDisability, "adapte|esat|aide par le travail|protege|handicap",
		`\bentreprises? adaptees?\b|\besat\b|\b(?:etablissements?|centres?) (?:et |ou |ou de |et de )?(?:services? )?d'aide par le travail\b|\bateliers? proteges?\b|\b(?:travailleurs?|personnes?) (?:handicape(?:e|s|es)?|en situation de handicap)\b`),
	resKind("siae", ReservedInsertion, "travailleurs|personnes|siae|insertion|intermediaire|etti|emplois proteges|emploi protege|entreprise|association|structure|organisme",
		`\bsiae\b|\b(?:travailleurs|personnes) (?:handicapes et )?defavorises\b|\bstructures? (?:d'|de l')insertion(?: par l'activite economique)?\b|\binsertion par l'activite economique\b|\bentreprises? (?:de travail temporaire )?d'insertion\b|\b(?:entreprises?|associations?|structures?|organismes?)(?: (?:ou|et) (?:entreprises?|associations?|structures?|organismes?))? d'insertion\b|\bateliers? (?:et|ou) chantiers? d'insertion\b|\bassociations? intermediaires?\b|\betti\b|\bemplois? proteges?\b`),
	resKind("ess", ReservedESS, "economie sociale|l'ess|service public",
		`\beconomie sociale et solidaire\b|\b(?:entreprises?|structures?|acteurs?|organismes?) de l'ess\b|\bmissions? de service public\b`),

	// --- reserved: legal references
	{name: "l2113", kind: kLegal, anchors: []string{"2113"}, inWord: true,
		re:     regexp.MustCompile(`\bl[. ]{0,3}-?2113 ?-? ?(1[235])\b`),
		groups: map[string]string{"12": ReservedDisability, "13": ReservedInsertion, "15": ReservedESS}},
	{name: "ord-36", kind: kLegalCtx, anchors: []string{"36"},
		re:     regexp.MustCompile(`\b(?:art(?:icle|\.)?s? ?|et )36 ?[-.]? ?(ii|i|1|2)(?:o|er|eme)?\b`),
		groups: map[string]string{"i": ReservedDisability, "1": ReservedDisability, "ii": ReservedInsertion, "2": ReservedInsertion}},
	{name: "ord-37", kind: kLegalCtx, anchors: []string{"37"},
		re:     regexp.MustCompile(`\bart(?:icle|\.)? ?(37)\b`),
		groups: map[string]string{"37": ReservedESS}},
	// "lot réservé insertion", "réservé aux ESAT" (a title's shorthand),
	// "établissement type ESAT", "article 13 du décret 2016-360".
	{name: "reserve-kind", kind: kLegal, anchors: []string{"reserv"},
		re:     regexp.MustCompile(`\breserve(?:e|s|es)? (?:a l'|aux? |a des |a une |a un )?(insertion|iae|siae|esat|handicap)\b`),
		groups: map[string]string{"insertion": ReservedInsertion, "iae": ReservedInsertion, "siae": ReservedInsertion, "esat": ReservedDisability, "handicap": ReservedDisability}},
	{name: "type-esat", kind: kLegal, anchors: []string{"etablissement|structure|entreprise"},
		re:     regexp.MustCompile(`\b(?:etablissements?|structures?|entreprises?) (?:de )?type (esat|ea|siae|entreprise adaptee)\b`),
		groups: map[string]string{"esat": ReservedDisability, "ea": ReservedDisability, "entreprise adaptee": ReservedDisability, "siae": ReservedInsertion}},
	{name: "decret-13", kind: kLegal, anchors: []string{"13"},
		re:     regexp.MustCompile(`\bart(?:icle|\.)? ?(13) du decret (?:(?:no ?|n ?)?2016-360\b|relatif aux marches publics\b)`),
		groups: map[string]string{"13": ReservedDisability}},
	{name: "cmp-15", kind: kLegal, anchors: []string{"15"},
		re:     regexp.MustCompile(`\bart(?:icle|\.)? ?(15) du (?:code des marches publics|cmp)\b`),
		groups: map[string]string{"15": ReservedDisability}},
	{name: "code-travail", kind: kLegalCtx, anchors: []string{"5213|344|5132"},
		re:     regexp.MustCompile(`\bl\.? ?(5213-13|344-2|5132-4)\b`),
		groups: map[string]string{"5213-13": ReservedDisability, "344-2": ReservedDisability, "5132-4": ReservedInsertion}},

	// --- reserved, kind unknown
	{name: "marche-reserve", kind: kReservedGeneric, anchors: []string{"reserv"},
		re: regexp.MustCompile(`\b(?:marches?|lots?|accords?-cadres?|consultations?|procedures?|participation|contrats?|concessions?)(?: publics?| n ?o? ?[0-9]+| [0-9]+)? (?:(?:est|sont|sera|seront|a ete|ont ete) )?(?:(?:un|une|des) )?(?:marches? )?reserve(?:e|es|s)?\b|\breservation(?: du marche| des marches| de marche)?\b`)},
}

// rules: the base rules, then the requirement-shaped lexicon (requirements.go).
var rules = append(baseRules[:len(baseRules):len(baseRules)], requirementRules...)

// Cues after "réservé à" that make it a profession or size reservation,
// not a social one ("prestation réservée à une profession particulière",
// "lot réservé aux PME").
var notSocialReservation = words("profession ", "professions ", "profession,", "profession.", "architecte", "avocat", "commissaire", "expert", "geometre", "notaire",
	"pme", "petites et moyennes", "tpe", "artisan", "inscrit", "ordre des", "titulaire d'", "titulaires d'", "titulaire de", "titulaires de", "licence", "detenteur", "agree",
	"habilite", "diplome", "medecin", "pharmacien", "huissier", "ingenieur", "personnes morales", "collectivites",
	"membres", "adherents", "candidats admis", "candidats selectionnes", "entreprises locales",
	"europeen", "assureur", "assurance", "courtier", "banque", "etablissements de credit", "defense", "habilit")

func init() {
	for i := range rules {
		var as []string
		for _, a := range rules[i].anchors {
			as = append(as, strings.Split(a, "|")...)
		}
		rules[i].anchors = as
		switch rules[i].name {
		case "marche-insertion":
			rules[i].notCoaching = true
		}
		switch rules[i].name {
		case "publics":
			// "le prestataire accompagne les bénéficiaires du RSA": job
			// coaching is what is bought.
			rules[i].notCoaching = true
			rules[i].notReserving = true
		case "insertion-pro":
			rules[i].notCoaching = true
			rules[i].notReserving = true
		case "social-employment", "social-terse", "social-topics":
			// "réservé aux structures de l'insertion par l'activité
			// économique", "… employant des personnes en difficulté"
			// describe who a reservation is for, not a clause.
			rules[i].notReserving = true
		}
		for _, a := range as {
			rules[i].anchorBytes = append(rules[i].anchorBytes, []byte(a))
		}
		switch rules[i].kind {
		case kReservedKind, kLegalCtx, kReservedGeneric:
			rules[i].needsReserv = true
		}
	}
	buildUnits()
}
