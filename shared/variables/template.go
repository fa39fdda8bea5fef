package variables

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"prodready/shared/value"
)

// A template is a string being resolved, as segments: text that may still
// hold variables, and parts already known to be Unknown. osls re-parses each
// part of an interpolated string on its own ("resolveSourceValuesVariables"),
// so a value that happens to look like a variable only when joined to its
// neighbour is never resolved; keeping segments does the same and lets an
// Unknown part stay unknown through later rounds.
type template struct {
	segs []seg
	// interp is set once the template was built by interpolation: its value
	// is a string whatever its parts resolve to.
	interp bool
}

type seg struct {
	text    string
	vars    []*variable // variables still to resolve in text
	unknown bool        // text is the expression of a value known only at deploy time
	why     string
}

// evalTemplate resolves one round of variables. It returns the value, and
// when that value holds variables again (a string from an environment
// variable or a file that contains ${…}), the template for the next round.
func (r *resolver) evalTemplate(ctx *evalCtx, t template) (*value.Node, template, bool, error) {
	if !t.interp && len(t.segs) == 1 && len(t.segs[0].vars) == 1 && t.segs[0].vars[0].whole && !t.segs[0].vars[0].escape {
		s := t.segs[0]
		n, err := r.evalVariable(ctx, s.text, s.vars[0])
		if err != nil {
			return nil, template{}, false, err
		}
		if n.Kind == value.String {
			vars, err := r.parse(n.Str)
			if err != nil {
				return nil, template{}, false, r.approached(ctx, err)
			}
			if vars != nil {
				return n, template{segs: []seg{{text: n.Str, vars: vars}}}, true, nil
			}
		}
		return n, template{}, false, nil
	}

	// Resolve every variable first: an error in any of them wins over a
	// source that is not available yet, as in osls's Promise.all.
	values := make([][]*value.Node, len(t.segs))
	pending := false
	for si, s := range t.segs {
		if len(s.vars) == 0 {
			continue
		}
		values[si] = make([]*value.Node, len(s.vars))
		for vi, v := range s.vars {
			if v.escape {
				continue
			}
			n, err := r.evalVariable(ctx, s.text, v)
			if err == errPending {
				pending = true
				continue
			}
			if err != nil {
				return nil, template{}, false, err
			}
			values[si][vi] = n
		}
	}
	if pending {
		return nil, template{}, false, errPending
	}

	out := make([]seg, 0, len(t.segs)*2)
	more := false
	// add appends a segment produced in this round; its text is parsed for
	// variables on its own.
	add := func(s seg) error {
		if s.text == "" {
			return nil
		}
		if !s.unknown {
			vars, err := r.parse(s.text)
			if err != nil {
				return r.approached(ctx, err)
			}
			if vars != nil {
				s.vars = vars
				more = true
			}
		}
		out = append(out, s)
		return nil
	}
	for si, s := range t.segs {
		if len(s.vars) == 0 {
			if s.text != "" {
				out = append(out, seg{text: s.text, unknown: s.unknown, why: s.why})
			}
			continue
		}
		last := 0
		for vi, v := range s.vars {
			if err := add(seg{text: s.text[last:v.start]}); err != nil {
				return nil, template{}, false, err
			}
			last = v.end
			if v.escape {
				out = append(out, seg{text: v.repl})
				continue
			}
			text, unknown, why, ok := coerce(values[si][vi])
			if !ok {
				return nil, template{}, false, r.fail(ctx, "String value consist of variable which resolve with non-string value")
			}
			if err := add(seg{text: text, unknown: unknown, why: why}); err != nil {
				return nil, template{}, false, err
			}
		}
		if err := add(seg{text: s.text[last:]}); err != nil {
			return nil, template{}, false, err
		}
	}

	size := 0
	for _, s := range out {
		size += len(s.text)
	}
	if err := r.addText(ctx, size); err != nil {
		return nil, template{}, false, err
	}
	var b strings.Builder
	b.Grow(size)
	var whys []string
	for _, s := range out {
		b.WriteString(s.text)
		if s.unknown && !contains(whys, s.why) {
			whys = append(whys, s.why)
		}
	}
	var n *value.Node
	if whys != nil {
		n = value.NewUnknown(b.String(), strings.Join(whys, "; "), ctx.pos)
	} else {
		n = value.NewString(b.String(), ctx.pos)
	}
	return n, template{segs: out, interp: true}, more, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *resolver) approached(ctx *evalCtx, err error) error {
	code := "INVALID_VARIABLE"
	if se, ok := err.(*syntaxError); ok {
		code = se.code
	}
	return r.fail(ctx, "Approached variable syntax error in resolved value (%s): %s", code, err.Error())
}

// evalVariable resolves one variable of text: its first source, then its
// fallbacks in order (osls's resolveVariable). A source yielding null counts
// as "not found"; an Unknown is a value, so fallbacks never replace it.
func (r *resolver) evalVariable(ctx *evalCtx, text string, v *variable) (*value.Node, error) {
	if err := r.enter(ctx); err != nil {
		r.leave()
		return nil, err
	}
	defer r.leave()
	for i, src := range v.sources {
		if src.typ == "" {
			return literalNode(src.literal, ctx.pos), nil
		}
		if !r.available(src.typ) {
			return nil, errPending
		}
		res, err := r.evalSource(ctx, text, v, src)
		if err != nil {
			return nil, err
		}
		if res.node != nil && res.node.Kind != value.Null {
			return res.node, nil
		}
		if i == len(v.sources)-1 {
			msg := `Value not found at "` + src.typ + `" source`
			if res.detail != "" {
				msg += " (" + res.detail + ")"
			}
			return nil, r.fail(ctx, "%s", msg)
		}
	}
	// parse never produces a variable without sources.
	return nil, r.fail(ctx, "variable has no source")
}

// available says whether the current phase has a source (osls registers
// them pass by pass; an unregistered source leaves the variable unresolved
// even when it has fallbacks).
func (r *resolver) available(typ string) bool {
	switch typ {
	case "env", "file", "opt", "self", "strToBool", "sls":
		return true
	case "param":
		return r.phase >= phaseInstance
	}
	return r.phase >= phaseAll
}

// srcResult is what a source gave: a value (nil or a Null node when it found
// nothing) and, for nothing, what was looked for.
type srcResult struct {
	node   *value.Node
	detail string
}

// site is where a variable is written: the text holding it, the variable,
// and what its address and parameters resolved to, for writing an Unknown
// standing for it.
type site struct {
	text string
	v    *variable
	subs []metaSub
}

// metaSub is an address or parameter written with variables and the text it
// resolved to.
type metaSub struct {
	m    *meta
	text string
}

// evalSource resolves a source's parameters and address, then the source.
func (r *resolver) evalSource(ctx *evalCtx, text string, v *variable, src *source) (srcResult, error) {
	at := &site{text: text, v: v}
	var params []*value.Node
	if len(src.params) > 0 {
		params = make([]*value.Node, len(src.params))
	}
	for i, m := range src.params {
		n, err := r.evalMeta(ctx, m)
		if err != nil {
			return srcResult{}, err
		}
		params[i] = n
		at.remember(m, n)
	}
	var addr *value.Node
	if src.address != nil {
		n, err := r.evalMeta(ctx, src.address)
		if err != nil {
			return srcResult{}, err
		}
		addr = n
		at.remember(src.address, n)
	}
	for i := 0; i <= len(params); i++ {
		n := addr
		if i < len(params) {
			n = params[i]
		}
		if n.IsUnknown() {
			return srcResult{node: r.unknown(ctx, at, "it depends on a value known only at deploy time: "+n.Why)}, nil
		}
	}
	return r.callSource(ctx, at, src, params, addr)
}

// remember keeps what an address or parameter written with variables
// resolved to, when that is text.
func (at *site) remember(m *meta, n *value.Node) {
	if m.vars == nil {
		return
	}
	if text, unknown, _, ok := coerce(n); ok && !unknown {
		at.subs = append(at.subs, metaSub{m, text})
	}
}

// evalMeta resolves an address or a parameter: its nested variables, then
// whatever variables their values hold, up to osls's nest limit
// (resolveVariables + resolveInternalResult).
func (r *resolver) evalMeta(ctx *evalCtx, m *meta) (*value.Node, error) {
	if m.vars == nil {
		if m.node == nil {
			m.node = literalNode(m.lit, value.Pos{})
		}
		return m.node, nil
	}
	n, next, more, err := r.evalTemplate(ctx, template{segs: []seg{{text: m.lit.str, vars: m.vars}}})
	if err != nil {
		return nil, err
	}
	return r.internal(ctx, n, next, more, maxNest)
}

// internal is osls's resolveInternalResult: resolve what a resolved value
// holds, nestTracker levels deep at most.
func (r *resolver) internal(ctx *evalCtx, n *value.Node, next template, more bool, tracker int) (*value.Node, error) {
	if tracker == 0 {
		return nil, r.fail(ctx, "Excessive variables nest depth")
	}
	if more {
		n2, next2, more2, err := r.evalTemplate(ctx, next)
		if err != nil {
			return nil, err
		}
		return r.internal(ctx, n2, next2, more2, tracker-1)
	}
	if n.Kind != value.Map && n.Kind != value.List {
		return n, nil
	}
	// Values in a resolved map or list (an included file) resolve in place;
	// n is this resolution's own copy.
	var walk func(n *value.Node, depth int) error
	walk = func(n *value.Node, depth int) error {
		if depth > r.maxDepth {
			return r.fail(ctx, "value nests deeper than %d levels", r.maxDepth)
		}
		for _, c := range append(append([]*value.Node(nil), n.Items...), n.Vals...) {
			switch c.Kind {
			case value.String:
				vars, err := r.parse(c.Str)
				if err != nil {
					return r.approached(ctx, err)
				}
				if vars == nil {
					continue
				}
				v, next, more, err := r.evalTemplate(&evalCtx{prop: ctx.prop, pos: c.Pos}, template{segs: []seg{{text: c.Str, vars: vars}}})
				if err != nil {
					return err
				}
				if v, err = r.internal(ctx, v, next, more, tracker-1); err != nil {
					return err
				}
				*c = *v
			case value.Map, value.List:
				if err := walk(c, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(n, 0); err != nil {
		return nil, err
	}
	return n, nil
}

// unknown builds the Unknown standing for the variable at: the variable as
// written, with addresses and parameters that did resolve substituted, so
// "${ssm:/app/${self:provider.stage}/db}" reads "${ssm:/app/production/db}".
func (r *resolver) unknown(ctx *evalCtx, at *site, why string) *value.Node {
	return value.NewUnknown(at.expr(), why, ctx.pos)
}

func (at *site) expr() string {
	v := at.v
	raw := at.text[v.start:v.end]
	if len(at.subs) == 0 {
		return raw
	}
	subs := append([]metaSub(nil), at.subs...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].m.start < subs[j].m.start })
	var b strings.Builder
	last := 0
	for _, s := range subs {
		start, end := s.m.start-v.start, s.m.start-v.start+len(s.m.lit.str)
		if start < last || end > len(raw) {
			continue
		}
		b.WriteString(raw[last:start])
		b.WriteString(s.text)
		last = end
	}
	b.WriteString(raw[last:])
	return b.String()
}

// literalNode is the value of a literal fallback or parameter.
func literalNode(l literal, p value.Pos) *value.Node {
	switch l.kind {
	case litString:
		return value.NewString(l.str, p)
	case litNumber:
		return value.NewNumber(jsNumberString(l.num), p)
	case litBool:
		return value.NewBool(l.b, p)
	}
	return value.NewNull(p)
}

// coerce is the Framework's string coercion of a value interpolated into a
// string (type/string/coerce): scalars as JavaScript writes them, lists
// joined with commas (Array.prototype.toString), maps refused. An Unknown
// gives its expression and unknown=true.
func coerce(n *value.Node) (text string, unknown bool, why string, ok bool) {
	if n == nil {
		return "", false, "", false
	}
	switch n.Kind {
	case value.String:
		return n.Str, false, "", true
	case value.Number:
		return numberText(n.Str), false, "", true
	case value.Bool:
		return n.Str, false, "", true
	case value.Unknown:
		return n.Str, true, n.Why, true
	case value.List:
		var b strings.Builder
		var whys []string
		var join func(n *value.Node)
		join = func(n *value.Node) {
			for i, it := range n.Items {
				if i > 0 {
					b.WriteByte(',')
				}
				switch it.Kind {
				case value.Null:
				case value.List:
					join(it)
				case value.Map:
					b.WriteString("[object Object]")
				case value.Unknown:
					b.WriteString(it.Str)
					if !contains(whys, it.Why) {
						whys = append(whys, it.Why)
					}
				case value.Number:
					b.WriteString(numberText(it.Str))
				default:
					b.WriteString(it.Str)
				}
			}
		}
		join(n)
		return b.String(), whys != nil, strings.Join(whys, "; "), true
	}
	return "", false, "", false
}

// numberText writes a Number node's text as JavaScript would print the
// number (YAML's 1.50 is 1.5, 0x10 is 16).
func numberText(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if fl, ok := jsNumber(s); ok {
			return jsNumberString(fl)
		}
		return s
	}
	return jsNumberString(f)
}

func nonFinite(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		fl, ok := jsNumber(s)
		return ok && (math.IsInf(fl, 0) || math.IsNaN(fl))
	}
	return math.IsInf(f, 0) || math.IsNaN(f)
}
