package decpparse

import (
	"math"
	"reflect"
	"testing"
)

func TestAmountAndDurationFlags(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		in        any
		amount    *float64
		amountFl  []string
		duration  *float64
		durationF []string
	}{
		{12.5, f(12.5), nil, f(12.5), nil},
		{"1 234,50", f(1234.5), nil, f(1234.5), nil},
		{nil, nil, []string{FlagAmountMissing}, nil, nil},
		{"NC", nil, []string{FlagAmountMissing}, nil, nil},
		{"abc", nil, []string{FlagAmountInvalid}, nil, []string{FlagDurationInvalid}},
		{true, nil, []string{FlagAmountInvalid}, nil, []string{FlagDurationInvalid}},
		{math.Inf(1), nil, []string{FlagAmountInvalid}, nil, []string{FlagDurationInvalid}},
		{0.0, f(0), []string{FlagAmountZero}, f(0), nil},
		{-3.0, f(-3), []string{FlagAmountNegative}, nil, []string{FlagDurationInvalid}},
		{999999999.0, f(999999999), []string{FlagAmountPlacehold}, f(999999999), nil},
		{2e10, f(2e10), []string{FlagAmountAbsurd}, f(2e10), nil},
	}
	for _, c := range cases {
		var af, df flagSet
		a, d := amount(c.in, &af), duration(c.in, &df)
		if !reflect.DeepEqual(a, c.amount) || !reflect.DeepEqual(af.list(), c.amountFl) {
			t.Errorf("amount(%#v) = %v %v, want %v %v", c.in, deref(a), af.list(), deref(c.amount), c.amountFl)
		}
		if !reflect.DeepEqual(d, c.duration) || !reflect.DeepEqual(df.list(), c.durationF) {
			t.Errorf("duration(%#v) = %v %v, want %v %v", c.in, deref(d), df.list(), deref(c.duration), c.durationF)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
