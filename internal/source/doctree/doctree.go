// Package doctree reads a notice — an XML document, or the JSON the BOAMP
// API made of that XML — into one small element tree, so that each format
// is parsed once whatever container it came in. Names lose their namespace
// prefix ("cbc:ID" → "ID"); JSON "@attr" keys become attributes, "#text"
// the text, arrays repeated children.
package doctree

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/vigie-data/vigie/internal/source/charset"
)

// Node is an element.
type Node struct {
	Name  string
	Attrs map[string]string
	Text  string // own character data, trimmed
	Kids  []*Node
}

func local(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// ParseXML reads one XML document.
func ParseXML(r io.Reader) (*Node, error) {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = charset.Reader // older DILA files are ISO-8859-1 or windows-1252
	var stack []*Node
	var text []*strings.Builder
	var root *Node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &Node{Name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				if n.Attrs == nil {
					n.Attrs = map[string]string{}
				}
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
			text = append(text, &strings.Builder{})
		case xml.CharData:
			if len(text) > 0 {
				text[len(text)-1].Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("xml: unbalanced end element %s", t.Name.Local)
			}
			stack[len(stack)-1].Text = strings.TrimSpace(text[len(text)-1].String())
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		}
	}
	if root == nil {
		return nil, fmt.Errorf("xml: no root element")
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("xml: document cut short inside <%s>", stack[len(stack)-1].Name)
	}
	return root, nil
}

// FromJSON reads a JSON object into a node named name, keeping key order.
func FromJSON(name string, data []byte) (*Node, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	n := &Node{Name: name}
	tok, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	if err := fill(d, n, tok); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return n, nil
}

// fill reads the value that starts with tok into n.
func fill(d *json.Decoder, n *Node, tok json.Token) error {
	switch t := tok.(type) {
	case json.Delim:
		if t != '{' {
			return fmt.Errorf("unexpected %v", t)
		}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			vt, err := d.Token()
			if err != nil {
				return err
			}
			switch {
			case key == "#text":
				var c Node
				if err := fill(d, &c, vt); err != nil {
					return err
				}
				n.Text = c.Text
			case strings.HasPrefix(key, "@"):
				var c Node
				if err := fill(d, &c, vt); err != nil {
					return err
				}
				if n.Attrs == nil {
					n.Attrs = map[string]string{}
				}
				n.Attrs[local(key[1:])] = c.Text
			default:
				if dl, ok := vt.(json.Delim); ok && dl == '[' {
					for d.More() {
						et, err := d.Token()
						if err != nil {
							return err
						}
						c := &Node{Name: local(key)}
						if err := fill(d, c, et); err != nil {
							return err
						}
						n.Kids = append(n.Kids, c)
					}
					if _, err := d.Token(); err != nil { // ]
						return err
					}
					continue
				}
				c := &Node{Name: local(key)}
				if err := fill(d, c, vt); err != nil {
					return err
				}
				n.Kids = append(n.Kids, c)
			}
		}
		_, err := d.Token() // }
		return err
	case string:
		n.Text = strings.TrimSpace(t)
	case json.Number:
		n.Text = t.String()
	case bool:
		n.Text = fmt.Sprint(t)
	case nil:
	default:
		return fmt.Errorf("unexpected token %v", tok)
	}
	return nil
}

// Kid is the first child named name (nil when n is nil or has none).
func (n *Node) Kid(name string) *Node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// All is every child named name.
func (n *Node) All(name string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, k := range n.Kids {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// Path follows names separated by '/', first match at each step.
func (n *Node) Path(path string) *Node {
	for _, p := range strings.Split(path, "/") {
		n = n.Kid(p)
		if n == nil {
			return nil
		}
	}
	return n
}

// PathAll follows names separated by '/', every match at each step.
func (n *Node) PathAll(path string) []*Node {
	if n == nil {
		return nil
	}
	cur := []*Node{n}
	for _, p := range strings.Split(path, "/") {
		var next []*Node
		for _, c := range cur {
			next = append(next, c.All(p)...)
		}
		cur = next
	}
	return cur
}

// Str is the text at path ("" when missing).
func (n *Node) Str(path string) string {
	if c := n.Path(path); c != nil {
		return c.Text
	}
	return ""
}

// Attr is an attribute value ("" when n is nil).
func (n *Node) Attr(name string) string {
	if n == nil {
		return ""
	}
	return n.Attrs[name]
}

// First is the name of n's first child: BOAMP writes enumerations as an
// element whose name is the value (<TYPE_MARCHE><SERVICE/></TYPE_MARCHE>).
func (n *Node) First() string {
	if n == nil || len(n.Kids) == 0 {
		return ""
	}
	return n.Kids[0].Name
}

// Find is the first descendant (depth first, n excluded) named name.
func (n *Node) Find(name string) *Node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.Name == name {
			return k
		}
		if f := k.Find(name); f != nil {
			return f
		}
	}
	return nil
}

// Walk calls fn for n and every descendant with its path from n
// ("A/B/C"); fn returning false skips the node's children.
func (n *Node) Walk(path string, fn func(path string, n *Node) bool) {
	if n == nil {
		return
	}
	if path == "" {
		path = n.Name
	} else {
		path += "/" + n.Name
	}
	if !fn(path, n) {
		return
	}
	for _, k := range n.Kids {
		k.Walk(path, fn)
	}
}

// AllText is the text of n and its descendants, one block per element
// that has text, joined by newlines.
func (n *Node) AllText() string {
	var b strings.Builder
	n.Walk("", func(_ string, c *Node) bool {
		if c.Text != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(c.Text)
		}
		return true
	})
	return b.String()
}

// YesNo reads a BOAMP boolean written as an element name: a child named
// oui/OUI (true) or non/NON (false). ok is false when neither is there.
func (n *Node) YesNo() (yes, ok bool) {
	if n == nil {
		return false, false
	}
	for _, k := range n.Kids {
		switch strings.ToLower(k.Name) {
		case "oui":
			return true, true
		case "non":
			return false, true
		}
	}
	return false, false
}

// Children is n's children (nil when n is nil).
func (n *Node) Children() []*Node {
	if n == nil {
		return nil
	}
	return n.Kids
}
