package value

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits bound what a loader accepts, so a hostile or broken file costs
// bounded time and memory.
type Limits struct {
	// MaxBytes is the largest file read.
	MaxBytes int64
	// MaxNodes is the most nodes a document may expand to, aliases included
	// (the "billion laughs" bound).
	MaxNodes int
	// MaxDepth is the deepest nesting accepted.
	MaxDepth int
}

// DefaultLimits are far above any real serverless.yml or template (the
// largest CloudFormation template AWS accepts is 1 MB) yet keep a bad file
// from exhausting memory.
var DefaultLimits = Limits{MaxBytes: 8 << 20, MaxNodes: 2_000_000, MaxDepth: 200}

// ReadFile reads a file within the limits.
func ReadFile(path string, lim Limits) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, Errorf(Pos{File: path}, "is a directory, expected a file")
	}
	max := lim.MaxBytes
	if max <= 0 {
		max = DefaultLimits.MaxBytes
	}
	if st.Size() > max {
		return nil, Errorf(Pos{File: path}, "file is %d bytes; the limit is %d bytes (%d MiB)", st.Size(), max, max>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, Errorf(Pos{File: path}, "file is larger than the limit of %d bytes", max)
	}
	return data, nil
}

// ParseYAML parses the first document of a YAML file into a tree. file names
// the source in positions. CloudFormation short forms (!Ref, !GetAtt, !Sub,
// !If, …) become their long form ({"Ref": …}, {"Fn::GetAtt": […]}).
// Aliases are expanded within lim.MaxNodes.
func ParseYAML(file string, src []byte, lim Limits) (*Node, error) {
	if lim.MaxBytes > 0 && int64(len(src)) > lim.MaxBytes {
		return nil, Errorf(Pos{File: file}, "file is %d bytes; the limit is %d bytes", len(src), lim.MaxBytes)
	}
	if n, ok := parseYAMLChunked(file, src, lim, defaultWorkers(), chunkMinBytes); ok {
		return n, nil
	}
	return parseYAMLWhole(file, src, lim)
}

// parseYAMLWhole parses a document in one piece.
func parseYAMLWhole(file string, src []byte, lim Limits) (*Node, error) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, yamlError(file, err)
	}
	c := &yamlConv{file: file, lim: lim, anchors: map[string]*Node{}}
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		n, err := c.conv(doc.Body, 0)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	return NewNull(Pos{File: file, Line: 1, Col: 1}), nil
}

func yamlError(file string, err error) error {
	type tokErr interface {
		GetToken() *token.Token
		GetMessage() string
	}
	var te tokErr
	if errors.As(err, &te) {
		p := Pos{File: file}
		if tk := te.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
		return &Error{Pos: p, Msg: "invalid YAML: " + te.GetMessage()}
	}
	return &Error{Pos: Pos{File: file}, Msg: "invalid YAML: " + err.Error()}
}

type yamlConv struct {
	file    string
	lim     Limits
	nodes   int
	anchors map[string]*Node
}

func (c *yamlConv) pos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{File: c.file}
	}
	return Pos{File: c.file, Line: tk.Position.Line, Col: tk.Position.Column}
}

func (c *yamlConv) count(n int, p Pos) error {
	c.nodes += n
	if c.lim.MaxNodes > 0 && c.nodes > c.lim.MaxNodes {
		return Errorf(p, "document expands to more than %d values (aliases included); refusing to load it", c.lim.MaxNodes)
	}
	return nil
}

func (c *yamlConv) conv(n ast.Node, depth int) (*Node, error) {
	p := c.pos(n.GetToken())
	if c.lim.MaxDepth > 0 && depth > c.lim.MaxDepth {
		return nil, Errorf(p, "document nests deeper than %d levels", c.lim.MaxDepth)
	}
	if err := c.count(1, p); err != nil {
		return nil, err
	}
	switch t := n.(type) {
	case *ast.NullNode:
		return NewNull(p), nil
	case *ast.StringNode:
		return NewString(t.Value, p), nil
	case *ast.LiteralNode:
		return NewString(t.Value.Value, p), nil
	case *ast.IntegerNode:
		return NewNumber(fmt.Sprint(t.Value), p), nil
	case *ast.FloatNode:
		return NewNumber(strconv.FormatFloat(t.Value, 'f', -1, 64), p), nil
	case *ast.InfinityNode:
		return NewNumber(strconv.FormatFloat(t.Value, 'f', -1, 64), p), nil
	case *ast.NanNode:
		return NewNumber(strconv.FormatFloat(math.NaN(), 'f', -1, 64), p), nil
	case *ast.BoolNode:
		return NewBool(t.Value, p), nil
	case *ast.AnchorNode:
		v, err := c.conv(t.Value, depth)
		if err != nil {
			return nil, err
		}
		c.anchors[t.Name.String()] = v
		return v, nil
	case *ast.AliasNode:
		name := t.Value.String()
		v, ok := c.anchors[name]
		if !ok {
			return nil, Errorf(p, "alias *%s refers to no anchor defined before it", name)
		}
		return c.cloneCounted(v, p)
	case *ast.TagNode:
		return c.tag(t, p, depth)
	case *ast.MappingNode:
		m := NewMap(p)
		for _, mv := range t.Values {
			if err := c.mapEntry(m, mv, t.IsFlowStyle, depth); err != nil {
				return nil, err
			}
		}
		return m, nil
	case *ast.MappingValueNode:
		m := NewMap(p)
		if err := c.mapEntry(m, t, t.IsFlowStyle, depth); err != nil {
			return nil, err
		}
		return m, nil
	case *ast.SequenceNode:
		l := NewList(p)
		l.Items = make([]*Node, 0, len(t.Values))
		for i, it := range t.Values {
			v, err := c.conv(it, depth+1)
			if err != nil {
				return nil, err
			}
			if v.Kind == Null && i < len(t.Entries) && t.Entries[i] != nil && t.Entries[i].Start != nil {
				v.Pos = c.pos(t.Entries[i].Start) // an empty item is where its dash is
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case *ast.CommentNode, *ast.CommentGroupNode:
		return NewNull(p), nil
	case *ast.MappingKeyNode:
		return c.conv(t.Value, depth)
	}
	return nil, Errorf(p, "unsupported YAML construct %s", n.Type())
}

func (c *yamlConv) mapEntry(m *Node, mv *ast.MappingValueNode, flow bool, depth int) error {
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		v, err := c.conv(mv.Value, depth+1)
		if err != nil {
			return err
		}
		var srcs []*Node
		switch v.Kind {
		case Map:
			srcs = []*Node{v}
		case List:
			srcs = v.Items
		default:
			return Errorf(v.Pos, "merge key << expects a map or a list of maps, found %s", v.Kind)
		}
		for _, s := range srcs {
			if s.Kind != Map {
				return Errorf(s.Pos, "merge key << expects a map, found %s", s.Kind)
			}
			for i, k := range s.Keys {
				if m.Field(k) == nil { // explicit keys win over merged ones
					m.Set(k, s.Vals[i])
				}
			}
		}
		return nil
	}
	if key, v, ok, err := c.flowKeyWithColon(mv, flow || mv.IsFlowStyle); ok || err != nil {
		if err != nil {
			return err
		}
		m.Set(key, v)
		return nil
	}
	kp := c.pos(mv.Key.GetToken())
	kn, err := c.conv(mv.Key, depth+1)
	if err != nil {
		return err
	}
	key, ok := kn.Text()
	if !ok {
		if kn.Kind == Null {
			key = "null"
		} else {
			return Errorf(kp, "map key must be a scalar, found %s", kn.Kind)
		}
	}
	v, err := c.conv(mv.Value, depth+1)
	if err != nil {
		return err
	}
	if v.Kind == Null {
		// An empty value has no token of its own; the parser places it by
		// whatever follows. The key is where an engineer looks.
		v.Pos = kp
	}
	// A key that is merged in (<<) before may be overridden by an explicit key.
	m.Set(key, v)
	m.setKeyPos(key, kp)
	return nil
}

// setKeyPos records where a key was written. Rules report a missing or wrong
// setting at its key, which is where an engineer looks.
func (n *Node) setKeyPos(key string, p Pos) {
	if v := n.Field(key); v != nil && v.Kind != Null && v.Pos.Line != p.Line && (v.Kind == Map || v.Kind == List) {
		// Block maps and lists start on the line after their key; point at the key.
		v.Pos = p
	}
}

func (c *yamlConv) cloneCounted(v *Node, p Pos) (*Node, error) {
	var err error
	var clone func(*Node) *Node
	clone = func(n *Node) *Node {
		if err != nil || n == nil {
			return nil
		}
		if err = c.count(1, p); err != nil {
			return nil
		}
		cp := *n
		if n.Items != nil {
			cp.Items = make([]*Node, len(n.Items))
			for i, it := range n.Items {
				cp.Items[i] = clone(it)
			}
		}
		if n.Keys != nil {
			cp.Keys = append([]string(nil), n.Keys...)
			cp.Vals = make([]*Node, len(n.Vals))
			for i, it := range n.Vals {
				cp.Vals[i] = clone(it)
			}
		}
		return &cp
	}
	out := clone(v)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cfnTags maps the CloudFormation short-form tags to their long form.
var cfnTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!FindInMap": "Fn::FindInMap",
	"!GetAtt": "Fn::GetAtt", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!Sub": "Fn::Sub",
	"!Transform": "Fn::Transform", "!And": "Fn::And", "!Equals": "Fn::Equals",
	"!If": "Fn::If", "!Not": "Fn::Not", "!Or": "Fn::Or", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!ForEach": "Fn::ForEach",
}

func (c *yamlConv) tag(t *ast.TagNode, p Pos, depth int) (*Node, error) {
	tag := t.Start.Value
	var v *Node
	if t.Value == nil {
		v = NewNull(p)
	} else {
		var err error
		if v, err = c.conv(t.Value, depth+1); err != nil {
			return nil, err
		}
	}
	if long, ok := cfnTags[tag]; ok {
		if long == "Fn::GetAtt" {
			if s, ok := v.Text(); ok {
				id, attr, found := strings.Cut(s, ".")
				if !found {
					return nil, Errorf(p, "!GetAtt expects LogicalId.Attribute, found %q", s)
				}
				v = NewList(v.Pos, NewString(id, v.Pos), NewString(attr, v.Pos))
			}
		}
		return NewMap(p).Set(long, v), nil
	}
	switch tag {
	case "!!str":
		if s, ok := v.Text(); ok {
			return NewString(s, v.Pos), nil
		}
		if v.Kind == Null {
			return NewString("", v.Pos), nil
		}
	case "!!int", "!!float":
		if s, ok := v.Text(); ok {
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return NewNumber(s, v.Pos), nil
			}
			return nil, Errorf(p, "%s expects a number, found %q", tag, s)
		}
	case "!!bool":
		if b, ok := v.AsBool(); ok {
			return NewBool(b, v.Pos), nil
		}
	case "!!map", "!!seq", "!!null", "!!binary", "!!timestamp":
		return v, nil
	}
	return nil, Errorf(p, "unknown YAML tag %s (expected a CloudFormation short form such as !Ref, !GetAtt, !Sub)", tag)
}

// flowKeyWithColon repairs a go-yaml mis-split (goccy/go-yaml#832): in a flow
// map, `{aws:SourceArn: x}` has the key "aws:SourceArn" (a colon not followed
// by a space belongs to the plain scalar), but the parser splits it at the
// first colon into key "aws" and value "SourceArn: x". IAM conditions are
// written like this, so reading it wrong would misjudge a policy. The parser
// marks the case by a plain value token starting right after the colon.
func (c *yamlConv) flowKeyWithColon(mv *ast.MappingValueNode, flow bool) (string, *Node, bool, error) {
	k, ok := mv.Key.(*ast.StringNode)
	if !ok || !flow || mv.Start == nil || mv.Start.Position == nil {
		return "", nil, false, nil
	}
	v, ok := mv.Value.(*ast.StringNode)
	if !ok || k.Token == nil || v.Token == nil || k.Token.Type != token.StringType || v.Token.Type != token.StringType || v.Token.Position == nil {
		return "", nil, false, nil
	}
	colon, vp := mv.Start.Position, v.Token.Position
	if vp.Line != colon.Line || vp.Column != colon.Column+1 {
		return "", nil, false, nil
	}
	kp := c.pos(k.Token)
	rest := v.Value
	keyTail, valText, found := strings.Cut(rest, ": ")
	if !found {
		return k.Value + ":" + rest, NewNull(kp), true, nil
	}
	sub, err := ParseYAML(c.file, []byte("v: "+valText+"\n"), c.lim)
	if err != nil {
		return "", nil, false, Errorf(kp, "cannot read flow map entry %q: %v", k.Value+":"+rest, err)
	}
	val := sub.Get("v")
	if val == nil {
		val = NewNull(kp)
	}
	val.Pos = c.pos(v.Token)
	return k.Value + ":" + keyTail, val, true, nil
}
