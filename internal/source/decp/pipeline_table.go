package decp

import (
	"errors"
	"fmt"
	"io"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/source/tabular"
)

// scanTable reads a document in decp-processing's tabular layout. A CSV
// is read from the stream (through the raw tee, like JSON); a Parquet file
// is read from its file, column by column, and its bytes are then read
// through the tee once, so that raw_documents keeps it as it keeps the
// other formats.
func scanTable(d decpparse.Document, format string, br io.Reader, emit func(decpparse.Record) error) error {
	var (
		r   tabular.Reader
		err error
	)
	if format == decpparse.FormatParquet {
		if d.Path == "" {
			return errors.New("parquet document without a file") // OpenDocuments spools one
		}
		r, _, err = tabular.Open(d.Path, tabular.Options{Columns: decpparse.TableColumns()})
	} else {
		r, err = tabular.NewCSV(br, tabular.Options{Columns: decpparse.TableColumns()})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", format, err)
	}
	defer r.Close()
	if err := decpparse.ScanTable(r, emit); err != nil {
		return err
	}
	if format == decpparse.FormatParquet {
		if _, err := io.Copy(io.Discard, br); err != nil {
			return fmt.Errorf("raw copy: %w", err)
		}
	}
	return nil
}
