package clause

import (
	"crypto/sha256"
	"encoding/binary"
)

// The real-text corpus (testdata/clauses/real) is split by source
// document, so that excerpts of one notice never sit on both sides: a
// document is in the test part when the first 8 bytes of sha256(doc), read
// big-endian, are below 35 modulo 100; otherwise in the dev part. The rule
// was fixed before anyone read the texts; the test part is scored once per
// detector version and never read while tuning.
const (
	SplitDev  = "dev"
	SplitTest = "test"
	// TestShare is the percentage of documents the hash sends to test.
	TestShare = 35
)

// SplitOf returns SplitTest or SplitDev for a source document key.
func SplitOf(doc string) string {
	h := sha256.Sum256([]byte(doc))
	if binary.BigEndian.Uint64(h[:8])%100 < TestShare {
		return SplitTest
	}
	return SplitDev
}

// CaseSplit is the part a case belongs to. A case without a "doc" (the
// invented corpora, the seed examples of the guide) is not part of the
// real corpus's split and counts as dev.
func CaseSplit(c Case) string {
	if c.Doc == "" {
		return SplitDev
	}
	return SplitOf(c.Doc)
}
