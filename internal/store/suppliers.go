package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie-data/vigie/internal/supplier"
)

var (
	supplierColumnNames     = []string{"siren", "source", "name", "active", "legal_category", "known_on", "version"}
	supplierFactColumnNames = []string{"siren", "siret", "class", "value", "kind", "source", "known_on", "origin", "position",
		"run_id", "ingested_at", "version"}
)

// supplierFlushRows is how many rows are sent per INSERT: each commit is
// a part the server merges later, and the driver's buffers hold one block.
const supplierFlushRows = 1 << 20

// SupplierWriter writes what one reference file says: the units to
// suppliers, their classes to supplier_facts, column-wise, in INSERTs of
// supplierFlushRows. Re-writing the same file gives the same keys with a
// newer version: the rows are replaced, never doubled.
type SupplierWriter struct {
	units, facts   *stream
	source, origin string
	runID          string
	at             time.Time
	version        uint64
	u              unitColumns
	f              factColumns
	sentUnits      int
	sentFacts      int
}

type unitColumns struct {
	siren, name, legal []string
	active             []*uint8
	knownOn            []time.Time
}

type factColumns struct {
	siren, siret, class, kind, position []string
	value                               []uint8
	knownOn                             []time.Time
}

// NewSupplierWriter starts writing the facts of one file of a source.
func (s *Store) NewSupplierWriter(source, origin, runID string) *SupplierWriter {
	now := time.Now().UTC()
	return &SupplierWriter{units: s.newStream("suppliers", supplierColumnNames), facts: s.newStream("supplier_facts", supplierFactColumnNames),
		source: source, origin: origin, runID: runID, at: now.Truncate(time.Second), version: uint64(now.UnixNano())}
}

var yes8, no8 = uint8(1), uint8(0)

// Add queues one fact; rows are sent in blocks as they come.
func (w *SupplierWriter) Add(ctx context.Context, f supplier.Fact) error {
	if f.Class == supplier.Unit {
		var active *uint8
		if f.Active != nil {
			active = &no8
			if *f.Active {
				active = &yes8
			}
		}
		u := &w.u
		u.siren = append(u.siren, f.SIREN)
		u.name = append(u.name, f.Name)
		u.active = append(u.active, active)
		u.legal = append(u.legal, f.LegalCategory)
		u.knownOn = append(u.knownOn, f.KnownOn)
		if len(u.siren) >= insertChunk {
			return w.sendUnits(ctx)
		}
		return nil
	}
	var v uint8
	if f.Yes {
		v = 1
	}
	c := &w.f
	c.siren = append(c.siren, f.SIREN)
	c.siret = append(c.siret, f.SIRET)
	c.class = append(c.class, f.Class)
	c.value = append(c.value, v)
	c.kind = append(c.kind, f.Kind)
	c.knownOn = append(c.knownOn, f.KnownOn)
	c.position = append(c.position, f.Position)
	if len(c.siren) >= insertChunk {
		return w.sendFacts(ctx)
	}
	return nil
}

// repeat is a column of n times the same value.
func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func (w *SupplierWriter) sendUnits(ctx context.Context) error {
	u := &w.u
	n := len(u.siren)
	if n == 0 {
		return nil
	}
	err := w.units.append(ctx, []any{u.siren, repeat(w.source, n), u.name, u.active, u.legal, u.knownOn, repeat(w.version, n)})
	w.u = unitColumns{siren: u.siren[:0], name: u.name[:0], active: u.active[:0], legal: u.legal[:0], knownOn: u.knownOn[:0]}
	if err != nil {
		return err
	}
	if w.sentUnits += n; w.sentUnits >= supplierFlushRows {
		w.sentUnits = 0
		return w.units.commit()
	}
	return nil
}

func (w *SupplierWriter) sendFacts(ctx context.Context) error {
	c := &w.f
	n := len(c.siren)
	if n == 0 {
		return nil
	}
	err := w.facts.append(ctx, []any{c.siren, c.siret, c.class, c.value, c.kind, repeat(w.source, n), c.knownOn,
		repeat(w.origin, n), c.position, repeat(w.runID, n), repeat(w.at, n), repeat(w.version, n)})
	w.f = factColumns{siren: c.siren[:0], siret: c.siret[:0], class: c.class[:0], value: c.value[:0], kind: c.kind[:0],
		knownOn: c.knownOn[:0], position: c.position[:0]}
	if err != nil {
		return err
	}
	if w.sentFacts += n; w.sentFacts >= supplierFlushRows {
		w.sentFacts = 0
		return w.facts.commit()
	}
	return nil
}

// Close sends what is left and commits.
func (w *SupplierWriter) Close(ctx context.Context) error {
	if err := w.sendUnits(ctx); err != nil {
		w.Abort()
		return err
	}
	if err := w.sendFacts(ctx); err != nil {
		w.Abort()
		return err
	}
	if err := w.units.commit(); err != nil {
		w.facts.abort()
		return err
	}
	return w.facts.commit()
}

// Abort drops what was not committed yet.
func (w *SupplierWriter) Abort() {
	w.units.abort()
	w.facts.abort()
}

// SupplierFact is one stored fact with its provenance.
type SupplierFact struct {
	SIREN         string    `json:"siren"`
	SIRET         string    `json:"siret,omitempty"`
	Class         string    `json:"class"`
	Yes           bool      `json:"yes"`
	Kind          string    `json:"kind,omitempty"`
	Name          string    `json:"name,omitempty"`
	Active        *bool     `json:"active,omitempty"`
	LegalCategory string    `json:"legal_category,omitempty"`
	Source        string    `json:"source"`
	KnownOn       time.Time `json:"known_on"`
	Origin        string    `json:"-"`
	Position      string    `json:"position"`
}

// SupplierFacts returns what is stored of a SIREN: its unit row of each
// source (class "unit"), then its class facts, by class, source and date.
func (s *Store) SupplierFacts(ctx context.Context, siren string) ([]SupplierFact, error) {
	var out []SupplierFact
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT siren, source, name, active, legal_category, known_on
		FROM suppliers FINAL WHERE siren = ? ORDER BY source`, siren)
	if err != nil {
		return nil, fmt.Errorf("supplier facts: %w", err)
	}
	for rows.Next() {
		f := SupplierFact{Class: supplier.Unit, Yes: true}
		var active *uint8
		if err := rows.Scan(&f.SIREN, &f.Source, &f.Name, &active, &f.LegalCategory, &f.KnownOn); err != nil {
			rows.Close()
			return nil, fmt.Errorf("supplier facts: %w", err)
		}
		if active != nil {
			a := *active == 1
			f.Active = &a
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("supplier facts: %w", err)
	}
	rows, err = s.conn.Query(queryCtx(ctx), `SELECT siren, siret, class, value, kind, source, known_on, origin, position
		FROM supplier_facts FINAL WHERE siren = ? ORDER BY class, source, known_on, siret, kind`, siren)
	if err != nil {
		return nil, fmt.Errorf("supplier facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f SupplierFact
		var v uint8
		if err := rows.Scan(&f.SIREN, &f.SIRET, &f.Class, &v, &f.Kind, &f.Source, &f.KnownOn, &f.Origin, &f.Position); err != nil {
			return nil, fmt.Errorf("supplier facts: %w", err)
		}
		f.Yes = v == 1
		out = append(out, f)
	}
	return out, rows.Err()
}
