package decpparse

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ScanXML walks a DECP XML document with xml.Decoder tokens: a <marches>
// root holding <marche> and <contrat-concession> elements, or a single
// <marche> or <contrat-concession> root. Each record is read into the same
// tree shape as JSON (elements with children become objects, a repeated
// child a list, text-only elements strings), so one mapping serves both.
func ScanXML(r io.Reader, emit func(Record) error) error {
	if err := scanXML(r, emit); !errors.Is(err, errStop) {
		return err
	}
	return nil
}

func scanXML(r io.Reader, emit func(Record) error) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = charsetReader
	var index int64
	read := func(se xml.StartElement, offset int64) error {
		kind := KindMarche
		if se.Name.Local == "contrat-concession" {
			kind = KindConcession
		}
		rec := Record{Index: index, Offset: offset, Kind: kind}
		index++
		tree, err := xmlElement(d)
		if err != nil {
			rec.Err = fmt.Errorf("XML record unreadable: %v", err)
			rec.Body = []byte(fmt.Sprintf("<%s> at byte %d", se.Name.Local, offset))
			if e := emit(rec); e != nil {
				return e
			}
			return errStop
		}
		rec.tree = tree
		return emit(rec)
	}
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			return fmt.Errorf("%w: XML without a <marches>, <marche> or <contrat-concession> element", ErrNotDECP)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotDECP, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "marche", "contrat-concession":
			return read(se, offset)
		case "marches":
		default:
			return fmt.Errorf("%w: XML root element <%s>", ErrNotDECP, se.Name.Local)
		}
		for {
			offset := d.InputOffset()
			tok, err := d.Token()
			if err != nil {
				if err == io.EOF {
					return nil // a <marches> not closed: every complete record was read
				}
				return fmt.Errorf("XML unreadable after byte %d: %w", offset, err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "marche", "contrat-concession":
					if err := read(t, offset); err != nil {
						return err
					}
				default:
					if err := d.Skip(); err != nil {
						return fmt.Errorf("XML unreadable after byte %d: %w", offset, err)
					}
				}
			case xml.EndElement:
				return nil
			}
		}
	}
}

// xmlElement reads the element whose start was read, into a tree.
func xmlElement(d *xml.Decoder) (any, error) {
	var obj *object
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child, err := xmlElement(d)
			if err != nil {
				return nil, err
			}
			if obj == nil {
				obj = &object{}
			}
			name := t.Name.Local
			// A repeated element makes a list.
			if i := obj.index(name); i >= 0 {
				if l, ok := obj.members[i].v.([]any); ok {
					obj.members[i].v = append(l, child)
				} else {
					obj.members[i].v = []any{obj.members[i].v, child}
				}
			} else {
				obj.members = append(obj.members, member{name, child})
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if obj != nil {
				return obj, nil
			}
			return strings.TrimSpace(text.String()), nil
		}
	}
}

// charsetReader accepts the Latin-1 declarations some producers write.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8":
		return r, nil
	case "iso-8859-1", "iso-8859-15", "latin1", "latin-1", "windows-1252", "cp1252":
		return &latin1Reader{r: r}, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", label)
}

// latin1Reader converts Latin-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if cap(l.buf) == 0 {
			l.buf = make([]byte, 32<<10)
		}
		n, err := l.r.Read(l.buf[:cap(l.buf)])
		for _, c := range l.buf[:n] {
			if c < 0x80 {
				l.out = append(l.out, c)
			} else {
				l.out = append(l.out, 0xC0|c>>6, 0x80|c&0x3F)
			}
		}
		if err != nil && len(l.out) == 0 {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// treeJSON is the JSON text of a tree, to quarantine or keep a record
// read from XML.
func treeJSON(tree any) []byte {
	b, err := json.Marshal(tree)
	if err != nil {
		return []byte(fmt.Sprint(tree))
	}
	return b
}
