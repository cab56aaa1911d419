package decpparse

import (
	"bytes"
	"encoding/json"
)

// object is an object of a record's tree: its members in document order.
// A repeated name counts once, with its last value (as in encoding/json).
// Objects are lists rather than maps: a record's objects are small, and
// the parse workers carve them out of a treeArena reused from record to
// record, where maps were a third of the decoding's allocations.
type object struct {
	members []member
}

type member struct {
	k string
	v any
}

// get returns the value of name, nil when absent.
func (o *object) get(name string) any {
	v, _ := o.lookup(name)
	return v
}

func (o *object) lookup(name string) (any, bool) {
	if i := o.index(name); i >= 0 {
		return o.members[i].v, true
	}
	return nil, false
}

// index is the position of name's last member, -1 when absent.
func (o *object) index(name string) int {
	for i := len(o.members) - 1; i >= 0; i-- {
		if o.members[i].k == name {
			return i
		}
	}
	return -1
}

// only returns the value of name when it is the object's only name.
func (o *object) only(name string) (any, bool) {
	if len(o.members) == 0 {
		return nil, false
	}
	for _, m := range o.members {
		if m.k != name {
			return nil, false
		}
	}
	return o.members[len(o.members)-1].v, true
}

// MarshalJSON writes the object in document order (records read from XML
// are kept as JSON text).
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fromStd turns a tree of encoding/json (map[string]any) into one of
// objects.
func fromStd(v any) any {
	switch x := v.(type) {
	case map[string]any:
		o := &object{members: make([]member, 0, len(x))}
		for k, e := range x {
			o.members = append(o.members, member{k, fromStd(e)})
		}
		return o
	case []any:
		for i := range x {
			x[i] = fromStd(x[i])
		}
	}
	return v
}

// treeArena holds the nodes of one record's tree at a time: a parse
// worker reuses it from record to record (release), so a record costs no
// allocations for them once the arena has grown. Its strings, numbers
// and lists are given as pointers into the arena (*string, *float64,
// *[]any): putting a string or a list in an interface copies it to the
// heap, a pointer does not (asString, asNumber and asList read either
// form). Nothing of a tree may outlive the record: a Contract keeps
// strings, never nodes.
type treeArena struct {
	objects []object
	members []member
	items   []any
	lists   [][]any
	strs    []string
	nums    []float64
}

func (a *treeArena) object(ms []member) *object {
	if a == nil {
		return &object{members: append([]member(nil), ms...)}
	}
	if len(a.members)+len(ms) > cap(a.members) {
		a.members = make([]member, 0, max(2*cap(a.members), len(ms), 256))
	}
	start := len(a.members)
	a.members = append(a.members, ms...)
	if len(a.objects) == cap(a.objects) {
		a.objects = make([]object, 0, max(2*cap(a.objects), 32))
	}
	a.objects = append(a.objects, object{members: a.members[start:len(a.members):len(a.members)]})
	return &a.objects[len(a.objects)-1]
}

func (a *treeArena) list(vs []any) any {
	if a == nil {
		return append(make([]any, 0, len(vs)), vs...)
	}
	if len(a.items)+len(vs) > cap(a.items) {
		a.items = make([]any, 0, max(2*cap(a.items), len(vs), 64))
	}
	start := len(a.items)
	a.items = append(a.items, vs...)
	return grow(&a.lists, a.items[start:len(a.items):len(a.items)])
}

func (a *treeArena) str(s string) any {
	if a == nil {
		return s
	}
	return grow(&a.strs, s)
}

func (a *treeArena) num(f float64) any {
	if a == nil {
		return f
	}
	return grow(&a.nums, f)
}

// grow appends v to an arena slice and returns a pointer to it; a full
// slice is replaced by a larger one (what points into the old one stays
// valid).
func grow[T any](s *[]T, v T) *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, max(2*cap(*s), 64))
	}
	*s = append(*s, v)
	return &(*s)[len(*s)-1]
}

// asString reads a string of a tree (string or *string).
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case *string:
		return *x, true
	case string:
		return x, true
	}
	return "", false
}

// asNumber reads a number of a tree (float64 or *float64).
func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case *float64:
		return *x, true
	case float64:
		return x, true
	}
	return 0, false
}

// asList reads a list of a tree ([]any or *[]any).
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case *[]any:
		return *x, true
	case []any:
		return x, true
	}
	return nil, false
}

// release makes the arena's room free for the next record, dropping the
// references to this one's values.
func (a *treeArena) release() {
	if a == nil {
		return
	}
	clear(a.objects)
	clear(a.members)
	clear(a.items)
	clear(a.lists)
	clear(a.strs)
	a.objects, a.members, a.items, a.lists, a.strs, a.nums = a.objects[:0], a.members[:0], a.items[:0], a.lists[:0], a.strs[:0], a.nums[:0]
}
