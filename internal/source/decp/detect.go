package decp

import (
	"strings"
	"sync"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
)

// Field paths of the declared considerations, recorded with the evidence.
const (
	socialPath = "considerationsSociales/considerationSociale"
	envPath    = "considerationsEnvironnementales/considerationEnvironnementale"
)

// detect runs the clause detector on a contract: what the buyer declared
// (the considerations) and what its object says. It returns the labels
// read in the text and the detection row of the contract.
func detect(c *Contract, uid string, version uint64, at time.Time) ([]string, store.DetectionRow) {
	var declared []clause.Evidence
	social, env := c.Considerations.Social, c.Considerations.Environmental
	if len(social)+len(env) == 1 {
		// The usual case: one value, whose cached evidence is used as is
		// (nothing below writes to it).
		if len(social) == 1 {
			declared = considerations.of(social[0], socialPath)
		} else {
			declared = considerations.of(env[0], envPath)
		}
	} else {
		for _, v := range social {
			declared = append(declared, considerations.of(v, socialPath)...)
		}
		for _, v := range env {
			declared = append(declared, considerations.of(v, envPath)...)
		}
	}
	var detected clause.Result
	if c.Object != "" {
		detected = clause.DetectFields([]clause.Field{{Name: "object", Text: c.Object}})
	}
	evidence := declared
	if len(detected.Evidence) > 0 || len(detected.Labels) > 0 || len(declared) > 1 {
		evidence = clause.Merge(declared, detected).Evidence // ordered, de-duplicated
	}

	row := store.DetectionRow{
		SubjectKind:     "contract",
		SubjectID:       uid,
		DetectedLabels:  nonNilStrings(detected.Labels),
		DetectorVersion: clause.Version,
		DetectedAt:      at,
		Version:         version,
	}
	var pos, neg []string
	for _, e := range declared {
		if e.Negative {
			neg = appendOnce(neg, e.Label)
		} else {
			pos = appendOnce(pos, e.Label)
		}
	}
	row.DeclaredLabels, row.DeclaredNegative = nonNilStrings(pos), nonNilStrings(neg)
	row.Evidence = make([]store.EvidenceRow, len(evidence))
	for i, e := range evidence {
		row.Evidence[i] = store.EvidenceRow{Label: e.Label, Origin: e.Origin, Field: e.Field,
			Text: e.Text, Start: uint32(max(e.Start, 0)), End: uint32(max(e.End, 0)), Negative: e.Negative}
	}
	return row.DetectedLabels, row
}

func appendOnce(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// informative tells whether a contract's detection row says more than the
// contracts row: a positive declaration or anything read in the text.
func informative(d *store.DetectionRow) bool {
	if len(d.DeclaredLabels) > 0 || len(d.DetectedLabels) > 0 {
		return true
	}
	for _, e := range d.Evidence {
		if e.Origin != clause.Declared {
			return true
		}
	}
	return false
}

// DeclaredEvidence rebuilds the declared evidence of a contract from its
// stored declared_raw ("social:<value>", "environmental:<value>"), with
// its declared positive and negative labels: what the detections row of a
// contract without one would have held.
func DeclaredEvidence(declaredRaw []string) (ev []clause.Evidence, labels, negative []string) {
	for _, r := range declaredRaw {
		kind, v, ok := strings.Cut(r, ":")
		if !ok {
			continue
		}
		path := socialPath
		if kind == "environmental" {
			path = envPath
		}
		for _, e := range clause.FromDECPConsideration(v, path) {
			ev = append(ev, e)
			if e.Negative {
				negative = appendOnce(negative, e.Label)
			} else {
				labels = appendOnce(labels, e.Label)
			}
		}
	}
	return ev, labels, negative
}

// considerations caches clause.FromDECPConsideration: the values are a
// handful of spellings repeated by every record, and folding them was a
// tenth of the detection's time. Callers copy what they get (append).
var considerations = considerationCache{m: map[[2]string][]clause.Evidence{}}

// maxCachedConsiderations bounds the cache against inputs with free text
// in these fields.
const maxCachedConsiderations = 1024

type considerationCache struct {
	mu sync.RWMutex
	m  map[[2]string][]clause.Evidence
}

func (c *considerationCache) of(value, path string) []clause.Evidence {
	k := [2]string{value, path}
	c.mu.RLock()
	ev, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return ev
	}
	// The value is a substring of its record's text: the cache keeps a
	// copy, not the record.
	value = strings.Clone(value)
	ev = clause.FromDECPConsideration(value, path)
	c.mu.Lock()
	if len(c.m) < maxCachedConsiderations {
		c.m[[2]string{value, path}] = ev
	}
	c.mu.Unlock()
	return ev
}
