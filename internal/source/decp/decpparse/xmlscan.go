package decpparse

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigie-data/vigie/internal/source/charset"
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
	d.CharsetReader = charset.Reader // some producers write ISO-8859-1, -15 or windows-1252
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

// treeJSON is the JSON text of a tree, to quarantine or keep a record
// read from XML.
func treeJSON(tree any) []byte {
	b, err := json.Marshal(tree)
	if err != nil {
		return []byte(fmt.Sprint(tree))
	}
	return b
}
