package clause

// Requirement-shaped rules: the objects an environmental or social
// requirement is about (waste and what is done with it, substances,
// energy, emissions, transport, materials, food, water, biodiversity,
// noise; employment, equality, labour standards), written broadly. A
// match counts only by its context (mode mCtx): a criterion when offers
// are judged on it, a clause when its sentence requires it of the
// contractor ("le titulaire s'engage à", "devra", "seront", "est
// interdit", a "Conditions d'exécution" heading) and it is not what is
// bought ("collecte des déchets", "fourniture de solvants").
//
// Every alternative starts with a literal word so that it is anchored
// (anchors.go): the lexicon grows without costing a scan per word.
var requirementRules = []rule{
	term("env-waste", false, mCtx, "dechet",
		// the waste and its treatment: "les déchets d'emballage … soient
		// collectés et valorisés", "tri, valorisation des gravats"
		`\bdechets?(?: [a-z'-]+){0,8}? (?:seront |sont |soient |doivent etre |devront etre |etre )?(?:collecte|valorise|recycle|trie|evacue|elimine|broye|reutilise|reemploye|traite|composte|repris|separe)(?:e|s|es)?\b`+
			`|\b(?:valoris|recycl|trier|tri |reemploy|re-employ|reutilis|compost|broy|evacu|separ|reduire|reduction|limiter|limitation|diminu|brulage)[a-z]* (?:des |les |de |d'|leurs |ses |tout |toute |le |la |l')?(?:dechets|gravats|deblais|terres excavees|biodechets|restes|excedents|invendus|emballages|cartons|palettes|dalles|huiles usagees|boues|pertes alimentaires)\b`+
			`|\b(?:terres?|deblais|gravats|dalles|dechets verts|cartons|palettes|emballages|materiaux (?:de )?(?:depose|deconstruction|demolition))(?: [a-z'-]+){0,5}? (?:seront |sont |soient |doivent etre |devront etre |etre )?(?:reutilise|reemploye|recycle|valorise|broye|rapporte|repris|recupere|trie)(?:e|s|es)?\b`+
			`|\b(?:pour|en vue de|en vue d'une|vers une filiere de|vers des filieres de) (?:leur |son |sa )?(?:recyclage|valorisation|reemploi|re-emploi|reutilisation)\b`+
			`|\b(?:tonnages?|quantites?|bilans?|registres?|justificatifs?|bordereaux?) (?:de |des |d')(?:dechets|elimination|evacuation des dechets|traitement des dechets)\b`+
			`|\b(?:re-?employer|reemployer|reutiliser|recycler|valoriser) (?:les |des |leurs |ses )?(?:materiaux|equipements|mobiliers?|elements|dalles|pieces|produits)\b`),
	term("env-substances", false, mCtx, "solvant|compose|cov|substance|cmr|phyto|biodegrad|perturbat|base|produit",
		`\bsolvants?(?: (?:chlores|organiques|petroliers|aromatiques))?\b|\bcomposes? organiques volatils\b|\bcov\b|\bsubstances? (?:dangereuses|cmr|classees|nocives|toxiques|chimiques|preoccupantes|extremement preoccupantes|allergenes)\b|\bcmr\b|\bphytopharmaceutiques?\b|\bbiodegradables?\b|\bperturbateurs? endocriniens?\b|\ba base (?:aqueuse|vegetale)\b|\ben phase aqueuse\b|\bproduits? (?:chimiques|dangereux|biocides)\b|\bbiocides?\b|\bmetaux lourds\b|\bfluides? frigorigenes?\b`),
	term("env-energy", false, mCtx, "consommation|veille|eclair|chauffage|led|detection|80|eteindre|couper|extinction|reduire|reduction|limiter|diminu|energie",
		`\bconsommations? (?:en (?:mode )?veille|d'eau|d'eau potable|energetiques?|electriques?|d'energie|de carburants?|de fluides)\b|\b(?:mode|en) veille\b|\b(?:eteindre|couper|coupure|extinction|extinctions) (?:les |des |du |de l'|de la )?(?:eclairages?|lumieres?|chauffage|appareils|equipements|postes)\b|\b(?:sources?|eclairages?|luminaires?|lampes?) (?:a )?leds?\b|\bdetect(?:ion|eurs?) de presence\b|\b80 ?plus\b|\b(?:reduire|reduction|limiter|limitation|diminuer|diminution|maitrise|maitriser)(?: de)? (?:les |des |la |sa |leur )?(?:consommations?|depenses? energetiques?)\b|\bmateriels? (?:thermiques?|a batterie)\b|\b(?:outils?|engins?|equipements?|souffleurs?) a batterie\b|\benergies? (?:renouvelables?|vertes?|decarbonees?)\b`),
	term("env-emissions", false, mCtx, "particule|poussiere|envol|gaz|co2|norme|phase|emission|pollu",
		`\bfiltres? a particules\b|\bparticules fines\b|\b(?:envols?|emissions?|emanations?) de poussieres?\b|\bpoussieres?\b|\bgaz a effet de serre\b|\bco2\b|\bnormes? (?:d'emissions?|euro|antipollution)\b|\bphase (?:v|iv|5|4) (?:des normes|de la norme|d'emissions?)\b|\bemissions? (?:atmospheriques|dans l'air|de particules|de polluants|polluantes)\b|\bpollutions? (?:des sols|de l'air|de l'eau|accidentelles?|lumineuses?)\b`),
	term("env-transport", false, mCtx, "limiter|reduire|reduction|diminu|optimis|regroup|mutualis|livraison|tournee|voie|eco|distance|fluvial|ferro|en une",
		`\b(?:limiter|limitation|reduire|reduction|diminuer|diminution|optimiser|optimisation|regrouper|regroupement|mutualiser|mutualisation)(?: de)? (?:les |des |le |la |du |ses |leurs )?(?:nombre (?:de |des )?)?(?:trajets|deplacements|livraisons|kilometres|transports|rotations|allers-retours|flux de vehicules|tournees)\b`+
			`|\b(?:livraisons?|tournees?) (?:regroupees?|mutualisees?|groupees?|hebdomadaires? regroupees?)\b|\btournees? (?:hebdomadaires? |mensuelles? )?regroupees?\b|\bvoies? (?:fluviales?|ferrees?|navigables?)\b|\beco-?conduite\b|\bdistances? (?:d'approvisionnement|parcourues)\b|\ben une (?:seule )?(?:fois|livraison|tournee) par site\b`),
	term("env-materials", false, mCtx, "granulat|materia|fibre|plastique|ouate|papier|matiere|emission|etiquet|classe|demontab|piece|a+|recycl",
		`\b(?:granulats?|materiaux|fibres?|plastiques?|ouate|papiers?|matieres?|bois|metaux|textiles?) (?:[a-z]+ )?recycle(?:e|s|es)?\b|\bemissions? dans l'air interieur\b|\b(?:etiquet[a-z]*|classe) a\+|\bdemontables?\b|\bpieces? detachees?\b`),
	term("env-food", false, mCtx, "vegetar|menu|fruit|legume|saison|filiere|l230|gaspillage|perte|don|excedent|produits",
		`\bvegetarien(?:ne|s|nes)?\b|\bmenus? (?:vegetariens?|alternatifs?|sans viande)\b|\bde saison\b|\bfilieres? (?:de qualite|durables?)\b|\bl ?\.? ?230-5-1\b|\bgaspillage\b|\bpertes? alimentaires?\b|\bdons? des (?:excedents|invendus|repas)\b|\bexcedents? alimentaires?\b`),
	term("env-water-nature", false, mCtx, "eau|goutte|arrosage|recuper|nidification|periode|espece|faune|nuisance|limiter|reduire|reduction|limitation|bruit|interventions|gene",
		`\beaux? pluviales? (?:pour|seront|sont) |\b(?:recuperer|recuperation|reutiliser|reutilisation) (?:des |les )?eaux\b|\bgoutte-a-goutte\b|\barrosage (?:raisonne|econome|au goutte|limite)\b|\bnidification\b|\bperiodes? (?:de reproduction|de nidification|sensibles? pour la faune)\b|\bespeces? (?:protegees|invasives|exotiques envahissantes|locales|indigenes)\b|\bfaune et (?:de )?la flore\b|\bnuisances? (?:sonores?|du chantier|de chantier|olfactives?|lumineuses?)\b|\b(?:limiter|reduire|reduction|limitation) (?:les |des )?nuisances\b|\bbruit\b|\binterventions? bruyantes?\b|\bgene (?:des|aux) riverains\b`),

	// social objects of a requirement
	term("social-employment", true, mCtx, "demandeur|inscrit|difficult|revenu|rqth|reconnaissance|travailleur|employant|emploie|personne|jeune|beneficiaire|maintenir|maintien|formation|stage|sous",
		`\bdemandeurs? d'emploi (?:inscrits? depuis|de plus de [0-9]+ ans|seniors?|de longue duree)\b|\binscrits? (?:a (?:pole|france) (?:emploi|travail) )?depuis plus de [0-9]+ mois\b|\bdifficultes? (?:d'acces a l'emploi|d'insertion|sociales et professionnelles)\b|\brevenu de solidarite active\b|\brqth\b|\breconnaissance de la qualite de travailleur handicape\b`+
			`|\b(?:employant|emploie|emploient|employer) (?:des |au moins [0-9]+ ?% de )?(?:travailleurs|personnes) (?:handicape(?:e|s|es)?|en situation de handicap|defavorise(?:e|s|es)?)\b`+
			`|\bjeunes (?:de moins de [0-9]+ ans )?(?:sans qualification|peu qualifies|non qualifies|decrocheurs)\b|\bpersonnes? (?:placees? )?sous main de justice\b|\bbeneficiaires? de la protection internationale\b|\b(?:maintenir|maintien) (?:les |des |de l')?emplois?\b|\bformations? qualifiantes?\b|\bstages? (?:de decouverte|d'observation)\b`),
	term("social-rights", true, mCtx, "egalite|mixite|droit|travail|audit|tracabilite|conformite|norme|standard|discrimination|harcelement|salaire|remuneration|condition|sante",
		`\begalite (?:de remuneration|salariale|des salaires|des remunerations|de traitement|des chances)\b|\bmixite (?:des metiers|des emplois|professionnelle)\b|\bdroits? (?:fondamentaux|humains|de l'homme|syndicaux)(?: au travail| du travail)?\b|\btravail (?:des enfants|force|dissimule|illegal)\b|\b(?:audits?|tracabilite|conformite|normes?|standards?|responsabilite) socia(?:l|le|ux|les)\b|\bdiscriminations? (?:a l'embauche|syndicales?|salariales?)\b|\bharcelement\b|\b(?:salaire|remuneration) (?:decent|equitable|minimum)\b|\bconditions de travail (?:decentes|dignes)\b|\bsante et (?:la )?securite (?:au|des) travail(?:leurs)?\b`),
}
