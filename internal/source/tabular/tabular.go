// Package tabular reads the tables reference data is published as — CSV
// (plain, gzip or zip; UTF-8 or Latin-1; "," or ";") and Parquet — as
// rows of strings addressed by column name, streaming: a Parquet file is
// read a page at a time, only the columns asked for; a CSV a record at a
// time. The format is told from the content, not the file name.
package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Reader yields the rows of a table.
type Reader interface {
	// Columns are the names of the columns Next fills, in order: the ones
	// asked for that the table has.
	Columns() []string
	// Next returns the next row (valid until the following call), or io.EOF.
	Next() ([]string, error)
	// Position says where the last row came from (line or row number), for
	// logs and quarantine.
	Position() string
	Close() error
}

// Format names.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Options of Open.
type Options struct {
	// Columns to read (by name, case-sensitive); nil reads them all.
	Columns []string
	// NoHeader: the CSV has no header line; columns are named by position
	// ("0", "1", ...). SkipLines lines are skipped first.
	NoHeader  bool
	SkipLines int
}

// ErrNotTable is returned for a file that is neither CSV nor Parquet.
var ErrNotTable = errors.New("not a CSV or Parquet table")

// Open opens the table in the file at path, its format told from content.
func Open(path string, opts Options) (Reader, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	switch {
	case n == 4 && string(magic[:]) == "PAR1":
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, "", err
		}
		r, err := openParquet(f, st.Size(), opts)
		if err != nil {
			f.Close()
			return nil, "", err
		}
		return r, FormatParquet, nil
	case n >= 2 && magic[0] == 'P' && magic[1] == 'K':
		f.Close()
		return openZip(path, opts)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, "", err
	}
	r, err := NewCSV(f, opts)
	if err != nil {
		f.Close()
		return nil, "", err
	}
	r.(*csvReader).closer = f
	return r, FormatCSV, nil
}

// openZip reads the first CSV or Parquet member of a zip archive.
func openZip(path string, opts Options) (Reader, string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, "", fmt.Errorf("zip: %w", err)
	}
	for _, m := range zr.File {
		if m.FileInfo().IsDir() {
			continue
		}
		rc, err := m.Open()
		if err != nil {
			zr.Close()
			return nil, "", fmt.Errorf("zip member %s: %w", m.Name, err)
		}
		r, err := NewCSV(rc, opts)
		if err != nil {
			rc.Close()
			zr.Close()
			return nil, "", fmt.Errorf("zip member %s: %w", m.Name, err)
		}
		r.(*csvReader).closer = multiCloser{rc, zr}
		return r, FormatCSV, nil
	}
	zr.Close()
	return nil, "", fmt.Errorf("zip: no file inside: %w", ErrNotTable)
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// csvReader reads a CSV stream, gunzipped and decoded to UTF-8 as needed.
type csvReader struct {
	cr      *csv.Reader
	index   []int // for each column asked for, its field in the record
	names   []string
	row     []string
	line    int
	closer  io.Closer
	gz      *gzip.Reader
	noIndex bool
}

// NewCSV reads a CSV table from r (gzip and Latin-1 told from content).
func NewCSV(r io.Reader, opts Options) (Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	c := &csvReader{}
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		c.gz = gz
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	sample, _ := br.Peek(1 << 16)
	if len(sample) == 0 {
		return nil, fmt.Errorf("empty file: %w", ErrNotTable)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return nil, fmt.Errorf("binary content: %w", ErrNotTable)
	}
	var in io.Reader = br
	if !validUTF8Prefix(sample) {
		// Latin-1 files (FINESS) are read as windows-1252, its superset.
		in = charmap.Windows1252.NewDecoder().Reader(br)
	}
	in = skipBOM(in)
	cr := csv.NewReader(in)
	cr.Comma = sniffComma(sample, opts.SkipLines)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	c.cr = cr
	for i := 0; i < opts.SkipLines; i++ {
		if _, err := cr.Read(); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		c.line++
	}
	var header []string
	if !opts.NoHeader {
		h, err := cr.Read()
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		c.line++
		header = append([]string(nil), h...)
	}
	c.bind(header, opts)
	return c, nil
}

func (c *csvReader) bind(header []string, opts Options) {
	want := opts.Columns
	if opts.NoHeader {
		// Columns are positions.
		for _, w := range want {
			var i int
			if _, err := fmt.Sscan(w, &i); err == nil {
				c.index = append(c.index, i)
				c.names = append(c.names, w)
			}
		}
		if want == nil {
			c.noIndex = true
		}
		c.row = make([]string, len(c.index))
		return
	}
	if want == nil {
		want = header
	}
	for _, w := range want {
		for i, h := range header {
			if strings.TrimSpace(h) == w {
				c.index = append(c.index, i)
				c.names = append(c.names, w)
				break
			}
		}
	}
	c.row = make([]string, len(c.index))
}

func (c *csvReader) Columns() []string { return c.names }

func (c *csvReader) Next() ([]string, error) {
	rec, err := c.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		c.line++
		return nil, fmt.Errorf("line %d: %w", c.line, err)
	}
	c.line++
	if c.noIndex {
		return rec, nil
	}
	for j, i := range c.index {
		if i < len(rec) {
			c.row[j] = rec[i]
		} else {
			c.row[j] = ""
		}
	}
	return c.row, nil
}

func (c *csvReader) Position() string { return fmt.Sprintf("line %d", c.line) }

func (c *csvReader) Close() error {
	var errs []error
	if c.gz != nil {
		errs = append(errs, c.gz.Close())
	}
	if c.closer != nil {
		errs = append(errs, c.closer.Close())
	}
	return errors.Join(errs...)
}

// validUTF8Prefix tells UTF-8 from a legacy encoding on a sample that may
// end inside a character.
func validUTF8Prefix(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		b = b[size:]
	}
	return true
}

// sniffComma picks ";" or "," from the first data-bearing line.
func sniffComma(sample []byte, skip int) rune {
	lines := bytes.SplitN(sample, []byte("\n"), skip+2)
	line := lines[len(lines)-1]
	if len(lines) > skip {
		line = lines[skip]
	}
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

type bomSkipper struct {
	r    io.Reader
	done bool
}

func skipBOM(r io.Reader) io.Reader { return &bomSkipper{r: r} }

func (b *bomSkipper) Read(p []byte) (int, error) {
	if b.done {
		return b.r.Read(p)
	}
	b.done = true
	br := bufio.NewReader(b.r)
	if head, _ := br.Peek(3); bytes.Equal(head, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	b.r = br
	return br.Read(p)
}
