package variables

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"prodready/shared/value"
)

// depList is the ordered set of properties one property waited for
// (osls's propertyDependenciesMap entry).
type depList struct {
	order []*prop
	set   map[*prop]bool
}

// depend records that ctx's property needs p, failing on a cycle with
// osls's wording plus the chain of properties
// (registerCrossPropertyDependency).
func (r *resolver) depend(ctx *evalCtx, p *prop) error {
	from := ctx.prop
	if from == p {
		return r.fail(ctx, "Circular reference. %q refers to itself", humanize(p.path))
	}
	// osls walks the dependencies of p depth first, looking for one that
	// already depends on `from`; the pair it stops at is the one it names.
	visited := map[*prop]bool{}
	type frame struct {
		p *prop
		i int
	}
	stack := []frame{{p: p}}
	visited[p] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		deps := r.deps[top.p]
		if top.i == 0 && deps != nil && deps.set[from] {
			chain := r.chain(p, from)
			return r.fail(ctx, "Circular reference among %q and %q properties (%s)", humanize(from.path), humanize(top.p.path), chain)
		}
		if deps == nil || top.i >= len(deps.order) {
			stack = stack[:len(stack)-1]
			continue
		}
		next := deps.order[top.i]
		top.i++
		if next == from {
			// osls would report "refers to itself" here; the check above
			// already caught it one level up.
			continue
		}
		if !visited[next] {
			visited[next] = true
			stack = append(stack, frame{p: next})
		}
	}
	d := r.deps[from]
	if d == nil {
		d = &depList{set: map[*prop]bool{}}
		r.deps[from] = d
	}
	if !d.set[p] {
		d.set[p] = true
		d.order = append(d.order, p)
	}
	return nil
}

// chain names the cycle from -> … -> from through the dependency p.
func (r *resolver) chain(p, from *prop) string {
	// Breadth-first from p to a property that depends on from.
	prev := map[*prop]*prop{p: nil}
	queue := []*prop{p}
	var end *prop
	for len(queue) > 0 && end == nil {
		cur := queue[0]
		queue = queue[1:]
		d := r.deps[cur]
		if d == nil {
			continue
		}
		if d.set[from] {
			end = cur
			break
		}
		for _, n := range d.order {
			if _, seen := prev[n]; !seen {
				prev[n] = cur
				queue = append(queue, n)
			}
		}
	}
	var path []string
	for n := end; n != nil; n = prev[n] {
		path = append(path, humanize(n.path))
	}
	names := []string{humanize(from.path)}
	for i := len(path) - 1; i >= 0; i-- {
		names = append(names, path[i])
	}
	names = append(names, humanize(from.path))
	return strings.Join(names, " -> ")
}

// lookup returns the configuration value at keys with every variable on the
// way and under it resolved first (osls's resolveDependentProperty). It
// returns the node in the tree (callers copy it) or nil when there is
// nothing there; through is set when the path runs into an Unknown before
// its end, which is then returned.
func (r *resolver) lookup(ctx *evalCtx, keys []string) (n *value.Node, through bool, err error) {
	cur := r.root
	for _, key := range keys {
		if cur == nil || cur.Kind == value.Null {
			return nil, false, nil
		}
		if cur.Kind == value.Unknown {
			return cur, true, nil
		}
		child := ownProperty(cur, key)
		if child == nil {
			return nil, false, nil
		}
		if p := r.propOf[child]; p != nil && p.state != stateDone {
			if err := r.depend(ctx, p); err != nil {
				return nil, false, err
			}
			if err := r.resolveProp(p); err != nil {
				return nil, false, err
			}
		}
		cur = child
	}
	if cur != nil && (cur.Kind == value.Map || cur.Kind == value.List) {
		if err := r.settleSubtree(ctx, cur, 0); err != nil {
			return nil, false, err
		}
	}
	return cur, false, nil
}

// settleSubtree resolves every property under n before n is copied.
func (r *resolver) settleSubtree(ctx *evalCtx, n *value.Node, depth int) error {
	if depth > r.maxDepth {
		return r.fail(ctx, "value nests deeper than %d levels", r.maxDepth)
	}
	for i := 0; i < len(n.Items)+len(n.Vals); i++ {
		var c *value.Node
		if i < len(n.Items) {
			c = n.Items[i]
		} else {
			c = n.Vals[i-len(n.Items)]
		}
		if p := r.propOf[c]; p != nil && p.state != stateDone {
			if err := r.depend(ctx, p); err != nil {
				return err
			}
			if err := r.resolveProp(p); err != nil {
				return err
			}
		}
		if c.Kind == value.Map || c.Kind == value.List {
			if err := r.settleSubtree(ctx, c, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// ownProperty is JavaScript's own-property access as osls allows it
// (canFollowProperty): map keys, list indexes and length, string
// characters and length. Values it makes up sit at their holder's position.
func ownProperty(n *value.Node, key string) *value.Node {
	switch n.Kind {
	case value.Map:
		return n.Field(key)
	case value.List:
		if key == "length" {
			return value.NewInt(int64(len(n.Items)), n.Pos)
		}
		if i, ok := arrayIndex(key); ok && i < len(n.Items) {
			return n.Items[i]
		}
	case value.String:
		u := utf16Units(n.Str)
		if key == "length" {
			return value.NewInt(int64(len(u)), n.Pos)
		}
		if i, ok := arrayIndex(key); ok && i < len(u) {
			return value.NewString(string(utf16.Decode(u[i:i+1])), n.Pos)
		}
	case value.Unknown:
		return n
	}
	return nil
}

// arrayIndex reads a canonical array index ("0", "12"; not "01" or "+1").
func arrayIndex(key string) (int, bool) {
	if key == "" || len(key) > 9 || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || strconv.Itoa(i) != key {
		return 0, false
	}
	return i, true
}
