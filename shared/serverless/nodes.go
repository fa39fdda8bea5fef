package serverless

import (
	"encoding/json"
	"strconv"
	"strings"

	"prodready/shared/value"
)

// The compiler builds the CloudFormation template as a value tree so every
// generated node can carry the position of the serverless.yml setting that
// caused it: a finding on a generated resource then points at the line to
// change.

// V turns a Go value into a node at p. A nil value (JavaScript's undefined
// in the Framework's code) gives nil, which M and L skip.
func V(p value.Pos, v any) *value.Node {
	switch t := v.(type) {
	case nil:
		return nil
	case *value.Node:
		return t
	case string:
		return value.NewString(t, p)
	case int:
		return value.NewInt(int64(t), p)
	case int64:
		return value.NewInt(t, p)
	case bool:
		return value.NewBool(t, p)
	case []*value.Node:
		return value.NewList(p, t...)
	case []string:
		l := value.NewList(p)
		l.Items = make([]*value.Node, 0, len(t))
		for _, s := range t {
			l.Items = append(l.Items, value.NewString(s, p))
		}
		return l
	}
	panic("serverless: unsupported node value") // a programming error, caught by tests
}

// M builds a map from alternating keys and values, skipping nil values.
func M(p value.Pos, kv ...any) *value.Node {
	m := value.NewMap(p)
	m.Keys = make([]string, 0, len(kv)/2)
	m.Vals = make([]*value.Node, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if v := V(p, kv[i+1]); v != nil {
			m.Keys = append(m.Keys, kv[i].(string))
			m.Vals = append(m.Vals, v)
		}
	}
	return m
}

// L builds a list, skipping nil items.
func L(p value.Pos, items ...any) *value.Node {
	l := value.NewList(p)
	l.Items = make([]*value.Node, 0, len(items))
	for _, it := range items {
		if v := V(p, it); v != nil {
			l.Items = append(l.Items, v)
		}
	}
	return l
}

// ref, getAtt and one-key maps are built directly: they are the most
// common nodes of a template and go through no interface conversions.
func ref(p value.Pos, id string) *value.Node { return single(p, "Ref", value.NewString(id, p)) }

func getAtt(p value.Pos, id, attr string) *value.Node {
	l := &value.Node{Kind: value.List, Pos: p, Items: []*value.Node{value.NewString(id, p), value.NewString(attr, p)}}
	return single(p, "Fn::GetAtt", l)
}

func single(p value.Pos, key string, v *value.Node) *value.Node {
	// One allocation for the node and its one-entry slices.
	b := &struct {
		n    value.Node
		keys [1]string
		vals [1]*value.Node
	}{}
	b.keys[0], b.vals[0] = key, v
	b.n = value.Node{Kind: value.Map, Pos: p, Keys: b.keys[:], Vals: b.vals[:]}
	return &b.n
}

func join(p value.Pos, delim string, parts ...any) *value.Node {
	return M(p, "Fn::Join", L(p, delim, L(p, parts...)))
}

func sub(p value.Pos, s string) *value.Node { return M(p, "Fn::Sub", s) }

// arnJoin is the Framework's arn:${Partition}:<service>:${Region}:${Account}: prefix.
func partitionRef(p value.Pos) *value.Node { return ref(p, "AWS::Partition") }
func regionRef(p value.Pos) *value.Node    { return ref(p, "AWS::Region") }
func accountRef(p value.Pos) *value.Node   { return ref(p, "AWS::AccountId") }

// cp deep-copies a configuration node so the template can be changed
// without changing the configuration; positions are kept.
func cp(n *value.Node) *value.Node { return n.Clone() }

// set puts v under key when v is not nil.
func set(m *value.Node, key string, v *value.Node) {
	if v != nil {
		m.Set(key, v)
	}
}

// truthy reads n the way JavaScript's `if (x)` does. An Unknown is a value
// that exists (an SSM parameter), so it is truthy.
func truthy(n *value.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case value.Null:
		return false
	case value.Bool:
		return n.Str == "true"
	case value.String:
		return n.Str != ""
	case value.Number:
		f, err := strconv.ParseFloat(n.Str, 64)
		return err != nil || (f != 0 && f == f)
	}
	return true
}

// flag reads a boolean setting the way the Framework sees it after its
// schema validation coerced "true"/"false" strings.
func flag(n *value.Node) bool {
	if b, ok := n.AsBool(); ok {
		return b
	}
	return truthy(n)
}

// isObj reports whether n is a map (a JavaScript object that is not an array).
func isObj(n *value.Node) bool { return n != nil && n.Kind == value.Map }

// isStr reports whether n is a plain string (numbers and booleans are
// scalars too, but the Framework's `typeof x === 'string'` is false for them).
func isStr(n *value.Node) bool { return n != nil && n.Kind == value.String }

// text returns the string form of a scalar, or for an Unknown its
// expression, so names derived from a deploy-time value still read as
// that value's expression.
func text(n *value.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == value.Unknown {
		return n.Str
	}
	s, _ := n.Text()
	return s
}

// cat concatenates strings and scalar nodes like a JavaScript template
// literal. When a part is an Unknown, the result is an Unknown whose
// expression is the concatenation, so a rule reading it fails closed.
func cat(p value.Pos, parts ...any) *value.Node {
	var b strings.Builder
	var unknown *value.Node
	for _, part := range parts {
		switch t := part.(type) {
		case string:
			b.WriteString(t)
		case *value.Node:
			if t.IsUnknown() && unknown == nil {
				unknown = t
			}
			b.WriteString(text(t))
		}
	}
	if unknown != nil {
		return value.NewUnknown(b.String(), unknown.Why, p)
	}
	return value.NewString(b.String(), p)
}

func itoa(i int) string { return strconv.Itoa(i) }

// posOf returns the first non-zero position among the nodes, or fallback.
func posOf(fallback value.Pos, nodes ...*value.Node) value.Pos {
	for _, n := range nodes {
		if n != nil && !n.Pos.IsZero() {
			return n.Pos
		}
	}
	return fallback
}

// template is the CloudFormation template under construction, with an
// index of its resources: services of a thousand functions have thousands of
// resources and a linear search per insert would be quadratic.
type template struct {
	root      *value.Node
	resources *value.Node
	outputs   *value.Node
	idx       map[string]int
}

func newTemplate(p value.Pos) *template {
	t := &template{
		root:      M(p, "AWSTemplateFormatVersion", "2010-09-09", "Description", "The AWS CloudFormation template for this Serverless application"),
		resources: value.NewMap(p),
		outputs:   value.NewMap(p),
		idx:       map[string]int{},
	}
	t.root.Set("Resources", t.resources)
	t.root.Set("Outputs", t.outputs)
	return t
}

func (t *template) get(id string) *value.Node {
	if i, ok := t.idx[id]; ok {
		return t.resources.Vals[i]
	}
	return nil
}

func (t *template) has(id string) bool { _, ok := t.idx[id]; return ok }

// put adds or replaces a resource (Object.assign semantics: a replaced
// resource keeps its place).
func (t *template) put(id string, r *value.Node) {
	if i, ok := t.idx[id]; ok {
		t.resources.Vals[i] = r
		return
	}
	t.idx[id] = len(t.resources.Keys)
	t.resources.Keys = append(t.resources.Keys, id)
	t.resources.Vals = append(t.resources.Vals, r)
}

func (t *template) del(id string) {
	i, ok := t.idx[id]
	if !ok {
		return
	}
	t.resources.Keys = append(t.resources.Keys[:i:i], t.resources.Keys[i+1:]...)
	t.resources.Vals = append(t.resources.Vals[:i:i], t.resources.Vals[i+1:]...)
	delete(t.idx, id)
	for j := i; j < len(t.resources.Keys); j++ {
		t.idx[t.resources.Keys[j]] = j
	}
}

// resource builds {Type, Properties} at p.
func resource(p value.Pos, typ string, props *value.Node) *value.Node {
	return M(p, "Type", typ, "Properties", props)
}

// props returns the Properties map of a resource, creating it if needed.
func props(r *value.Node) *value.Node {
	pr := r.Field("Properties")
	if pr == nil || pr.Kind != value.Map {
		pr = value.NewMap(r.Pos)
		r.Set("Properties", pr)
	}
	return pr
}

// appendDependsOn adds ids to a resource's DependsOn list.
func appendDependsOn(r *value.Node, ids ...string) {
	d := r.Field("DependsOn")
	if d == nil || d.Kind != value.List {
		nd := value.NewList(r.Pos)
		if d != nil && d.Kind == value.String {
			nd.Items = append(nd.Items, d)
		}
		d = nd
		r.Set("DependsOn", d)
	}
	for _, id := range ids {
		if id != "" {
			d.Items = append(d.Items, value.NewString(id, r.Pos))
		}
	}
}

// jsonString renders n as JSON.stringify does, keys in document order.
func jsonString(n *value.Node) string {
	var b strings.Builder
	writeJSON(&b, n)
	return b.String()
}

func writeJSON(b *strings.Builder, n *value.Node) {
	if n == nil {
		b.WriteString("null")
		return
	}
	switch n.Kind {
	case value.Null:
		b.WriteString("null")
	case value.Bool:
		b.WriteString(n.Str)
	case value.Number:
		if f, err := strconv.ParseFloat(n.Str, 64); err == nil {
			b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		} else {
			b.WriteString("null")
		}
	case value.String, value.Unknown:
		b.WriteString(quoteJSON(n.Str))
	case value.List:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it)
		}
		b.WriteByte(']')
	case value.Map:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteJSON(k))
			b.WriteByte(':')
			writeJSON(b, n.Vals[i])
		}
		b.WriteByte('}')
	}
}

// quoteJSON quotes s as JSON.stringify does (no HTML escaping).
func quoteJSON(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// getU follows a path like Get, but when a map on the way is an Unknown
// (a whole section from SSM) it returns that Unknown: what it holds cannot
// be seen, which is not the same as absent.
func getU(n *value.Node, path ...string) *value.Node {
	cur := n
	for _, k := range path {
		if cur == nil {
			return nil
		}
		if cur.IsUnknown() {
			return cur
		}
		cur = cur.Field(k)
	}
	return cur
}
