package decp

import (
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/theme"
)

// item is a record after parsing.
type item struct {
	rec     decpparse.Record    // without its text (see text)
	text    string              // the record's text (JSON; XML re-encoded as JSON)
	size    int                 // its length
	pos     string              // position(&rec), once parsed
	c       *decpparse.Contract // dropped once the rows are built (prepare)
	err     error
	key     uint64
	version uint64
	// What the writer needs of the contract once c is dropped.
	uid, siret, id string
	hash           uint64
	published      *time.Time
	year           uint16              // notification year, 0 when unknown
	contract       store.ContractRow   // built by the parse worker; partition_year set by the writer
	rows           store.ContractBatch // the other rows of the contract, likewise
}

// newItem is a record and what the parser made of it (Decoder.Parse).
func newItem(rec *decpparse.Record, p decpparse.Parsed) item {
	return item{rec: *rec, text: p.Text, size: len(p.Text) + len(rec.Body), c: p.Contract, err: p.Err, key: p.Key, version: p.Version}
}

// prepare builds the rows of a parsed record, off the writer's path, and
// keeps of the contract only what the writer needs: a batch in flight
// holds rows, not contracts as well.
func (w *writer) prepare(it *item) {
	if it.err != nil {
		return
	}
	c := it.c
	w.rows(&it.rows, it, 0)
	it.uid, it.siret, it.id, it.hash, it.published = c.UID, c.Buyer.SIRET, c.ID, c.ContentHash, c.LastPublished
	if d := c.NotificationDate; d != nil {
		it.year = uint16(d.Year())
	}
	it.c, it.text = nil, ""
}

func setYear(it *item, year uint16) {
	it.contract.PartitionYear = year
	b := &it.rows
	for i := range b.Holders {
		b.Holders[i].PartitionYear = year
	}
	for i := range b.Modifications {
		b.Modifications[i].PartitionYear = year
	}
	for i := range b.Subcontracts {
		b.Subcontracts[i].PartitionYear = year
	}
}

// rows adds the rows of one contract version to b.
func (w *writer) rows(b *store.ContractBatch, it *item, year uint16) {
	c := it.c
	pos := position(&it.rec)
	it.pos = pos
	detected, det := detect(c, c.UID, it.version, w.now)
	var cpvDiv string
	if len(c.CPV) >= 2 {
		cpvDiv = c.CPV[:2]
	}
	k := &c.Considerations
	var declaredRaw []string
	for _, v := range k.Social {
		declaredRaw = append(declaredRaw, "social:"+v)
	}
	for _, v := range k.Environmental {
		declaredRaw = append(declaredRaw, "environmental:"+v)
	}
	it.contract = store.ContractRow{
		UID: c.UID, BuyerSiret: c.Buyer.SIRET, BuyerSiren: c.Buyer.SIREN, BuyerName: c.Buyer.Name, ContractID: c.ID,
		KeyHash: it.key, Kind: c.Kind, Nature: c.Nature, Object: c.Object, CPV: c.CPV, CPVDivision: cpvDiv,
		Theme: cpvTheme(c.CPV), Procedure: c.Procedure,
		PlaceCode: c.Place.Code, PlaceCodeType: c.Place.CodeType, PlaceName: c.Place.Name,
		Departement: c.Place.Departement, Region: c.Place.Region,
		DurationMonths: c.DurationMonths, NotificationDate: c.NotificationDate, PublicationDate: c.PublicationDate,
		Amount: c.Amount, InitialAmount: c.InitialAmount, PriceForm: c.PriceForm,
		Techniques: c.Techniques, ExecutionModalities: c.Modalities,
		DeclaredSocialClause: u8(k.SocialClause), DeclaredSocialCriterion: u8(k.SocialCriterion),
		DeclaredReserved: u8(k.Reserved), DeclaredEnvClause: u8(k.EnvClause), DeclaredEnvCriterion: u8(k.EnvCriterion),
		DeclaredRaw: declaredRaw, DetectedLabels: detected, DetectorVersion: det.DetectorVersion,
		QualityFlags: c.QualityFlags, SchemaVersion: c.SchemaVersion,
		Source: w.source, Origin: it.rec.Origin, Position: pos,
		ContentHash: c.ContentHash, PartitionYear: year, Version: it.version, RunID: w.runID, IngestedAt: w.now,
	}
	for i, h := range c.Holders {
		b.Holders = append(b.Holders, store.HolderRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET, ContractID: c.ID,
			ContractVersion: it.version, Idx: uint16(i), Type: h.Type, ID: h.ID, Name: h.Name, PartitionYear: year})
	}
	for _, m := range c.Modifications {
		var hs []string
		for _, h := range m.Holders {
			hs = append(hs, h.ID)
		}
		b.Modifications = append(b.Modifications, store.ModificationRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET,
			ContractID: c.ID, ModificationID: m.ID, Object: m.Object, SignatureDate: m.SignatureDate,
			PublicationDate: m.PublicationDate, Amount: m.Amount, DurationMonths: m.DurationMonths, Holders: hs,
			PartitionYear: year, Version: it.version})
	}
	for _, a := range c.Subcontracts {
		b.Subcontracts = append(b.Subcontracts, store.SubcontractRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET, ContractID: c.ID,
			ContractVersion: it.version, ActID: a.ID, SubcontractorType: a.Subcontractor.Type,
			SubcontractorID: a.Subcontractor.ID, SubcontractorName: a.Subcontractor.Name,
			DurationMonths: a.DurationMonths, NotificationDate: a.NotificationDate, Amount: a.Amount,
			PriceVariation: a.PriceVariation, PartitionYear: year})
	}
	b.Detections = append(b.Detections, det)
}

func cpvTheme(cpv string) string {
	if cpv == "" {
		return ""
	}
	return theme.FromCPV(cpv)
}

func u8(b *bool) *uint8 {
	switch {
	case b == nil:
		return nil
	case *b:
		return &flagTrue
	}
	return &flagFalse
}

// The values the declared_* pointers share (the rows only read them).
var flagFalse, flagTrue uint8 = 0, 1
