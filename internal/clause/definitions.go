package clause

// What each label means, as served by /api/v1/definitions and written in
// the README and testdata/clauses/real/README.md. The labelling guide of
// the project (LABELS.md, shared with the corpus engineers and the
// independent check) is the reference; this is its substance, with the
// decisions taken where it is silent.

// Wording is a label's name and definition in one language, with what it
// covers and what it does not.
type Wording struct {
	Name       string   `json:"name"`
	Definition string   `json:"definition"`
	Includes   []string `json:"includes"`
	Excludes   []string `json:"excludes"`
}

// LabelDefinition defines one label of AllLabels.
type LabelDefinition struct {
	Label string  `json:"label"`
	FR    Wording `json:"fr"`
	EN    Wording `json:"en"`
}

// Reading states how every label is read: by field, with negative evidence.
var Reading = [2]string{
	"Un texte est étiqueté tel qu'il se lit dans son champ : les mêmes mots sont une clause dans les conditions d'exécution, un critère parmi les critères d'attribution et une simple description de l'achat dans l'objet. Sans champ connu, la formulation seule décide ; un intitulé court sans rien autour n'a d'étiquette que si ses mots sont sans ambiguïté. Un « non » structuré (DECP « Pas de considération sociale », BOAMP « Marché réservé : non », eForms « none ») ou une mention écrite qu'aucune clause n'est prévue est gardé comme preuve négative, jamais comme étiquette.",
	"A text is labelled as it reads in its field: the same words are a clause in the performance conditions, a criterion among the award criteria and a mere description of the purchase in the object. When the field is unknown, the wording alone decides; a short heading with nothing around it is labelled only when its words are unambiguous. A structured \"no\" (DECP \"Pas de considération sociale\", BOAMP \"Marché réservé : non\", eForms \"none\") or a written statement that no such clause applies is kept as negative evidence, never as a label.",
}

// Decisions are the cases the guide leaves open, and how vigie decides
// them (its corpus is labelled the same way).
var Decisions = []string{
	"`reserved` goes with every specific reservation: a case labelled reserved_insertion alone is scored as reserved + reserved_insertion.",
	"A reservation counts in whatever field it is written (award criteria, lot title, participation conditions): the field decides between clause and criterion, never whether a contract is reserved.",
	"Participation conditions asking the candidate to prove it is an SIAE, an EA or an ESAT under L.2113-12/13 (\"la preuve que le candidat répond aux obligations de l'article L. 2113-13\") are the reservation itself, not a social clause.",
	"\"Opérateurs économiques qui emploient des travailleurs handicapés ou défavorisés\" (the directive's wording) names no kind: `reserved` alone; \"handicapés et défavorisés\" names both kinds unless the text cites L.2113-12 alone (then the disabled only); a range \"L.2113-12 à 14\" names both.",
	"A criterion on \"développement durable\" qualified both ways (\"environnemental et social\") gets both criteria; RSE or \"responsabilité sociétale\" as a criterion gets both.",
	"A purchase whose object is an environmental or social service (an environmental study, waste collection, job coaching) is not a clause; in an object or lot field, an environmental specification of a product bought (\"farines issues de l'agriculture biologique\", \"véhicules électriques\", \"produits écolabellisés\") is env_clause.",
	"An L.2113-13 reference cited for a clause (\"conformément à l'article L 2113-13, le cahier des charges comporte des clauses visant à promouvoir l'emploi\") is no reservation.",
}

// Definitions of the labels, in AllLabels order.
var Definitions = []LabelDefinition{
	{Label: SocialClause,
		FR: Wording{"Clause sociale", "Obligation à caractère social ou d'emploi imposée au titulaire pendant l'exécution du marché.",
			[]string{"heures d'insertion sous toutes leurs formulations (clause d'insertion, clause sociale, action d'insertion, part des heures réservée à des personnes éloignées de l'emploi, engagement d'insertion)",
				"conditions d'exécution à caractère social, obligations d'accueil d'apprentis ou de stagiaires, travail décent ou commerce équitable dans la chaîne d'approvisionnement",
				"marché d'insertion et de qualification : les travaux ou services (espaces verts, nettoyage, tri) servent de support à un parcours d'insertion, qui est le but",
				"l'annonce que de telles clauses existent ou seront précisées (« des clauses sociales seront précisées au CCAP »)"},
			[]string{"rappel d'obligations légales de toute entreprise (emploi des travailleurs handicapés L.5212-1, reprise du personnel, droit du travail)",
				"achat d'un service social en tant que tel (accompagnement ou formation de demandeurs d'emploi, sans clause sur le titulaire)",
				"« insertion » au sens architectural (insertion urbaine, paysagère, dans le site)"}},
		EN: Wording{"Social clause", "A social or employment obligation placed on the contractor while performing the contract.",
			[]string{"insertion hours however worded (insertion clause, social clause, a share of hours set aside for people far from employment, insertion commitment)",
				"social performance conditions, apprentice or intern obligations, decent work or fair trade in the supply chain",
				"a marché d'insertion et de qualification: the works or services (green spaces, cleaning, sorting) support an insertion programme, which is the purpose",
				"an announcement that such clauses exist or will be set out"},
			[]string{"reminders of legal duties every firm has (employment of disabled workers L.5212-1, staff transfer, labour law)",
				"buying a social service as such (coaching or training job seekers, with no clause on the contractor)",
				"\"insertion\" in its architectural sense (fitting a building into its site)"}}},
	{Label: SocialCriterion,
		FR: Wording{"Critère social", "Critère ou sous-critère d'attribution, pondéré ou non, qui juge la performance sociale de l'offre.",
			[]string{"engagements d'insertion ou d'emploi, « emploi et formation », politique sociale appliquée au marché, conditions de travail, « critère social » (coquilles comprises)",
				"formulations combinées, qui donnent aussi le critère environnemental : RSE, responsabilité sociétale des entreprises, critère sociétal et environnemental, qualité technique, environnementale et sociale"},
			[]string{"listes de critères limitées au prix, à la valeur technique et aux délais", "« insertion dans le site » (architecture)", "« mixité sociale » au sens urbain",
				"exigences de sélection des candidats (certification, déclaration L.5212-1) : ce sont des conditions de participation"}},
		EN: Wording{"Social criterion", "An award criterion or sub-criterion, weighted or not, that judges the social performance of the offer.",
			[]string{"insertion or employment commitments, \"employment and training\", the social policy applied to the contract, working conditions, \"social criterion\" (typos included)",
				"combined wordings, which also give the environmental criterion: CSR, corporate social responsibility, societal and environmental criterion, technical, environmental and social quality"},
			[]string{"criteria lists with only price, technical merit and time", "\"insertion dans le site\" (architecture)", "\"mixité sociale\" meaning urban mix",
				"selection requirements on candidates (certification, L.5212-1 declaration): conditions of participation"}}},
	{Label: EnvClause,
		FR: Wording{"Clause environnementale", "Obligation environnementale imposée au titulaire, ou spécification environnementale de ce qui est acheté.",
			[]string{"tri, réemploi ou recyclage des déchets pendant l'exécution, charte de chantier à faibles nuisances, écolabels exigés, véhicules à faibles émissions, réduction des emballages",
				"restauration : part minimale de produits biologiques ou sous signe de qualité, repas végétariens, y compris en option ou en prestation supplémentaire éventuelle",
				"engagements contractuels de performance énergétique ou environnementale (CPE, consommation garantie), objectifs environnementaux fixés à un concessionnaire"},
			[]string{"« environnement » au sens d'entourage ou de contexte (environnement technique, de travail)", "étude ou autorisation environnementale qui est l'objet même de l'achat",
				"« recyclage » au sens de formation de remise à niveau", "enlèvement des déchets compris dans une prestation de nettoyage", "un intitulé sans contenu", "une mention explicite qu'aucune clause de ce type ne s'applique"}},
		EN: Wording{"Environmental clause", "An environmental obligation on the contractor, or an environmental specification of what is bought.",
			[]string{"waste sorting, reuse or recycling duties during performance, low-nuisance worksite charters, required eco-labels, low-emission vehicles, less packaging",
				"catering: a minimum share of organic or quality-labelled products, vegetarian meals, also as an option or a PSE",
				"contractual energy or environmental performance commitments (energy performance contract, guaranteed consumption), environmental objectives set on a concessionaire"},
			[]string{"\"environnement\" meaning surroundings or context (technical, working environment)", "an environmental study or authorisation that is itself the purchase",
				"\"recyclage\" meaning refresher training", "waste removal that is merely part of a cleaning scope", "a heading with nothing under it", "an explicit statement that no such clause applies"}}},
	{Label: EnvCriterion,
		FR: Wording{"Critère environnemental", "Critère ou sous-critère d'attribution, pondéré ou non, qui juge la performance environnementale de l'offre.",
			[]string{"performance environnementale, qualité environnementale de l'offre, « développement durable » (seul, il compte comme environnemental), performance énergétique, empreinte carbone, mesures pour réduire les effets sur l'environnement, impact environnemental",
				"formulations combinées : RSE, critère sociétal et environnemental, politique sociale et environnementale"},
			[]string{"listes de critères limitées au prix, à la valeur technique et aux délais", "exigences de sélection des candidats (certification ISO 14001 comme capacité)"}},
		EN: Wording{"Environmental criterion", "An award criterion or sub-criterion, weighted or not, that judges the environmental performance of the offer.",
			[]string{"environmental performance, environmental quality of the offer, \"sustainable development\" (alone it counts as environmental), energy performance, carbon footprint, measures to reduce environmental effects, environmental impact",
				"combined wordings: CSR, societal and environmental criterion, social and environmental policy"},
			[]string{"criteria lists with only price, technical merit and time", "selection requirements on candidates (ISO 14001 as a capacity)"}}},
	{Label: Reserved,
		FR: Wording{"Marché réservé", "Le marché ou un lot est réservé à des structures sociales ; donné avec chaque réservation précise, et seul quand le texte ne dit pas à qui (eForms res-ws).",
			[]string{"toute réservation handicap, insertion ou ESS", "une réservation dont le bénéficiaire n'est pas précisé, ou « travailleurs handicapés ou défavorisés »"},
			[]string{"réservé à une profession (architectes, avocats, transporteurs)", "« se réserve le droit », « sous réserve »", "réserves de musée, réservoirs d'eau", "lots réservés aux PME ou aux nouveaux entrants"}},
		EN: Wording{"Reserved contract", "The contract or a lot is reserved for social operators; given with every specific reservation, and alone when the text does not say for whom (eForms res-ws).",
			[]string{"any disability, insertion or social-economy reservation", "a reservation whose beneficiary is not told, or \"disabled or disadvantaged workers\""},
			[]string{"reserved to a profession (architects, lawyers, carriers)", "\"se réserve le droit\", \"sous réserve\"", "museum stores, water reservoirs", "lots reserved for SMEs or new entrants"}}},
	{Label: ReservedDisability,
		FR: Wording{"Réservé handicap", "Réservé aux entreprises adaptées (EA) et aux ESAT : article L.2113-12 du code de la commande publique ; avant 2019 art. 36-I de l'ordonnance 2015-899, art. 13 du décret 2016-360, art. 15 du code de 2006.",
			[]string{"toute formulation : « réservé aux EA/ESAT », « établissement type ESAT », « opérateurs qui emploient des travailleurs handicapés » lorsqu'il s'agit d'une réservation"},
			[]string{"le rappel de l'obligation d'emploi des travailleurs handicapés (L.5212-1)"}},
		EN: Wording{"Reserved for disability", "Reserved for entreprises adaptées (EA) and ESAT: article L.2113-12 of the code de la commande publique; before 2019 art. 36-I of ordonnance 2015-899, art. 13 of décret 2016-360, art. 15 of the 2006 code.",
			[]string{"any wording: \"reserved to EA/ESAT\", \"an ESAT-type establishment\", \"operators employing disabled workers\" when it is a reservation"},
			[]string{"the reminder of the duty to employ disabled workers (L.5212-1)"}}},
	{Label: ReservedInsertion,
		FR: Wording{"Réservé insertion", "Réservé aux structures d'insertion par l'activité économique (SIAE, L.5132-4 du code du travail) : article L.2113-13 ; avant 2019 art. 36-II de l'ordonnance 2015-899.",
			[]string{"« réservé insertion », « lot réservé à des entreprises d'insertion », même sans article cité"},
			[]string{"une clause d'insertion imposée au titulaire (c'est une clause sociale)"}},
		EN: Wording{"Reserved for insertion", "Reserved for work-integration enterprises (SIAE, L.5132-4 of the code du travail): article L.2113-13; before 2019 art. 36-II of ordonnance 2015-899.",
			[]string{"\"réservé insertion\", \"lot reserved to insertion enterprises\", even without an article"},
			[]string{"an insertion clause on the contractor (a social clause)"}}},
	{Label: ReservedESS,
		FR: Wording{"Réservé ESS", "Réservé aux entreprises de l'économie sociale et solidaire (loi 2014-856, art. 1) pour des services de santé, sociaux ou culturels : article L.2113-15 ; avant 2019 art. 37 de l'ordonnance 2015-899.",
			[]string{"toute réservation à l'ESS de ces services"},
			[]string{"une simple mention de l'ESS sans réservation"}},
		EN: Wording{"Reserved for the social economy", "Reserved for social and solidarity economy enterprises (law 2014-856, art. 1) for health, social or cultural services: article L.2113-15; before 2019 art. 37 of ordonnance 2015-899.",
			[]string{"any reservation of such services to the ESS"},
			[]string{"a mere mention of the ESS without a reservation"}}},
}
