package cli

import (
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/annuaire"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/source/finess"
	"github.com/vigie-data/vigie/internal/source/inclusion"
	"github.com/vigie-data/vigie/internal/source/sirene"
)

// sources are vigie's upstreams by the name pipeline files give them
// (source:). Adding a source is its package and one line here.
var sources = sourceMap(
	boamp.API{},
	boamp.Archive{},
	decp.Source{},
	sirene.Source,
	annuaire.Source,
	finess.Source,
	inclusion.Source,
)

func sourceMap(list ...source.Source) map[string]source.Source {
	m := map[string]source.Source{}
	for _, s := range list {
		if _, dup := m[s.Name()]; dup {
			panic("cli: source registered twice: " + s.Name())
		}
		m[s.Name()] = s
	}
	return m
}
