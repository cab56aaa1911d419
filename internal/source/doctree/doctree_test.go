package doctree

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseXMLDeclaredCharset(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "charset", "notice-windows-1252.xml"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := ParseXML(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := root.Kids[0].Text, "Marché réservé : l’œuvre d’insertion, 1 500 € HT – « clause sociale »"; got != want {
		t.Errorf("OBJET %q, want %q", got, want)
	}
}

// A Latin-1 document that fails early leaves nothing running behind it
// (a decoding goroutine blocked on a pipe nobody reads any more).
func TestParseXMLFailureLeavesNoGoroutine(t *testing.T) {
	doc := `<?xml version="1.0" encoding="ISO-8859-1"?><A><B>caf` + "\xe9" + `</C>` + strings.Repeat("\xe9", 256<<10) + `</A>`
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		if _, err := ParseXML(strings.NewReader(doc)); err == nil {
			t.Fatal("a mismatched end element is accepted")
		}
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines left running after 20 failed parses", after-before)
	}
}
