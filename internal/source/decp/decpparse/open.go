package decpparse

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Formats of a document, told from its content.
const (
	FormatJSON = "json"
	FormatXML  = "xml"
)

// Sniff tells a document's format from its first bytes (after a byte
// order mark and white space).
func Sniff(br *bufio.Reader) (string, error) {
	head, _ := br.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 {
		return "", fmt.Errorf("%w: empty input", ErrNotDECP)
	}
	if f := sniffTable(head); f != "" {
		return f, nil
	}
	switch head[0] {
	case '{', '[':
		return FormatJSON, nil
	case '<':
		return FormatXML, nil
	}
	return "", fmt.Errorf("%w: neither JSON, XML nor decp-processing's table (starts with %q)", ErrNotDECP, printable(head))
}

func printable(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return strings.ToValidUTF8(string(b), "?")
}

// isGzip and isZip test magic numbers.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
func isZip(b []byte) bool  { return len(b) >= 4 && bytes.Equal(b[:4], []byte("PK\x03\x04")) }

// Document is one DECP document to scan: a name for provenance and its
// decompressed content.
type Document struct {
	Name string
	R    io.Reader
	// Path is the file holding the document when it is Parquet (which
	// needs random access); R still gives its bytes, for the raw copy.
	Path string
}

// OpenDocuments gives the documents of a stream: the stream itself,
// decompressed when gzip; a zip archive needs random access, so it is
// spooled to a temporary file first (never held in memory).
func OpenDocuments(r io.Reader, origin string, each func(Document) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	head, _ := br.Peek(4)
	switch {
	case isGzip(head):
		in := &countingReader{r: br}
		zr, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("gzip %s: %w", origin, err)
		}
		defer zr.Close()
		return OpenDocuments(&expansionReader{r: zr, in: func() int64 { return in.n }}, origin, each)
	case isZip(head):
		f, err := os.CreateTemp("", "vigie-decp-*.zip")
		if err != nil {
			return fmt.Errorf("spool zip %s: %w", origin, err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		size, err := io.Copy(f, br)
		if err != nil {
			return fmt.Errorf("spool zip %s: %w", origin, err)
		}
		return zipDocuments(f, size, origin, each)
	case string(head) == "PAR1":
		return spoolParquet(br, origin, each)
	}
	return each(Document{Name: origin, R: br})
}

// zipDocuments gives every file of a zip archive (directories and
// __MACOSX resource forks skipped), in name order.
func zipDocuments(ra io.ReaderAt, size int64, origin string, each func(Document) error) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("zip %s: %w", origin, err)
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	n := 0
	for _, f := range files {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("zip %s: %s: %w", origin, f.Name, err)
		}
		compressed := int64(f.CompressedSize64)
		err = OpenDocuments(&expansionReader{r: rc, in: func() int64 { return compressed }}, origin+"!"+f.Name, each)
		rc.Close()
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%w: zip %s holds no file", ErrNotDECP, origin)
	}
	return nil
}

// OpenFile opens a path for IngestFile; zip files are read in place.
func OpenFile(path string, each func(Document) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if isZip(head[:n]) {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		return zipDocuments(f, st.Size(), path, each)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if string(head[:n]) == "PAR1" {
		return each(Document{Name: path, R: bufio.NewReaderSize(f, 1<<20), Path: path})
	}
	return OpenDocuments(f, path, each)
}

// spoolParquet copies a Parquet stream to a temporary file (its footer,
// at the end, says where its columns are) and gives it as a document.
func spoolParquet(r io.Reader, origin string, each func(Document) error) error {
	f, err := os.CreateTemp("", "vigie-decp-*.parquet")
	if err != nil {
		return fmt.Errorf("spool parquet %s: %w", origin, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("spool parquet %s: %w", origin, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return each(Document{Name: origin, R: bufio.NewReaderSize(f, 1<<20), Path: f.Name()})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// expansionReader passes a decompressed stream on until it grows beyond
// MaxExpansion times the compressed bytes read (in), past
// ExpansionFloor: then it ends with ErrExpansion, which the scanners
// treat as a cut (a compression bomb costs neither memory nor hours).
type expansionReader struct {
	r    io.Reader
	in   func() int64
	out  int64
	over bool
}

func (e *expansionReader) Read(p []byte) (int, error) {
	if e.over {
		return 0, ErrExpansion
	}
	n, err := e.r.Read(p)
	e.out += int64(n)
	if e.out > ExpansionFloor && e.out > MaxExpansion*max(e.in(), 1) {
		e.over = true
		return n, ErrExpansion
	}
	return n, err
}
