package clause

import "unicode/utf8"

// folded is a text lowered and stripped of accents, with typographic
// apostrophes, dashes and spaces made plain ASCII, so that the rules are
// written once for every spelling ("Marché réservé", "MARCHE RESERVE",
// "marché‑réservé"). pos maps each folded byte back to the index of the
// rune of the original text it came from; pos[len(b)] is the rune count.
type folded struct {
	b    []byte
	pos  []int32
	bpos []int32 // byte offset in the original of the rune each folded byte came from
}

// foldTable maps runes below 0x250 (Latin-1 and Latin Extended-A/B) to their
// folded form; other runes are looked up in foldExtra. Built once.
var foldTable [0x250]string

var foldExtra = map[rune]string{
	'\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u00b4': "'", '\u02bc': "'",
	'\u201c': "\"", '\u201d': "\"", '\u201e': "\"", '\u00ab': "\"", '\u00bb': "\"",
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2013': "-", '\u2014': "-", '\u2015': "-", '\u2212': "-",
	'\u00a0': " ", '\u202f': " ", '\u2007': " ", '\u2009': " ", '\u200a': " ", '\u2002': " ", '\u2003': " ",
	'\u2022': "-", '\u2026': ".", '\u00b0': "o", '\u00ba': "o",
	// a replacement character in French text mostly stood for "é"
	// ("MARCH\ufffd R\ufffdSERV\ufffd")
	'\ufffd': "e",
}

func init() {
	for r := rune(0); r < 0x250; r++ {
		switch {
		case r < 0x80:
			c := byte(r)
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c == '\t' || c == '\r' {
				c = ' '
			}
			foldTable[r] = string(rune(c))
			continue
		}
		foldTable[r] = " "
	}
	set := func(s string, to string) {
		for _, r := range s {
			foldTable[r] = to
		}
	}
	set("àáâãäåÀÁÂÃÄÅāĀăĂąĄ", "a")
	set("çÇćĆĉĈċĊčČ", "c")
	set("èéêëÈÉÊËēĒĕĔėĖęĘěĚ", "e")
	set("ìíîïÌÍÎÏĩĨīĪĭĬįĮıİ", "i")
	set("ñÑńŃņŅňŇ", "n")
	set("òóôõöøÒÓÔÕÖØōŌŏŎőŐ", "o")
	set("ùúûüÙÚÛÜũŨūŪŭŬůŮűŰųŲ", "u")
	set("ýÿÝŸŷŶ", "y")
	set("œŒ", "oe")
	set("æÆ", "ae")
	set("ß", "ss")
	set("ðÐďĎđĐ", "d")
	set("šŠśŚŝŜşŞ", "s")
	set("žŽźŹżŻ", "z")
	set("ĝĜğĞġĠģĢ", "g")
	set("ĥĤħĦ", "h")
	set("ĵĴ", "j")
	set("ķĶ", "k")
	set("ĺĹļĻľĽŀĿłŁ", "l")
	set("ŕŔŗŖřŘ", "r")
	set("ţŢťŤŧŦ", "t")
	set("ŵŴ", "w")
	for r, s := range foldExtra {
		if r < 0x250 {
			foldTable[r] = s
		}
	}
}

// fold fills f from text, reusing f's buffers.
func (f *folded) fold(text string) {
	// A folded text is never longer than the original (every rune folds
	// to at most as many bytes as it is encoded in), so the buffers are
	// sized once and written by index.
	n := len(text)
	if cap(f.b) < n {
		f.b = make([]byte, n)
	}
	if cap(f.pos) < n+1 {
		f.pos = make([]int32, n+1)
		f.bpos = make([]int32, n+1)
	}
	b, pos, bpos := f.b[:n], f.pos[:n+1], f.bpos[:n+1]
	k := 0
	ri := int32(0)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			b[k], pos[k], bpos[k] = asciiFold[c], ri, int32(i)
			k++
			i++
			ri++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		var s string
		if r < 0x250 {
			s = foldTable[r]
		} else if x, ok := foldExtra[r]; ok {
			s = x
		} else {
			s = " "
		}
		for j := 0; j < len(s); j++ {
			b[k], pos[k], bpos[k] = s[j], ri, int32(i)
			k++
		}
		i += size
		ri++
	}
	pos[k], bpos[k] = ri, int32(len(text))
	f.b, f.pos, f.bpos = b[:k], pos[:k+1], bpos[:k+1]
}

// asciiFold lowers ASCII letters and makes tabs and carriage returns spaces.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c) + 'a' - 'A'
	}
	t['\t'], t['\r'] = ' ', ' '
	return t
}()

// runeSpan converts a folded byte span to rune offsets into the original.
func (f *folded) runeSpan(start, end int) (int, int) {
	s := int(f.pos[start])
	if end <= start {
		return s, s
	}
	// end is exclusive: the rune after the last matched byte's rune.
	return s, int(f.pos[end-1]) + 1
}

// original returns the original text of the folded span [start, end):
// from the rune of its first byte to the end of the rune of its last.
func (f *folded) original(text string, start, end int) string {
	if end <= start {
		return ""
	}
	bs := int(f.bpos[start])
	last := int(f.bpos[end-1])
	_, size := utf8.DecodeRuneInString(text[last:])
	return text[bs : last+size]
}
