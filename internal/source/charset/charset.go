// Package charset decodes upstream text declared in a charset other than
// UTF-8 — older DILA XML, DECP XML from some producers, the DILA
// archive's directory pages — with golang.org/x/text's tables, read as
// browsers read them (WHATWG labels): ISO-8859-1 is read as
// windows-1252, its superset, where producers put ’ œ € and “ ”, and
// ISO-8859-15 has œ and € where ISO-8859-1 has other signs.
package charset

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// Reader returns r decoded to UTF-8 from the charset label declares (an
// XML declaration's encoding): it is an xml.Decoder's CharsetReader.
func Reader(label string, r io.Reader) (io.Reader, error) {
	e, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	if e == encoding.Nop || isUTF8(e) {
		return r, nil
	}
	return e.NewDecoder().Reader(r), nil
}

func isUTF8(e encoding.Encoding) bool {
	name, err := htmlindex.Name(e)
	return err == nil && name == "utf-8"
}

// HTML returns a page's bytes decoded to UTF-8: from the charset its
// byte order mark or contentType (an HTTP Content-Type) declares, else
// as UTF-8 when the bytes are, else from its <meta> charset, else as
// windows-1252.
func HTML(body []byte, contentType string) io.Reader {
	e, _, certain := htmlcharset.DetermineEncoding(body, contentType)
	if (!certain && utf8.Valid(body)) || e == encoding.Nop || isUTF8(e) {
		return bytes.NewReader(body)
	}
	return e.NewDecoder().Reader(bytes.NewReader(body))
}
