// Package theme maps a CPV code to one of the responsible-buying themes
// that the field's workshops work on. It is the one place where that
// mapping lives: the DECP ingestion fills contracts.theme with FromCPV and
// the API documents the same table (Mapping) under /api/v1/definitions.
package theme

import "strings"

// Themes.
const (
	Alimentation = "alimentation" // sustainable food: farm produce, food, catering
	Mobilite     = "mobilite"     // mobility and accessibility: vehicles, transport, roads
	Habitat      = "habitat"      // buildings, housing and living environment
	Dechets      = "dechets"      // waste, circular economy
	Autre        = "autre"        // everything else
)

// All themes in a stable order.
var All = []string{Alimentation, Mobilite, Habitat, Dechets, Autre}

// Rule maps every CPV code starting with Prefix (digits of the CPV code,
// without its check digit) to Theme. The longest matching prefix wins, so
// a precise code (refuse-collection vehicles) can override its division
// (transport equipment).
type Rule struct {
	Prefix string `json:"prefix"`
	Theme  string `json:"theme"`
	Label  string `json:"label"` // what the prefix covers, in the CPV's words
}

// Mapping is the documented CPV → theme table.
var Mapping = []Rule{
	// alimentation
	{"031", Alimentation, "Agricultural and horticultural products"},
	{"032", Alimentation, "Cereals, potatoes, vegetables, fruits and nuts"},
	{"033", Alimentation, "Farming, hunting and fishing products"},
	{"15", Alimentation, "Food, beverages, tobacco and related products"},
	{"5532", Alimentation, "Meal-serving services"},
	{"5551", Alimentation, "Canteen services"},
	{"5552", Alimentation, "Catering services (including school catering)"},
	// mobilite
	{"34", Mobilite, "Transport equipment and auxiliary products to transportation"},
	{"501", Mobilite, "Repair and maintenance services of vehicles"},
	{"60", Mobilite, "Transport services"},
	{"632", Mobilite, "Supporting land transport services (parking, roads, stations)"},
	{"45233", Mobilite, "Construction works for roads, cycle paths and footpaths"},
	{"45234", Mobilite, "Construction works for railways and cable transport"},
	// habitat
	{"44", Habitat, "Construction structures and materials"},
	{"45", Habitat, "Construction work"},
	{"507", Habitat, "Repair and maintenance of building installations"},
	{"70", Habitat, "Real estate services"},
	{"71", Habitat, "Architectural, construction, engineering and inspection services"},
	{"77", Habitat, "Agricultural, forestry and horticultural services (green spaces)"},
	// dechets
	{"1964", Dechets, "Waste and refuse sacks and bags"},
	{"3414451", Dechets, "Vehicles for refuse (collection, compacting)"},
	{"34928480", Dechets, "Waste and rubbish containers and bins"},
	{"4232", Dechets, "Waste incinerators"},
	{"42914", Dechets, "Recycling equipment"},
	{"446137", Dechets, "Refuse skips"},
	{"446138", Dechets, "Waste containers"},
	{"452221", Dechets, "Waste-treatment plant construction work"},
	{"904", Dechets, "Sewage services"},
	{"905", Dechets, "Refuse and waste related services"},
	{"9061", Dechets, "Street-cleaning and sweeping services"},
}

// FromCPV returns the theme of a CPV code such as "45210000-2" or
// "15800000"; unknown or empty codes give Autre.
func FromCPV(cpv string) string {
	code := digits(cpv)
	best, theme := 0, Autre
	for _, r := range Mapping {
		if len(r.Prefix) > best && strings.HasPrefix(code, r.Prefix) {
			best, theme = len(r.Prefix), r.Theme
		}
	}
	return theme
}

// digits keeps the leading digits of a CPV code, before its check digit.
func digits(cpv string) string {
	cpv = strings.TrimSpace(cpv)
	for i := 0; i < len(cpv); i++ {
		if cpv[i] < '0' || cpv[i] > '9' {
			return cpv[:i]
		}
	}
	return cpv
}
