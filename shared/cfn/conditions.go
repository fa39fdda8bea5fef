package cfn

import (
	"strconv"
	"strings"

	"prodready/shared/value"
)

// Truth is the value of a condition in one deployment.
type Truth int

// The values of a condition. Unknown is the zero value: a condition nobody
// evaluated is treated as one that may hold, which fails closed.
const (
	// Unknown: the condition depends on something only known at deploy time
	// (a parameter without a value, an unresolved variable).
	Unknown Truth = iota
	True
	False
)

func (t Truth) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

func truthOf(b bool) Truth {
	if b {
		return True
	}
	return False
}

type evalState uint8

const (
	unvisited evalState = iota
	visiting
	done
)

// maxConditionDepth bounds how deeply condition references and functions
// may nest, so a chain of a million conditions cannot exhaust the stack.
const maxConditionDepth = 1000

// EvalConditions evaluates the template's Conditions section: every
// condition's value in the deployment o describes. An undefined condition,
// a cycle or a malformed condition function is a *value.Error.
func EvalConditions(tmpl *value.Node, o Options) (map[string]Truth, error) {
	l, err := newLoader(tmpl, o)
	if err != nil {
		return nil, err
	}
	if err := l.evalAll(); err != nil {
		return nil, err
	}
	return l.truth, nil
}

// evalAll evaluates every condition in document order, so the first error
// reported is the first in the file.
func (l *loader) evalAll() error {
	if l.conds == nil {
		return nil
	}
	for i, name := range l.conds.Keys {
		if _, err := l.condition(name, l.conds.Vals[i].Pos, nil); err != nil {
			return err
		}
	}
	return nil
}

// condition returns the value of the named condition, evaluating it once.
// path is the chain of conditions being evaluated, for the cycle message.
func (l *loader) condition(name string, at value.Pos, path []string) (Truth, error) {
	switch l.evalState[name] {
	case done:
		return l.truth[name], nil
	case visiting:
		return Unknown, value.Errorf(at, "condition %s refers to itself: %s", name, strings.Join(append(cycleFrom(path, name), name), " -> "))
	}
	def := l.conds.Field(name)
	if def == nil {
		return Unknown, value.Errorf(at, "condition %s is not defined in Conditions%s", name, l.definedHint())
	}
	if len(path) >= maxConditionDepth {
		return Unknown, value.Errorf(at, "conditions nest deeper than %d references", maxConditionDepth)
	}
	l.evalState[name] = visiting
	t, err := l.condFunc(def, append(path, name), 0)
	if err != nil {
		return Unknown, err
	}
	l.evalState[name] = done
	l.truth[name] = t
	return t, nil
}

func cycleFrom(path []string, name string) []string {
	for i, p := range path {
		if p == name {
			return path[i:]
		}
	}
	return path
}

func (l *loader) definedHint() string {
	if l.conds == nil || len(l.conds.Keys) == 0 {
		return " (the template defines no conditions)"
	}
	keys := l.conds.Keys
	if len(keys) > 10 {
		return " (defined: " + strings.Join(keys[:10], ", ") + ", …)"
	}
	return " (defined: " + strings.Join(keys, ", ") + ")"
}

const condFuncs = "Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition"

// condFunc evaluates one condition function.
func (l *loader) condFunc(n *value.Node, path []string, depth int) (Truth, error) {
	if depth > maxConditionDepth {
		return Unknown, value.Errorf(n.Pos, "condition functions nest deeper than %d levels", maxConditionDepth)
	}
	fn, arg, ok := n.Intrinsic()
	if !ok {
		return Unknown, value.Errorf(n.Pos, "condition %s: expected a condition function (%s), found %s", path[len(path)-1], condFuncs, n.Describe())
	}
	switch fn {
	case "Condition":
		name, ok := arg.Text()
		if !ok || arg.Kind == value.Bool {
			return Unknown, value.Errorf(arg.Pos, "Condition expects the name of a condition, found %s", arg.Describe())
		}
		return l.condition(name, arg.Pos, path)
	case "Fn::Equals":
		if arg.Kind != value.List || len(arg.Items) != 2 {
			return Unknown, value.Errorf(argPos(n, arg), "Fn::Equals expects a list of two values, found %s", describeArgs(arg))
		}
		a, err := l.condValue(arg.Items[0])
		if err != nil {
			return Unknown, err
		}
		b, err := l.condValue(arg.Items[1])
		if err != nil {
			return Unknown, err
		}
		return equalTruth(a, b), nil
	case "Fn::And", "Fn::Or":
		if arg.Kind != value.List || len(arg.Items) < 2 || len(arg.Items) > 10 {
			return Unknown, value.Errorf(argPos(n, arg), "%s expects a list of 2 to 10 conditions, found %s", fn, describeArgs(arg))
		}
		// Every operand is evaluated, not just up to the first decisive one,
		// so a broken operand is reported whatever the others say.
		var trues, falses int
		for _, it := range arg.Items {
			t, err := l.condFunc(it, path, depth+1)
			if err != nil {
				return Unknown, err
			}
			switch t {
			case True:
				trues++
			case False:
				falses++
			}
		}
		if fn == "Fn::And" {
			switch {
			case falses > 0:
				return False, nil
			case trues == len(arg.Items):
				return True, nil
			}
			return Unknown, nil
		}
		switch {
		case trues > 0:
			return True, nil
		case falses == len(arg.Items):
			return False, nil
		}
		return Unknown, nil
	case "Fn::Not":
		if arg.Kind != value.List || len(arg.Items) != 1 {
			return Unknown, value.Errorf(argPos(n, arg), "Fn::Not expects a list of one condition, found %s", describeArgs(arg))
		}
		t, err := l.condFunc(arg.Items[0], path, depth+1)
		if err != nil {
			return Unknown, err
		}
		switch t {
		case True:
			return False, nil
		case False:
			return True, nil
		}
		return Unknown, nil
	}
	return Unknown, value.Errorf(n.Pos, "condition %s: %s is not a condition function (expected %s)", path[len(path)-1], fn, condFuncs)
}

func describeArgs(arg *value.Node) string {
	switch {
	case arg.Kind == value.List && len(arg.Items) == 1:
		return "1 item"
	case arg.Kind == value.List:
		return strconv.Itoa(len(arg.Items)) + " items"
	}
	return arg.Describe()
}

// condValue resolves an operand of Fn::Equals: parameters and pseudo
// parameters become their values, and Fn::Join, Fn::Sub, Fn::Select,
// Fn::FindInMap over known values are folded.
func (l *loader) condValue(n *value.Node) (*value.Node, error) {
	v, removed, err := l.resolve(n, inCondition)
	if err != nil || removed {
		return nil, err
	}
	return v, nil
}

// equalTruth compares two resolved operands the way CloudFormation does: as
// strings (true and "true" are equal), element by element for lists.
func equalTruth(a, b *value.Node) Truth {
	if a == nil || b == nil {
		return Unknown
	}
	if a.Kind == value.List && b.Kind == value.List {
		if !knownScalars(a.Items) || !knownScalars(b.Items) {
			return Unknown
		}
		if len(a.Items) != len(b.Items) {
			return False
		}
		for i := range a.Items {
			if a.Items[i].Str != b.Items[i].Str {
				return False
			}
		}
		return True
	}
	as, aok := a.Text()
	bs, bok := b.Text()
	if aok && bok {
		return truthOf(as == bs)
	}
	if aok && b.Kind == value.List || bok && a.Kind == value.List {
		if knownScalars(a.List()) && knownScalars(b.List()) {
			return False // a string never equals a list
		}
	}
	return Unknown
}

func knownScalars(items []*value.Node) bool {
	for _, it := range items {
		if _, ok := it.Text(); !ok {
			return false
		}
	}
	return true
}

// argPos is where a function's argument is written, or the function's
// place when the argument has none.
func argPos(fn, arg *value.Node) value.Pos {
	if arg != nil && !arg.Pos.IsZero() {
		return arg.Pos
	}
	return fn.Pos
}
