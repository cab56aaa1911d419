package decpparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// jsonScanner walks a DECP JSON document without decoding it: it finds the
// records (elements of "marches", of "marches.marche" and
// "marches.contrat-concession", or of a top-level list) and cuts out the
// text of each one by counting brackets outside strings. A broken record
// therefore costs only itself: it goes to quarantine when decoded, and the
// walk goes on with the next one. Nothing is held but the current record,
// and of it at most MaxRecordBytes: a larger record, or one nested deeper
// than MaxDepth, is quarantined as it is found. A document cut short
// keeps its complete records; its cut tail is quarantined.
type jsonScanner struct {
	r     *bufio.Reader
	off   int64
	index int64
	emit  func(Record) error
	found bool
	buf   []byte
}

// ScanJSON calls emit with each record of a DECP JSON document, in
// order (see jsonScanner).
func ScanJSON(r io.Reader, emit func(Record) error) error {
	s := &jsonScanner{r: reader(r), emit: emit}
	if err := s.document(); !errors.Is(err, errStop) {
		return err
	}
	return nil
}

// document walks the envelope down to the lists of records.
func (s *jsonScanner) document() error {
	c, err := s.skipWS()
	if err != nil {
		return fmt.Errorf("%w: empty document", ErrNotDECP)
	}
	switch c {
	case '[':
		s.found = true
		return s.records("", "")
	case '{':
		if err := s.object(func(key string, first byte) error {
			switch key {
			case "marches":
				s.found = true
				switch first {
				case '[':
					return s.records("", "")
				case '{':
					return s.object(func(key string, first byte) error {
						return s.kindList(key, first, Schema2022)
					})
				}
				return s.skipRest(first)
			case "marche", "contrat-concession":
				s.found = true
				return s.kindList(key, first, Schema2022)
			}
			return s.skipRest(first)
		}); err != nil {
			return err
		}
		if !s.found {
			return fmt.Errorf("%w: a JSON object without \"marches\"", ErrNotDECP)
		}
		return nil
	}
	return fmt.Errorf("%w: JSON must start with { or [", ErrNotDECP)
}

// kindList reads the list under "marche" or "contrat-concession" (or a
// single record given as an object).
func (s *jsonScanner) kindList(key string, first byte, envelope string) error {
	kind := ""
	switch key {
	case "marche":
		kind = KindMarche
	case "contrat-concession":
		kind = KindConcession
	default:
		return s.skipRest(first)
	}
	switch first {
	case '[':
		return s.records(kind, envelope)
	case '{':
		return s.record('{', kind, envelope)
	}
	return s.skipRest(first)
}

func (s *jsonScanner) next() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return c, err
}

func (s *jsonScanner) skipWS() (byte, error) {
	for {
		c, err := s.next()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case 0xEF: // UTF-8 byte order mark
			if s.off == 1 {
				s.next()
				s.next()
				continue
			}
		}
		return c, nil
	}
}

// object walks the members of an object whose '{' was read, calling f with
// each key and the first byte of its value; f must consume the value.
func (s *jsonScanner) object(f func(key string, first byte) error) error {
	for {
		c, err := s.skipWS()
		if err != nil {
			return s.truncated(err)
		}
		switch c {
		case '}':
			return nil
		case ',':
			continue
		case '"':
		default:
			return fmt.Errorf("%w: unexpected %q at byte %d", ErrNotDECP, c, s.off-1)
		}
		key, err := s.key()
		if err != nil {
			return s.truncated(err)
		}
		if c, err = s.skipWS(); err != nil {
			return s.truncated(err)
		}
		if c != ':' {
			return fmt.Errorf("%w: expected ':' after %q at byte %d", ErrNotDECP, key, s.off-1)
		}
		first, err := s.skipWS()
		if err != nil {
			return s.truncated(err)
		}
		if err := f(key, first); err != nil {
			return err
		}
	}
}

func (s *jsonScanner) truncated(err error) error {
	switch {
	case s.found && cutShort(err):
		return s.cut(err)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("document ends early at byte %d", s.off)
	}
	return err
}

// cut ends a document whose end is missing once its records were found:
// the complete ones were emitted, its tail is quarantined.
func (s *jsonScanner) cut(err error) error {
	rec := Record{Index: s.index, Offset: s.off, Err: fmt.Errorf("document ends early at byte %d (%s): the rest of it is missing", s.off, cutReason(err))}
	s.index++
	if err := s.emit(rec); err != nil {
		return err
	}
	return errStop
}

// key reads an envelope key (after its opening quote). Envelope keys have
// no escapes worth decoding, and are short: of a longer one, the head is
// kept.
func (s *jsonScanner) key() (string, error) {
	var b []byte
	for {
		c, err := s.next()
		if err != nil {
			return "", err
		}
		switch c {
		case '"':
			return string(b), nil
		case '\\':
			c, err = s.next()
			if err != nil {
				return "", err
			}
		}
		if len(b) < 256 {
			b = append(b, c)
		}
	}
}

// records reads the elements of a list of records whose '[' was read.
func (s *jsonScanner) records(kind, envelope string) error {
	for {
		c, err := s.skipWS()
		if err != nil {
			return s.truncated(err)
		}
		switch c {
		case ']':
			return nil
		case ',':
			continue
		}
		if err := s.record(c, kind, envelope); err != nil {
			return err
		}
	}
}

// record cuts out one record whose first byte was read.
func (s *jsonScanner) record(first byte, kind, envelope string) error {
	rec := Record{Index: s.index, Offset: s.off - 1, Kind: kind, Envelope: envelope}
	s.index++
	body, depth, err := s.capture(first, true)
	switch {
	case err != nil:
		if !cutShort(err) {
			return err
		}
		rec.Body = bytes.Clone(body[:min(len(body), MaxQuarantinedBytes)])
		rec.Err = fmt.Errorf("record cut short at byte %d (%s)", s.off, cutReason(err))
		if e := s.emit(rec); e != nil {
			return e
		}
		return errStop
	case len(body) > MaxRecordBytes:
		rec.Err, rec.Body = errTooBig, bytes.Clone(body[:MaxQuarantinedBytes])
	case depth > MaxDepth:
		rec.Err, rec.Body = errTooDeep, bytes.Clone(body)
	default:
		rec.Text = string(body) // the one copy of the record's text
	}
	return s.emit(rec)
}

// errStop ends a walk early, after a truncated record was quarantined.
var errStop = errors.New("stop")

// capture reads the text of the value whose first byte was read, and
// tells how deep its objects and lists nest. The text is kept when keep
// is set, up to one byte past MaxRecordBytes (a longer value is read to
// its end, its head kept). The returned slice is the scanner's buffer:
// valid until the next capture. err is the failure to read, io.EOF when
// the input ends first.
func (s *jsonScanner) capture(first byte, keep bool) (text []byte, deepest int, err error) {
	b := append(s.buf[:0], first)
	defer func() { s.buf = b[:0] }()
	add := func(p []byte) {
		if keep {
			if room := MaxRecordBytes + 1 - len(b); room > 0 {
				b = append(b, p[:min(len(p), room)]...)
			}
		}
	}
	if first != '{' && first != '[' {
		if first == '"' {
			return b, 0, s.captureString(add)
		}
		for { // a bare value: up to the next delimiter
			c, err := s.r.ReadByte()
			if err != nil {
				return b, 0, nil
			}
			if c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				s.r.UnreadByte()
				return b, 0, nil
			}
			s.off++
			add([]byte{c})
		}
	}
	// Walk the buffered bytes in place, counting brackets outside
	// strings, and copy each buffered run at once.
	depth, deepest := 1, 1
	inString, escaped := false, false
	for depth > 0 {
		chunk, err := s.r.Peek(max(s.r.Buffered(), 1)) // Peek(1) refills an empty buffer
		if len(chunk) == 0 {
			return b, deepest, err
		}
		n := 0
		for n < len(chunk) && depth > 0 {
			c := chunk[n]
			n++
			switch {
			case escaped:
				escaped = false
			case inString:
				switch c {
				case '\\':
					escaped = true
				case '"':
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
				deepest = max(deepest, depth)
			case c == '}' || c == ']':
				depth--
			}
		}
		add(chunk[:n])
		s.r.Discard(n)
		s.off += int64(n)
	}
	return b, deepest, nil
}

// captureString passes a string's text to add up to and including its
// closing quote (the opening one was read).
func (s *jsonScanner) captureString(add func([]byte)) error {
	for {
		chunk, _ := s.r.Peek(s.r.Buffered())
		n := 0
		for n < len(chunk) && chunk[n] != '"' && chunk[n] != '\\' {
			n++
		}
		if n > 0 {
			add(chunk[:n])
			s.r.Discard(n)
			s.off += int64(n)
		}
		c, err := s.next()
		if err != nil {
			return err
		}
		add([]byte{c})
		switch c {
		case '"':
			return nil
		case '\\':
			c, err = s.next()
			if err != nil {
				return err
			}
			add([]byte{c})
		}
	}
}

// skipRest skips a value whose first byte was read, without keeping it.
func (s *jsonScanner) skipRest(first byte) error {
	_, _, err := s.capture(first, false)
	if errors.Is(err, io.EOF) {
		return s.truncated(err)
	}
	return err
}

// reader is r buffered: as it is when it is a bufio.Reader (of any size),
// else with a buffer of 1 MiB.
func reader(r io.Reader) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return br
	}
	return bufio.NewReaderSize(r, 1<<20)
}
