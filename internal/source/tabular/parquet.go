package tabular

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetReader reads the flat columns asked for, a page at a time, in
// lock-step: every column of a flat table holds one value (maybe null) per
// row, so the i-th value of each column belongs to the i-th row. Values of
// any physical type come out as strings (a DATE as YYYY-MM-DD, a boolean
// as true/false), so callers do not depend on how a publisher typed them.
type parquetReader struct {
	file    *parquet.File
	closer  io.Closer
	names   []string
	leaves  []int // column index of each name
	dates   []bool
	group   int // current row group
	cols    []*columnCursor
	row     []string
	rowNum  int64
	buffers [][]byte
}

type columnCursor struct {
	pages  parquet.Pages
	page   parquet.Page        // the page being read, nil between pages
	values parquet.ValueReader // its values
	vals   []parquet.Value
	n, i   int
}

func openParquet(r io.ReaderAt, size int64, opts Options) (*parquetReader, error) {
	f, err := parquet.OpenFile(r, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	p := &parquetReader{file: f, group: -1}
	if c, ok := r.(io.Closer); ok {
		p.closer = c
	}
	want := opts.Columns
	if want == nil {
		for _, fld := range f.Schema().Fields() {
			want = append(want, fld.Name())
		}
	}
	for _, w := range want {
		leaf, ok := f.Schema().Lookup(w)
		if !ok {
			continue
		}
		if leaf.MaxRepetitionLevel > 0 {
			return nil, fmt.Errorf("parquet: column %s is a list; only flat columns are read", w)
		}
		p.names = append(p.names, w)
		p.leaves = append(p.leaves, leaf.ColumnIndex)
		lt := leaf.Node.Type().LogicalType()
		isDate := false
		if lt != nil {
			_, isDate = lt.Value.(*format.DateType)
		}
		p.dates = append(p.dates, isDate)
	}
	p.row = make([]string, len(p.names))
	p.buffers = make([][]byte, len(p.names))
	return p, nil
}

func (p *parquetReader) Columns() []string { return p.names }

func (p *parquetReader) Position() string { return "row " + strconv.FormatInt(p.rowNum, 10) }

// nextGroup opens the next row group's column chunks.
func (p *parquetReader) nextGroup() error {
	p.closeGroup()
	p.group++
	groups := p.file.RowGroups()
	if p.group >= len(groups) {
		return io.EOF
	}
	chunks := groups[p.group].ColumnChunks()
	p.cols = make([]*columnCursor, len(p.leaves))
	for j, li := range p.leaves {
		p.cols[j] = &columnCursor{pages: chunks[li].Pages(), vals: make([]parquet.Value, 1024)}
	}
	return nil
}

func (p *parquetReader) closeGroup() {
	for _, c := range p.cols {
		if c != nil {
			c.close()
		}
	}
	p.cols = nil
}

// next returns the column's next value; io.EOF at the end of the group.
func (c *columnCursor) next() (parquet.Value, error) {
	for c.i >= c.n {
		if c.page == nil {
			page, err := c.pages.ReadPage()
			if err != nil {
				return parquet.Value{}, err
			}
			c.page, c.values = page, page.Values()
		}
		k, err := c.values.ReadValues(c.vals)
		c.n, c.i = k, 0
		if err != nil && !errors.Is(err, io.EOF) {
			return parquet.Value{}, err
		}
		if k == 0 || errors.Is(err, io.EOF) {
			// Values of a released page are not kept: copy out the ones
			// still to be handed (byte arrays point into the page).
			for j := 0; j < k; j++ {
				c.vals[j] = c.vals[j].Clone()
			}
			parquet.Release(c.page)
			c.page, c.values = nil, nil
		}
	}
	v := c.vals[c.i]
	c.i++
	return v, nil
}

func (c *columnCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	c.pages.Close()
}

func (p *parquetReader) Next() ([]string, error) {
	if len(p.names) == 0 {
		return nil, io.EOF
	}
	for {
		if p.cols == nil {
			if err := p.nextGroup(); err != nil {
				return nil, err
			}
		}
		v, err := p.cols[0].next()
		if errors.Is(err, io.EOF) {
			p.closeGroup()
			continue
		}
		if err != nil {
			return nil, p.readErr(0, err)
		}
		p.set(0, v)
		for j := 1; j < len(p.cols); j++ {
			v, err := p.cols[j].next()
			if err != nil {
				return nil, p.readErr(j, err)
			}
			p.set(j, v)
		}
		p.rowNum++
		return p.row, nil
	}
}

func (p *parquetReader) readErr(j int, err error) error {
	if errors.Is(err, io.EOF) {
		err = errors.New("column ends before the others")
	}
	return fmt.Errorf("parquet row group %d, column %s, row %d: %w", p.group, p.names[j], p.rowNum+1, err)
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// set writes value v of column j as a string.
func (p *parquetReader) set(j int, v parquet.Value) {
	if v.IsNull() {
		p.row[j] = ""
		return
	}
	b := p.buffers[j][:0]
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		p.row[j] = string(v.ByteArray())
		return
	case parquet.Boolean:
		b = strconv.AppendBool(b, v.Boolean())
	case parquet.Int32:
		if p.dates[j] {
			b = epoch.AddDate(0, 0, int(v.Int32())).AppendFormat(b, "2006-01-02")
		} else {
			b = strconv.AppendInt(b, int64(v.Int32()), 10)
		}
	case parquet.Int64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case parquet.Float:
		b = strconv.AppendFloat(b, float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		b = strconv.AppendFloat(b, v.Double(), 'g', -1, 64)
	default:
		b = append(b, v.String()...)
	}
	p.buffers[j] = b
	p.row[j] = string(b)
}

func (p *parquetReader) Close() error {
	p.closeGroup()
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}
