// Package decpgen writes large realistic DECP files for benchmarks and load
// tests: N records with new ids, drawn from the shapes and value
// distributions of the real samples (procedures, natures, CPV codes, price
// forms, durations and amounts as in the 2019 PES/AIFE feeds; the 2022
// envelope and wrappers of the GIP Maximilien files), including the
// quirks real files carry in about their real proportions: repeated
// records (same contract published twice), CPV codes that lost their
// leading zero, placeholder and zero amounts, mojibake, malformed SIRETs,
// modifications, and declared considerations.
package decpgen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Formats.
const (
	Format2022 = "2022" // {"marches":{"marche":[…],"contrat-concession":[…]}} with wrapper objects
	Format2019 = "2019" // {"marches":[…]} with _type
)

// Generate writes n records in the 2022 format, deterministically from seed.
func Generate(w io.Writer, n int, seed int64) error {
	return GenerateFormat(w, n, seed, Format2022)
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	k := r.IntN(total)
	for _, x := range ws {
		if k < x.w {
			return x.v
		}
		k -= x.w
	}
	return ws[len(ws)-1].v
}

// Distributions, from the real 2019 samples (counts as weights).
var (
	procedures = []weighted[string]{{"Procédure adaptée", 3440}, {"Appel d'offres ouvert", 1938},
		{"Marché passé sans publicité ni mise en concurrence préalable", 198}, {"Procédure avec négociation", 60},
		{"Appel d'offres restreint", 16}, {"Dialogue compétitif", 2}}
	natures    = []weighted[string]{{"Marché", 3319}, {"Accord-cadre", 1755}, {"Marché subséquent", 576}}
	priceForms = []weighted[string]{{"Révisable", 2837}, {"Forfaitaire", 1757}, {"Mixte", 1061}}
	durations  = []weighted[int]{{48, 1369}, {12, 1078}, {36, 388}, {24, 315}, {8, 207}, {5, 198}, {2, 193},
		{6, 187}, {4, 174}, {3, 156}, {1, 141}, {60, 126}}
	cpvs = []string{"45000000-7", "66510000-8", "33141000-0", "50112000-3", "45223220-4", "45421000-4",
		"45112500-0", "33696500-0", "64200000-8", "39830000-9", "45442100-8", "71000000-8", "45210000-2",
		"77310000-6", "45330000-9", "79311000-7", "45233141-9", "71620000-0", "15800000-6", "22113000-5",
		"48000000-8", "45331000-6", "45262522-6", "79810000-5", "45233140-2", "45454000-4", "79713000-5",
		"45111100-9", "30192000-1", "45311200-2", "50700000-2", "34100000-8", "90500000-2", "71240000-2",
		"90910000-9", "30121100-4", "71241000-9", "66512000-2", "09310000-5", "03221000-6", "15000000-8",
		"55523100-3", "60130000-8", "34144900-7", "90511000-2"}
	placeTypes = []weighted[string]{{"Code département", 4200}, {"Code postal", 740}, {"Code commune", 460},
		{"Code pays", 260}, {"Code région", 6}}
	objects = []string{"Travaux de réhabilitation du groupe scolaire", "Fourniture de matériels de bureau et de papier",
		"Maintenance des installations de chauffage, ventilation et climatisation", "Fourniture de denrées alimentaires pour la restauration collective",
		"Prestations de nettoyage des locaux administratifs", "Travaux d'aménagement de voirie et réseaux divers",
		"Services de télécommunications relatifs à la téléphonie fixe et mobile", "Acquisition de véhicules électriques",
		"Collecte et traitement des déchets ménagers", "Mission de maîtrise d'oeuvre pour la construction d'un équipement sportif",
		"Entretien des espaces verts", "Fourniture de gaz naturel et services associés", "Transport scolaire des élèves",
		"Prestations d'insertion professionnelle par l'activité économique", "Travaux de rénovation énergétique des bâtiments communaux",
		"Fourniture de produits d'entretien écolabellisés", "Location et maintenance de photocopieurs"}
	lots        = []string{"", "", "", " - Lot 1 : gros oeuvre", " - Lot 2 : menuiseries", " - Lot 3 : plomberie", " LOT 4"}
	companies   = []string{"AXIMA CONCEPT", "BEYER COUVERTURE", "EIFFAGE CONSTRUCTION", "SPIE BATIGNOLLES", "ORANGE", "SODEXO", "ELIOR", "VEOLIA EAU", "COLAS", "ONET SERVICES", "GARAGE DU CENTRE", "ENTREPRISE MARTIN ET FILS"}
	buyerNames  = []string{"COMMUNE DE", "CA", "DEPARTEMENT DE", "CENTRE HOSPITALIER DE", "SYNDICAT MIXTE DE", "OPH", "CCAS DE"}
	cities      = []string{"NANTES", "LYON", "BRUMATH", "RENNES", "ISSOUDUN", "BETHUNE", "TREVOUX", "AJACCIO", "BASTIA", "SAINT-DENIS", "MILLAU", "GORRON"}
	departments = []string{"75", "13", "69", "59", "33", "44", "67", "35", "31", "06", "2A", "2B", "971", "974", "93", "92", "01", "62", "76", "34"}
	social      = []weighted[[]string]{{[]string{"Pas de considération sociale"}, 80}, {[]string{"Clause sociale"}, 12},
		{[]string{"Critère social"}, 3}, {[]string{"Clause sociale", "Critère social"}, 3}, {[]string{"Marché réservé"}, 2}}
	env = []weighted[[]string]{{[]string{"Pas de considération environnementale"}, 75}, {[]string{"Clause environnementale"}, 15},
		{[]string{"Critère environnemental"}, 5}, {[]string{"Clause environnementale", "Critère environnemental"}, 5}}
)

// siret builds a valid SIRET (Luhn) from a SIREN-like number and a rank.
func siret(r *rand.Rand) string {
	b := make([]byte, 14)
	for i := 0; i < 13; i++ {
		b[i] = byte('0' + r.IntN(10))
	}
	b[0] = byte('1' + r.IntN(9))
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(b[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	b[13] = byte('0' + (10-sum%10)%10)
	return string(b)
}

// GenerateFormat writes n records in format (Format2022 or Format2019).
// About 1% of the records repeat an earlier contract (the same record, or
// a later publication of it with a modification).
func GenerateFormat(w io.Writer, n int, seed int64, format string) error {
	if format != Format2022 && format != Format2019 {
		return fmt.Errorf("decpgen: unknown format %q (want %s or %s)", format, Format2022, Format2019)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	buyers := make([]string, 2000)
	for i := range buyers {
		buyers[i] = siret(r)
	}
	g := &gen{r: r, format: format, buyers: buyers, base: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
	if format == Format2022 {
		bw.WriteString(`{"marches":{"marche":[`)
	} else {
		bw.WriteString(`{"marches":[`)
	}
	var b []byte
	for i := 0; i < n; i++ {
		if i > 0 {
			bw.WriteString(",\n")
		}
		b = g.record(b[:0], i)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	if format == Format2022 {
		bw.WriteString(`],"contrat-concession":[]}}`)
	} else {
		bw.WriteString(`]}`)
	}
	bw.WriteString("\n")
	return bw.Flush()
}

type gen struct {
	r      *rand.Rand
	format string
	buyers []string
	base   time.Time
}

func appendStr(b []byte, s string) []byte { return strconv.AppendQuote(b, s) }

func (g *gen) record(b []byte, i int) []byte {
	r := g.r
	// Repeats: about 1% of records are an earlier contract again.
	id := i
	modified := false
	if i > 100 && r.IntN(100) == 0 {
		id = r.IntN(i)
		modified = r.IntN(2) == 0
	}
	rr := rand.New(rand.NewPCG(uint64(id), 42)) // the contract's own values, the same when repeated
	buyer := g.buyers[rr.IntN(len(g.buyers))]
	if rr.IntN(300) == 0 {
		buyer = buyer[:10] // a malformed SIRET, as real files carry
	}
	notif := g.base.AddDate(0, 0, rr.IntN(5*365))
	pub := notif.AddDate(0, 0, 1+rr.IntN(60))
	amount := math.Round(math.Exp(rr.NormFloat64()*1.6+11.2)*100) / 100 // log-normal, median ~73 k€
	switch rr.IntN(400) {
	case 0:
		amount = 999999999
	case 1:
		amount = 0
	}
	cpv := cpvs[rr.IntN(len(cpvs))]
	if cpv[0] == '0' && rr.IntN(3) == 0 {
		cpv = cpv[1:8] // lost its leading zero
	}
	object := objects[rr.IntN(len(objects))] + lots[rr.IntN(len(lots))]
	if rr.IntN(20) == 0 {
		object = "Travaux d'am\uFFFDnagement de la m\uFFFDdiath\uFFFDque"
	}
	dep := departments[rr.IntN(len(departments))]

	b = append(b, `{"id":`...)
	b = appendStr(b, fmt.Sprintf("%dG%07d", 2019+id%5, id))
	if g.format == Format2019 {
		b = append(b, `,"_type":"Marché","uid":`...)
		b = appendStr(b, buyer+fmt.Sprintf("%dG%07d", 2019+id%5, id))
	}
	b = append(b, `,"acheteur":{"id":`...)
	b = appendStr(b, buyer)
	if g.format == Format2019 {
		b = append(b, `,"nom":`...)
		b = appendStr(b, buyerNames[rr.IntN(len(buyerNames))]+" "+cities[rr.IntN(len(cities))])
	}
	b = append(b, `},"nature":`...)
	b = appendStr(b, pick(rr, natures))
	b = append(b, `,"objet":`...)
	b = appendStr(b, object)
	b = append(b, `,"codeCPV":`...)
	b = appendStr(b, cpv)
	b = append(b, `,"procedure":`...)
	b = appendStr(b, pick(rr, procedures))
	b = append(b, `,"lieuExecution":{"code":`...)
	switch pt := pick(rr, placeTypes); pt {
	case "Code postal":
		code := dep + "000"
		if len(dep) == 3 {
			code = dep + "00"
		}
		if dep == "2A" {
			code = "20000"
		} else if dep == "2B" {
			code = "20200"
		}
		b = appendStr(b, code)
		b = append(b, `,"typeCode":"Code postal"`...)
	case "Code commune":
		b = appendStr(b, dep+"001"[:5-len(dep)])
		b = append(b, `,"typeCode":"Code commune"`...)
	case "Code pays":
		b = append(b, `"FR","typeCode":"Code pays"`...)
	case "Code région":
		b = append(b, `"11","typeCode":"Code région"`...)
	default:
		b = appendStr(b, dep)
		b = append(b, `,"typeCode":"Code département"`...)
	}
	b = append(b, `},"dureeMois":`...)
	b = strconv.AppendInt(b, int64(pick(rr, durations)), 10)
	b = append(b, `,"dateNotification":`...)
	b = appendStr(b, notif.Format("2006-01-02"))
	b = append(b, `,"datePublicationDonnees":`...)
	b = appendStr(b, pub.Format("2006-01-02"))
	b = append(b, `,"montant":`...)
	b = strconv.AppendFloat(b, amount, 'f', -1, 64)
	b = append(b, `,"formePrix":`...)
	b = appendStr(b, pick(rr, priceForms))
	b = append(b, `,"titulaires":[`...)
	nh := 1 + rr.IntN(10)/8
	for h := 0; h < nh; h++ {
		if h > 0 {
			b = append(b, ',')
		}
		if g.format == Format2022 {
			b = append(b, `{"titulaire":`...)
		}
		b = append(b, `{"typeIdentifiant":"SIRET","id":`...)
		b = appendStr(b, siret(rr))
		if g.format == Format2019 {
			b = append(b, `,"denominationSociale":`...)
			b = appendStr(b, companies[rr.IntN(len(companies))])
		}
		b = append(b, '}')
		if g.format == Format2022 {
			b = append(b, '}')
		}
	}
	b = append(b, ']')
	if g.format == Format2022 {
		b = append(b, `,"techniques":{"technique":[`...)
		if rr.IntN(3) == 0 {
			b = append(b, `"Accord-cadre"`...)
		}
		b = append(b, `]},"modalitesExecution":{"modaliteExecution":["Tranches"]},"marcheInnovant":false,"ccag":"Travaux","offresRecues":`...)
		b = strconv.AppendInt(b, int64(1+rr.IntN(8)), 10)
		b = append(b, `,"attributionAvance":false,"sousTraitanceDeclaree":false,"typesPrix":{"typePrix":["Définitif ferme"]}`...)
		b = append(b, `,"considerationsSociales":{"considerationSociale":`...)
		b = appendList(b, pick(rr, social))
		b = append(b, `},"considerationsEnvironnementales":{"considerationEnvironnementale":`...)
		b = appendList(b, pick(rr, env))
		b = append(b, '}')
	}
	b = append(b, `,"modifications":[`...)
	if modified || rr.IntN(60) == 0 {
		mpub := pub.AddDate(0, 3, 0)
		if modified {
			mpub = mpub.AddDate(0, 1, 0)
		}
		if g.format == Format2022 {
			b = append(b, `{"modification":{"id":1,`...)
		} else {
			b = append(b, `{"objetModification":"Avenant n°1",`...)
		}
		b = append(b, `"montant":`...)
		b = strconv.AppendFloat(b, math.Round(amount*110)/100, 'f', -1, 64)
		b = append(b, `,"dateNotificationModification":`...)
		b = appendStr(b, mpub.AddDate(0, 0, -5).Format("2006-01-02"))
		b = append(b, `,"datePublicationDonneesModification":`...)
		b = appendStr(b, mpub.Format("2006-01-02"))
		b = append(b, '}')
		if g.format == Format2022 {
			b = append(b, '}')
		}
	}
	b = append(b, "]}"...)
	return b
}

func appendList(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, s)
	}
	return append(b, ']')
}
