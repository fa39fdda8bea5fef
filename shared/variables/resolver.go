package variables

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"prodready/shared/value"
)

// phase is how far the Framework has got in setting up variable sources.
// scripts/serverless.js resolves provider.stage before params and AWS sources
// exist, then everything else in passes, and refuses to go on when a property
// it needs at a pass is still behind a variable it cannot resolve yet. Values
// do not depend on the phases, but which errors are reported does ("provider.
// stage is not accessible" for stage: ${ssm:…}), so the resolver keeps them.
type phase uint8

const (
	// phaseCore resolves provider.name, provider.stage and useDotenv with
	// env, file, opt, self, strToBool and sls:stage.
	phaseCore phase = iota
	// phaseConfig resolves every property with the same sources.
	phaseConfig
	// phaseInstance adds param and sls:instanceId.
	phaseInstance
	// phaseAll adds aws, ssm, s3, cf and any plugin source.
	phaseAll
)

// maxNest is osls's cap on values that resolve to more variables
// (EXCESSIVE_RESOLVED_PROPERTIES_NEST_DEPTH and its nestTracker).
const maxNest = 10

type propState uint8

const (
	statePending propState = iota
	stateResolving
	stateDone
	stateFailed
)

// prop is a configuration string holding variables: osls's variablesMeta
// entry. Its node is in the working tree and is overwritten in place with the
// resolved value, so every pointer to it sees the result.
type prop struct {
	path  []string
	node  *value.Node
	tmpl  template
	seg0  [1]seg // the first template's one segment, allocated with the property
	state propState
	err   *varError
	// nest counts how often the value turned out to hold variables again,
	// within the current phase (osls keeps one count per resolution pass).
	nest      int
	nestPhase phase
}

// errPending means a source the current phase does not have yet was needed;
// the property is tried again in a later phase (osls leaves it in
// variablesMeta and says MISSING_VARIABLE_DEPENDENCY).
var errPending = errors.New("variable source not available yet")

// evalCtx is the property being resolved: errors name it and dependencies
// are registered from it.
type evalCtx struct {
	prop *prop
	pos  value.Pos
}

type resolver struct {
	o         Options
	lim       value.Limits
	root      *value.Node
	mainFile  string
	props     []*prop
	propOf    map[*value.Node]*prop
	phase     phase
	deps      map[*prop]*depList
	files     map[string]*fileEntry
	parsed    map[string]parsed // parse results by text: the syntax tree is never modified
	propSlab  []prop
	propCount int
	pathArena []string
	splits    map[string][]string

	nodes     int   // nodes created (initial copy, self copies, included files)
	textBytes int64 // bytes of strings built by interpolation
	depth     int   // nesting of resolutions in progress
	maxDepth  int
}

func newResolver(o Options) *resolver {
	maxDepth := o.Limits.MaxDepth * 5
	if maxDepth <= 0 {
		maxDepth = value.DefaultLimits.MaxDepth * 5
	}
	return &resolver{
		o:        o,
		lim:      o.Limits,
		propOf:   map[*value.Node]*prop{},
		files:    map[string]*fileEntry{},
		parsed:   map[string]parsed{},
		splits:   map[string][]string{},
		maxDepth: maxDepth,
	}
}

var stagePattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

const invalidStage = "Invalid stage name. Stage names may contain only ASCII letters, numbers, and hyphens."

func (r *resolver) run(root *value.Node) (*value.Node, error) {
	if root == nil {
		return nil, nil
	}
	r.mainFile = root.Pos.File
	if r.o.Stage != "" && !stagePattern.MatchString(r.o.Stage) {
		return nil, value.Errorf(value.Pos{File: r.mainFile}, "--stage %q: %s", r.o.Stage, invalidStage)
	}
	var err error
	if r.root, err = r.clone(root, root.Pos); err != nil {
		return nil, err
	}
	ps, err := r.collect(r.root, nil, 0)
	if err != nil {
		return nil, err
	}
	r.propOf = make(map[*value.Node]*prop, 2*len(ps))
	r.props = make([]*prop, 0, 2*len(ps))
	for _, p := range ps {
		r.addProp(p)
	}
	if err := r.report(); err != nil {
		return nil, err
	}
	// osls reads these two before resolving anything.
	if err := r.ensure([]string{"disabledDeprecations"}, []string{"deprecationNotificationMode"}); err != nil {
		return nil, err
	}

	core := [][]string{{"provider", "name"}, {"provider", "stage"}, {"useDotenv"}}
	r.startPhase(phaseCore)
	r.resolveAll(func(p *prop) bool {
		for _, c := range core {
			if hasPrefix(p.path, c) || hasPrefix(c, p.path) {
				return true
			}
		}
		return false
	})
	if err := r.report(); err != nil {
		return nil, err
	}
	if err := r.ensure([]string{"provider", "stage"}, []string{"useDotenv"}, []string{"provider", "name"}); err != nil {
		return nil, err
	}

	steps := []struct {
		phase  phase
		ensure [][]string
	}{
		{phaseConfig, [][]string{{"plugins"}, {"package", "path"}, {"frameworkVersion"}, {"service"}}},
		{phaseInstance, [][]string{{"provider", "credentials"}, {"provider", "deploymentBucket", "serverSideEncryption"}, {"provider", "profile"}, {"provider", "region"}}},
		{phaseAll, nil},
	}
	for _, s := range steps {
		r.startPhase(s.phase)
		r.resolveAll(func(p *prop) bool { return !r.deferred(p.path) })
		if err := r.report(); err != nil {
			return nil, err
		}
		if err := r.ensure(s.ensure...); err != nil {
			return nil, err
		}
	}
	return r.root, nil
}

func (r *resolver) startPhase(ph phase) {
	r.phase = ph
	// Each osls pass is a new VariablesResolver with an empty dependency map.
	r.deps = map[*prop]*depList{}
}

// resolveAll resolves, in document order, every pending property selected by
// want, including properties found in values resolved on the way.
func (r *resolver) resolveAll(want func(*prop) bool) {
	for i := 0; i < len(r.props); i++ {
		p := r.props[i]
		if p.state == statePending && want(p) {
			_ = r.resolveProp(p) // the outcome is recorded on the property
		}
	}
}

func hasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i, k := range prefix {
		if path[i] != k {
			return false
		}
	}
	return true
}

// humanize writes a property path as osls does in messages.
func humanize(path []string) string { return strings.Join(path, ".") }

// resolveProp resolves a property and writes its value into the tree
// (osls's memoized resolveProperty).
func (r *resolver) resolveProp(p *prop) error {
	switch p.state {
	case stateDone:
		return nil
	case stateFailed:
		return p.err
	case stateResolving:
		// Dependencies are registered before resolving, which reports
		// cycles first; this is a safety net that leaves p to its caller.
		return &varError{pos: p.node.Pos, msg: fmt.Sprintf("Circular reference. %q refers to itself", humanize(p.path))}
	}
	ctx := &evalCtx{prop: p, pos: p.node.Pos}
	if err := r.enter(ctx); err != nil {
		r.leave()
		return r.failProp(p, err)
	}
	defer r.leave()
	if p.nestPhase != r.phase {
		p.nest, p.nestPhase = 0, r.phase
	}
	p.state = stateResolving
	for {
		n, next, more, err := r.evalTemplate(ctx, p.tmpl)
		if err == errPending {
			p.state = statePending
			return errPending
		}
		if err != nil {
			return r.failProp(p, err)
		}
		if !more {
			return r.settle(ctx, p, n)
		}
		p.nest++
		if p.nest > maxNest {
			return r.failProp(p, r.fail(ctx, "Excessive property variables nest depth"))
		}
		p.tmpl = next
	}
}

// settle writes a property's value into the tree. A map or list may hold
// variables of its own (a file included, a copied subtree): they become
// properties under this one and are resolved now, as osls does.
func (r *resolver) settle(ctx *evalCtx, p *prop, n *value.Node) error {
	if n.Kind == value.Number && nonFinite(n.Str) {
		// JSON has no Infinity: the Framework's configuration holds null.
		n = value.NewNull(n.Pos)
	}
	var children []*prop
	if n.Kind == value.Map || n.Kind == value.List {
		var err error
		if children, err = r.collect(n, p.path, p.nest+1); err != nil {
			return r.failProp(p, err)
		}
		if len(children) > 0 && p.nest+1 > maxNest {
			return r.failProp(p, r.fail(ctx, "Excessive property variables nest depth"))
		}
	}
	*p.node = *n
	p.state = stateDone
	for _, c := range children {
		r.addProp(c)
	}
	for _, c := range children {
		if c.state == statePending && !r.deferred(c.path) {
			_ = r.resolveProp(c) // recorded on the child; dependents find it there
		}
	}
	return nil
}

func (r *resolver) addProp(p *prop) {
	r.props = append(r.props, p)
	r.propOf[p.node] = p
}

// collect walks n for strings holding variables without registering them.
func (r *resolver) collect(n *value.Node, path []string, nest int) ([]*prop, error) {
	var out []*prop
	// stack is the path being walked; a property gets its own copy.
	stack := append(make([]string, 0, len(path)+16), path...)
	var walk func(n *value.Node, depth int) error
	walk = func(n *value.Node, depth int) error {
		if depth > r.maxDepth {
			return value.Errorf(n.Pos, "configuration nests deeper than %d levels", r.maxDepth)
		}
		switch n.Kind {
		case value.String:
			vars, err := r.parse(n.Str)
			if err != nil {
				path := append([]string(nil), stack...)
				p := &prop{path: path, node: n, state: stateFailed, nestPhase: r.phase, nest: nest}
				p.err = &varError{pos: n.Pos, msg: fmt.Sprintf("Variable syntax error at %q: %s", humanize(path), err.Error())}
				out = append(out, p)
				return nil
			}
			if vars != nil {
				p := r.newProp()
				*p = prop{path: r.pathCopy(stack), node: n, nest: nest, nestPhase: r.phase}
				p.seg0[0] = seg{text: n.Str, vars: vars}
				p.tmpl = template{segs: p.seg0[:]}
				out = append(out, p)
			}
		case value.Map:
			for i, k := range n.Keys {
				stack = append(stack, k)
				err := walk(n.Vals[i], depth+1)
				stack = stack[:len(stack)-1]
				if err != nil {
					return err
				}
			}
		case value.List:
			for i, it := range n.Items {
				stack = append(stack, itoa(i))
				err := walk(it, depth+1)
				stack = stack[:len(stack)-1]
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(n, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// newProp hands out properties from slabs: a configuration has thousands.
func (r *resolver) newProp() *prop {
	if len(r.propSlab) == 0 {
		r.propSlab = make([]prop, min(1024, max(16, r.propCount)))
	}
	r.propCount += len(r.propSlab)
	p := &r.propSlab[0]
	r.propSlab = r.propSlab[1:]
	return p
}

// pathCopy copies a path being walked into an append-only arena.
func (r *resolver) pathCopy(path []string) []string {
	if cap(r.pathArena)-len(r.pathArena) < len(path) {
		r.pathArena = make([]string, 0, max(min(8192, 2*cap(r.pathArena)), 64, len(path)))
	}
	start := len(r.pathArena)
	r.pathArena = append(r.pathArena, path...)
	return r.pathArena[start:len(r.pathArena):len(r.pathArena)]
}

var smallInts = func() [64]string {
	var a [64]string
	for i := range a {
		a[i] = fmt.Sprint(i)
	}
	return a
}()

func itoa(i int) string {
	if i >= 0 && i < len(smallInts) {
		return smallInts[i]
	}
	return fmt.Sprint(i)
}

// deferred is osls's defer-irrelevant-stage-params: params.<other stage>.*
// are not resolved (their raw text stays) unless something refers to them.
func (r *resolver) deferred(path []string) bool {
	if len(path) < 3 || path[0] != "params" {
		return false
	}
	if params := r.root.Field("params"); params == nil || params.Kind != value.Map {
		return false
	}
	if path[1] == "default" {
		return false
	}
	stage, set := r.o.Stage, r.o.Stage != ""
	if !set {
		if ps := r.root.Get("provider", "stage"); ps != nil {
			switch ps.Kind {
			case value.String:
				stage, set = ps.Str, true
			case value.Number:
				stage, set = numberText(ps.Str), true
			}
		}
	}
	if !set {
		stage = "dev"
	}
	if strings.Contains(stage, "${") {
		return false
	}
	return path[1] != stage
}

// childNode steps into a map or list node without synthesizing values.
func childNode(n *value.Node, key string) *value.Node {
	switch n.Kind {
	case value.Map:
		return n.Field(key)
	case value.List:
		if i, ok := arrayIndex(key); ok && i < len(n.Items) {
			return n.Items[i]
		}
	}
	return nil
}

type parsed struct {
	vars []*variable
	err  error
}

// parse is parse with a cache: a configuration repeats the same references
// ("${self:custom.table}") in every function.
func (r *resolver) parse(s string) ([]*variable, error) {
	if !strings.Contains(s, "${") {
		return nil, nil
	}
	if p, ok := r.parsed[s]; ok {
		return p.vars, p.err
	}
	vars, err := parse(s)
	if len(r.parsed) < 100_000 {
		r.parsed[s] = parsed{vars, err}
	}
	return vars, err
}

// split is strings.Split(s, ".") with a cache, for addresses.
func (r *resolver) split(s string) []string {
	if keys, ok := r.splits[s]; ok {
		return keys
	}
	keys := strings.Split(s, ".")
	if len(r.splits) < 100_000 {
		r.splits[s] = keys
	}
	return keys
}
