package decpparse

import "strings"

// Départements and régions. The département of a contract is derived from
// its lieu d'exécution where the code allows it:
//
//	Code postal (5 digits)     first two digits; 20xxx: 200xx–201xx → 2A, others → 2B;
//	                           97xxx/98xxx: first three digits (971–976)
//	Code commune (INSEE)       first two characters (2A/2B as written; 20 is read as
//	                           a postal code would be); 97x: first three
//	Code département           the code itself ("1" → "01", "2a" → "2A")
//	Code région                no département; the région from the code
//	others (pays, canton, …)   nothing
//
// The région is the one of the département (regions below, INSEE codes of
// the 2016 régions), or of the région code given.
var regions = map[string]string{
	"01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
	"11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté",
	"28": "Normandie", "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire",
	"53": "Bretagne", "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
	"93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}

// departementRegion maps every département to its région code.
var departementRegion = func() map[string]string {
	m := map[string]string{}
	add := func(region string, deps ...string) {
		for _, d := range deps {
			m[d] = region
		}
	}
	add("01", "971")
	add("02", "972")
	add("03", "973")
	add("04", "974")
	add("06", "976")
	add("11", "75", "77", "78", "91", "92", "93", "94", "95")
	add("24", "18", "28", "36", "37", "41", "45")
	add("27", "21", "25", "39", "58", "70", "71", "89", "90")
	add("28", "14", "27", "50", "61", "76")
	add("32", "02", "59", "60", "62", "80")
	add("44", "08", "10", "51", "52", "54", "55", "57", "67", "68", "88")
	add("52", "44", "49", "53", "72", "85")
	add("53", "22", "29", "35", "56")
	add("75", "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
	add("76", "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")
	add("84", "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")
	add("93", "04", "05", "06", "13", "83", "84")
	add("94", "2A", "2B")
	return m
}()

// RegionOf returns the région name of a département code ("" if unknown).
func RegionOf(dep string) string {
	return regions[departementRegion[dep]]
}

// derivePlace fills the département and région of p from its code.
func derivePlace(p *Place) {
	code := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(p.Code), " ", ""))
	typ := fold(p.CodeType)
	var dep string
	switch {
	case strings.Contains(typ, "postal"):
		dep = depFromPostal(code)
	case strings.Contains(typ, "commune"), strings.Contains(typ, "insee"):
		dep = depFromCommune(code)
	case strings.Contains(typ, "departement"):
		dep = normDep(code)
	case strings.Contains(typ, "region"):
		c := code
		if len(c) == 1 {
			c = "0" + c
		}
		p.Region = regions[c]
		return
	}
	if _, ok := departementRegion[dep]; !ok {
		return
	}
	p.Departement = dep
	p.Region = RegionOf(dep)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func depFromPostal(c string) string {
	if len(c) != 5 || !allDigits(c) {
		return ""
	}
	switch c[:2] {
	case "20":
		if c[2] <= '1' {
			return "2A"
		}
		return "2B"
	case "97", "98":
		return c[:3]
	}
	return c[:2]
}

func depFromCommune(c string) string {
	if len(c) != 5 {
		return ""
	}
	if c[:2] == "2A" || c[:2] == "2B" {
		return c[:2]
	}
	if !allDigits(c) {
		return ""
	}
	switch c[:2] {
	case "20":
		return depFromPostal(c)
	case "97":
		return c[:3]
	}
	return c[:2]
}

func normDep(c string) string {
	switch {
	case len(c) == 1 && allDigits(c):
		return "0" + c
	case len(c) == 2 || len(c) == 3:
		return c
	}
	return ""
}
