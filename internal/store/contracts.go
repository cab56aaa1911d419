package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
)

// ContractRow is one version of a DECP contract (table contracts). Nil
// pointers are NULLs: "not given" is kept apart from zero ("declared none").
type ContractRow struct {
	UID, BuyerSiret, BuyerSiren, BuyerName, ContractID string
	KeyHash                                            uint64
	Kind, Nature, Object, CPV, CPVDivision, Theme      string
	Procedure                                          string
	PlaceCode, PlaceCodeType, PlaceName                string
	Departement, Region                                string
	DurationMonths                                     *float64
	NotificationDate, PublicationDate                  *time.Time
	Amount, InitialAmount                              *float64
	PriceForm                                          string
	Techniques, ExecutionModalities                    []string
	DeclaredSocialClause, DeclaredSocialCriterion      *uint8
	DeclaredReserved                                   *uint8
	DeclaredEnvClause, DeclaredEnvCriterion            *uint8
	DeclaredRaw, DetectedLabels                        []string
	DetectorVersion                                    uint32
	QualityFlags                                       []string
	SchemaVersion, Source, Origin, Position            string
	ContentHash                                        uint64
	PartitionYear                                      uint16
	Version                                            uint64
	RunID                                              string
	IngestedAt                                         time.Time
}

// HolderRow is one holder (titulaire, concessionnaire) of a contract version.
type HolderRow struct {
	UID, BuyerSiret, ContractID string
	ContractVersion             uint64
	Idx                         uint16
	Type, ID, Name              string
	PartitionYear               uint16
}

// SubcontractRow is one sub-contracting act (acte de sous-traitance) of a
// contract version.
type SubcontractRow struct {
	UID, BuyerSiret, ContractID string
	ContractVersion             uint64
	ActID                       string
	SubcontractorType           string
	SubcontractorID             string
	SubcontractorName           string
	DurationMonths              *float64
	NotificationDate            *time.Time
	Amount                      *float64
	PriceVariation              string
	PartitionYear               uint16
}

// ModificationRow is one modification of a contract, kept as history.
type ModificationRow struct {
	UID, BuyerSiret, ContractID, ModificationID string
	Object                                      string
	SignatureDate, PublicationDate              *time.Time
	Amount, DurationMonths                      *float64
	Holders                                     []string
	PartitionYear                               uint16
	Version                                     uint64
}

// ContractSourceRow records that a source file or channel carried a contract.
type ContractSourceRow struct {
	UID, BuyerSiret, ContractID string
	Source, Origin, Position    string
	PublicationDate             *time.Time
	ContentHash                 uint64
	SeenAt                      time.Time
	PartitionYear               uint16
}

// EvidenceRow is one piece of evidence of a detection. Negative evidence
// (a structured or written "no") denies its label.
type EvidenceRow struct {
	Label, Origin, Field, Text string
	Start, End                 uint32
	Negative                   bool
}

// DetectionRow is the detector's finding for one subject.
type DetectionRow struct {
	SubjectKind, SubjectID, NoticeID string
	DeclaredLabels, DeclaredNegative []string
	DetectedLabels                   []string
	Evidence                         []EvidenceRow
	DetectorVersion                  uint32
	DetectedAt                       time.Time
	Version                          uint64
}

// ContractBatch is everything one batch of DECP records writes.
type ContractBatch struct {
	Contracts     []ContractRow
	Holders       []HolderRow
	Modifications []ModificationRow
	Subcontracts  []SubcontractRow
	Sources       []ContractSourceRow
	Detections    []DetectionRow
	Raw           []RawDocument
}

// ContractState is what the ingestion needs to know of a stored contract.
type ContractState struct {
	Version       uint64
	ContentHash   uint64
	PartitionYear uint16
	RunID         string
}

// lookupQuery reads the current state of the contracts among a set of key
// hashes, sent as an external table (lookup_keys): parsing an IN list of
// 10 000 literals was most of what a look-up cost the server. PREWHERE
// scans only key_hash; the other columns are read for the matching rows.
const lookupQuery = `SELECT key_hash, max(version), argMax(content_hash, version),
	argMax(partition_year, version), argMax(run_id, version)
FROM contracts PREWHERE key_hash IN lookup_keys GROUP BY key_hash`

// ContractStates returns the stored state of the contracts whose key
// hashes are given (absent keys are not in the map). Call it with batches
// of up to about 50 000 keys.
func (s *Store) ContractStates(ctx context.Context, keys []uint64) (map[uint64]ContractState, error) {
	out := make(map[uint64]ContractState, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	set, err := ext.NewTable("lookup_keys", ext.Column("key_hash", "UInt64"))
	if err != nil {
		return nil, fmt.Errorf("look up %d contracts: %w", len(keys), err)
	}
	for _, k := range keys {
		if err := set.Append(k); err != nil {
			return nil, fmt.Errorf("look up %d contracts: %w", len(keys), err)
		}
	}
	qctx := clickhouse.Context(ctx, clickhouse.WithExternalTable(set), clickhouse.WithSettings(clickhouse.Settings{
		"max_execution_time": 300,
	}))
	rows, err := s.conn.Query(qctx, lookupQuery)
	if err != nil {
		return nil, fmt.Errorf("look up %d contracts: %w", len(keys), err)
	}
	defer rows.Close()
	for rows.Next() {
		var k uint64
		var st ContractState
		if err := rows.Scan(&k, &st.Version, &st.ContentHash, &st.PartitionYear, &st.RunID); err != nil {
			return nil, fmt.Errorf("look up contracts: %w", err)
		}
		out[k] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up contracts: %w", err)
	}
	return out, nil
}

var contractColumns = []string{"uid", "buyer_siret", "buyer_siren", "buyer_name", "contract_id", "key_hash",
	"kind", "nature", "object", "cpv", "cpv_division", "theme", "procedure",
	"place_code", "place_code_type", "place_name", "departement", "region",
	"duration_months", "notification_date", "publication_date", "amount", "initial_amount", "price_form",
	"techniques", "execution_modalities",
	"declared_social_clause", "declared_social_criterion", "declared_reserved", "declared_env_clause", "declared_env_criterion",
	"declared_raw", "detected_labels", "detector_version", "quality_flags", "schema_version",
	"source", "origin", "position", "content_hash", "partition_year", "version", "run_id", "ingested_at"}

var holderColumns = []string{"uid", "buyer_siret", "contract_id", "contract_version", "idx",
	"holder_type", "holder_id", "holder_name", "partition_year"}

var modificationColumns = []string{"uid", "buyer_siret", "contract_id", "modification_id", "object",
	"signature_date", "publication_date", "amount", "duration_months", "holders", "partition_year", "version"}

var subcontractColumns = []string{"uid", "buyer_siret", "contract_id", "contract_version", "act_id",
	"subcontractor_type", "subcontractor_id", "subcontractor_name", "duration_months", "notification_date",
	"amount", "price_variation", "partition_year"}

var contractSourceColumns = []string{"uid", "buyer_siret", "contract_id", "source", "origin", "position",
	"publication_date", "content_hash", "seen_at", "partition_year"}

var detectionColumns = []string{"subject_kind", "subject_id", "notice_id", "declared_labels", "declared_negative",
	"detected_labels", "evidence.label", "evidence.origin", "evidence.field", "evidence.text",
	"evidence.start", "evidence.end", "evidence.negative", "detector_version", "detected_at", "version"}

// WriteContractBatch stores a batch. The contracts rows go last: a batch
// cut short leaves no contract row without its holders and provenance, so
// a re-run (which skips stored contracts) does not lose them.
func (s *Store) WriteContractBatch(ctx context.Context, b *ContractBatch) error {
	if err := s.WriteContractSideRows(ctx, b); err != nil {
		return err
	}
	return s.WriteContractRows(ctx, b.Contracts)
}

// WriteContractRows writes the contracts rows of a batch, once its side
// rows (WriteContractSideRows) are stored.
func (s *Store) WriteContractRows(ctx context.Context, rows []ContractRow) error {
	return s.writeContracts(ctx, rows)
}

// WriteContractSideRows writes everything of a batch but its contracts
// rows: holders, modifications, sub-contracting acts, sources, detections
// and raw documents. A writer that overlaps batches writes a batch's
// contracts rows (WriteContractRows) only after these.
func (s *Store) WriteContractSideRows(ctx context.Context, b *ContractBatch) error {
	// The side tables are independent of one another: write them at once.
	writes := []func() error{
		func() error { return s.writeHolders(ctx, b.Holders) },
		func() error { return s.writeModifications(ctx, b.Modifications) },
		func() error { return s.writeSubcontracts(ctx, b.Subcontracts) },
		func() error { return s.writeContractSources(ctx, b.Sources) },
		func() error { return s.writeContractDetections(ctx, b.Detections) },
		func() error { return s.WriteRawDocuments(ctx, b.Raw) },
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Store) writeContracts(ctx context.Context, rows []ContractRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	str := func() []string { return make([]string, n) }
	uid, siret, siren, bname, cid := str(), str(), str(), str(), str()
	kind, nature, object, cpv, cpvDiv, theme, proc := str(), str(), str(), str(), str(), str(), str()
	pcode, ptype, pname, dep, reg, pform := str(), str(), str(), str(), str(), str()
	schema, src, origin, pos, run := str(), str(), str(), str(), str()
	keyHash, chash, version := make([]uint64, n), make([]uint64, n), make([]uint64, n)
	duration, amount, initial := make([]*float64, n), make([]*float64, n), make([]*float64, n)
	notif, pub := make([]*time.Time, n), make([]*time.Time, n)
	tech, modal, draw, det, flags := make([][]string, n), make([][]string, n), make([][]string, n), make([][]string, n), make([][]string, n)
	sc, scr, res, ec, ecr := make([]*uint8, n), make([]*uint8, n), make([]*uint8, n), make([]*uint8, n), make([]*uint8, n)
	detv := make([]uint32, n)
	py := make([]uint16, n)
	at := make([]time.Time, n)
	for i := range rows {
		r := &rows[i]
		uid[i], siret[i], siren[i], bname[i], cid[i], keyHash[i] = r.UID, r.BuyerSiret, r.BuyerSiren, r.BuyerName, r.ContractID, r.KeyHash
		kind[i], nature[i], object[i], cpv[i], cpvDiv[i], theme[i], proc[i] = r.Kind, r.Nature, r.Object, r.CPV, r.CPVDivision, r.Theme, r.Procedure
		pcode[i], ptype[i], pname[i], dep[i], reg[i] = r.PlaceCode, r.PlaceCodeType, r.PlaceName, r.Departement, r.Region
		duration[i], notif[i], pub[i], amount[i], initial[i], pform[i] = r.DurationMonths, r.NotificationDate, r.PublicationDate, r.Amount, r.InitialAmount, r.PriceForm
		tech[i], modal[i] = nonNil(r.Techniques), nonNil(r.ExecutionModalities)
		sc[i], scr[i], res[i], ec[i], ecr[i] = r.DeclaredSocialClause, r.DeclaredSocialCriterion, r.DeclaredReserved, r.DeclaredEnvClause, r.DeclaredEnvCriterion
		draw[i], det[i], detv[i], flags[i], schema[i] = nonNil(r.DeclaredRaw), nonNil(r.DetectedLabels), r.DetectorVersion, nonNil(r.QualityFlags), r.SchemaVersion
		src[i], origin[i], pos[i], chash[i], py[i], version[i], run[i] = r.Source, r.Origin, r.Position, r.ContentHash, r.PartitionYear, r.Version, r.RunID
		at[i] = r.IngestedAt.UTC().Truncate(time.Second)
	}
	err := s.insertColumns(ctx, "contracts", contractColumns, []any{uid, siret, siren, bname, cid, keyHash,
		kind, nature, object, cpv, cpvDiv, theme, proc, pcode, ptype, pname, dep, reg,
		duration, notif, pub, amount, initial, pform, tech, modal,
		sc, scr, res, ec, ecr, draw, det, detv, flags, schema, src, origin, pos, chash, py, version, run, at})
	if err != nil {
		return fmt.Errorf("write %d contracts: %w", n, err)
	}
	return nil
}

func (s *Store) writeHolders(ctx context.Context, rows []HolderRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	uid, siret, cid, typ, id, name := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ver, idx, py := make([]uint64, n), make([]uint16, n), make([]uint16, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], ver[i], idx[i], typ[i], id[i], name[i], py[i] = r.UID, r.BuyerSiret, r.ContractID, r.ContractVersion, r.Idx, r.Type, r.ID, r.Name, r.PartitionYear
	}
	if err := s.insertColumns(ctx, "contract_holders", holderColumns, []any{uid, siret, cid, ver, idx, typ, id, name, py}); err != nil {
		return fmt.Errorf("write %d contract holders: %w", n, err)
	}
	return nil
}

func (s *Store) writeModifications(ctx context.Context, rows []ModificationRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	uid, siret, cid, mid, obj := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	sig, pub := make([]*time.Time, n), make([]*time.Time, n)
	amt, dur := make([]*float64, n), make([]*float64, n)
	hold := make([][]string, n)
	py, ver := make([]uint16, n), make([]uint64, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], mid[i], obj[i] = r.UID, r.BuyerSiret, r.ContractID, r.ModificationID, r.Object
		sig[i], pub[i], amt[i], dur[i], hold[i], py[i], ver[i] = r.SignatureDate, r.PublicationDate, r.Amount, r.DurationMonths, nonNil(r.Holders), r.PartitionYear, r.Version
	}
	if err := s.insertColumns(ctx, "contract_modifications", modificationColumns, []any{uid, siret, cid, mid, obj, sig, pub, amt, dur, hold, py, ver}); err != nil {
		return fmt.Errorf("write %d contract modifications: %w", n, err)
	}
	return nil
}

func (s *Store) writeSubcontracts(ctx context.Context, rows []SubcontractRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	str := func() []string { return make([]string, n) }
	uid, siret, cid, act, typ, id, name, pv := str(), str(), str(), str(), str(), str(), str(), str()
	ver, py := make([]uint64, n), make([]uint16, n)
	dur, amt := make([]*float64, n), make([]*float64, n)
	notif := make([]*time.Time, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], ver[i], act[i] = r.UID, r.BuyerSiret, r.ContractID, r.ContractVersion, r.ActID
		typ[i], id[i], name[i], dur[i], notif[i] = r.SubcontractorType, r.SubcontractorID, r.SubcontractorName, r.DurationMonths, r.NotificationDate
		amt[i], pv[i], py[i] = r.Amount, r.PriceVariation, r.PartitionYear
	}
	if err := s.insertColumns(ctx, "contract_subcontracts", subcontractColumns, []any{uid, siret, cid, ver, act, typ, id, name, dur, notif, amt, pv, py}); err != nil {
		return fmt.Errorf("write %d contract subcontracts: %w", n, err)
	}
	return nil
}

func (s *Store) writeContractSources(ctx context.Context, rows []ContractSourceRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	uid, siret, cid, src, origin, pos := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	pub := make([]*time.Time, n)
	hash := make([]uint64, n)
	seen := make([]time.Time, n)
	py := make([]uint16, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], src[i], origin[i], pos[i] = r.UID, r.BuyerSiret, r.ContractID, r.Source, r.Origin, r.Position
		pub[i], hash[i], seen[i], py[i] = r.PublicationDate, r.ContentHash, r.SeenAt.UTC().Truncate(time.Second), r.PartitionYear
	}
	if err := s.insertColumns(ctx, "contract_sources", contractSourceColumns, []any{uid, siret, cid, src, origin, pos, pub, hash, seen, py}); err != nil {
		return fmt.Errorf("write %d contract sources: %w", n, err)
	}
	return nil
}

func (s *Store) writeContractDetections(ctx context.Context, rows []DetectionRow) error {
	n := len(rows)
	if n == 0 {
		return nil
	}
	kind, id, notice := make([]string, n), make([]string, n), make([]string, n)
	dl, dn, det := make([][]string, n), make([][]string, n), make([][]string, n)
	el, eo, ef, et := make([][]string, n), make([][]string, n), make([][]string, n), make([][]string, n)
	es, ee := make([][]uint32, n), make([][]uint32, n)
	eneg := make([][]uint8, n)
	dv := make([]uint32, n)
	at := make([]time.Time, n)
	ver := make([]uint64, n)
	for i, r := range rows {
		kind[i], id[i], notice[i] = r.SubjectKind, r.SubjectID, r.NoticeID
		dl[i], dn[i], det[i] = nonNil(r.DeclaredLabels), nonNil(r.DeclaredNegative), nonNil(r.DetectedLabels)
		m := len(r.Evidence)
		el[i], eo[i], ef[i], et[i] = make([]string, m), make([]string, m), make([]string, m), make([]string, m)
		es[i], ee[i], eneg[i] = make([]uint32, m), make([]uint32, m), make([]uint8, m)
		for j, e := range r.Evidence {
			el[i][j], eo[i][j], ef[i][j], et[i][j], es[i][j], ee[i][j] = e.Label, e.Origin, e.Field, e.Text, e.Start, e.End
			if e.Negative {
				eneg[i][j] = 1
			}
		}
		dv[i], at[i], ver[i] = r.DetectorVersion, r.DetectedAt.UTC().Truncate(time.Second), r.Version
	}
	if err := s.insertColumns(ctx, "detections", detectionColumns, []any{kind, id, notice, dl, dn, det, el, eo, ef, et, es, ee, eneg, dv, at, ver}); err != nil {
		return fmt.Errorf("write %d detections: %w", n, err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
