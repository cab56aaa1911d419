package notice

import "github.com/vigie-data/vigie/internal/clause"

// Analyse runs the detector over the notice and each lot: the texts go to
// clause.DetectFields, the structured flags are merged as declared
// evidence. A lot's reserved flag, when the lot says nothing, follows the
// notice's declared reservation; the notice's findings include its lots'.
func Analyse(n *Notice) {
	noticeReserved := reservedFlag(n.Declared)
	// A notice carries what its lots carry (an eForms reservation is
	// declared per lot): their positive evidence joins the notice's.
	declared := append([]clause.Evidence(nil), n.Declared...)
	for i := range n.Lots {
		l := &n.Lots[i]
		l.Detection = clause.Merge(l.Declared, clause.DetectFields([]clause.Field{
			{Name: "lot_title", Text: l.Title},
			{Name: "lot_description", Text: l.Description},
			{Name: "execution_conditions", Text: l.ExecutionConds},
			{Name: "award_criteria", Text: l.AwardCriteria},
		}))
		if l.Reserved == nil {
			if r := reservedFlag(l.Declared); r != nil {
				l.Reserved = r
			} else {
				l.Reserved = noticeReserved
			}
		}
		for _, e := range l.Detection.Evidence {
			if !e.Negative {
				e.Field = "lot[" + l.Number + "]/" + e.Field
				declared = append(declared, e)
			}
		}
	}
	n.Detection = clause.Merge(declared, clause.DetectFields([]clause.Field{
		{Name: "object", Text: n.Object},
		{Name: "execution_conditions", Text: n.ExecutionConds},
		{Name: "participation_conditions", Text: n.ParticipConds},
		{Name: "award_criteria", Text: n.AwardCriteria},
		{Name: "additional_info", Text: n.AdditionalInfo},
	}))
}

// reservedFlag is what declared evidence says of reservation: true,
// false (a structured "no"), or nil.
func reservedFlag(ev []clause.Evidence) *bool {
	var out *bool
	for _, e := range ev {
		if e.Label != clause.Reserved {
			continue
		}
		v := !e.Negative
		if out == nil || v {
			out = &v
		}
	}
	return out
}

// Labels splits a result into declared positives, declared negatives and
// detected (text) labels, each in clause.AllLabels order.
func Labels(r clause.Result) (declared, negative, detected []string) {
	var d, neg, det [8]bool
	idx := map[string]int{}
	for i, l := range clause.AllLabels {
		idx[l] = i
	}
	for _, e := range r.Evidence {
		i, ok := idx[e.Label]
		if !ok {
			continue
		}
		switch {
		case e.Origin == clause.Declared && e.Negative:
			neg[i] = true
		case e.Origin == clause.Declared:
			d[i] = true
		case !e.Negative:
			det[i] = true
		}
	}
	for i, l := range clause.AllLabels {
		if d[i] {
			declared = append(declared, l)
		}
		if neg[i] && !d[i] {
			negative = append(negative, l)
		}
		if det[i] {
			detected = append(detected, l)
		}
	}
	return
}
