package charset

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "charset", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objet reads the <OBJET> of a notice through xml.Decoder, as doctree and
// the DECP XML scanner do.
func objet(t *testing.T, data []byte) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(data)))
	d.CharsetReader = Reader
	var n struct {
		Objet string `xml:"OBJET"`
	}
	if err := d.Decode(&n); err != nil {
		t.Fatal(err)
	}
	return n.Objet
}

// One file per encoding, written by an encoder of that charset: the
// signs a Latin-1 reading gets wrong come out right.
func TestXMLEncodings(t *testing.T) {
	for file, want := range map[string]string{
		"notice-windows-1252.xml": "Marché réservé : l’œuvre d’insertion, 1 500 € HT – « clause sociale »",
		"notice-iso-8859-15.xml":  "Œuvre d'insertion : cœur de métier, 1 500 € HT",
		// Declared ISO-8859-1 but holding windows-1252's ’, as producers
		// write it: read as windows-1252, its superset.
		"notice-iso-8859-1.xml": "Marché réservé aux ESAT, à l’exécution",
	} {
		if got := objet(t, fixture(t, file)); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
}

func TestReaderLabels(t *testing.T) {
	for _, label := range []string{"UTF-8", "utf8", "latin1", "ISO-8859-1", "iso-8859-15", "cp1252", "Windows-1252"} {
		if _, err := Reader(label, strings.NewReader("")); err != nil {
			t.Errorf("%s: %v", label, err)
		}
	}
	if _, err := Reader("ebcdic-nope", strings.NewReader("")); err == nil {
		t.Errorf("an unknown charset is accepted")
	}
	r, _ := Reader("utf-8", strings.NewReader("déjà"))
	if b, _ := io.ReadAll(r); string(b) != "déjà" {
		t.Errorf("UTF-8 read as %q", b)
	}
}

// A directory page: its Content-Type's charset, else UTF-8 when the
// bytes are, else windows-1252.
func TestHTML(t *testing.T) {
	page := fixture(t, "listing-iso-8859-1.html")
	for _, ct := range []string{"text/html;charset=ISO-8859-1", ""} {
		b, err := io.ReadAll(HTML(page, ct))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Annonces publiées") || !strings.Contains(string(b), "Lisez-moi – l’archive") {
			t.Errorf("content type %q: page read as\n%s", ct, b)
		}
	}
	utf := "<p>Données – l’archive</p>"
	if b, _ := io.ReadAll(HTML([]byte(utf), "")); string(b) != utf {
		t.Errorf("UTF-8 page read as %q", b)
	}
	if b, _ := io.ReadAll(HTML([]byte(utf), "text/html; charset=utf-8")); string(b) != utf {
		t.Errorf("declared UTF-8 page read as %q", b)
	}
}
