package decp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// FlattenJSONEachRow writes the contracts rows a document gives, one JSON
// object per line with the contracts table's column names (ClickHouse's
// JSONEachRow), without de-duplication. The benchmark loads this file
// with clickhouse-client to compare vigie's end-to-end ingestion with the
// server's own loading of the same rows.
func FlattenJSONEachRow(r io.Reader, w io.Writer, source string) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	now := time.Now().UTC().Truncate(time.Second)
	wr := &writer{source: source, runID: "flatten", now: now}
	dec := decpparse.NewDecoder()
	err := decpparse.OpenDocuments(r, source, func(d decpparse.Document) error {
		br, ok := d.R.(*bufio.Reader)
		if !ok {
			br = bufio.NewReader(d.R)
		}
		format, err := decpparse.Sniff(br)
		if err != nil {
			return err
		}
		emit := func(rec decpparse.Record) error {
			rec.Origin, rec.Format = d.Name, format
			it := newItem(&rec, dec.Parse(&rec, now))
			if it.err != nil {
				return nil
			}
			wr.prepare(&it)
			setYear(&it, it.year)
			return enc.Encode(flatRow(&it.contract))
		}
		if format == decpparse.FormatXML {
			return decpparse.ScanXML(br, emit)
		}
		return decpparse.ScanJSON(br, emit)
	})
	if err != nil {
		return fmt.Errorf("flatten: %w", err)
	}
	return bw.Flush()
}

func flatRow(r *store.ContractRow) map[string]any {
	day := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format("2006-01-02")
	}
	return map[string]any{"uid": r.UID, "buyer_siret": r.BuyerSiret, "buyer_siren": r.BuyerSiren,
		"buyer_name": r.BuyerName, "contract_id": r.ContractID, "key_hash": r.KeyHash, "kind": r.Kind,
		"nature": r.Nature, "object": r.Object, "cpv": r.CPV, "cpv_division": r.CPVDivision, "theme": r.Theme,
		"procedure": r.Procedure, "place_code": r.PlaceCode, "place_code_type": r.PlaceCodeType,
		"place_name": r.PlaceName, "departement": r.Departement, "region": r.Region,
		"duration_months": r.DurationMonths, "notification_date": day(r.NotificationDate),
		"publication_date": day(r.PublicationDate), "amount": r.Amount, "initial_amount": r.InitialAmount,
		"price_form": r.PriceForm, "techniques": nonNilStrings(r.Techniques),
		"execution_modalities":   nonNilStrings(r.ExecutionModalities),
		"declared_social_clause": r.DeclaredSocialClause, "declared_social_criterion": r.DeclaredSocialCriterion,
		"declared_reserved": r.DeclaredReserved, "declared_env_clause": r.DeclaredEnvClause,
		"declared_env_criterion": r.DeclaredEnvCriterion, "declared_raw": nonNilStrings(r.DeclaredRaw),
		"detected_labels": nonNilStrings(r.DetectedLabels), "detector_version": r.DetectorVersion,
		"quality_flags": nonNilStrings(r.QualityFlags), "schema_version": r.SchemaVersion, "source": r.Source,
		"origin": r.Origin, "position": r.Position, "content_hash": r.ContentHash,
		"partition_year": r.PartitionYear, "version": r.Version, "run_id": r.RunID,
		"ingested_at": r.IngestedAt.Format("2006-01-02 15:04:05")}
}
