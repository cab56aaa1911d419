package clause

import "math"

// KappaScore is the agreement of two independent labellings of the same
// cases on one label: Cohen's kappa, (po - pe) / (1 - pe), where po is the
// observed agreement and pe the agreement expected by chance from each
// labeller's share of positives.
type KappaScore struct {
	Label     string  `json:"label"`
	Cases     int     `json:"cases"`
	Both      int     `json:"both"`   // both give the label
	OnlyA     int     `json:"only_a"` // the first labelling only
	OnlyB     int     `json:"only_b"` // the second only
	Agreement float64 `json:"agreement"`
	// Kappa is NaN when chance agreement is total (neither labelling, or
	// both on every case, give the label): kappa says nothing there.
	Kappa float64 `json:"kappa"`
}

// Kappa compares labellings a and b (id → labels) on the ids they share,
// label by label. Labels follow the guide: a specific reservation implies
// `reserved`.
func Kappa(a, b map[string][]string) []KappaScore {
	out := make([]KappaScore, len(AllLabels))
	for i, l := range AllLabels {
		out[i].Label = l
	}
	for id, la := range a {
		lb, ok := b[id]
		if !ok {
			continue
		}
		wa, wb := labelSet(la), labelSet(lb)
		for i := range AllLabels {
			s := &out[i]
			s.Cases++
			switch {
			case wa[i] && wb[i]:
				s.Both++
			case wa[i]:
				s.OnlyA++
			case wb[i]:
				s.OnlyB++
			}
		}
	}
	for i := range out {
		s := &out[i]
		if s.Cases == 0 {
			s.Agreement, s.Kappa = math.NaN(), math.NaN()
			continue
		}
		n := float64(s.Cases)
		neither := n - float64(s.Both+s.OnlyA+s.OnlyB)
		po := (float64(s.Both) + neither) / n
		pa := float64(s.Both+s.OnlyA) / n
		pb := float64(s.Both+s.OnlyB) / n
		pe := pa*pb + (1-pa)*(1-pb)
		s.Agreement = po
		if pe >= 1 {
			s.Kappa = math.NaN()
		} else {
			s.Kappa = (po - pe) / (1 - pe)
		}
	}
	return out
}

func labelSet(ls []string) [8]bool {
	var w [8]bool
	for _, l := range ls {
		if i := labelIndex(l); i >= 0 {
			w[i] = true
			if isSpecificReserved(l) {
				w[labelIndex(Reserved)] = true
			}
		}
	}
	return w
}
