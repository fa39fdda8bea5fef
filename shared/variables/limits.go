package variables

import (
	"prodready/shared/value"
)

// enter bounds the nesting of resolutions (references to properties whose
// values reference further properties, variables in addresses of variables).
func (r *resolver) enter(ctx *evalCtx) error {
	r.depth++
	if r.depth > r.maxDepth {
		return r.fail(ctx, "variables nest deeper than %d levels (references to values that hold references); refusing to resolve further", r.maxDepth)
	}
	return nil
}

func (r *resolver) leave() { r.depth-- }

// clone copies n for a new place in the configuration, counting the copy
// against Limits.MaxNodes: chains of ${self:} references copy subtrees and
// can grow like an alias bomb. The copy's nodes and child lists come from
// two allocations, which keeps large copies cheap for the garbage collector.
func (r *resolver) clone(n *value.Node, at value.Pos) (*value.Node, error) {
	if n == nil {
		return nil, nil
	}
	nodes, children := countNodes(n)
	r.nodes += nodes
	if r.lim.MaxNodes > 0 && r.nodes > r.lim.MaxNodes {
		return nil, value.Errorf(at, "variables expand the configuration to more than %d values (references copy whole subtrees); refusing to resolve it", r.lim.MaxNodes)
	}
	slab := make([]value.Node, nodes)
	ptrs := make([]*value.Node, children)
	var cp func(n *value.Node) *value.Node
	cp = func(n *value.Node) *value.Node {
		c := &slab[0]
		slab = slab[1:]
		*c = *n
		if n.Items != nil {
			c.Items, ptrs = ptrs[:len(n.Items):len(n.Items)], ptrs[len(n.Items):]
			for i, it := range n.Items {
				c.Items[i] = cp(it)
			}
		}
		if n.Keys != nil {
			c.Keys = n.Keys[:len(n.Keys):len(n.Keys)] // keys are never edited in place; share them
			c.Vals, ptrs = ptrs[:len(n.Vals):len(n.Vals)], ptrs[len(n.Vals):]
			for i, v := range n.Vals {
				c.Vals[i] = cp(v)
			}
		}
		return c
	}
	return cp(n), nil
}

// countNodes counts the nodes of n and the entries of its lists and maps.
func countNodes(n *value.Node) (nodes, children int) {
	nodes = 1
	children = len(n.Items) + len(n.Vals)
	for _, it := range n.Items {
		a, b := countNodes(it)
		nodes, children = nodes+a, children+b
	}
	for _, v := range n.Vals {
		a, b := countNodes(v)
		nodes, children = nodes+a, children+b
	}
	return nodes, children
}

// cloneFor is clone for a value a variable copies, failing at the property.
func (r *resolver) cloneFor(ctx *evalCtx, n *value.Node) (*value.Node, error) {
	c, err := r.clone(n, ctx.pos)
	if err != nil {
		return nil, r.fail(ctx, "%s", err.(*value.Error).Msg)
	}
	return c, nil
}

// addText counts bytes of strings built by interpolation, so values that
// double at every reference stop at a clear error instead of exhausting memory.
func (r *resolver) addText(ctx *evalCtx, n int) error {
	max := r.lim.MaxBytes
	if max <= 0 {
		max = value.DefaultLimits.MaxBytes
	}
	if int64(n) > max {
		return r.fail(ctx, "the value built is %d bytes long; the limit is %d bytes", n, max)
	}
	r.textBytes += int64(n)
	if r.textBytes > 8*max {
		return r.fail(ctx, "variables build more than %d bytes of text in total; refusing to resolve further", 8*max)
	}
	return nil
}
