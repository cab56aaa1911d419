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

	// Broader families, each a handful of words specific to its domain:
	// circularity and end of life, climate and energy use, mobility,
	// food and animal welfare, natural materials, water and pollution,
	// plants and forests.
	term("env-circular", false, mCtx, "eco|fin|recycl|reemplo|re-emplo|reconditionn|seconde|materiau|mono|faciliter|tri|compost|demontage|reparab|reparation|reparer|durabilite|duree",
		`\beco-?organismes?\b|\bfin de vie\b|\brecycl(?:able|ables|age|er|ee|ees|e|es|eur|eurs)\b|\bre-?emplo[a-z]+\b|\breconditionn[a-z]+\b|\bseconde vie\b|\bmateriau unique\b|\bmono-?materiaux?\b|\bfaciliter (?:le |leur |son )?(?:tri|recyclage|demontage)\b|\btri selectif\b|\bcompost(?:age|able|ables|er)?\b|\bdemontage selectif\b|\b(?:reparation|reparer|reparabilite)(?: [a-z']+){0,4}? plutot que\b|\bdurabilite des (?:produits|equipements|materiels|materiaux)\b|\b(?:duree de vie|durabilite) (?:des|de leurs|de ses) (?:produits|equipements|materiels)\b`),
	term("env-climate", false, mCtx, "compensation|emissions|neutralite|decarbon|climat|changement|temperature|eclairage|extinction|chauffage",
		`\bcompensation (?:des emissions|carbone)\b|\bemissions? residuelles\b|\bneutralite carbone\b|\bdecarbon[a-z]+\b|\bclimat local\b|\bchangement climatique\b|\btemperatures? de consigne\b|\beclairage(?: public| exterieur| des (?:batiments|locaux|vitrines))? (?:sera |est |seront |doit etre |devra etre )?(?:coupe|eteint|reduit|abaisse|interrompu)e?s?\b|\bextinction (?:nocturne|de l'eclairage|des eclairages)\b|\bclimatisation(?: [a-z']+){0,3}? (?:ne sera|ne doit|sera limitee|est limitee|ne pourra)\b|\bchauffage (?:sera limite|est limite|ne doit)\b`),
	term("env-mobility", false, mCtx, "covoiturage|transport|velo|mobilite|plan|vehicule|autopartage",
		`\bcovoiturage\b|\btransports? en commun\b|\bvelos?(?: a assistance electrique| cargos?)?\b|\bmobilites? (?:douces?|actives?|durables?)\b|\bplans? de (?:deplacements?|mobilite)\b|\bvehicules? (?:peu|moins|les moins) polluants\b|\bautopartage\b`),
	term("env-food-origin", false, mCtx, "plein|bien|label|peche|fait|produits|vrac|circuit|transform|aop|igp",
		`\bplein air\b|\bbien-?etre animal\b|\blabel rouge\b|\bpeche (?:durable|responsable)\b|\bfait maison\b|\bproduits? (?:bruts|frais et bruts|peu transformes)\b|\b(?:ultra-?)?transformes\b|\ben vrac\b|\baop\b|\bigp\b`),
	term("env-natural-materials", false, mCtx, "origine|chanvre|fibre|ouate|paille|terre|materiaux|isolant",
		`\borigine (?:vegetale|biosourcee|naturelle|animale renouvelable)\b|\bchanvre\b|\bfibres? de bois\b|\bouate de cellulose\b|\bpaille\b|\bterre crue\b|\bmateriaux (?:naturels|geosources)\b|\bisolants? (?:naturels|vegetaux|biosources)\b`),
	term("env-pollution", false, mCtx, "deversement|retention|rejet|avant|decant|eaux|gourmand|econome|pollu|milieu|sols",
		`\bdeversements?(?: accidentels?)?\b|\b(?:sur|bacs? de|bac de|cuves? de) retention\b|\brejets? (?:dans le milieu|au milieu|dans le reseau|d'eaux|aqueux|atmospheriques|dans l'environnement)\b|\bavant (?:tout )?rejet\b|\bdecant[a-z]+\b|\beaux (?:de lavage|de ruissellement|grises|de chantier|usees du chantier)\b|\b(?:peu )?gourmand(?:e|s|es)? en eau\b|\beconomes? en (?:eau|energie)\b|\bpollu(?:tion|tions|ant|ants|ante|antes)\b|\bmilieux? naturels?\b|\bsols? pollues\b`),
	term("env-plants", false, mCtx, "essence|plante|vegetaux|pollinis|arbre|protection|zone|gestion|foret|bois|certification",
		`\bessences? (?:vegetales )?(?:adaptees|locales|indigenes|rustiques|regionales)\b|\bplantes? (?:vivaces|melliferes|indigenes|locales)\b|\bvegetaux (?:locaux|indigenes|adaptes)\b|\bpollinisateurs\b|\barbres? existants?\b|\bprotection des (?:arbres|plantations|vegetaux)\b|\bzones? humides?\b|\bgestion durable\b|\bforets? (?:gerees|certifiees|bene[a-z]+ d'une certification)\b|\bbois (?:certifies?|issus de forets|labellises?)\b|\bcertification (?:forestiere|de gestion durable)\b`),

	// social objects of a requirement
	term("social-employment", true, mCtx, "demandeur|inscrit|difficult|revenu|rqth|reconnaissance|travailleur|employant|emploie|personne|jeune|beneficiaire|maintenir|maintien|formation|stage|sous",
		`\bdemandeurs? d'emploi (?:inscrits? depuis|de plus de [0-9]+ ans|seniors?|de longue duree)\b|\binscrits? (?:a (?:pole|france) (?:emploi|travail) )?depuis plus de [0-9]+ mois\b|\bdifficultes? (?:d'acces a l'emploi|d'insertion|sociales et professionnelles)\b|\brevenu de solidarite active\b|\brqth\b|\breconnaissance de la qualite de travailleur handicape\b`+
			`|\b(?:employant|emploie|emploient|employer) (?:des |au moins [0-9]+ ?% de )?(?:travailleurs|personnes) (?:handicape(?:e|s|es)?|en situation de handicap|defavorise(?:e|s|es)?)\b`+
			`|\bjeunes (?:de moins de [0-9]+ ans )?(?:sans qualification|peu qualifies|non qualifies|decrocheurs)\b|\bpersonnes? (?:placees? )?sous main de justice\b|\bbeneficiaires? de la protection internationale\b|\b(?:maintenir|maintien) (?:les |des |de l')?emplois?\b|\bformations? qualifiantes?\b|\bstages? (?:de decouverte|d'observation)\b`+
			`|\baccueil[a-z]* (?:de |d'|des |un |une |deux |trois |[0-9]+ )?(?:stagiaires|apprentis|alternants|jeunes|eleves|collegiens|lyceens)\b|\bcontrats? a duree determinee d'insertion\b|\bcddi\b|\bservice civique\b`+
			`|\b(?:offres? d'emploi|postes?|recrutements?|embauches?)(?: [a-z']+){0,4}? (?:aux |des |de |a des )?personnes (?:en situation de handicap|handicapees)\b|\bretour a l'emploi\b|\bsalaire minimum\b`),
	term("social-rights", true, mCtx, "egalite|mixite|droit|travail|audit|tracabilite|conformite|norme|standard|discrimination|harcelement|salaire|remuneration|condition|sante",
		`\begalite (?:de remuneration|salariale|des salaires|des remunerations|de traitement|des chances)\b|\bmixite (?:des metiers|des emplois|professionnelle)\b|\bdroits? (?:fondamentaux|humains|de l'homme|syndicaux)(?: au travail| du travail)?\b|\btravail (?:des enfants|force|dissimule|illegal)\b|\b(?:audits?|tracabilite|conformite|normes?|standards?|responsabilite) socia(?:l|le|ux|les)\b|\bdiscriminations? (?:a l'embauche|syndicales?|salariales?)\b|\bharcelement\b|\b(?:salaire|remuneration) (?:decent|equitable|minimum)\b|\bconditions de travail (?:decentes|dignes)\b|\bsante et (?:la )?securite (?:au|des) travail(?:leurs)?\b`),
}
