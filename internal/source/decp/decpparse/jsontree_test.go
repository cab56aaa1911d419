package decpparse

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// decode must give exactly what encoding/json gives (the mapping was
// written against its trees), and fail where it fails, but for what it
// reads leniently and says so (repairs: NaN, control characters, numbers
// out of range), and for records nested too deep, which it refuses.
func checkTree(t *testing.T, text string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(text), &want)
	dec := newTreeDecoder()
	defer dec.release()
	got, err := dec.decode(text)
	if err == errTooDeep {
		return
	}
	if err == nil && wantErr != nil && dec.repairs != 0 {
		return // read leniently, as it says
	}
	if err == nil && dec.repairs != 0 {
		t.Fatalf("decode(%q) says it repaired (%b) a record encoding/json reads", text, dec.repairs)
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("decode(%q): error %v, encoding/json: %v", text, err, wantErr)
	}
	got = toStd(got)
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) = %#v, encoding/json: %#v", text, got, want)
	}
}

func TestDecodeTreeAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{},"b":null,"c":true,"d":false}`, ` { "a" : [ 1 , 2.5 , -3e2 , 0 , -0.0 ] } `,
		`{"a":1,"a":2}`, `{"id":"x\"y\\z\/\b\f\n\r\t"}`, `{"é":"àçè"}`, `{"a":"\u00e9\u20AC"}`,
		`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ude00x"}`, `{"a":"\ud83d\u0041"}`,
		"{\"a\":\"\xff\xfe latin \xe9\"}", "{\"a\xe9\":1}", `{"a":"NC","b":"  x  "}`, `[[{"titulaire":{"id":"1"}}]]`,
		`{"m":99999999999999999999}`, `{"m":01}`, `{"m":+1}`, `{"m":.5}`, `{"m":1.}`, `{"m":1e}`,
		`{"a":tru}`, `{"a":nul}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `{"a":"x`, `{"a":1} x`, "{\"a\":\"\x01\"}",
		`{"a":"\x"}`, `{"a":"\u12"}`, `{a:1}`, ``, `   `, `"s"`, `12`, `{"a":[1,[2,[3,{"b":[]}]]]}`,
	} {
		checkTree(t, s)
	}
}

// Every record of the real samples decodes as with encoding/json.
func TestDecodeTreeRealRecords(t *testing.T) {
	dir := sharedData(t)
	n := 0
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".json") || strings.Contains(path, "schemas") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		err = ScanJSON(f, func(r Record) error {
			if r.Err == nil {
				checkTree(t, r.Text)
				n++
			}
			return nil
		})
		if err != nil && !!errors.Is(err, ErrNotDECP) {
			t.Logf("%s: %v", path, err)
		}
		return nil
	})
	if n == 0 {
		t.Skip("no JSON records in the samples")
	}
	t.Logf("%d real records decoded alike", n)
}

// What real files carry and encoding/json refuses is read, and said.
func TestDecodeTreeLenient(t *testing.T) {
	for _, c := range []struct {
		text    string
		want    any
		repairs repairs
	}{
		{`{"concessionnaires": NaN, "a": 1}`, map[string]any{"concessionnaires": nil, "a": 1.0}, repairNaN},
		{`[Infinity, -Infinity, NaN]`, []any{nil, nil, nil}, repairNaN},
		{"{\"objet\":\"Travaux\x00 de\x01 voirie\tet\nréseaux\"}", map[string]any{"objet": "Travaux de voirie et réseaux"}, repairControl},
		{"{\"a\x02\":\"x\"}", map[string]any{"a": "x"}, repairControl},
		{`{"montant":1e400}`, map[string]any{"montant": bigNumber("1e400")}, repairBigNumber},
		{`{"montant":-` + strings.Repeat("9", 1000) + `}`, map[string]any{"montant": bigNumber("-" + strings.Repeat("9", 1000))}, repairBigNumber},
	} {
		dec := newTreeDecoder()
		got, err := dec.decode(c.text)
		if err != nil || !reflect.DeepEqual(toStd(got), c.want) || dec.repairs != c.repairs {
			t.Errorf("decode(%.60q) = %#v, %v, repairs %b; want %#v, repairs %b", c.text, toStd(got), err, dec.repairs, c.want, c.repairs)
		}
		dec.release()
	}
	for _, text := range []string{`{"a":NaX}`, `{"a":Inf}`, `{"a":-Infinit}`} {
		if _, err := newTreeDecoder().decode(text); err == nil {
			t.Errorf("decode(%q) accepted", text)
		}
	}
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	if _, err := newTreeDecoder().decode(deep); err != errTooDeep {
		t.Errorf("a record nested %d deep: %v, want %v", MaxDepth+1, err, errTooDeep)
	}
}

func FuzzDecodeTree(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x\u00e9",null,true]}`, "{\"a\":\"\xff\"}", `{"a":"\ud800\udc00"}`, `[-0.5e-3]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkTree(t, s) })
}

// toStd turns a tree of objects into encoding/json's (maps), the last
// value of a repeated name winning.
func toStd(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, len(x.members))
		for _, e := range x.members {
			m[e.k] = toStd(e.v)
		}
		return m
	case *string:
		return *x
	case *float64:
		return *x
	}
	if l, ok := asList(v); ok {
		out := make([]any, len(l))
		for i := range l {
			out[i] = toStd(l[i])
		}
		return out
	}
	return v
}

// A repeated name counts once, with its last value; only() sees through
// a wrapper object however often its one name is repeated.
func TestObjectRepeatedNames(t *testing.T) {
	dec := newTreeDecoder()
	tree, err := dec.decode(`{"titulaire":{"id":"1"},"titulaire":{"id":"2"}}`)
	if err != nil {
		t.Fatal(err)
	}
	o := tree.(*object)
	inner, ok := o.only("titulaire")
	if !ok || scalar(inner.(*object).get("id")) != "2" {
		t.Fatalf("only(titulaire) = %v, %v; want the last one", inner, ok)
	}
	if _, ok := o.only("x"); ok {
		t.Fatal("only(x) found a name the object does not have")
	}
	if got := list(tree, "titulaire"); len(got) != 1 || scalar(got[0].(*object).get("id")) != "2" {
		t.Fatalf("list through a repeated wrapper = %v", got)
	}
}
