package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParams throws query strings at the parameter parsing of every
// endpoint: it must never panic, every refusal must be a parameter error
// naming a parameter, and what it accepts must be within bounds.
func FuzzParams(f *testing.F) {
	for _, seed := range []string{
		"group_by=year", "group_by=departement,year&from=2024-01-01&to=2024-12-31&theme=alimentation",
		"departement=%zz", "to=2106-02-06", "from=2200-01-01", "to=9999-12-31", "min_amount=1e400", "min_amount=NaN",
		"buyer=13001845000028&cpv=45&limit=10000", "limit=0", "limit=-1", "cursor=eyJrIjoiIn0", "q=%e9%",
		"departement=69,75&labels=reserved,social_clause&deadline_after=2026-01-01T00:00:00Z", "a=1;b=2", "format=csv&dialect=excel-fr",
		"region=%C3%8Ele-de-France", "procedure=Appel+d%27offres+ouvert", "&&==&", "%", "from=0000-01-01",
	} {
		f.Add(seed)
	}
	s := &Server{opts: Options{MaxRows: 10000}}
	all := append(append(append(append([]param{}, indicatorParams...), contractListParams...), noticeListParams...), tenderParams...)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw)
		if err != nil {
			checkParamError(t, raw, err)
			return
		}
		if err := checkParams(q, all); err != nil {
			checkParamError(t, raw, err)
			return
		}
		if cf, err := parseContractFilter(q); err != nil {
			checkParamError(t, raw, err)
		} else {
			for _, d := range []struct {
				name string
				zero bool
				ok   bool
			}{{"from", cf.From.IsZero(), !cf.From.Before(minDate) && !cf.From.After(maxDate)},
				{"to", cf.To.IsZero(), !cf.To.Before(minDate) && !cf.To.After(maxDate)}} {
				if !d.zero && !d.ok {
					t.Fatalf("%q: %s accepted out of range", raw, d.name)
				}
			}
			if cf.MinAmount != nil && (*cf.MinAmount < 0 || *cf.MinAmount != *cf.MinAmount) {
				t.Fatalf("%q: min_amount %v accepted", raw, *cf.MinAmount)
			}
		}
		if _, err := parseNoticeFilter(q); err != nil {
			checkParamError(t, raw, err)
		}
		if tq, _, err := s.parseTenderQuery(q); err != nil {
			checkParamError(t, raw, err)
		} else if tq.Limit < 1 || tq.Limit > s.opts.MaxRows {
			t.Fatalf("%q: limit %d accepted", raw, tq.Limit)
		}
		if _, err := parseList(q, pGroupBy); err != nil {
			checkParamError(t, raw, err)
		}
		if c := q.Get("cursor"); c != "" {
			var cur cursor[string]
			if err := decodeCursor(c, &cur); err != nil {
				checkParamError(t, raw, err)
			}
		}
		// An accepted value that was percent-encoded must decode the same
		// way twice (no filter silently changed by the parsing).
		if std, err := url.ParseQuery(raw); err == nil {
			for k, v := range q {
				if strings.Join(std[k], "\x00") != strings.Join(v, "\x00") {
					t.Fatalf("%q: %s parsed as %q, net/url says %q", raw, k, v, std[k])
				}
			}
		}
	})
}

func checkParamError(t *testing.T, raw string, err error) {
	t.Helper()
	var pe *paramError
	if !errors.As(err, &pe) {
		t.Fatalf("%q: %v is not a parameter error (would be a 500)", raw, err)
	}
}
