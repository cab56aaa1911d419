package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	Contracts     []*ContractRow
	Holders       []HolderRow
	Modifications []ModificationRow
	Subcontracts  []SubcontractRow
	Sources       []ContractSourceRow
	Detections    []DetectionRow
}

// ContractState is what the ingestion needs to know of a stored contract.
type ContractState struct {
	Version       uint64
	ContentHash   uint64
	PartitionYear uint16
	RunIDs        []string // the runs that wrote this version (more than one until merged)
}

// lookupQuery reads the rows of the contracts among a set of key hashes,
// sent as an external table (lookup_keys): parsing an IN list of 10 000
// literals was most of what a look-up cost the server. PREWHERE scans
// only key_hash; the other columns are read for the matching rows. The
// rows of one contract are reduced here, not by GROUP BY: every run that
// wrote the current version counts (see ContractState).
const lookupQuery = `SELECT key_hash, version, content_hash, partition_year, run_id
FROM contracts PREWHERE key_hash IN lookup_keys`

// ContractKeys returns the key hashes of the stored contracts, sorted and
// distinct, when there are at most max of them (ok false otherwise): an
// ingestion looks up only the keys it may find (the others are new), and
// into an empty store, not at all. 8 bytes a contract.
func (s *Store) ContractKeys(ctx context.Context, max int) (keys []uint64, ok bool, err error) {
	var n uint64
	if err := s.conn.QueryRow(withTimeout(ctx, 120), `SELECT count() FROM contracts`).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("count contracts: %w", err)
	}
	if n > uint64(max) {
		return nil, false, nil
	}
	rows, err := s.conn.Query(withTimeout(ctx, 600), `SELECT key_hash FROM contracts`)
	if err != nil {
		return nil, false, fmt.Errorf("read contract keys: %w", err)
	}
	defer rows.Close()
	keys = make([]uint64, 0, n)
	for rows.Next() {
		var k uint64
		if err := rows.Scan(&k); err != nil {
			return nil, false, fmt.Errorf("read contract keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read contract keys: %w", err)
	}
	slices.Sort(keys)
	return slices.Compact(keys), true, nil
}

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
		var r ContractState
		var run string
		if err := rows.Scan(&k, &r.Version, &r.ContentHash, &r.PartitionYear, &run); err != nil {
			return nil, fmt.Errorf("look up contracts: %w", err)
		}
		st, ok := out[k]
		switch {
		case !ok || r.Version > st.Version:
			r.RunIDs = []string{run}
			out[k] = r
		case r.Version == st.Version && !slices.Contains(st.RunIDs, run):
			st.RunIDs = append(st.RunIDs, run)
			out[k] = st
		}
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

// ContractStream writes the batches of one DECP ingestion through one
// INSERT per table kept open until Commit (see stream), which makes them
// visible. The tables are committed at once, in no order: a run cut short
// may leave contracts rows without their side rows whatever the order
// (ClickHouse 18.16 writes what it received of an INSERT whose connection
// drops), which the writer's run commits cover (run_commits).
type ContractStream struct {
	side      []*stream // holders, modifications, subcontracts, sources, detections
	contracts *stream
}

// NewContractStream starts a stream; Commit or Abort it.
func (s *Store) NewContractStream() *ContractStream {
	return &ContractStream{
		side: []*stream{
			s.newStream("contract_holders", holderColumns),
			s.newStream("contract_modifications", modificationColumns),
			s.newStream("contract_subcontracts", subcontractColumns),
			s.newStream("contract_sources", contractSourceColumns),
			s.newStream("detections", detectionColumns),
		},
		contracts: s.newStream("contracts", contractColumns),
	}
}

// WriteSideRows sends everything of a batch but its contracts rows.
func (c *ContractStream) WriteSideRows(ctx context.Context, b *ContractBatch) error {
	cols := []func() (int, []any){
		func() (int, []any) { return len(b.Holders), holderData(b.Holders) },
		func() (int, []any) { return len(b.Modifications), modificationData(b.Modifications) },
		func() (int, []any) { return len(b.Subcontracts), subcontractData(b.Subcontracts) },
		func() (int, []any) { return len(b.Sources), contractSourceData(b.Sources) },
		func() (int, []any) { return len(b.Detections), detectionData(b.Detections) },
	}
	// The tables are independent of one another: send them at once.
	errs := make([]error, len(cols))
	var wg sync.WaitGroup
	for i, f := range cols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, data := f(); n > 0 {
				if err := c.side[i].append(ctx, data); err != nil {
					errs[i] = fmt.Errorf("write %d rows: %w", n, err)
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// WriteContracts sends the contracts rows of a batch whose side rows were
// sent (WriteSideRows).
func (c *ContractStream) WriteContracts(ctx context.Context, rows []*ContractRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := c.contracts.append(ctx, contractData(rows)); err != nil {
		return fmt.Errorf("write %d contracts: %w", len(rows), err)
	}
	return nil
}

// Commit makes what was sent visible. The server writes the tables' parts
// at once.
func (c *ContractStream) Commit() error {
	all := append([]*stream{c.contracts}, c.side...)
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, st := range all {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = st.commit() }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.Abort()
		return err
	}
	return nil
}

// Flush sends the rows the driver holds in blocks not full yet (a block
// is sent at 4 096 rows): a writer of unusually large rows calls it to
// bound its memory. Not concurrently with WriteSideRows or WriteContracts.
func (c *ContractStream) Flush() error {
	for _, st := range append([]*stream{c.contracts}, c.side...) {
		if err := st.flush(); err != nil {
			return err
		}
	}
	return nil
}

// Abort drops what was sent since the last commit.
func (c *ContractStream) Abort() {
	for _, st := range c.side {
		st.abort()
	}
	c.contracts.abort()
}

func contractData(rows []*ContractRow) []any {
	n := len(rows)
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
	for i, r := range rows {
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
	return []any{uid, siret, siren, bname, cid, keyHash,
		kind, nature, object, cpv, cpvDiv, theme, proc, pcode, ptype, pname, dep, reg,
		duration, notif, pub, amount, initial, pform, tech, modal,
		sc, scr, res, ec, ecr, draw, det, detv, flags, schema, src, origin, pos, chash, py, version, run, at}
}

func holderData(rows []HolderRow) []any {
	n := len(rows)
	uid, siret, cid, typ, id, name := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ver, idx, py := make([]uint64, n), make([]uint16, n), make([]uint16, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], ver[i], idx[i], typ[i], id[i], name[i], py[i] = r.UID, r.BuyerSiret, r.ContractID, r.ContractVersion, r.Idx, r.Type, r.ID, r.Name, r.PartitionYear
	}
	return []any{uid, siret, cid, ver, idx, typ, id, name, py}
}

func modificationData(rows []ModificationRow) []any {
	n := len(rows)
	uid, siret, cid, mid, obj := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	sig, pub := make([]*time.Time, n), make([]*time.Time, n)
	amt, dur := make([]*float64, n), make([]*float64, n)
	hold := make([][]string, n)
	py, ver := make([]uint16, n), make([]uint64, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], mid[i], obj[i] = r.UID, r.BuyerSiret, r.ContractID, r.ModificationID, r.Object
		sig[i], pub[i], amt[i], dur[i], hold[i], py[i], ver[i] = r.SignatureDate, r.PublicationDate, r.Amount, r.DurationMonths, nonNil(r.Holders), r.PartitionYear, r.Version
	}
	return []any{uid, siret, cid, mid, obj, sig, pub, amt, dur, hold, py, ver}
}

func subcontractData(rows []SubcontractRow) []any {
	n := len(rows)
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
	return []any{uid, siret, cid, ver, act, typ, id, name, dur, notif, amt, pv, py}
}

func contractSourceData(rows []ContractSourceRow) []any {
	n := len(rows)
	uid, siret, cid, src, origin, pos := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	pub := make([]*time.Time, n)
	hash := make([]uint64, n)
	seen := make([]time.Time, n)
	py := make([]uint16, n)
	for i, r := range rows {
		uid[i], siret[i], cid[i], src[i], origin[i], pos[i] = r.UID, r.BuyerSiret, r.ContractID, r.Source, r.Origin, r.Position
		pub[i], hash[i], seen[i], py[i] = r.PublicationDate, r.ContentHash, r.SeenAt.UTC().Truncate(time.Second), r.PartitionYear
	}
	return []any{uid, siret, cid, src, origin, pos, pub, hash, seen, py}
}

func detectionData(rows []DetectionRow) []any {
	n := len(rows)
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
	return []any{kind, id, notice, dl, dn, det, el, eo, ef, et, es, ee, eneg, dv, at, ver}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeDetections writes detection rows in one INSERT.
func (s *Store) writeDetections(ctx context.Context, rows []DetectionRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := s.insertColumns(ctx, "detections", detectionColumns, detectionData(rows)); err != nil {
		return fmt.Errorf("write %d detections: %w", len(rows), err)
	}
	return nil
}

// CommitRun records that a run ended cleanly: the contracts it wrote
// come with all their side rows (see sql/0008_run_commits.sql).
func (s *Store) CommitRun(ctx context.Context, runID, source string) error {
	if err := s.insert(ctx, "run_commits", []string{"run_id", "source", "committed_at"},
		[]any{runID, source, time.Now().UTC().Truncate(time.Second)}); err != nil {
		return fmt.Errorf("commit run %s: %w", runID, err)
	}
	return nil
}

// CommittedRuns tells which of these runs ended cleanly (CommitRun).
func (s *Store) CommittedRuns(ctx context.Context, runIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(runIDs))
	if len(runIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(runIDs))
	for i, id := range runIDs {
		ids[i] = id
	}
	rows, err := s.conn.Query(withTimeout(ctx, 60), `SELECT DISTINCT run_id FROM run_commits WHERE run_id IN ?`,
		clickhouse.GroupSet{Value: ids})
	if err != nil {
		return nil, fmt.Errorf("look up %d runs: %w", len(runIDs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("look up runs: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
