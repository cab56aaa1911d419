// Package boamp ingests BOAMP notices — from the Opendatasoft API (day
// windows, pages, exports beyond 10 000), from the DILA open-data
// archives, and from local files — into the notice model, with the
// detector's findings, in the store.
package boamp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/doctree"
	"github.com/vigie-data/vigie/internal/store"
)

// Where the data is published.
const (
	DefaultAPIBase     = "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp"
	DefaultArchiveBase = "https://echanges.dila.gouv.fr/OPENDATA/BOAMP/"
)

// Options of a run.
type Options struct {
	RunID    string
	Progress *ingest.Progress // may be nil
}

// IngestFiles reads API JSON (a {"results": [...]} page or an exports
// array) and XML notices (BOAMP or eForms), files or directories.
func IngestFiles(ctx context.Context, st *store.Store, paths []string, opts Options) (ingest.Summary, error) {
	start := time.Now()
	s := newSink(st, "boamp", opts)
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return s.sum, fmt.Errorf("boamp input: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(path))
			if !d.IsDir() && (ext == ".json" || ext == ".xml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return s.sum, fmt.Errorf("boamp input %s: %w", p, err)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return s.sum, err
		}
		if err := ingestFile(ctx, s, f); err != nil {
			return s.sum, err
		}
	}
	return s.finish(ctx, start)
}

func ingestFile(ctx context.Context, s *sink, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("boamp input: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return s.bad(ctx, nil, path, "0", fmt.Errorf("empty file"))
	}
	if first == '<' {
		return ingestXML(ctx, s, br, path, "")
	}
	return ingestJSON(ctx, s, br, path)
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.ReadByte()
		case 0xEF: // UTF-8 byte order mark
			br.Discard(3)
		default:
			return b[0], nil
		}
	}
}

// ingestXML reads one XML notice; it is kept whole (it is small) as its raw document.
func ingestXML(ctx context.Context, s *sink, r io.Reader, origin, position string) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", origin, err)
	}
	root, err := doctree.ParseXML(bytes.NewReader(raw))
	if err != nil {
		return s.bad(ctx, raw, origin, position, err)
	}
	n, err := ParseXML(root)
	if err != nil {
		return s.bad(ctx, raw, origin, position, err)
	}
	format := "boamp-xml"
	if n.Format == "eforms" {
		format = "eforms-xml"
	}
	return s.add(ctx, n, raw, format, origin, position)
}

// ingestJSON streams the records of an API page ({"results": [...]},
// any other keys skipped) or an exports array, one record at a time.
func ingestJSON(ctx context.Context, s *sink, r io.Reader, origin string) error {
	d := json.NewDecoder(r)
	tok, err := d.Token()
	if err != nil {
		return s.bad(ctx, nil, origin, "0", fmt.Errorf("not JSON: %w", err))
	}
	switch tok {
	case json.Delim('['):
		_, err := records(ctx, s, d, origin, 0, nil)
		return err
	case json.Delim('{'):
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return s.bad(ctx, nil, origin, "offset "+strconv.FormatInt(d.InputOffset(), 10), err)
			}
			if k, _ := kt.(string); k == "results" {
				if t, err := d.Token(); err != nil || t != json.Delim('[') {
					return s.bad(ctx, nil, origin, "results", fmt.Errorf("results is not a list"))
				}
				if _, err := records(ctx, s, d, origin, 0, nil); err != nil {
					return err
				}
				continue
			}
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return s.bad(ctx, nil, origin, "offset "+strconv.FormatInt(d.InputOffset(), 10), err)
			}
		}
		return nil
	}
	return s.bad(ctx, nil, origin, "0", fmt.Errorf("expected an object or an array"))
}

// records reads the elements of a JSON array (after its '[') as API
// records; seen, when not nil, skips ids already read in this window.
// A cut or malformed stream is quarantined at its position and ends the
// array. It returns how many elements were read.
func records(ctx context.Context, s *sink, d *json.Decoder, origin string, base int, seen map[string]bool) (int, error) {
	i := 0
	for d.More() {
		pos := "record " + strconv.Itoa(base+i)
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return i, s.bad(ctx, nil, origin, pos, fmt.Errorf("malformed JSON: %w", err))
		}
		i++
		n, err := ParseRecord(raw)
		if err != nil {
			if err := s.bad(ctx, raw, origin, pos, err); err != nil {
				return i, err
			}
			continue
		}
		if seen != nil {
			if seen[n.ID] {
				s.sum.RecordsRead++
				s.sum.Duplicates++
				continue
			}
			seen[n.ID] = true
		}
		if err := s.add(ctx, n, raw, "boamp-api-json", origin, pos); err != nil {
			return i, err
		}
	}
	_, err := d.Token() // ]
	if err != nil {
		return i, s.bad(ctx, nil, origin, "record "+strconv.Itoa(base+i), fmt.Errorf("array not closed: %w", err))
	}
	return i, nil
}
