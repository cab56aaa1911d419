package cli

import (
	"flag"
	"reflect"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	cases := []struct {
		args     []string
		rest     []string
		file     string
		asJSON   bool
		wantFail bool
	}{
		{[]string{"--file", "a", "b", "--json"}, []string{"b"}, "a", true, false},
		{[]string{"--json", "--file", "a", "b", "c"}, []string{"b", "c"}, "a", true, false},
		{[]string{"--file", "a", "--", "--json"}, []string{"--json"}, "a", false, false},
		{[]string{"--file", "a", "b", "--nosuch"}, nil, "a", false, true},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(nopWriter{})
		file := fs.String("file", "", "")
		asJSON := fs.Bool("json", false, "")
		rest, err := parseInterspersed(fs, c.args)
		if c.wantFail {
			if err == nil {
				t.Errorf("%v: want an error", c.args)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(rest, c.rest) || *file != c.file || *asJSON != c.asJSON {
			t.Errorf("%v: rest %q file %q json %v err %v; want %q %q %v", c.args, rest, *file, *asJSON, err, c.rest, c.file, c.asJSON)
		}
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
