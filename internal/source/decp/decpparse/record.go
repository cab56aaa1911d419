package decpparse

import (
	"time"

	"github.com/cespare/xxhash/v2"
)

// Record is one record as a scanner cut it out of a document, before
// parsing.
type Record struct {
	Index    int64    // 0-based rank in the document
	Offset   int64    // byte offset of its first byte (in the decompressed stream)
	Kind     string   // the kind the envelope tells, or ""
	Envelope string   // Schema2022 when the envelope is the 2022 one
	Text     string   // the JSON text of the record
	Body     []byte   // what was read of a record that could not be cut out
	Err      error    // when set, the record could not be cut out: quarantine it
	Origin   string   // the document it came from (set by the caller)
	Format   string   // FormatJSON or FormatXML (set by the caller)
	Where    string   // the position to report, when not "record N, byte B" (tabular rows, provenance)
	Flags    []string // quality flags the scanner adds (tabular repairs)
	tree     any      // XML: the record already read into a tree
	repairs  repairs  // what the scanner read leniently (XML)
}

// Parsed is a record after parsing: its contract, or why it has none.
type Parsed struct {
	Contract *Contract // nil when Err is set
	Err      error     // the quarantine reason
	// Text is the record's text (JSON; a record read from XML re-encoded
	// as JSON), which the contract's strings share.
	Text    string
	Key     uint64 // KeyHash of the contract
	Version uint64 // Version of the contract
}

// Decoder parses records one at a time: each parse worker has its own,
// whose arena holds the current record's tree.
type Decoder struct {
	tree *treeDecoder
}

// NewDecoder returns a decoder that reuses its memory from record to
// record.
func NewDecoder() *Decoder { return &Decoder{tree: newTreeDecoder()} }

// Parse decodes and maps one record (a nil Decoder allocates for this
// record alone). now is the day of ingestion (dates after it are
// flagged). The record's text and tree move to Parsed.Text (rec keeps
// neither), and the tree is released once mapped: the contract keeps only
// strings, which share Parsed.Text.
func (d *Decoder) Parse(rec *Record, now time.Time) Parsed {
	var p Parsed
	if rec.Err != nil {
		p.Err = rec.Err
		return p
	}
	tree, rep := rec.tree, rec.repairs
	rec.tree = nil
	if tree == nil {
		p.Text, rec.Text = rec.Text, ""
		dec := &treeDecoder{}
		if d != nil {
			dec = d.tree
		}
		var err error
		tree, err = dec.decode(p.Text)
		defer dec.release()
		if err != nil {
			p.Err = treeError(err)
			return p
		}
		rep |= dec.repairs
	} else {
		p.Text = string(treeJSON(tree))
	}
	c, err := parseRecord(tree, rec.Kind, rec.Envelope, now)
	if err != nil {
		p.Err = err
		return p
	}
	c.QualityFlags = append(c.QualityFlags, rep.flags()...)
	c.QualityFlags = append(c.QualityFlags, rec.Flags...)
	p.Contract = c
	p.Key = KeyHash(c.Buyer.SIRET, c.ID)
	p.Version = Version(c.LastPublished, c.ContentHash)
	return p
}

// KeyHash is the identity of a contract as stored in contracts.key_hash:
// xxhash64 of buyer SIRET, NUL, contract id.
func KeyHash(siret, id string) uint64 {
	d := xxhash.New()
	d.WriteString(siret)
	d.Write([]byte{0})
	d.WriteString(id)
	return d.Sum64()
}

// Version orders the publications of a contract: the day of its latest
// publication in the high bits (none = 0, older than any date), the
// content hash in the low 40 bits, so that two different records of the
// same day resolve the same way whatever the order they are read in, and
// the same record read again gives the same version.
func Version(published *time.Time, contentHash uint64) uint64 {
	var days uint64
	if published != nil {
		days = uint64(published.Unix()/86400) + 1
	}
	return days<<40 | contentHash&(1<<40-1)
}
