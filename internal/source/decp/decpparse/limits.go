package decpparse

import (
	"errors"
	"fmt"
)

// Limits on what one record may cost, whatever the input: a record over
// one of them is quarantined (with what was read of it, up to
// MaxQuarantinedBytes) and the document goes on with the next record;
// a document expanding beyond MaxExpansion is read no further, its tail
// quarantined. Real DECP records are a few kilobytes, nested 6 levels
// at most; real compressed files expand 5 to 30 times.
const (
	// MaxRecordBytes bounds the text of one record.
	MaxRecordBytes = 1 << 20
	// MaxDepth bounds the nesting of objects and lists (or XML elements)
	// in a record.
	MaxDepth = 64
	// MaxExpansion bounds how many times larger a compressed document
	// may grow once decompressed (beyond its first ExpansionFloor bytes).
	MaxExpansion = 200
	// ExpansionFloor is what a compressed document may always expand to.
	ExpansionFloor = 64 << 20
	// MaxQuarantinedBytes is what is kept of a record in quarantine.
	MaxQuarantinedBytes = 1 << 20
)

var (
	errTooDeep = fmt.Errorf("record nested deeper than %d levels", MaxDepth)
	errTooBig  = fmt.Errorf("record larger than %d bytes", MaxRecordBytes)
	// ErrExpansion is a compressed document that expands beyond
	// MaxExpansion: the scanner quarantines its tail, unread.
	ErrExpansion = errors.New("decompressed document expands more than " + fmt.Sprint(MaxExpansion) + " times")
)
