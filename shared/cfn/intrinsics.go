package cfn

import (
	"encoding/json"
	"strings"

	"prodready/shared/value"
)

// mode says where a value is being resolved: conditions may only use
// parameters, and Fn::If belongs to properties.
type mode uint8

const (
	inProperties mode = iota
	inCondition
)

const (
	// maxFold is the longest string Fn::Join or Fn::Sub is folded into; past
	// it the function is left as it is (no name or ARN is this long).
	maxFold = 64 << 10
	// foldBudget bounds the bytes of all folded strings of one template.
	foldBudget = 32 << 20
	// maxExpr is how much of an expression an Unknown node quotes.
	maxExpr = 160
)

// resolve returns a copy of n with the intrinsic functions that can be
// decided before deploy applied: Fn::If on a known condition becomes its
// branch, Ref AWS::NoValue removes the value (removed is true), Refs to
// parameters and pseudo parameters with known values become strings, and
// Fn::Join, Fn::Sub, Fn::Select, Fn::Split and Fn::FindInMap over known
// values are folded. References to resources stay as they are: rules
// resolve them through the inventory. Positions are kept. Map entries whose
// value is null are dropped, as the Framework strips them before deploy.
func (l *loader) resolve(n *value.Node, m mode) (v *value.Node, removed bool, err error) {
	return l.resolveAt(n, m, 0)
}

func (l *loader) count(p value.Pos, n int) error {
	if l.produced.Add(int64(n)) > int64(l.lim.MaxNodes) {
		return value.Errorf(p, "the template expands to more than %d values through its intrinsic functions; refusing to load it", l.lim.MaxNodes)
	}
	return nil
}

func (l *loader) resolveAt(n *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if n == nil {
		return nil, false, nil
	}
	if depth > l.lim.MaxDepth {
		return nil, false, value.Errorf(n.Pos, "value nests deeper than %d levels", l.lim.MaxDepth)
	}
	if err := l.count(n.Pos, 1); err != nil {
		return nil, false, err
	}
	switch n.Kind {
	case value.Map:
		if fn, arg, ok := n.Intrinsic(); ok && fn != "Condition" {
			return l.intrinsic(n, fn, arg, m, depth)
		}
		// Copy on write: most of a template needs no resolving, and copying
		// every map was the loader's largest cost.
		var out *value.Node
		for i, k := range n.Keys {
			v, removed, err := l.resolveAt(n.Vals[i], m, depth+1)
			if err != nil {
				return nil, false, err
			}
			drop := removed || v == nil || v.Kind == value.Null
			if out == nil && (drop || v != n.Vals[i]) {
				out = &value.Node{Kind: value.Map, Pos: n.Pos, Keys: make([]string, i, len(n.Keys)), Vals: make([]*value.Node, i, len(n.Vals))}
				copy(out.Keys, n.Keys[:i])
				copy(out.Vals, n.Vals[:i])
			}
			if out == nil || drop {
				continue
			}
			out.Keys = append(out.Keys, k)
			out.Vals = append(out.Vals, v)
		}
		if out == nil {
			return n, false, nil
		}
		return out, false, nil
	case value.List:
		var out *value.Node
		for i, it := range n.Items {
			v, removed, err := l.resolveAt(it, m, depth+1)
			if err != nil {
				return nil, false, err
			}
			if out == nil && (removed || v != it) {
				out = &value.Node{Kind: value.List, Pos: n.Pos, Items: make([]*value.Node, i, len(n.Items))}
				copy(out.Items, n.Items[:i])
			}
			if out == nil || removed {
				continue
			}
			out.Items = append(out.Items, v)
		}
		if out == nil {
			return n, false, nil
		}
		return out, false, nil
	}
	return n, false, nil
}

func (l *loader) intrinsic(n *value.Node, fn string, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	switch fn {
	case "Ref":
		return l.ref(n, arg, m)
	case "Fn::If":
		return l.fnIf(n, arg, m, depth)
	case "Fn::Sub":
		return l.fnSub(n, arg, m, depth)
	case "Fn::Join":
		return l.fnJoin(n, arg, m, depth)
	case "Fn::Select":
		return l.fnSelect(n, arg, m, depth)
	case "Fn::Split":
		return l.fnSplit(n, arg, m, depth)
	case "Fn::FindInMap":
		return l.fnFindInMap(n, arg, m, depth)
	}
	return l.keep(n, fn, arg, m, depth)
}

// keep rebuilds an intrinsic that stays as it is, resolving its argument.
func (l *loader) keep(n *value.Node, fn string, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	v, removed, err := l.resolveAt(arg, m, depth+1)
	if err != nil {
		return nil, false, err
	}
	if removed || v == nil {
		v = value.NewNull(arg.Pos)
	}
	if v == arg {
		return n, false, nil
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{fn}, Vals: []*value.Node{v}}, false, nil
}

func (l *loader) ref(n, arg *value.Node, m mode) (*value.Node, bool, error) {
	name, ok := arg.Text()
	if !ok || arg.Kind != value.String {
		return nil, false, value.Errorf(arg.Pos, "Ref expects the name of a parameter or resource, found %s", arg.Describe())
	}
	if name == "AWS::NoValue" {
		return nil, true, nil
	}
	if v, why, isPseudo := l.pseudo(name); isPseudo {
		if why != "" {
			return value.NewUnknown("Ref "+name, why, n.Pos), false, nil
		}
		return value.NewString(v, n.Pos), false, nil
	}
	if p := l.params[name]; p != nil {
		if p.val == nil {
			return value.NewUnknown("Ref "+name, p.why, n.Pos), false, nil
		}
		c := l.cloneAt(p.val, n.Pos)
		return c, false, l.count(n.Pos, 1+len(c.Items))
	}
	if m == inCondition {
		return nil, false, value.Errorf(arg.Pos, "a condition can only refer to parameters and pseudo parameters, and %s is neither", name)
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Ref"}, Vals: []*value.Node{value.NewString(name, arg.Pos)}}, false, nil
}

func (l *loader) fnIf(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if m == inCondition {
		return nil, false, value.Errorf(n.Pos, "Fn::If cannot be used inside a condition (use Fn::And, Fn::Or and Fn::Not)")
	}
	if arg.Kind != value.List || len(arg.Items) != 3 {
		return nil, false, value.Errorf(argPos(n, arg), "Fn::If expects [condition name, value if true, value if false], found %s", describeArgs(arg))
	}
	name, ok := arg.Items[0].Text()
	if !ok || arg.Items[0].Kind == value.Bool {
		return nil, false, value.Errorf(arg.Items[0].Pos, "Fn::If expects a condition name first, found %s", arg.Items[0].Describe())
	}
	if l.conds.Field(name) == nil {
		return nil, false, value.Errorf(arg.Items[0].Pos, "Fn::If uses condition %s, which is not defined in Conditions%s", name, l.definedHint())
	}
	// The branch not taken is not resolved, but an Fn::If inside it must
	// still name a defined condition.
	switch l.truth[name] {
	case True:
		if err := l.checkIfConditions(arg.Items[2]); err != nil {
			return nil, false, err
		}
		return l.resolveAt(arg.Items[1], m, depth+1)
	case False:
		if err := l.checkIfConditions(arg.Items[1]); err != nil {
			return nil, false, err
		}
		return l.resolveAt(arg.Items[2], m, depth+1)
	}
	if err := l.checkIfConditions(arg); err != nil {
		return nil, false, err
	}
	return value.NewUnknown(exprText(n), "depends on condition "+name, n.Pos), false, nil
}

// fnSub folds Fn::Sub when every ${Name} is a known value.
func (l *loader) fnSub(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	var tmpl, vars *value.Node
	switch {
	case arg.Kind == value.String:
		tmpl = arg
	case arg.Kind == value.List && len(arg.Items) >= 1 && len(arg.Items) <= 2 && arg.Items[0].Kind == value.String:
		tmpl = arg.Items[0]
		if len(arg.Items) == 2 {
			vars = arg.Items[1]
		}
	default:
		return l.keep(n, "Fn::Sub", arg, m, depth)
	}
	rvars, _, err := l.resolveAt(vars, m, depth+2)
	if err != nil {
		return nil, false, err
	}
	if rvars == nil || rvars.Kind == value.Map {
		if s, ok := l.foldSub(tmpl.Str, rvars); ok {
			return value.NewString(s, n.Pos), false, nil
		}
	}
	t := value.NewString(tmpl.Str, tmpl.Pos)
	if vars == nil {
		return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::Sub"}, Vals: []*value.Node{t}}, false, nil
	}
	if rvars == nil {
		rvars = value.NewMap(vars.Pos)
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::Sub"}, Vals: []*value.Node{value.NewList(arg.Pos, t, rvars)}}, false, nil
}

func (l *loader) foldSub(s string, vars *value.Node) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}") // ${!Literal} is written as ${Literal}
		} else {
			v, ok := l.subVar(name, vars)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		}
		if b.Len() > maxFold {
			return "", false
		}
		s = s[i+j+1:]
	}
	return l.spend(b.String())
}

// subVar returns the known text of a ${Name} in Fn::Sub.
func (l *loader) subVar(name string, vars *value.Node) (string, bool) {
	if v := vars.Field(name); v != nil {
		if v.Kind == value.String || v.Kind == value.Number || v.Kind == value.Bool {
			return v.Str, true
		}
		return "", false
	}
	if v, why, isPseudo := l.pseudo(name); isPseudo {
		return v, why == ""
	}
	if p := l.params[name]; p != nil && p.val != nil && p.val.Kind == value.String {
		return p.val.Str, true
	}
	return "", false // a resource, or a value only known at deploy time
}

// spend charges a folded string to the template's budget.
func (l *loader) spend(s string) (string, bool) {
	if l.folded.Add(int64(len(s))) > foldBudget {
		l.folded.Add(-int64(len(s)))
		return "", false
	}
	return s, true
}

func (l *loader) fnJoin(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if arg.Kind != value.List || len(arg.Items) != 2 {
		return l.keep(n, "Fn::Join", arg, m, depth)
	}
	rarg, _, err := l.resolveAt(arg, m, depth+1)
	if err != nil {
		return nil, false, err
	}
	if len(rarg.Items) == 2 {
		delim, parts := rarg.Items[0], rarg.Items[1]
		if d, ok := scalarText(delim); ok && parts.Kind == value.List && knownScalarsNoBool(parts.Items) {
			size := len(d) * len(parts.Items)
			for _, p := range parts.Items {
				size += len(p.Str)
			}
			if size <= maxFold {
				strs := make([]string, len(parts.Items))
				for i, p := range parts.Items {
					strs[i] = p.Str
				}
				if s, ok := l.spend(strings.Join(strs, d)); ok {
					return value.NewString(s, n.Pos), false, nil
				}
			}
		}
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::Join"}, Vals: []*value.Node{rarg}}, false, nil
}

func (l *loader) fnSelect(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if arg.Kind != value.List || len(arg.Items) != 2 {
		return l.keep(n, "Fn::Select", arg, m, depth)
	}
	rarg, _, err := l.resolveAt(arg, m, depth+1)
	if err != nil {
		return nil, false, err
	}
	if len(rarg.Items) == 2 {
		i, ok := rarg.Items[0].AsInt()
		list := rarg.Items[1]
		if ok && rarg.Items[0].Kind != value.Bool && list.Kind == value.List && i >= 0 && i < int64(len(list.Items)) {
			return list.Items[i], false, nil
		}
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::Select"}, Vals: []*value.Node{rarg}}, false, nil
}

func (l *loader) fnSplit(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if arg.Kind != value.List || len(arg.Items) != 2 {
		return l.keep(n, "Fn::Split", arg, m, depth)
	}
	rarg, _, err := l.resolveAt(arg, m, depth+1)
	if err != nil {
		return nil, false, err
	}
	if len(rarg.Items) == 2 {
		d, dok := scalarText(rarg.Items[0])
		s, sok := scalarText(rarg.Items[1])
		if dok && sok && d != "" {
			parts := strings.Split(s, d)
			if err := l.count(n.Pos, len(parts)); err != nil {
				return nil, false, err
			}
			out := value.NewList(n.Pos)
			out.Items = make([]*value.Node, len(parts))
			for i, p := range parts {
				out.Items[i] = value.NewString(p, n.Pos)
			}
			return out, false, nil
		}
	}
	return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::Split"}, Vals: []*value.Node{rarg}}, false, nil
}

// fnFindInMap looks the value up in Mappings when the keys are known. A
// lookup that cannot succeed fails the deploy, so it is an error here too.
func (l *loader) fnFindInMap(n, arg *value.Node, m mode, depth int) (*value.Node, bool, error) {
	if arg.Kind != value.List || len(arg.Items) < 3 || len(arg.Items) > 4 {
		return nil, false, value.Errorf(argPos(n, arg), "Fn::FindInMap expects [map name, top-level key, second-level key], found %s", describeArgs(arg))
	}
	rarg, _, err := l.resolveAt(arg, m, depth+1)
	if err != nil {
		return nil, false, err
	}
	if len(rarg.Items) != len(arg.Items) {
		return nil, false, value.Errorf(n.Pos, "Fn::FindInMap has an argument that is AWS::NoValue")
	}
	keys := make([]string, 3)
	for i := range keys {
		s, ok := scalarText(rarg.Items[i])
		if !ok {
			return &value.Node{Kind: value.Map, Pos: n.Pos, Keys: []string{"Fn::FindInMap"}, Vals: []*value.Node{rarg}}, false, nil
		}
		keys[i] = s
	}
	if found := l.mappings.Get(keys...); found != nil {
		return l.cloneCounted(found)
	}
	if len(rarg.Items) == 4 {
		// AWS::LanguageExtensions: [map, key, key, {DefaultValue: v}].
		if d := rarg.Items[3].Field("DefaultValue"); d != nil {
			return d, false, nil
		}
	}
	return nil, false, value.Errorf(n.Pos, "Fn::FindInMap: Mappings has no %s (the lookup would fail at deploy)", strings.Join(keys, " > "))
}

func scalarText(n *value.Node) (string, bool) {
	if n == nil || n.Kind == value.Bool {
		return "", false
	}
	return n.Text()
}

func knownScalarsNoBool(items []*value.Node) bool {
	for _, it := range items {
		if _, ok := scalarText(it); !ok {
			return false
		}
	}
	return true
}

// cloneAt copies a parameter value to where it is referenced.
func (l *loader) cloneAt(v *value.Node, p value.Pos) *value.Node {
	if v.Kind != value.List {
		c := *v
		c.Pos = p
		return &c
	}
	out := value.NewList(p)
	out.Items = make([]*value.Node, len(v.Items))
	for i, it := range v.Items {
		out.Items[i] = value.NewString(it.Str, p)
	}
	return out
}

// cloneCounted copies a mapping value, charging every node to the budget:
// one large mapping value looked up many times must not exhaust memory.
func (l *loader) cloneCounted(v *value.Node) (*value.Node, bool, error) {
	size := 0
	walkCount(v, &size)
	if err := l.count(v.Pos, size); err != nil {
		return nil, false, err
	}
	return v.Clone(), false, nil
}

func walkCount(n *value.Node, size *int) {
	if n == nil {
		return
	}
	*size++
	for _, it := range n.Items {
		walkCount(it, size)
	}
	for _, v := range n.Vals {
		walkCount(v, size)
	}
}

// exprText renders an expression compactly for an Unknown node's message.
func exprText(n *value.Node) string {
	b, err := json.Marshal(n.Plain())
	if err != nil {
		return "an expression"
	}
	s := string(b)
	if len(s) > maxExpr {
		s = s[:maxExpr] + "…"
	}
	return s
}
