package variables

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"prodready/shared/value"
)

// varError is a resolution error at the string holding the variable.
type varError struct {
	pos value.Pos
	msg string
}

func (e *varError) Error() string { return e.msg }

// fail returns an error at the property being resolved, worded as osls's
// "Cannot resolve variable at …" errors.
func (r *resolver) fail(ctx *evalCtx, format string, args ...any) *varError {
	return &varError{pos: ctx.pos, msg: `Cannot resolve variable at "` + humanize(ctx.prop.path) + `": ` + fmt.Sprintf(format, args...)}
}

// failProp records err as the outcome of p and returns it.
func (r *resolver) failProp(p *prop, err error) error {
	var ve *varError
	var e *value.Error
	switch {
	case errors.As(err, &ve):
	case errors.As(err, &e):
		ve = &varError{pos: e.Pos, msg: e.Msg}
	default:
		ve = &varError{pos: p.node.Pos, msg: err.Error()}
	}
	p.state = stateFailed
	p.err = ve
	return ve
}

// report returns the errors recorded so far (osls reports them all at the
// end of each pass, once each), or nil.
func (r *resolver) report() error {
	var first *varError
	var more []string
	seen := map[*varError]bool{}
	for _, p := range r.props {
		if p.state != stateFailed || seen[p.err] {
			continue
		}
		seen[p.err] = true
		if first == nil {
			first = p.err
			continue
		}
		more = append(more, p.err.pos.String()+": "+p.err.msg)
	}
	if first == nil {
		return nil
	}
	msg := first.msg
	if len(more) > 0 {
		msg += fmt.Sprintf("\n(and %d more:\n  %s)", len(more), strings.Join(more, "\n  "))
	}
	return &value.Error{Pos: first.pos, Msg: msg}
}

// ensure fails like osls when a property it needs at this point is still
// behind a variable it cannot resolve yet.
func (r *resolver) ensure(paths ...[]string) error {
	for _, path := range paths {
		if n, ok := r.unresolvedAt(path); !ok {
			name := filepath.Base(r.mainFile)
			if r.mainFile == "" {
				name = "serverless.yml"
			}
			return value.Errorf(n.Pos, "Cannot resolve %s: %q property is not accessible (configured behind variables which cannot be resolved at this stage)", name, humanize(path))
		}
	}
	return nil
}

// unresolvedAt is osls's is-property-resolved: no unresolved variable at the
// path, on the way to it or under it. It returns the node to blame.
func (r *resolver) unresolvedAt(path []string) (*value.Node, bool) {
	cur := r.root
	for _, k := range path {
		child := childNode(cur, k)
		if child == nil {
			return nil, true
		}
		if p := r.propOf[child]; p != nil && p.state != stateDone {
			return child, false
		}
		cur = child
	}
	var bad *value.Node
	var walk func(n *value.Node) bool
	walk = func(n *value.Node) bool {
		if p := r.propOf[n]; p != nil && p.state != stateDone {
			bad = n
			return false
		}
		for _, c := range n.Items {
			if !walk(c) {
				return false
			}
		}
		for _, c := range n.Vals {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if !walk(cur) {
		return bad, false
	}
	return nil, true
}
