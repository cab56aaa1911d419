package decp

import (
	"strings"
	"sync"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
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
func detect(c *decpparse.Contract, uid string, version uint64, at time.Time) ([]string, store.DetectionRow) {
	row := store.DetectionRow{
		SubjectKind:     "contract",
		SubjectID:       uid,
		DetectorVersion: clause.Version,
		DetectedAt:      at,
		Version:         version,
	}
	d := declaredOf(c.Considerations.Social, c.Considerations.Environmental)
	var detected clause.Result
	if c.Object != "" {
		detected = clause.DetectFields([]clause.Field{{Name: "object", Text: c.Object}})
	}
	row.DetectedLabels = nonNilStrings(detected.Labels)
	row.DeclaredLabels, row.DeclaredNegative = d.labels, d.negative
	if len(detected.Evidence) == 0 && len(detected.Labels) == 0 {
		row.Evidence = d.rows // shared: rows are only read
		return row.DetectedLabels, row
	}
	evidence := clause.Merge(d.evidence, detected).Evidence // ordered, de-duplicated
	row.Evidence = store.EvidenceRows(evidence)
	return row.DetectedLabels, row
}

// declared is what a contract's declared considerations say: their
// evidence (ordered, de-duplicated), its positive and negative labels,
// and its evidence rows.
type declared struct {
	evidence         []clause.Evidence
	labels, negative []string
	rows             []store.EvidenceRow
}

func newDeclared(social, env []string) *declared {
	var ev []clause.Evidence
	for _, v := range social {
		ev = append(ev, considerations.of(v, socialPath)...)
	}
	for _, v := range env {
		ev = append(ev, considerations.of(v, envPath)...)
	}
	d := &declared{evidence: clause.Merge(ev, clause.Result{}).Evidence}
	for _, e := range ev {
		if e.Negative {
			d.negative = appendOnce(d.negative, e.Label)
		} else {
			d.labels = appendOnce(d.labels, e.Label)
		}
	}
	d.labels, d.negative = nonNilStrings(d.labels), nonNilStrings(d.negative)
	d.rows = store.EvidenceRows(d.evidence)
	return d
}

// declaredOf gives what the considerations say. A record has at most one
// social and one environmental value as a rule, drawn from a handful of
// spellings: those combinations are worked out once (declaredCache).
func declaredOf(social, env []string) *declared {
	if len(social) > 1 || len(env) > 1 {
		return newDeclared(social, env)
	}
	var k [2]string
	if len(social) == 1 {
		k[0] = social[0]
	}
	if len(env) == 1 {
		k[1] = env[0]
	}
	declaredCache.mu.RLock()
	d, ok := declaredCache.m[k]
	declaredCache.mu.RUnlock()
	if ok {
		return d
	}
	d = newDeclared(social, env)
	k = [2]string{strings.Clone(k[0]), strings.Clone(k[1])} // not the record's text
	declaredCache.mu.Lock()
	if len(declaredCache.m) < maxCachedConsiderations {
		declaredCache.m[k] = d
	}
	declaredCache.mu.Unlock()
	return d
}

var declaredCache = struct {
	mu sync.RWMutex
	m  map[[2]string]*declared
}{m: map[[2]string]*declared{}}

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
		for _, e := range declaredEvidence(v, path) {
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

// considerations caches declaredEvidence: the values are a
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
	ev = declaredEvidence(value, path)
	c.mu.Lock()
	if len(c.m) < maxCachedConsiderations {
		c.m[[2]string{value, path}] = ev
	}
	c.mu.Unlock()
	return ev
}

// declaredEvidence is the evidence of one declared value, as
// decpparse.Declare reads it (the same reading as the contract's
// declared_* flags): its labels, or the field's labels as negatives when
// it declares none.
func declaredEvidence(value, path string) []clause.Evidence {
	env := path == envPath
	d, _ := decpparse.Declare(value, env)
	var labels []string
	switch {
	case d.None && env:
		labels = []string{clause.EnvClause, clause.EnvCriterion}
	case d.None:
		labels = []string{clause.SocialClause, clause.SocialCriterion, clause.Reserved}
	case env:
		labels = appendIf(appendIf(nil, d.Clause, clause.EnvClause), d.Criterion, clause.EnvCriterion)
	default:
		labels = appendIf(appendIf(appendIf(nil, d.Clause, clause.SocialClause), d.Criterion, clause.SocialCriterion),
			d.Reserved, clause.Reserved)
	}
	out := make([]clause.Evidence, len(labels))
	for i, l := range labels {
		out[i] = clause.Evidence{Label: l, Origin: clause.Declared, Field: path, Text: value, Negative: d.None}
	}
	return out
}

func appendIf(l []string, ok bool, s string) []string {
	if ok {
		return append(l, s)
	}
	return l
}
