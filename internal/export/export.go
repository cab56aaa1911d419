// Package export writes full exports of vigie's tables — contracts,
// notices, lots, suppliers — as CSV or Parquet, streamed with no row cap,
// each with a Frictionless Table Schema in a datapackage.json that types
// every column and describes it in French and English.
package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vigie-data/vigie/internal/store"
)

// Tables and formats.
var (
	Tables  = []string{"contracts", "notices", "lots", "suppliers"}
	Formats = []string{"csv", "parquet"}
)

// Filter selects the rows of an export: Contracts for contracts, Notices
// for notices and their lots; ClassedOnly keeps the suppliers in at least
// one class.
type Filter struct {
	Contracts   store.ContractFilter
	Notices     store.NoticeFilter
	ClassedOnly bool
}

// rowTypes are the exported row of each table.
var rowTypes = map[string]reflect.Type{
	"contracts": reflect.TypeFor[Contract](),
	"notices":   reflect.TypeFor[Notice](),
	"lots":      reflect.TypeFor[Lot](),
	"suppliers": reflect.TypeFor[Supplier](),
}

// Write streams table in format to w and returns how many rows it wrote.
func Write(ctx context.Context, st *store.Store, table, format string, f Filter, w io.Writer) (int64, error) {
	switch table {
	case "contracts":
		return write(format, w, func(emit func(Contract) error) error {
			return st.StreamContracts(ctx, f.Contracts, func(c *store.ListedContract) error { return emit(contractOf(c)) })
		})
	case "notices":
		return write(format, w, func(emit func(Notice) error) error {
			return st.StreamNotices(ctx, f.Notices, func(n *store.ListedNotice) error { return emit(noticeOf(n)) })
		})
	case "lots":
		return write(format, w, func(emit func(Lot) error) error {
			return st.StreamLots(ctx, f.Notices, func(l *store.ExportedLot) error { return emit(lotOf(l)) })
		})
	case "suppliers":
		return write(format, w, func(emit func(Supplier) error) error {
			return st.StreamSuppliers(ctx, f.ClassedOnly, func(s *store.ExportedSupplier) error { return emit(supplierOf(s)) })
		})
	}
	return 0, fmt.Errorf("export: unknown table %q (one of %s)", table, strings.Join(Tables, ", "))
}

// rowGroup is how many rows a Parquet row group holds: the writer keeps
// one group in memory.
const rowGroup = 32 << 10

func write[T any](format string, w io.Writer, each func(func(T) error) error) (int64, error) {
	var n int64
	switch format {
	case "parquet":
		pw := parquet.NewGenericWriter[T](w, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(rowGroup))
		buf := make([]T, 0, 1024)
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			_, err := pw.Write(buf)
			buf = buf[:0]
			return err
		}
		err := each(func(r T) error {
			n++
			buf = append(buf, r)
			if len(buf) == cap(buf) {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if cerr := pw.Close(); err == nil {
			err = cerr
		}
		return n, err
	case "csv":
		bw := bufio.NewWriterSize(w, 256<<10)
		cw := csv.NewWriter(bw)
		cols := columns(reflect.TypeFor[T]())
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = c.Name
		}
		if err := cw.Write(header); err != nil {
			return 0, err
		}
		rec := make([]string, len(cols))
		err := each(func(r T) error {
			n++
			v := reflect.ValueOf(r)
			for i, c := range cols {
				rec[i] = cell(v.Field(c.index), c)
			}
			return cw.Write(rec)
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		return n, err
	}
	return 0, fmt.Errorf("export: unknown format %q (csv or parquet)", format)
}

// column is an exported column, read from the row type's tags.
type column struct {
	Name, Type, Format string
	FR, EN             string
	index              int
	timestamp          bool
}

func columns(t reflect.Type) []column {
	var out []column
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("parquet"), ",")
		c := column{Name: tag[0], FR: f.Tag.Get("fr"), EN: f.Tag.Get("en"), index: i}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == reflect.TypeFor[time.Time]():
			c.Type = "date"
			for _, o := range tag[1:] {
				if strings.HasPrefix(o, "timestamp") {
					c.Type, c.timestamp = "datetime", true
				}
			}
		case ft.Kind() == reflect.Slice:
			c.Type = "array"
		case ft.Kind() == reflect.Bool:
			c.Type = "boolean"
		case ft.Kind() == reflect.Float64:
			c.Type = "number"
		default:
			c.Type = "string"
		}
		out = append(out, c)
	}
	return out
}

// cell writes one value as CSV text: empty for null, dates as
// YYYY-MM-DD, datetimes as RFC 3339 in UTC, lists as JSON arrays.
func cell(v reflect.Value, c column) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if c.timestamp {
			return x.UTC().Format(time.RFC3339)
		}
		return x.Format("2006-01-02")
	case []string:
		if x == nil {
			x = []string{}
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v.Interface())
}
