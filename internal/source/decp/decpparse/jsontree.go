package decpparse

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// treeDecoder decodes records one at a time; each parse worker has one,
// whose arena holds the current record's tree (release frees it).
type treeDecoder struct {
	arena   *treeArena // nil: trees are allocated one by one
	kv      []member   // members of the objects being read
	vs      []any      // items of the lists being read
	repairs repairs    // what the last decode read leniently
}

// repairs are what a decoder read leniently, where encoding/json would
// refuse the record: each becomes a quality flag of the contract.
type repairs uint8

const (
	repairNaN       repairs = 1 << iota // a bare NaN or Infinity, read as null
	repairControl                       // raw control characters in a string, removed
	repairBigNumber                     // a number out of float64's range, kept as text
)

// flags are the quality flags of r.
func (r repairs) flags() []string {
	var out []string
	if r&repairNaN != 0 {
		out = append(out, FlagNaN)
	}
	if r&repairControl != 0 {
		out = append(out, FlagControlChars)
	}
	return out
}

func newTreeDecoder() *treeDecoder {
	return &treeDecoder{arena: &treeArena{}}
}

// decode reads one record's JSON text into the generic tree that
// parseRecord maps (*object, lists, strings, numbers, bool, nil; see
// treeArena for the pointer forms), as encoding/json would read it (with
// objects for maps), several times faster: strings without escapes
// (values and keys) are substrings of text, not copies. Any input it does
// not accept goes to encoding/json, so that accepted trees and error
// messages are encoding/json's own.
//
// Where encoding/json would refuse the whole record, decode is lenient
// and says so (d.repairs): what real files carry — bare NaN and
// Infinity (read as null), raw control characters in strings (removed;
// tab, newline and carriage return become spaces) — and numbers out of
// float64's range (kept as text: the field is flagged, not the record).
// A record nested deeper than MaxDepth is refused.
func (d *treeDecoder) decode(text string) (any, error) {
	p := treeParser{s: text, kv: d.kv[:0], vs: d.vs[:0], arena: d.arena}
	v, ok := p.value()
	// Keep the stacks for the next record, without its values.
	clear(p.kv[:cap(p.kv)])
	clear(p.vs[:cap(p.vs)])
	d.kv, d.vs = p.kv[:0], p.vs[:0]
	d.repairs = p.repairs
	if p.tooDeep {
		return nil, errTooDeep
	}
	if ok {
		p.ws()
		ok = p.i == len(p.s)
	}
	if !ok {
		d.repairs = 0
		var tree any
		if err := json.Unmarshal([]byte(text), &tree); err != nil {
			return nil, err
		}
		return fromStd(tree), nil
	}
	return v, nil
}

// release frees the last record's tree for the next one.
func (d *treeDecoder) release() {
	if d != nil {
		d.arena.release()
	}
}

type treeParser struct {
	s       string
	i       int
	kv      []member // members of the objects being read
	vs      []any    // items of the lists being read
	arena   *treeArena
	depth   int
	tooDeep bool
	repairs repairs
}

func (p *treeParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *treeParser) value() (any, bool) {
	p.ws()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.str()
		return p.arena.str(s), ok
	case c == 't':
		return true, p.lit("true")
	case c == 'f':
		return false, p.lit("false")
	case c == 'n':
		return nil, p.lit("null")
	case c == 'N', c == 'I', c == '-' && p.i+1 < len(p.s) && p.s[p.i+1] == 'I':
		return p.nan()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

// nan reads a bare NaN, Infinity or -Infinity (Python's json writes
// them) as null.
func (p *treeParser) nan() (any, bool) {
	for _, w := range []string{"NaN", "Infinity", "-Infinity"} {
		if p.lit(w) {
			p.repairs |= repairNaN
			return nil, true
		}
	}
	return nil, false
}

// enter and leave count the depth of the objects and lists being read.
func (p *treeParser) enter() bool {
	if p.depth++; p.depth > MaxDepth {
		p.tooDeep = true
		return false
	}
	return true
}

func (p *treeParser) leave() { p.depth-- }

func (p *treeParser) lit(w string) bool {
	if len(p.s)-p.i >= len(w) && p.s[p.i:p.i+len(w)] == w {
		p.i += len(w)
		return true
	}
	return false
}

// object reads the members of an object onto the parser's stack first,
// so that its map is made at its final size (growing maps was most of
// the decoding's allocations).
func (p *treeParser) object() (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	p.i++ // {
	base := len(p.kv)
	defer func() { p.kv = p.kv[:base] }()
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return p.arena.object(nil), true
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.key()
		if !ok {
			return nil, false
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.kv = append(p.kv, member{k, v})
		p.ws()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return p.arena.object(p.kv[base:]), true
		default:
			return nil, false
		}
	}
}

// key reads an object's key. Keys are not interned: like the values,
// they live as long as the record's tree and are only compared.
func (p *treeParser) key() (string, bool) { return p.str() }

func (p *treeParser) array() (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	p.i++ // [
	base := len(p.vs)
	defer func() { p.vs = p.vs[:base] }()
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return p.arena.list(nil), true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.vs = append(p.vs, v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return p.arena.list(p.vs[base:]), true
		default:
			return nil, false
		}
	}
}

// str reads a string whose opening quote is at p.i. A string of plain
// ASCII without escapes is returned as a substring; anything else is left
// to strconv-like decoding below.
func (p *treeParser) str() (string, bool) {
	start := p.i + 1
	j := start
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			return p.s[start:j], true
		case c == '\\' || c >= utf8.RuneSelf || c < 0x20:
			return p.slowStr(start)
		}
		j++
	}
	return "", false
}

// slowStr decodes a string with escapes or non-ASCII text as
// encoding/json does: invalid UTF-8 and lone surrogates become U+FFFD.
func (p *treeParser) slowStr(start int) (string, bool) {
	// Find the end first: the text up to the closing quote.
	j := start
	plain := true // valid UTF-8 without escapes: a substring will do
	for {
		if j >= len(p.s) {
			return "", false
		}
		c := p.s[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			plain = false
			j++
			continue
		}
		if c == '\\' {
			plain = false
			j += 2
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(p.s[j:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			j += size
			continue
		}
		j++
	}
	if j > len(p.s) {
		return "", false
	}
	raw := p.s[start:j]
	p.i = j + 1
	if plain {
		return raw, true
	}
	b := make([]byte, 0, len(raw)+8)
	for k := 0; k < len(raw); {
		c := raw[k]
		switch {
		case c == '\\':
			if k+1 >= len(raw) {
				return "", false
			}
			e := raw[k+1]
			k += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(raw, k)
				if !ok {
					return "", false
				}
				k += 4
				if r >= 0xD800 && r < 0xDC00 { // high surrogate: a pair, or U+FFFD
					if k+6 <= len(raw) && raw[k] == '\\' && raw[k+1] == 'u' {
						if r2, ok := hex4(raw, k+2); ok && r2 >= 0xDC00 && r2 < 0xE000 {
							r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
							k += 6
							b = utf8.AppendRune(b, r)
							continue
						}
					}
					r = utf8.RuneError
				} else if r >= 0xDC00 && r < 0xE000 {
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", false
			}
		case c < 0x20: // a raw control character: removed
			p.repairs |= repairControl
			if c == '\t' || c == '\n' || c == '\r' {
				b = append(b, ' ')
			}
			k++
		case c < utf8.RuneSelf:
			b = append(b, c)
			k++
		default:
			r, size := utf8.DecodeRuneInString(raw[k:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, raw[k:k+size]...)
			}
			k += size
		}
	}
	return string(b), true
}

func hex4(s string, k int) (rune, bool) {
	if k+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[k : k+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number with JSON's grammar (no leading zeros, no '+',
// digits on both sides of '.') as a float64.
func (p *treeParser) number() (any, bool) {
	start := p.i
	j := p.i
	if p.s[j] == '-' {
		j++
	}
	digits := func() int {
		n := 0
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
			n++
		}
		return n
	}
	if j < len(p.s) && p.s[j] == '0' {
		j++
	} else if digits() == 0 {
		return nil, false
	}
	if j < len(p.s) && p.s[j] == '.' {
		j++
		if digits() == 0 {
			return nil, false
		}
	}
	if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
		j++
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(p.s[start:j], 64)
	p.i = j
	if err != nil { // out of range (the grammar was checked above)
		p.repairs |= repairBigNumber
		return bigNumber(p.s[start:j]), true
	}
	return p.arena.num(f), true
}

// bigNumber is a number of a tree out of float64's range (1e400, a
// thousand digits), kept as its text: a field that holds one is flagged
// as a wrong type would be (number reads it as no number).
type bigNumber string

// treeError is the quarantine reason of a record that is not JSON.
func treeError(err error) error {
	if err == errTooDeep {
		return err
	}
	return fmt.Errorf("broken JSON record: %v", err)
}
