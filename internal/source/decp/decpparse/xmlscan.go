package decpparse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/vigie-data/vigie/internal/source/charset"
)

// ScanXML walks a DECP XML document: a <marches> root holding <marche>
// and <contrat-concession> elements, or a single <marche> or
// <contrat-concession> root. It cuts each record's bytes out of the
// stream by counting tags (comments, CDATA and processing instructions
// skipped), then reads the record alone with an xml.Decoder into the same
// tree shape as JSON (elements with children become objects, a repeated
// child a list, text-only elements strings), so one mapping serves both.
// A record that cannot be read (a broken tag, an illegal character) costs
// only itself: it is quarantined, and the scanner goes on with the next
// one. A document cut short keeps its complete records; its cut tail is
// quarantined.
func ScanXML(r io.Reader, emit func(Record) error) error {
	s := &xmlScanner{r: reader(r), emit: emit}
	if err := s.document(); !errors.Is(err, errStop) {
		return err
	}
	return nil
}

type xmlScanner struct {
	r        *bufio.Reader
	off      int64
	index    int64
	emit     func(Record) error
	encoding string // declared in the prolog; "" for UTF-8
	buf      []byte // the record being cut out
	keep     bool   // append what is read to buf
	tag      []byte // the last tag read, from its name on (its head, when long)
}

// xmlDecl finds the encoding an XML declaration gives.
var xmlDecl = regexp.MustCompile(`encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// document reads the prolog, then the root: one record, or the records
// under <marches>.
func (s *xmlScanner) document() error {
	for {
		c, err := s.untilMarkup()
		if err != nil {
			return fmt.Errorf("%w: XML without a <marches>, <marche> or <contrat-concession> element", ErrNotDECP)
		}
		start := s.off - 2 // the '<'
		name, self, err := s.markup(c)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotDECP, err)
		}
		switch kind := recordKind(name); {
		case name == "" || name[0] == '/':
			continue // the declaration, a comment, a doctype
		case kind != "":
			return s.record(kind, start, self)
		case localName(name) != "marches":
			return fmt.Errorf("%w: XML root element <%s>", ErrNotDECP, localName(name))
		case self:
			return nil // <marches/>: no record
		}
		return s.records()
	}
}

// records reads the children of <marches>: the records, and other
// elements skipped.
func (s *xmlScanner) records() error {
	for {
		c, err := s.untilMarkup()
		if err != nil {
			return s.cut(err, "</marches> missing")
		}
		start := s.off - 2 // the '<'
		name, self, err := s.markup(c)
		if err != nil {
			return s.cut(err, "</marches> missing")
		}
		switch kind := recordKind(name); {
		case name == "":
		case name[0] == '/':
			return nil // </marches>
		case kind != "":
			if err := s.record(kind, start, self); err != nil {
				return err
			}
		case !self:
			if _, err := s.element(); err != nil {
				return s.cut(err, "</marches> missing")
			}
		}
	}
}

// cut ends a document whose end is missing: its complete records were
// emitted, its tail is quarantined. A failure to read (other than the
// end of the input) is returned.
func (s *xmlScanner) cut(err error, what string) error {
	if !cutShort(err) {
		return err
	}
	rec := Record{Index: s.index, Offset: s.off, Err: fmt.Errorf("document ends early at byte %d (%s): %s", s.off, cutReason(err), what)}
	s.index++
	if err := s.emit(rec); err != nil {
		return err
	}
	return errStop
}

// record cuts out the record whose start tag was read (from byte start)
// and emits it, read or quarantined.
func (s *xmlScanner) record(kind string, start int64, self bool) error {
	rec := Record{Index: s.index, Offset: start, Kind: kind}
	s.index++
	s.buf = append(append(s.buf[:0], '<'), s.tag...)
	depth := 1
	var err error
	if !self {
		s.keep = true
		depth, err = s.element()
		s.keep = false
	}
	body := s.buf
	s.buf = s.buf[:0]
	switch {
	case err != nil:
		if !cutShort(err) {
			return err
		}
		rec.Err = fmt.Errorf("record cut short at byte %d (%s)", s.off, cutReason(err))
		rec.Body = bytes.Clone(body)
		if e := s.emit(rec); e != nil {
			return e
		}
		return errStop
	case len(body) > MaxRecordBytes:
		rec.Err, rec.Body = errTooBig, bytes.Clone(body[:MaxQuarantinedBytes])
	case depth > MaxDepth:
		rec.Err, rec.Body = errTooDeep, bytes.Clone(body)
	default:
		rec.tree, rec.repairs, rec.Err = s.read(body)
		if rec.Err != nil {
			rec.Body = bytes.Clone(body)
		}
	}
	return s.emit(rec)
}

// read reads one record's bytes into a tree. Invalid UTF-8 becomes U+FFFD
// (flagged mojibake by the mapping, as JSON's decoding does) and control
// characters XML forbids are removed (flagged): neither costs the record.
func (s *xmlScanner) read(b []byte) (any, repairs, error) {
	var rep repairs
	if s.encoding == "" && !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if i := bytes.IndexFunc(b, illegalControl); i >= 0 {
		b = bytes.Map(func(r rune) rune {
			if illegalControl(r) {
				return -1
			}
			return r
		}, b)
		rep |= repairControl
	}
	var in io.Reader = bytes.NewReader(b)
	if s.encoding != "" {
		in = io.MultiReader(strings.NewReader(`<?xml version="1.0" encoding="`+s.encoding+`"?>`), in)
	}
	d := xml.NewDecoder(in)
	d.Strict = false
	d.CharsetReader = charset.Reader // some producers write ISO-8859-1, -15 or windows-1252
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, 0, fmt.Errorf("XML record unreadable: %v", err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			break
		}
	}
	tree, err := xmlElement(d)
	if err != nil {
		return nil, 0, fmt.Errorf("XML record unreadable: %v", err)
	}
	return tree, rep, nil
}

func illegalControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }

// element reads up to the end of the element whose start tag was read,
// and returns the deepest nesting seen in it (1: no child).
func (s *xmlScanner) element() (deepest int, err error) {
	depth := 1
	deepest = 1
	for depth > 0 {
		c, err := s.untilMarkup()
		if err != nil {
			return deepest, err
		}
		name, self, err := s.markup(c)
		if err != nil {
			return deepest, err
		}
		switch {
		case name == "", self:
		case name[0] == '/':
			depth--
		default:
			depth++
			deepest = max(deepest, depth)
		}
	}
	return deepest, nil
}

// untilMarkup reads up to the next '<' that starts markup (a '<' followed
// by a space is text, however invalid) and returns the byte after it.
func (s *xmlScanner) untilMarkup() (byte, error) {
	for {
		chunk, _ := s.r.Peek(max(s.r.Buffered(), 1))
		if len(chunk) == 0 {
			_, err := s.r.ReadByte()
			return 0, err
		}
		i := bytes.IndexByte(chunk, '<')
		if i < 0 {
			s.take(len(chunk))
			continue
		}
		s.take(i + 1)
		c, err := s.next()
		if err != nil {
			return 0, err
		}
		if c == '/' || c == '!' || c == '?' || c == '_' || c == ':' || c >= 0x80 ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c, nil
		}
	}
}

// markup reads the rest of a markup whose '<' and first byte c were read.
// name is the tag's name ("/name" for an end tag), "" for a comment,
// CDATA, a declaration or a processing instruction; self tells an empty
// element (<x/>).
func (s *xmlScanner) markup(c byte) (name string, self bool, err error) {
	switch c {
	case '?':
		text, err := s.until("?>")
		if s.index == 0 && s.encoding == "" && bytes.HasPrefix(text, []byte("xml")) {
			if m := xmlDecl.FindSubmatch(text); m != nil && !strings.EqualFold(string(m[1]), "utf-8") &&
				!strings.EqualFold(string(m[1]), "utf8") {
				s.encoding = string(m[1])
			}
		}
		return "", false, err
	case '!':
		head, _ := s.r.Peek(7)
		end := ">" // a doctype
		switch {
		case bytes.HasPrefix(head, []byte("--")):
			end = "-->"
		case bytes.HasPrefix(head, []byte("[CDATA[")):
			end = "]]>"
		}
		_, err := s.until(end)
		return "", false, err
	}
	// A tag: its name, then its attributes up to '>' (quoted values may
	// hold '>').
	var nb []byte
	nb = append(nb, c)
	s.tag = append(s.tag[:0], c)
	quote := byte(0)
	inName := true
	last := byte(0)
	for {
		c, err := s.next()
		if err != nil {
			return "", false, err
		}
		if len(s.tag) < 64<<10 {
			s.tag = append(s.tag, c)
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return string(nb), last == '/' && nb[0] != '/', nil
		case inName && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/'):
			inName = false
		case inName && len(nb) < 256:
			nb = append(nb, c)
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			last = c
		}
	}
}

// until reads up to and including end; it returns the text before end,
// when it is short (declarations).
func (s *xmlScanner) until(end string) ([]byte, error) {
	var text []byte
	matched := 0
	for {
		c, err := s.next()
		if err != nil {
			return text, err
		}
		if len(text) < 512 {
			text = append(text, c)
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
		if matched == len(end) {
			if len(text) >= len(end) {
				text = text[:len(text)-len(end)]
			}
			return text, nil
		}
	}
}

func (s *xmlScanner) next() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	s.off++
	if s.keep && len(s.buf) <= MaxRecordBytes {
		s.buf = append(s.buf, c)
	}
	return c, nil
}

// take consumes n buffered bytes.
func (s *xmlScanner) take(n int) {
	if s.keep {
		b, _ := s.r.Peek(n)
		s.append(b)
	}
	s.r.Discard(n)
	s.off += int64(n)
}

// append keeps bytes of the record being cut out, up to one past
// MaxRecordBytes (what is kept of a larger record is its head).
func (s *xmlScanner) append(b []byte) {
	if room := MaxRecordBytes + 1 - len(s.buf); room > 0 {
		s.buf = append(s.buf, b[:min(len(b), room)]...)
	}
}

// recordKind is the kind of a record element's name, "" for any other.
func recordKind(name string) string {
	switch localName(name) {
	case "marche":
		return KindMarche
	case "contrat-concession":
		return KindConcession
	}
	return ""
}

// localName drops a namespace prefix.
func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
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

// IsCut tells the end of an input read too early (a file cut, a
// compressed stream cut, one expanding beyond MaxExpansion) from a
// failure to read: the scanners quarantine a cut tail and go on.
func IsCut(err error) bool { return cutShort(err) }

func cutShort(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrExpansion)
}

func cutReason(err error) string {
	if errors.Is(err, io.EOF) {
		return "end of input"
	}
	return err.Error()
}
