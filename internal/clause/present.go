package clause

import "regexp"

// Present-tense requirement wording. Specifications (CCTP) state what the
// contractor does and what the supplies are in the present: "le titulaire
// n'utilise que…", "les denrées proviennent d'élevages…", "les produits
// livrés sont écolabellisés". A sentence whose subject is the contractor or
// what it delivers, followed by a verb in the present, requires what it
// names. The object of purchase ("le présent marché a pour objet…",
// "la commune gère…") has neither subject; "le titulaire assure la collecte
// des déchets" is still caught by purchaseSubject as what is bought.
var presentFrameRe = regexp.MustCompile(`(?:^|[^a-z])(?:le|la|les|l'|ses|leurs?|tous les|toutes les) ?` +
	`(?:titulaire|prestataire|fournisseur|attributaire|cocontractant|delegataire|concessionnaire|exploitant|` +
	`produits?|denrees|fournitures?|vehicules?|engins?|materiels?|equipements?|materiaux|bois|papiers?|textiles?|vetements|tenues|` +
	`mobiliers?|luminaires?|repas|menus|emballages?|peintures?|consommables|cartouches|articles|marchandises|livraisons?|` +
	`agents|salaries|personnels?|intervenants|equipes)` +
	`(?: [a-z'-]+){0,4}? (?:ne |n')?(?:est|sont|` +
	`utilisen?t?|emploien?t?|provien(?:nen)?t|fonctionnen?t?|respecten?t?|disposen?t?|comporten?t?|beneficien?t?|integren?t?|` +
	`garanti(?:ssen)?t|repond(?:ent)?|contien(?:nen)?t|presenten?t?|possede(?:nt)?|appliquen?t?|privilegien?t?|limiten?t?|` +
	`reduit|reduisent|trien?t?|repren(?:d|nent)|recuperen?t?|evacuen?t?|valorisen?t?|recyclen?t?|formen?t?|accueillen?t?|` +
	`recruten?t?|embauchen?t?|confien?t?|s'interdit|s'interdisent|s'assuren?t?|veillen?t?|justifien?t?|affecten?t?|` +
	`intervien(?:nen)?t|circulen?t?|roulen?t?|proposen?t?|favorisen?t?|recoure?n?t?|font|fait|met en oeuvre|mettent en oeuvre)\b`)

// presentFrame reports whether the sentence before a match (w, already cut
// at the sentence start) is a contractor or supplies subject with a verb
// in the present.
func presentFrame(w []byte) bool {
	return presentFrameRe.Match(w)
}
