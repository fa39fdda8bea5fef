// Package value holds the document tree every loader produces: a YAML or JSON
// document, a CloudFormation property bag, or an AWS API response translated
// into CloudFormation's shape. Each node remembers where it came from so a
// finding can point at the line to change.
package value

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind says what a Node holds.
type Kind uint8

// The kinds of node. Unknown stands for a value that exists at deploy time but
// cannot be seen by a static check (an SSM parameter, a stack output).
const (
	Null Kind = iota
	String
	Number
	Bool
	List
	Map
	Unknown
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case List:
		return "list"
	case Map:
		return "map"
	case Unknown:
		return "unknown value"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Pos is a place in a source file. The zero Pos means "no file position"
// (a live resource, or a value the tool made up).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"column,omitempty"`
}

// IsZero reports whether p names no place.
func (p Pos) IsZero() bool { return p.File == "" && p.Line == 0 }

func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Node is one value of a document. The zero of each field is meaningful only
// for its Kind: Str holds the text of a String, Number or Bool (and the
// expression that could not be resolved for an Unknown), Items the elements of
// a List, Keys and Vals the ordered entries of a Map.
//
// A nil *Node is a valid, absent value: every accessor accepts it.
type Node struct {
	Kind  Kind
	Str   string
	Items []*Node
	Keys  []string
	Vals  []*Node
	Pos   Pos
	// Why says, for an Unknown, what could not be seen and why
	// ("SSM parameter /x/y is read at deploy time").
	Why string
}

// NewString returns a String node.
func NewString(s string, p Pos) *Node { return &Node{Kind: String, Str: s, Pos: p} }

// NewNumber returns a Number node holding the given text.
func NewNumber(text string, p Pos) *Node { return &Node{Kind: Number, Str: text, Pos: p} }

// NewInt returns a Number node.
func NewInt(i int64, p Pos) *Node { return NewNumber(strconv.FormatInt(i, 10), p) }

// NewBool returns a Bool node.
func NewBool(b bool, p Pos) *Node { return &Node{Kind: Bool, Str: strconv.FormatBool(b), Pos: p} }

// NewNull returns a Null node.
func NewNull(p Pos) *Node { return &Node{Kind: Null, Pos: p} }

// NewList returns a List node.
func NewList(p Pos, items ...*Node) *Node { return &Node{Kind: List, Items: items, Pos: p} }

// NewMap returns an empty Map node.
func NewMap(p Pos) *Node { return &Node{Kind: Map, Pos: p} }

// NewUnknown returns a node standing for a value only known at deploy time.
func NewUnknown(expr, why string, p Pos) *Node {
	return &Node{Kind: Unknown, Str: expr, Why: why, Pos: p}
}

// Set adds or replaces a key of a Map node and returns the node.
func (n *Node) Set(key string, v *Node) *Node {
	for i, k := range n.Keys {
		if k == key {
			n.Vals[i] = v
			return n
		}
	}
	n.Keys = append(n.Keys, key)
	n.Vals = append(n.Vals, v)
	return n
}

// Delete removes a key from a Map node.
func (n *Node) Delete(key string) {
	if n == nil {
		return
	}
	for i, k := range n.Keys {
		if k == key {
			n.Keys = append(n.Keys[:i:i], n.Keys[i+1:]...)
			n.Vals = append(n.Vals[:i:i], n.Vals[i+1:]...)
			return
		}
	}
}

// Field returns the value under key of a Map node, or nil.
func (n *Node) Field(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i, k := range n.Keys {
		if k == key {
			return n.Vals[i]
		}
	}
	return nil
}

// Get follows a path of map keys and list indexes ("0", "1", …) and returns
// the node at its end, or nil when any step is missing.
func (n *Node) Get(path ...string) *Node {
	cur := n
	for _, p := range path {
		if cur == nil {
			return nil
		}
		switch cur.Kind {
		case Map:
			cur = cur.Field(p)
		case List:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(cur.Items) {
				return nil
			}
			cur = cur.Items[i]
		default:
			return nil
		}
	}
	return cur
}

// Has reports whether n is present and not null.
func (n *Node) Has() bool { return n != nil && n.Kind != Null }

// IsUnknown reports whether n stands for a value not visible before deploy.
func (n *Node) IsUnknown() bool { return n != nil && n.Kind == Unknown }

// Len returns the number of items of a List or entries of a Map.
func (n *Node) Len() int {
	if n == nil {
		return 0
	}
	switch n.Kind {
	case List:
		return len(n.Items)
	case Map:
		return len(n.Keys)
	}
	return 0
}

// Text returns the text of a scalar (String, Number or Bool) and whether n is one.
func (n *Node) Text() (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case String, Number, Bool:
		return n.Str, true
	}
	return "", false
}

// String returns the text of a scalar, or "" for anything else.
func (n *Node) String() string {
	s, _ := n.Text()
	return s
}

// AsBool reads n the way CloudFormation and the Framework do: a boolean, or
// the strings "true"/"false" in any case. ok is false for anything else.
func (n *Node) AsBool() (b, ok bool) {
	s, isText := n.Text()
	if !isText {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// IsTrue reports whether n reads as true.
func (n *Node) IsTrue() bool {
	b, ok := n.AsBool()
	return ok && b
}

// AsInt reads a number, or a string holding one.
func (n *Node) AsInt() (int64, bool) {
	s, ok := n.Text()
	if !ok || n.Kind == Bool {
		return 0, false
	}
	if i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f == float64(int64(f)) {
		return int64(f), true
	}
	return 0, false
}

// AsFloat reads a number, or a string holding one.
func (n *Node) AsFloat() (float64, bool) {
	s, ok := n.Text()
	if !ok || n.Kind == Bool {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// List returns the items of a List; a single non-list value is returned as a
// one-item list, which is how CloudFormation and the Framework read fields
// that take "one or many".
func (n *Node) List() []*Node {
	if n == nil || n.Kind == Null {
		return nil
	}
	if n.Kind == List {
		return n.Items
	}
	return []*Node{n}
}

// Strings returns the scalar texts of List(); non-scalars are skipped.
func (n *Node) Strings() []string {
	var out []string
	for _, it := range n.List() {
		if s, ok := it.Text(); ok {
			out = append(out, s)
		}
	}
	return out
}

// Each calls fn for every entry of a Map in document order.
func (n *Node) Each(fn func(key string, v *Node)) {
	if n == nil || n.Kind != Map {
		return
	}
	for i, k := range n.Keys {
		fn(k, n.Vals[i])
	}
}

// SortedKeys returns the keys of a Map in lexical order.
func (n *Node) SortedKeys() []string {
	if n == nil || n.Kind != Map {
		return nil
	}
	ks := append([]string(nil), n.Keys...)
	sort.Strings(ks)
	return ks
}

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Items != nil {
		c.Items = make([]*Node, len(n.Items))
		for i, it := range n.Items {
			c.Items[i] = it.Clone()
		}
	}
	if n.Keys != nil {
		c.Keys = append([]string(nil), n.Keys...)
		c.Vals = make([]*Node, len(n.Vals))
		for i, v := range n.Vals {
			c.Vals[i] = v.Clone()
		}
	}
	return &c
}

// Intrinsic returns the function name and argument when n is a
// CloudFormation intrinsic: a one-entry map keyed "Ref", "Condition" or
// "Fn::…".
func (n *Node) Intrinsic() (name string, arg *Node, ok bool) {
	if n == nil || n.Kind != Map || len(n.Keys) != 1 {
		return "", nil, false
	}
	k := n.Keys[0]
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, n.Vals[0], true
	}
	return "", nil, false
}

// RefTarget returns the logical id n points at when it is {Ref: X},
// {Fn::GetAtt: [X, Attr]} or {Fn::GetAtt: "X.Attr"}.
func (n *Node) RefTarget() (string, bool) {
	name, arg, ok := n.Intrinsic()
	if !ok {
		return "", false
	}
	switch name {
	case "Ref":
		s, ok := arg.Text()
		return s, ok
	case "Fn::GetAtt":
		if arg.Kind == List && len(arg.Items) > 0 {
			s, ok := arg.Items[0].Text()
			return s, ok
		}
		if s, ok := arg.Text(); ok {
			id, _, _ := strings.Cut(s, ".")
			return id, true
		}
	}
	return "", false
}

// Plain converts n to plain Go values (map[string]any, []any, string,
// float64/int64, bool, nil) for encoding. Unknowns become their expression.
func (n *Node) Plain() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Null:
		return nil
	case String, Unknown:
		return n.Str
	case Number:
		if i, err := strconv.ParseInt(n.Str, 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(n.Str, 64); err == nil {
			return f
		}
		return n.Str
	case Bool:
		return n.Str == "true"
	case List:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = it.Plain()
		}
		return out
	case Map:
		out := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			out[k] = n.Vals[i].Plain()
		}
		return out
	}
	return nil
}

// FromPlain builds a tree from plain Go values (the shape encoding/json
// decodes into), every node at position p.
func FromPlain(v any, p Pos) *Node {
	switch t := v.(type) {
	case nil:
		return NewNull(p)
	case string:
		return NewString(t, p)
	case bool:
		return NewBool(t, p)
	case float64:
		return NewNumber(strconv.FormatFloat(t, 'f', -1, 64), p)
	case int:
		return NewInt(int64(t), p)
	case int32:
		return NewInt(int64(t), p)
	case int64:
		return NewInt(t, p)
	case []any:
		l := NewList(p)
		for _, it := range t {
			l.Items = append(l.Items, FromPlain(it, p))
		}
		return l
	case []string:
		l := NewList(p)
		for _, it := range t {
			l.Items = append(l.Items, NewString(it, p))
		}
		return l
	case map[string]any:
		return fromMap(t, p, func(v any) *Node { return FromPlain(v, p) })
	case map[string]string:
		return fromMap(t, p, func(v string) *Node { return NewString(v, p) })
	}
	return NewString(fmt.Sprint(v), p)
}

// fromMap builds a Map node with sorted keys, so equal maps give equal trees.
func fromMap[V any](m map[string]V, p Pos, conv func(V) *Node) *Node {
	out := NewMap(p)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Set(k, conv(m[k]))
	}
	return out
}

// Describe renders a short human description of n for messages:
// the scalar in quotes, or the kind.
func (n *Node) Describe() string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case String:
		return strconv.Quote(n.Str)
	case Number, Bool:
		return n.Str
	case Unknown:
		return n.Str
	}
	return "a " + n.Kind.String()
}
